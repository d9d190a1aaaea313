"""Access, special categories, forbidden data and outbound sharing on tiny inline estates."""

from __future__ import annotations

import datetime as dt

from rgpd_audit.checks.runner import run_checks
from rgpd_audit.pipeline import classify_if_available
from rgpd_audit.policy import load_policy

POLICY = load_policy()
AS_OF = dt.date(2026, 11, 27)

ACCESS = """
- name: staff
  format: csv
  path: staff.csv
  activities: []
  use: staff
  hosting: {provider: INTER INTERIM, country: FR}
  options: {subject: {email: email}, dates: {sortie: departure}}
- name: members
  format: dropbox_members
  path: members.csv
  activities: []
  use: access
  hosting: {provider: "Dropbox, Inc.", country: US}
- name: activity
  format: dropbox_activity
  path: activity.csv
  activities: [candidates]
  use: access
  hosting: {provider: "Dropbox, Inc.", country: US}
  options: {split_by: {column: assets, values: {"/Recrutement/*": candidates}}}
- name: shares
  format: dropbox_sharing
  path: shares.csv
  activities: [candidates]
  use: access
  hosting: {provider: "Dropbox, Inc.", country: US}
  options: {split_by: {column: path, values: {"/Recrutement/*": candidates}}}
"""

D = "inter-interim.example.fr"
FILES = {
    "staff.csv": f"email;Service;sortie\nrh@{D};Recrutement;\ncompta@{D};Comptabilité;\nparti@{D};Recrutement;30/06/2024\nfutur@{D};Commercial;31/12/2026\n",
    "members.csv": "First name,Last name,Email address,Role,Status,Join date\n"
    f"A,A,rh@{D},Member,Active,2020-01-01\nB,B,compta@{D},Member,Active,2020-01-01\n"
    f"C,C,parti@{D},Member,Active,2020-01-01\nD,D,futur@{D},Member,Active,2020-01-01\n",
    "activity.csv": "timestamp,member,member_email,event_type,category,assets\n"
    f"2026-10-01T10:00:00Z,A,rh@{D},file_download,files,/Recrutement/CV/CV_X.pdf\n"
    f"2026-10-02T10:00:00Z,B,compta@{D},file_download,files,/Recrutement/CV/CV_X.pdf\n"
    f"2026-10-03T10:00:00Z,B,compta@{D},file_download,files,/Recrutement/CV/CV_Y.pdf\n"
    f"2026-10-04T10:00:00Z,B,compta@{D},file_add,files,/Compta/facture.pdf\n"
    f"2026-10-05T10:00:00Z,B,compta@{D},login_success,logins,\n",
    "shares.csv": "Item type,Path,Access level,Shared by,Shared on,Shared with\n"
    f"File,/Recrutement/CV/CV_X.pdf,Can view,rh@{D},2026-01-01,agence@partenaire.example.com\n"
    f"File,/Recrutement/CV/CV_Y.pdf,Can view,rh@{D},2026-01-01,compta@{D}\n"
    f"File,/Commercial/plaquette.pdf,Can view,rh@{D},2026-01-01,client@example.com\n",
}


def counts(ws, run):
    return {(c, a): n for c, a, n in ws.con.execute(
        "SELECT check_id, coalesce(activity, '-'), count(*) FROM findings WHERE run_id = ? GROUP BY ALL", [run.run_id]).fetchall()}


def test_former_staff_unauthorised_roles_and_outbound_shares(load_tiny):
    ws, report = load_tiny(ACCESS, FILES)
    assert not report.failed, report.failed
    run = run_checks(ws, POLICY, AS_OF, only=["access.former_staff", "access.unauthorised_role", "transfer.outbound_share"], domains=[D])
    c = counts(ws, run)
    assert c[("access.former_staff", "-")] == 1  # parti@ left in 2024; futur@ leaves after the audit date
    assert c[("access.unauthorised_role", "candidates")] == 1  # compta@ on /Recrutement, once per member
    assert c[("transfer.outbound_share", "candidates")] == 1  # the /Commercial share is not candidates' data
    detail = ws.con.execute("SELECT detail_fr FROM findings WHERE check_id = 'access.unauthorised_role'").fetchone()[0]
    assert "2 accès" in detail and "Comptabilité" in detail
    assert D not in " ".join(r[0] for r in ws.con.execute("SELECT coalesce(record_key,'') || detail_fr FROM findings").fetchall())
    # as of before the departure, the leaver is not reported
    run = run_checks(ws, POLICY, dt.date(2024, 6, 1), only=["access.former_staff"], domains=[D])
    assert counts(ws, run) == {}


CANDS = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {subject: {email: email}}
"""


def test_special_categories_and_forbidden_candidate_identifiers(load_tiny):
    data = (
        "email;Statut;N° sécurité sociale;Commentaires\n"
        "a@example.fr;Refusé;1 85 05 78 006 084 36;En arrêt maladie depuis mars\n"
        "b@example.fr;Embauché;2 90 01 75 123 456 78;RAS\n"
        "c@example.fr;Vivier;;Délégué syndical CGT, casier judiciaire à vérifier\n"
        "d@example.fr;Vivier;;B3 vu : oui\n"
        "e@example.fr;Vivier;;Très motivée, disponible de suite\n"
    )
    ws, _ = load_tiny(CANDS, {"cands.csv": data})
    classify_if_available(ws, POLICY)
    run = run_checks(ws, POLICY, AS_OF, only=["special_category.free_text", "forbidden_data.candidate_identifier"])
    c = counts(ws, run)
    assert c[("special_category.free_text", "candidates")] == 2  # a and c; the B3 mention is allowed
    assert c[("forbidden_data.candidate_identifier", "candidates")] == 1  # a only: b was hired
    details = " ".join(r[0] for r in ws.con.execute("SELECT detail_fr FROM findings WHERE run_id = ?", [run.run_id]).fetchall())
    assert "arrêt maladie" not in details and "@" not in details  # categories, never the text itself


def _nir(n13: str) -> str:
    return n13 + f"{97 - int(n13) % 97:02d}"


def test_undeclared_category_finding(load_tiny):
    rows = "".join(f"p{i}@example.fr;Refusé;{_nir(f'18505780060{i:02d}')}\n" for i in range(20))
    ws, _ = load_tiny(CANDS, {"cands.csv": "email;Statut;N° sécurité sociale\n" + rows})
    classify_if_available(ws, POLICY)
    run = run_checks(ws, POLICY, AS_OF, only=["mapping.undeclared_category"])
    keys = {r[0] for r in ws.con.execute("SELECT record_key FROM findings WHERE run_id = ?", [run.run_id]).fetchall()}
    assert "user.government_id.national_identification_number" in keys


def test_outbound_share_severity_follows_declared_recipients(load_tiny):
    sources = ACCESS.replace("activities: [candidates]\n  use: access\n  hosting: {provider: \"Dropbox, Inc.\", country: US}\n  options: {split_by: {column: path, values: {\"/Recrutement/*\": candidates}}}",
                             "activities: [partners]\n  use: access\n  hosting: {provider: \"Dropbox, Inc.\", country: US}\n  options: {split_by: {column: path, values: {\"/Recrutement/*\": partners}}}")
    assert "[partners]" in sources
    ws, _ = load_tiny(sources, FILES)
    run = run_checks(ws, POLICY, AS_OF, only=["transfer.outbound_share"], domains=[D])
    sev = {r[0] for r in ws.con.execute("SELECT severity FROM findings WHERE run_id = ?", [run.run_id]).fetchall()}
    assert POLICY.activity("partners").recipients == []  # §6 declares no recipient at all
    assert sev == {"error"}
