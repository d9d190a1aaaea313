"""``rgpd-audit init`` and the draft manifest on exports written in the test: formats
recognised by their signatures, real variations (encodings, delimiters, month-first dates,
dated monthly exports), date roles by the classifier's rules, the person's questions."""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.mapping.onboarding import draft_manifest
from rgpd_audit.mapping.onboarding.propose import date_formats

CRM = ("Contact ID;Prénom;Nom;Courriel;Téléphone portable;Date de création;Date de modification;Dernière synchro;"
       "Dernier contact;Propriétaire\n"
       "C001;Anne;Durand;anne.durand@example.fr;06 12 34 56 78;03/02/2021;05/06/2024;05/06/2024;12/03/2023;Paul Martin\n"
       "C002;Marc;Petit;marc.petit@example.org;07 98 76 54 32;14/05/2020;01/01/2024;01/01/2024;;Paul Martin\n"
       "C003;Léa;Roux;lea.roux@example.com;;28/11/2019;02/02/2022;02/02/2022;02/02/2022;Julie Morel\n")
SHOP = ("order_ref\tcustomer_email\tfull_name\tlast_modified\tlast_order_date\n"
        "A-1\tx.y@example.fr\tX Y\t12/31/2023 10:00\t12/30/2023\n"
        "A-2\tz.w@example.fr\tZ W\t01/15/2024 11:30\t01/14/2024\n")
OUTLOOK = ("First Name,Last Name,E-mail Address,Mobile Phone,Company\n"
           "Jean,Dupont,jean.dupont@example.fr,0612345678,ACME\n"
           "Marie,Curie,marie.curie@example.fr,0698765432,Radium SA\n")


def _estate(tmp_path):
    ex = tmp_path / "exports"
    (ex / "crm").mkdir(parents=True)
    (ex / "crm" / "contacts-2026-01-31.csv").write_bytes(CRM.encode("cp1252"))
    (ex / "boutique").mkdir()
    (ex / "boutique" / "orders.tsv").write_bytes(SHOP.encode("utf-16"))  # UTF-16 with its byte-order mark
    (ex / "annuaire").mkdir()
    (ex / "annuaire" / "outlook.csv").write_text(OUTLOOK, encoding="utf-8")
    (ex / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (ex / "notes.md").write_text("# notes\n", encoding="utf-8")
    return ex


def test_draft_recognises_and_suggests(tmp_path):
    ex = _estate(tmp_path)
    d = draft_manifest(ex)
    by_path = {p.path: p for p in d.proposals}
    assert set(by_path) == {"annuaire/outlook.csv", "boutique/orders.tsv", "crm/contacts-*.csv"}
    assert {f.rel for f in d.left_out} == {"photo.png", "notes.md"}
    crm = by_path["crm/contacts-*.csv"]
    assert crm.format == "csv"
    assert crm.options["encoding"] == "cp1252" and crm.options["delimiter"] == ";"
    assert crm.options["date_format"] == "%d/%m/%Y"
    assert crm.options["key"] == "Contact ID"
    assert crm.options["subject"] == {"email": "Courriel", "phone": "Téléphone portable", "name": ["Prénom", "Nom"]}
    # a modification or a sync is never a contact from the person
    assert crm.options["dates"] == {"Date de création": "creation", "Date de modification": "record_change",
                                    "Dernière synchro": "record_change", "Dernier contact": "last_activity"}
    shop = by_path["boutique/orders.tsv"]
    assert shop.options["delimiter"] == "\t"
    assert shop.options["dates"] == {"last_modified": "record_change", "last_order_date": "last_purchase"}
    assert shop.options["date_format"] == ["%m/%d/%Y %H:%M", "%m/%d/%Y"]  # read month first: 12/31 is no day-month
    assert shop.options["subject"] == {"email": "customer_email", "name": ["full_name"]}
    assert by_path["annuaire/outlook.csv"].format == "outlook_csv"
    # the person's questions
    assert [q.key for q in crm.questions][:5] == ["name", "title", "activities", "use", "hosting"]


def test_draft_text_is_yaml_with_questions(tmp_path):
    ex = _estate(tmp_path)
    text = draft_manifest(ex).text()
    data = yaml.safe_load(text)
    assert data["version"] == 1 and data["organisation"]["name"] is None
    assert all(s["hosting"] == {"provider": None, "country": None} for s in data["sources"])
    assert "TO DECIDE" in text and "photo.png" in text
    assert "anne.durand" not in text and "Durand" not in text  # no value of the files in the draft


def test_init_writes_refuses_overwrite_and_loads_once_answered(tmp_path):
    ex = _estate(tmp_path)
    audit = tmp_path / "audit"
    runner = CliRunner()
    r = runner.invoke(main, ["init", str(ex), "--manifest", str(audit / "manifest.yaml")])
    assert r.exit_code == 0, r.output
    assert (audit / "notebooks" / "55_revue_mapping.ipynb").exists()
    before = (audit / "manifest.yaml").read_text(encoding="utf-8")
    r = runner.invoke(main, ["init", str(ex), "--manifest", str(audit / "manifest.yaml")])
    assert r.exit_code == 2 and "already there" in r.output and "--force" in r.output
    assert (audit / "manifest.yaml").read_text(encoding="utf-8") == before
    # the draft does not load until its questions are answered ...
    r = runner.invoke(main, ["load", "--manifest", str(audit / "manifest.yaml"), "--workspace", str(tmp_path / "ws")])
    assert r.exit_code == 2 and "hosting" in r.output
    assert "left empty" in r.output and "TO DECIDE" in r.output  # said as an unanswered question, not a type error
    # ... then it does, the exports' folder as its root
    data = yaml.safe_load(before)
    assert data["root"] == "../exports"
    data["organisation"]["name"] = "ACME SAS"
    for s in data["sources"]:
        s["hosting"] = {"provider": "OVH SAS", "country": "FR"}
        s["activities"] = ["prospects"]
    (audit / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    m = load_manifest(audit / "manifest.yaml")
    assert sum(len(m.files_of(s)) for s in m.sources) == 3
    r = runner.invoke(main, ["load", "--manifest", str(audit / "manifest.yaml"), "--workspace", str(tmp_path / "ws")])
    assert r.exit_code == 0, r.output
    assert re.search(r"total \(workspace\)\s+7\s+7\s+0\n", r.output), r.output  # 7 rows read, 7 loaded, none rejected
    r = runner.invoke(main, ["init", str(ex), "--manifest", str(audit / "manifest.yaml"), "--force"])
    assert r.exit_code == 0, r.output


def test_date_formats():
    assert date_formats(["2024-01-02", "2023-12-31T10:00:00Z"]) == ([], None)
    fmts, note = date_formats(["01/02/2024", "03/04/2024"])
    assert fmts == ["%d/%m/%Y"] and "swapped" in note
    assert date_formats(["31/01/2024", "03/04/2024"]) == (["%d/%m/%Y"], None)
    assert date_formats(["20240131"]) == (["%Y%m%d"], None)


def test_init_on_a_file_is_a_usage_error(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["init", str(f)])
    assert r.exit_code == 2


def test_minimal_manifest_of_the_docs_loads(tmp_path):
    """docs/manifest.md starts with the minimal manifest: it is valid as written."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "manifest.md").read_text(encoding="utf-8")
    first = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "contacts-1.csv").write_text("Record ID,Email\n1,a@example.fr\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(first, encoding="utf-8")
    m = load_manifest(tmp_path / "manifest.yaml")
    assert [s.name for s in m.sources] == ["crm"] and m.organisation.name == "ACME SAS"
    for key in ("version", "name", "organisation.name", "hosting.provider", "hosting.country"):
        assert f"`{key}`" in doc.split("## A draft", 1)[0], key


def test_more_formats_workbook_json_dsn_and_a_broken_file(tmp_path):
    """A workbook (two sheets), a JSON array, a DSN, and a file its format's loader refuses."""
    import json

    import openpyxl

    from tests.loaders.test_dsn import DSN

    ex = tmp_path / "exports"
    ex.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025"
    ws.append(["N° salarié", "Nom", "E-mail", "Date d'embauche", "Date de sortie"])
    ws.append(["S1", "Durand", "anne@example.fr", "02/01/2020", None])
    ws.append(["S2", "Petit", "marc@example.fr", "15/03/2018", "30/06/2024"])
    ws2 = wb.create_sheet("2024")
    ws2.append(["N° salarié", "Nom", "E-mail", "Date d'embauche", "Date de sortie"])
    ws2.append(["S3", "Roux", "lea@example.fr", "01/09/2019", None])
    wb.save(ex / "salaries.xlsx")
    (ex / "inscrits.json").write_text(json.dumps([
        {"uuid": "u-1", "mail": "x@example.fr", "signup_date": "2024-01-02", "unsubscribed_at": None},
        {"uuid": "u-2", "mail": "y@example.fr", "signup_date": "2024-02-03", "unsubscribed_at": "2024-05-01"}]),
        encoding="utf-8")
    (ex / "paie.dsn").write_text(DSN, encoding="utf-8")
    (ex / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a zip that is no workbook
    d = draft_manifest(ex)
    by = {p.path: p for p in d.proposals}
    assert by["salaries.xlsx"].format == "xlsx"
    opts = by["salaries.xlsx"].options
    assert opts["key"] == "N° salarié" and opts["subject"] == {"email": "E-mail", "name": ["Nom"]}
    assert opts["dates"] == {"Date d'embauche": "contract_start", "Date de sortie": "departure"}
    assert opts["date_format"] == "%d/%m/%Y"
    js = by["inscrits.json"]
    assert js.format == "json" and js.options["key"] == "uuid"
    assert js.options["dates"] == {"signup_date": "creation", "unsubscribed_at": "opt_out"}
    assert by["paie.dsn"].format == "dsn"
    broken = by.get("broken.xlsx")
    left = {f.rel for f in d.left_out}
    assert (broken is not None and broken.error) or "broken.xlsx" in left
    text = d.text()
    yaml.safe_load(text)
    assert "Durand" not in text and "anne@example.fr" not in text
