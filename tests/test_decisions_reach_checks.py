"""Every kind of decision the mapping records reaches the checks, with one precedence (the
analyst's confirmed decision > the manifest's hint > the loader's declaration > the
classifier's suggestion), and the findings resting on a decision name it.

Each test makes the decision in ``mapping.yaml`` only (never in the manifest), then runs
``rgpd-audit check``: the check follows it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.ingest.loaded import KINDS, loaded_sources
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest

CANDIDATES = """
- name: candidats
  format: csv
  path: candidats.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: Réf, date_format: '%d/%m/%Y', dates: {Date candidature: last_activity}}
"""

ROWS = (
    "Réf;Nom;E-mail;N° SS;Code interne;Statut;Date candidature;Commentaire\n"
    "C1;Martin;a.martin@example.fr;1 85 05 78 006 084 36;X-1;En cours;12/03/2024;"
    "Candidate enceinte, disponible après son congé maternité, à recontacter en mai pour un poste\n"
    "C2;Durand;b.durand@example.fr;2 90 12 75 108 123 45;X-2;En cours;20/10/2025;"
    "Très bon entretien, motivé, expérience en logistique et cariste, NIR donné : 1 85 05 78 006 084 91\n"
)
AS_OF = "2026-11-27"
NIR = "user.government_id.national_identification_number"


@pytest.fixture
def estate(tmp_path):
    """Loaded and mapped (suggestions only); returns a function running ``check`` and
    returning the run's findings as (check_id, record_key, subject_ref, detail_fr, detail_en)."""
    (tmp_path / "candidats.csv").write_text(ROWS, encoding="utf-8")
    m = write_manifest(tmp_path, CANDIDATES)
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(m), "--workspace", str(ws)]).exit_code == 0
    assert runner.invoke(main, ["map", "--workspace", str(ws)]).exit_code == 0

    def check():
        res = runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(tmp_path / "out")])
        assert res.exit_code in (0, 1), res.output
        with Workspace(ws, create=False) as w:
            run = w.con.execute("SELECT max(run_id) FROM audit_runs").fetchone()[0]
            return w.con.execute(
                "SELECT check_id, record_key, subject_ref, detail_fr, detail_en FROM findings WHERE run_id = ? "
                "AND check_id NOT LIKE 'policy.%' ORDER BY ALL", [run]
            ).fetchall()

    check.ws = ws
    return check


def _decide(ws, column: str, **values) -> None:
    """Confirm a decision in mapping.yaml only, as an analyst editing the file by hand."""
    path = ws / "mapping.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"]["candidats"]["columns"][column].update({"status": "confirmed", **values})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _of(findings, check_id):
    return [f for f in findings if f[0] == check_id]


def test_suggestions_only_say_so(estate):
    forbidden = _of(estate(), "forbidden_data.candidate_identifier")
    assert [f[1] for f in forbidden] == ["C1", "C2"]
    assert all("Catégorie suggérée, non revue" in f[3] and "Category suggested, not reviewed" in f[4] for f in forbidden)
    assert not any("Décision du mapping" in f[3] for f in forbidden)


def test_not_personal_decision_leaves_no_personal_data_finding(estate):
    _decide(estate.ws, "N° SS", status="not_personal", category=None, subject_key=False)
    findings = estate()
    assert _of(findings, "forbidden_data.candidate_identifier") == []
    assert not any("N° SS" in f[3] for f in findings)


def test_category_decision_is_used_and_named(estate):
    _decide(estate.ws, "N° SS", status="not_personal", category=None, subject_key=False)
    _decide(estate.ws, "Code interne", category=NIR)  # the analyst knows this code is the NIR
    forbidden = _of(estate(), "forbidden_data.candidate_identifier")
    assert [f[1] for f in forbidden] == ["C1", "C2"]
    today = dt.datetime.now(dt.UTC)
    for _, _, _, fr, en in forbidden:
        assert "NIR (Code interne)" in fr and "suggérée" not in fr  # the decision, not a suggestion
        assert "Décision du mapping : « Code interne » = " in fr and "(catégorie), décidée le " in fr
        assert "Mapping decision: 'Code interne' = " in en and f"(category), decided on {today:%Y-%m}" in en
        assert "@" not in fr + en and "Martin" not in fr + en  # no identifier of a person
    # a decision written by hand is dated when it first reaches the workspace, in the file too
    entry = yaml.safe_load((estate.ws / "mapping.yaml").read_text(encoding="utf-8"))["tables"]["candidats"]["columns"]
    assert entry["Code interne"]["decided_at"] and "decided_by" not in entry["Code interne"]
    assert "decided_at" not in entry["Nom"]  # a suggestion is nobody's decision


def test_category_decision_reaches_the_declared_vs_observed_check(estate):
    bank = "user.financial.bank_account"
    assert [f for f in _of(estate(), "mapping.undeclared_category") if f[1] == bank] == []
    _decide(estate.ws, "Code interne", category=bank)
    found = [f for f in _of(estate(), "mapping.undeclared_category") if f[1] == bank]
    assert len(found) == 1
    assert "« Code interne »" in found[0][3] and "(catégorie)" in found[0][3]


def test_activity_decision_is_used_per_activity(estate):
    # the analyst says the NIR column is not candidates' data (a payroll extract kept with it)
    _decide(estate.ws, "N° SS", category=NIR, subject_key=True, activity="client_datasets")
    assert _of(estate(), "forbidden_data.candidate_identifier") == []
    # confirmed for candidates, as the manifest says: the category decision is named, the
    # activity (the manifest's own) is not
    _decide(estate.ws, "N° SS", category=NIR, subject_key=True, activity="candidates")
    forbidden = _of(estate(), "forbidden_data.candidate_identifier")
    assert [f[1] for f in forbidden] == ["C1", "C2"]
    assert all("« N° SS » = Numéro de sécurité sociale (NIR) (catégorie)" in f[3] for f in forbidden)
    assert not any("(activité)" in f[3] or "suggérée" in f[3] for f in forbidden)


def test_subject_key_decision_gives_the_person(estate):
    breach = _of(estate(), "retention.breach")
    assert [(f[1], f[2]) for f in breach] == [("C1", None)]  # the manifest names no subject
    _decide(estate.ws, "E-mail", category="user.contact.email", subject_key=True)
    breach = _of(estate(), "retention.breach")
    assert breach[0][1] == "C1" and breach[0][2]  # the person's pseudonym, from the decision
    assert "« E-mail » = oui (identifie la personne)" in breach[0][3]
    assert "'E-mail' = yes (identifies the person)" in breach[0][4]
    assert "a.martin" not in breach[0][3] + breach[0][4]
    # and a decision that it identifies no one wins over the manifest's hint
    _decide(estate.ws, "E-mail", category="user.contact.email", subject_key=False)
    assert _of(estate(), "retention.breach")[0][2] is None


def test_date_role_decision_wins_over_the_manifest(estate):
    assert [f[1] for f in _of(estate(), "retention.breach")] == ["C1"]
    # the manifest says « Date candidature » is the last contact; the analyst, that it is the creation
    _decide(estate.ws, "Date candidature", date_role="creation")
    found = estate()
    breach = _of(found, "retention.breach")
    assert [f[1] for f in breach] == ["C1"]
    assert "creation date" in breach[0][4] and "'Date candidature' = creation (date role)" in breach[0][4]


def test_one_resolver_says_who_gave_each_value(estate):
    estate()
    _decide(estate.ws, "Date candidature", date_role="creation")
    estate()
    with Workspace(estate.ws, create=False) as ws:
        (s,) = loaded_sources(ws)
    assert set(KINDS) == {"category", "activity", "subject_key", "date_role", "personal"}
    e = s.effective("Date candidature", "date_role")
    assert (e.value, e.origin) == ("creation", "mapping") and e.decision.decided_at is not None
    assert s.effective("Date candidature", "category").origin == "mapping"
    e = s.effective("N° SS", "category")
    assert (e.value, e.origin, e.unreviewed) == (NIR, "suggestion", True)
    assert (s.effective("N° SS", "activity").value, s.effective("N° SS", "activity").origin) == ("candidates", "manifest")
    assert s.effective("Réf", "personal").value is False
    assert s.effective("Nom", "subject_key").origin == "suggestion"  # never used as a subject by the checks
    assert "Nom" not in {c for cs in s.subject_columns().values() for c in cs}
    with pytest.raises(ValueError, match="unknown kind of decision"):
        s.effective("Nom", "purpose")


def test_free_text_column_not_personal_or_of_another_activity(estate):
    findings = estate()
    found = _of(findings, "special_category.free_text")
    assert [(f[1], "Commentaire" in f[3]) for f in found] == [("C1", True)]
    assert [f[1] for f in _of(findings, "forbidden_data.content_identifier")] == ["C2"]
    # the analyst decides the comments belong to another activity: the mention is reported there
    _decide(estate.ws, "Commentaire", category="user.x_rgpd.free_text_comment", activity="client_datasets")
    found = _of(estate(), "special_category.free_text")
    assert len(found) == 1 and "« Commentaire » = §3" in found[0][3] and "(activité)" in found[0][3]
    with Workspace(estate.ws, create=False) as ws:
        run = ws.con.execute("SELECT max(run_id) FROM audit_runs").fetchone()[0]
        acts = ws.con.execute("SELECT activity FROM findings WHERE run_id = ? AND check_id = 'special_category.free_text'",
                              [run]).fetchall()
    assert acts == [("client_datasets",)]
    # not personal: no special-category finding from it
    _decide(estate.ws, "Commentaire", status="not_personal", category=None, subject_key=False)
    findings = estate()
    assert _of(findings, "special_category.free_text") == []
    assert _of(findings, "forbidden_data.content_identifier") == []


def test_departure_date_decided_in_the_mapping_reaches_access(load_tiny):
    """A staff list whose leaving date only the mapping names: the former-staff check uses it."""
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.mapping.file import sync_mapping
    from rgpd_audit.pipeline import classify_if_available, sync_decisions
    from rgpd_audit.policy import load_policy
    from tests.test_checks_access_special import ACCESS, FILES, D

    policy = load_policy()
    as_of = dt.date.fromisoformat(AS_OF)
    ws, report = load_tiny(ACCESS.replace(", dates: {sortie: departure}", ""), FILES)
    assert not report.failed
    classify_if_available(ws, policy)
    run = run_checks(ws, policy, as_of, only=["access.former_staff"], domains=[D])
    assert run.total == 0  # nobody is known to have left
    path = ws.path / "mapping.yaml"
    sync_mapping(ws, path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"]["staff"]["columns"]["sortie"].update(status="confirmed", date_role="departure")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert sync_decisions(ws)
    run = run_checks(ws, policy, as_of, only=["access.former_staff"], domains=[D])
    (fr, en), = ws.con.execute("SELECT detail_fr, detail_en FROM findings WHERE run_id = ?", [run.run_id]).fetchall()
    assert "30/06/2024" in fr and "« sortie » = départ (rôle de date), décidée le " in fr
    assert "'sortie' = departure (date role)" in en and D not in fr + en
