"""The Art. 30 register: controller and processor records, XLSX and HTML, declared vs observed, CLI."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from rgpd_audit.cli import main
from rgpd_audit.policy import load_policy
from rgpd_audit.ropa import build_register, render_html, write_register
from tests.test_mapping_datamap import EMAILS, FILES, NIR, PHONE, SOURCES, classify

AS_OF = dt.date(2026, 11, 27)
NIR_CAT = "user.government_id.national_identification_number"
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


@pytest.fixture
def estate(load_tiny):
    ws, report = load_tiny(SOURCES, FILES)
    assert not report.failed
    classify(ws)
    return ws


@pytest.fixture
def reg(estate):
    return build_register(load_policy(), estate, as_of=AS_OF)


def sheet_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def field(sheet, label_start: str) -> str:
    return next(f.value for f in sheet.fields if f.label.startswith(label_start))


def test_controller_and_processor_records(reg):
    assert [s.id for s in reg.controller] == [
        "prospects", "client_contacts", "candidates", "partners", "suppliers", "newsletters"]
    assert [s.id for s in reg.processor] == ["client_datasets", "client_web_apps"]
    web = next(s for s in reg.processor if s.id == "client_web_apps")
    assert web.warnings and "art. 28" in web.warnings[0] and "missionné par le client" in web.warnings[0]
    datasets = next(s for s in reg.processor if s.id == "client_datasets")
    assert not datasets.warnings
    assert "CLI0042" in field(datasets, "Responsable(s) du traitement")
    assert reg.organisation[0].value == "INTER INTERIM"
    assert next(f.value for f in reg.organisation if f.label.startswith("Délégué")) == "non désigné"


def test_declared_vs_observed(reg):
    cands = [(g.category, g.finding) for g in reg.gaps if g.activity_id == "candidates"]
    assert (NIR_CAT, "undeclared") in cands
    assert ("user.health", "undeclared") in cands
    assert ("user.x_rgpd.cv", "not_seen") in cands and ("user.contact.address", "not_seen") in cands
    assert ("user.contact.email", "not_seen") not in cands and ("user.name", "not_seen") not in cands
    # a suggestion below the confidence threshold is not an observation
    assert all(c != "user.x_rgpd.free_text_comment" for c, _ in cands)
    health = next(g for g in reg.gaps if g.category == "user.health")
    assert health.special and health.detections == 1 and health.systems == ["cands"]
    # "données de tout type" (§3) covers the salary column; an activity without sources says so
    assert ("client_datasets", "user.x_rgpd.salary", "covered") in {(g.activity_id, g.category, g.finding) for g in reg.gaps}
    assert ("client_web_apps", "no_data") in {(g.activity_id, g.finding) for g in reg.gaps}
    assert {g.category for g in reg.undeclared} == {NIR_CAT, "user.health"}


def test_xlsx_sheets_and_cells(reg, tmp_path):
    xlsx, _ = write_register(reg, tmp_path)
    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "Organisation" and wb.sheetnames[-1] == "Déclaré vs observé"
    assert "§5 candidates" in wb.sheetnames and "§4 client_web_apps" in wb.sheetnames
    assert len(wb.sheetnames) == 2 + len(load_policy().activities)
    cand = wb["§5 candidates"]
    text = sheet_text(cand)
    assert "évaluer l’adéquation d’un profil professionnel" in text
    assert "contacts : 2 ans après la dernière activité" in text
    # transfers judged on the provider register at the date, the policy's claim beside
    assert "Google → Google LLC, États-Unis (US) — garantie au 27/11/2026 : Data Privacy Framework" in text
    assert "Dropbox → Dropbox, Inc., États-Unis (US) — aucune garantie valable au 27/11/2026" in text
    assert "la politique invoque : Privacy Shield" in text
    assert "Données de santé" in text            # sensitive data observed
    assert cand["A4"].value == "Rubrique" and cand["A4"].font.bold
    assert cand["B5"].alignment.wrap_text and cand.column_dimensions["B"].width >= 80
    news = sheet_text(wb["§8 newsletters"])
    assert "Mailchimp → The Rocket Science Group LLC" in news and "la politique ne nomme pas cet hébergeur" in news
    assert "3 ans après la dernière activité" in news
    org = sheet_text(wb["Organisation"])
    assert "non désigné" in org and "27/11/2026" in org  # French dates in the French register
    assert "sans objet : responsable du traitement établi dans l'Union (art. 27.1)" in org
    # a processor's record holds no legal basis (the client's, as controller); security as a checklist
    assert "Bases légales" not in web_text(wb) and "Bases légales" in text
    assert "Chiffrement des données : ☐ à documenter" in text and "à compléter" not in text
    gaps = wb["Déclaré vs observé"]
    rows = [[c.value for c in r] for r in gaps.iter_rows(min_row=5)]
    assert any(r[0].startswith("§5 ") and r[1] == NIR_CAT and r[4] == "observée mais non déclarée"
               and r[3] == "non" and r[5] == "cands" for r in rows)
    assert any(r[1] == "user.x_rgpd.cv" and r[4] == "déclarée mais jamais observée" for r in rows)
    web = sheet_text(wb["§4 client_web_apps"])
    assert "Registre du sous-traitant" in web and "Qualification contradictoire" in web


def web_text(wb) -> str:
    return sheet_text(wb["§4 client_web_apps"])


def test_creation_date_is_the_first_audit(estate):
    from rgpd_audit.checks.runner import run_checks

    run_checks(estate, load_policy(), dt.date(2025, 3, 1), only=["policy.lint"])
    reg = build_register(load_policy(), estate, as_of=AS_OF)
    cand = next(s for s in reg.controller if s.id == "candidates")
    assert field(cand, "Date de création") == "01/03/2025" and field(cand, "Date de dernière") == "27/11/2026"


def test_no_personal_values_in_outputs(reg, tmp_path):
    xlsx, html_path = write_register(reg, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    xtext = "\n".join(sheet_text(ws) for ws in load_workbook(xlsx).worksheets)
    policy = load_policy()
    published = {policy.rights.contact.email} | {c.email for c in policy.organisation.contacts}
    for text in (html, xtext):
        # the only addresses are the contacts the policy itself publishes
        assert {m.group(0) for m in EMAIL_RE.finditer(text)} <= published
        assert not PHONE_RE.search(text)
        for value in EMAILS + [PHONE, NIR, "Dupont", "arrêt maladie"]:
            assert value not in text


def test_html_self_contained(reg):
    html = render_html(reg)
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    assert "Registre du responsable du traitement (art. 30.1)" in html
    assert "la politique invoque : Privacy Shield" in html
    assert "observée mais non déclarée" in html


def test_french_register_reads_french(reg):
    """The policy's source section reads "§1–§10", not "(§1–§10 (whole document))"; dates 27/11/2026."""
    html = render_html(reg)
    assert "POLITIQUE DE CONFIDENTIALITÉ (§1–§10)" in html and "whole document" not in html
    assert "27/11/2026" in html and "2026-11-27" not in html


def test_english(estate, tmp_path):
    reg = build_register(load_policy(), estate, as_of=AS_OF, lang="en")
    cand = next(s for s in reg.controller if s.id == "candidates")
    assert "contacts: 2 years after last activity" in field(cand, "Retention")
    assert "the policy claims: Privacy Shield" in field(cand, "Transfers")
    assert "no valid safeguard on 2026-11-27" in field(cand, "Transfers")
    assert "assessing how a professional profile fits a possible vacancy" in field(cand, "Purposes")
    assert next(f.value for f in reg.organisation if f.label.startswith("Data protection")) == "none designated"
    xlsx, html = write_register(reg, tmp_path)
    assert load_workbook(xlsx).sheetnames[-1] == "Declared vs observed"
    assert "observed but not declared" in html.read_text(encoding="utf-8")


def test_policy_only_register(tmp_path):
    reg = build_register(load_policy(), None, as_of=AS_OF, created=dt.date(2026, 1, 5))
    assert not reg.data_loaded and reg.gaps == []
    cand = next(s for s in reg.controller if s.id == "candidates")
    assert field(cand, "Catégories de données observées") == "aucune donnée chargée"
    assert field(cand, "Date de création") == "05/01/2026" and field(cand, "Date de dernière") == "27/11/2026"
    assert "Google → Google LLC, États-Unis (US)" in field(cand, "Transferts")
    xlsx, _ = write_register(reg, tmp_path)
    assert "aucune donnée chargée" in sheet_text(load_workbook(xlsx)["Déclaré vs observé"])


def test_cli_register(estate, tmp_path):
    estate.close()  # the CLI opens the workspace itself
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["register", "--workspace", str(estate.path), "--as-of", "2026-11-27", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "registre-art30.xlsx").is_file() and (out / "registre-art30.html").is_file()
    assert "registre-art30.xlsx" in result.output
    assert "6 controller + 2 processor activities" in result.output
    assert f"undeclared: candidates: {NIR_CAT}" in result.output


def test_cli_without_data_and_in_english(tmp_path):
    out = tmp_path / "en"
    result = CliRunner().invoke(
        main, ["register", "--workspace", str(tmp_path / "nothing"), "--as-of", "2026-11-27",
               "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "no data loaded" in result.output
    assert (out / "registre-art30.html").is_file()
    assert not (tmp_path / "nothing").exists()  # no workspace is created by the register


def test_controller_identity_from_the_manifest_and_creation_date(tmp_path):
    """Art. 30(1)(a): the controller's own identity and contact come from the manifest's
    organisation, the policy's contact shown beside it; --created sets the record's creation."""
    (tmp_path / "c.csv").write_text("email\na@example.com\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation:\n  name: INTER INTERIM\n  domains: [inter-interim.example.fr]\n"
        "  legal_form: SAS\n  siren: 123 456 782\n  address: 14 rue des Arts, 59800 Lille\n"
        "  contact: rgpd@inter-interim.example.fr\nsources:\n"
        "  - {name: c, format: csv, path: c.csv, activities: [partners], hosting: {provider: INTER INTERIM, country: FR}}\n",
        encoding="utf-8")
    ws_dir = tmp_path / "ws"
    r = CliRunner().invoke(main, ["load", str(tmp_path / "manifest.yaml"), "--workspace", str(ws_dir)])
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["register", "--workspace", str(ws_dir), "--as-of", "2026-11-27", "--out", str(out),
                                  "--created", "2019-05-24"])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out / "registre-art30.xlsx")
    org = sheet_text(wb["Organisation"])
    assert "SAS" in org and "123456782" in org and "14 rue des Arts, 59800 Lille" in org
    assert "rgpd@medicoop-france.fr" in org  # what the policy tells people, shown as such
    assert "Contact indiqué par la politique" in org
    assert "24/05/2019" in sheet_text(wb["§6 partners"])
    r = CliRunner().invoke(main, ["register", "--workspace", str(ws_dir), "--as-of", "2026-11-27", "--out", str(out),
                                  "--created", "2027-01-01"])
    assert r.exit_code == 2 and "--created" in r.output


def test_bad_siren_in_the_manifest(tmp_path):
    from rgpd_audit.errors import SpecError
    from rgpd_audit.ingest import load_manifest

    (tmp_path / "c.csv").write_text("email\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X, siren: '123456789'}\nsources:\n"
        "  - {name: c, format: csv, path: c.csv, hosting: {provider: X, country: FR}}\n", encoding="utf-8")
    with pytest.raises(SpecError) as e:
        load_manifest(tmp_path / "manifest.yaml")
    assert "organisation.siren" in str(e.value) and "check digit" in str(e.value)
