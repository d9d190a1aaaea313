"""The data map: the ``datamap`` view (system × table × column × category × activity × hosting) and the Sankey."""

from __future__ import annotations

import pytest

from rgpd_audit.mapping.datamap import build_datamap, datamap_frame
from rgpd_audit.policy import load_policy
from rgpd_audit.report.panels import data_map_sankey

SOURCES = """
- name: crm
  title: CRM contacts
  format: csv
  path: crm.csv
  activities: [prospects, client_contacts]
  hosting: {provider: "HubSpot, Inc.", country: DE}
  options: {split_by: {column: stage, values: {lead: prospects, customer: client_contacts}}}
- name: cands
  title: Suivi candidats
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
- name: gmail
  format: csv
  path: gmail.csv
  activities: [candidates]
  hosting: {provider: Google LLC, country: US}
- name: mailchimp
  format: csv
  path: mailchimp.csv
  activities: [newsletters]
  hosting: {provider: Intuit Mailchimp, country: US}
- name: mission
  format: csv
  path: mission.csv
  activities: [client_datasets]
  hosting: {provider: OVH SAS, country: FR}
  options: {client: CLI0042}
"""

# Raw values that must never reach the data map or the register.
EMAILS = ["marie.dupont@example.fr", "jean.martin@example.fr", "zoe.durand@example.fr", "paul.petit@example.fr"]
PHONE = "0612345678"
NIR = "185057800608436"

FILES = {
    "crm.csv": "email,nom,stage,tel\n"
               f"{EMAILS[0]},Dupont,lead,{PHONE}\n"
               f"{EMAILS[1]},Martin,customer,0698765432\n"
               "luc.bernard@example.fr,Bernard,lead,\n",
    "cands.csv": "Nom,E-mail,NIR,Commentaire\n"
                 f"Durand,{EMAILS[2]},{NIR},RAS\n"
                 f"Petit,{EMAILS[3]},,en arrêt maladie depuis mars\n",
    "gmail.csv": "from,subject\nmarc@example.org,Candidature\nlea@example.org,CV\nmax@example.org,Relance\n",
    "mailchimp.csv": "email\nabo@example.org\n",
    "mission.csv": "Nom,Salaire\nA,2000\nB,2100\n",
}

COLUMN_MAP = [
    # source, table, column, category, status, confidence
    ("crm", "crm", "email", "user.contact.email", "confirmed", 1.0),
    ("crm", "crm", "nom", "user.name", "confirmed", 0.95),
    ("crm", "crm", "tel", "user.contact.phone_number", "suggested", 0.9),
    ("crm", "crm", "stage", None, "not_personal", 1.0),
    ("cands", "cands", "Nom", "user.name", "confirmed", 1.0),
    ("cands", "cands", "E-mail", "user.contact.email", "confirmed", 1.0),
    ("cands", "cands", "NIR", "user.government_id.national_identification_number", "confirmed", 1.0),
    ("cands", "cands", "Commentaire", "user.x_rgpd.free_text_comment", "suggested", 0.5),
    ("gmail", "gmail", "from", "user.contact.email", "confirmed", 1.0),
    ("mailchimp", "mailchimp", "email", "user.contact.email", "confirmed", 1.0),
    ("mission", "mission", "Nom", "user.name", "confirmed", 1.0),
    ("mission", "mission", "Salaire", "user.x_rgpd.salary", "confirmed", 1.0),
]


def classify(ws) -> None:
    """Simulate the classifier: column_map rows and one special-category hit (health, in a comment)."""
    ws.con.executemany(
        "INSERT INTO column_map (source, table_name, column_name, category, status, confidence) VALUES (?, ?, ?, ?, ?, ?)",
        COLUMN_MAP,
    )
    ws.con.execute(
        "INSERT INTO special_hits (source, table_name, file_id, row_no, column_name, category, term, excerpt, activity) "
        "SELECT 'cands', 'cands', _file_id, _row, 'Commentaire', 'user.health', 'health', 'en a*** m******', _activity "
        "FROM raw.cands WHERE _row = 2"
    )


@pytest.fixture
def estate(load_tiny):
    ws, report = load_tiny(SOURCES, FILES)
    assert not report.failed
    classify(ws)
    return ws


def test_datamap_view_rows(estate):
    n = build_datamap(estate, load_policy())
    assert n > 0
    rows = estate.con.execute(
        "SELECT activity, records, hosting_provider, hosting_country, eea, status, declared, activity_basis "
        "FROM datamap WHERE system = 'crm' AND column_name = 'email' ORDER BY activity"
    ).fetchall()
    # one row per activity present in the data (split by stage)
    assert rows == [
        ("client_contacts", 1, "HubSpot, Inc.", "DE", True, "confirmed", True, "data"),
        ("prospects", 2, "HubSpot, Inc.", "DE", True, "confirmed", True, "data"),
    ]
    gmail = estate.con.execute(
        "SELECT activity, eea, records FROM datamap WHERE system = 'gmail'"
    ).fetchone()
    assert gmail == ("candidates", False, 3)
    nir = estate.con.execute(
        "SELECT declared, special FROM datamap WHERE category = 'user.government_id.national_identification_number'"
    ).fetchone()
    assert nir == (False, False)
    health = estate.con.execute(
        "SELECT activity, special, origin, records, status FROM datamap WHERE category = 'user.health'"
    ).fetchone()
    assert health == ("candidates", True, "special_hits", 1, "detected")
    # not-personal columns are not in the map
    assert estate.con.execute("SELECT count(*) FROM datamap WHERE column_name = 'stage'").fetchone()[0] == 0


def test_datamap_frame_has_no_values(estate):
    build_datamap(estate, load_policy())
    df = datamap_frame(estate)
    assert {"system", "table_name", "column_name", "category", "activity", "hosting_provider",
            "hosting_country", "eea", "status", "records"} <= set(df.columns)
    text = df.to_csv()
    for value in EMAILS + [PHONE, NIR, "Dupont"]:
        assert value not in text


def test_datamap_empty_workspace(tmp_path):
    from rgpd_audit.workspace import Workspace

    with Workspace(tmp_path / "ws") as ws:
        assert build_datamap(ws) == 0
        assert datamap_frame(ws).empty
        fig = data_map_sankey(ws)
        assert not fig.data  # "nothing loaded", no flow drawn


def test_manifest_activities_when_records_carry_none(load_tiny):
    src = """
- name: mbox
  format: csv
  path: m.csv
  activities: [prospects, candidates]
  hosting: {provider: Google LLC, country: US}
"""
    ws, _ = load_tiny(src, {"m.csv": "from\na@example.org\n"})
    ws.con.execute("INSERT INTO column_map (source, table_name, column_name, category, status, confidence) "
                   "VALUES ('mbox', 'mbox', 'from', 'user.contact.email', 'confirmed', 1)")
    build_datamap(ws, load_policy())
    rows = ws.con.execute("SELECT activity, activity_basis, records FROM datamap ORDER BY activity").fetchall()
    assert rows == [("candidates", "manifest", 1), ("prospects", "manifest", 1)]


def test_sankey_nodes_and_links(estate):
    """The one data map of the report: systems → activities → hosting countries, widths = records."""
    fig = data_map_sankey(estate, load_policy())
    sk = fig.data[0]
    labels = list(sk.node.customdata)  # the full names (labels may be shortened or on two lines)
    assert {"CRM contacts", "Suivi candidats", "gmail", "France", "Allemagne", "États-Unis (hors EEE)"} <= set(labels)
    cand = next(i for i, label in enumerate(labels) if label.startswith("Candidature"))
    us = labels.index("États-Unis (hors EEE)")
    assert sk.node.color[us] != sk.node.color[labels.index("France")]
    # into the US from candidates: the 3 gmail records
    into_us = [v for s, t, v in zip(sk.link.source, sk.link.target, sk.link.value) if s == cand and t == us]
    assert into_us == [3]
    # crm -> prospects carries 2 records, crm -> client contacts 1
    crm = labels.index("CRM contacts")
    assert sorted(v for s, v in zip(sk.link.source, sk.link.value) if s == crm) == [1, 2]
    en = data_map_sankey(estate, load_policy(), lang="en")
    assert "United States (outside the EEA)" in en.data[0].node.customdata
    assert "United States<br>(outside the EEA)" in en.data[0].node.label
