"""The Art. 15 access package and the Art. 20 portability file."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

from rgpd_audit.dsar import PersonQuery, export_access
from rgpd_audit.policy import load_policy
from tests.dsar_estate import EMAIL

AS_OF = dt.date(2026, 11, 27)


def test_package_files_per_source_and_zip(dsar_ws, tmp_path):
    pkg = export_access(dsar_ws, load_policy(), PersonQuery.make(email=EMAIL), tmp_path / "out", as_of=AS_OF)
    names = {p.name for p in pkg.folder.iterdir()}
    for table in ("candidats", "crm", "gmail", "gmail__recipients", "partages", "factures"):
        assert f"{table}.csv" in names and f"{table}.json" in names
    assert {"index.html", "portabilite.json"} <= names
    assert EMAIL not in str(pkg.folder) and pkg.found.subject_ref in pkg.folder.name
    with zipfile.ZipFile(pkg.zip_path) as z:
        assert set(z.namelist()) == names
    rows = json.loads((pkg.folder / "candidats.json").read_text(encoding="utf-8"))
    assert [r["Ref"] for r in rows] == ["C1"]  # only the person; never the homonym C2 / weak C4
    assert not any(k.startswith("_") for k in rows[0])
    csv_text = (pkg.folder / "candidats.csv").read_text(encoding="utf-8")
    assert "_row" not in csv_text and "'=HYPERLINK" in csv_text  # spreadsheet-safe CSV
    assert json.loads((pkg.folder / "gmail.json").read_text())[0]["message_id"] == "<m1@exemple.fr>"


def test_cover_page_states_activity_retention_and_us_transfer(dsar_ws, tmp_path):
    policy = load_policy()
    pkg = export_access(dsar_ws, policy, PersonQuery.make(email=EMAIL), tmp_path, as_of=AS_OF)
    html = (pkg.folder / "index.html").read_text(encoding="utf-8")
    cand = policy.activity("candidates")
    assert cand.title.fr in html and cand.purposes[0].fr in html
    assert "2 ans après la dernière activité" in html
    assert "Google LLC (US)" in html and "Dropbox, Inc. (US)" in html and "Privacy Shield" in html
    assert "C-311/18" in html  # the analyst is warned that the claimed mechanism is invalid
    assert policy.activity("client_contacts").title.fr in html
    assert EMAIL not in html.lower()

    en = export_access(dsar_ws, policy, PersonQuery.make(email=EMAIL), tmp_path / "en", lang="en", as_of=AS_OF)
    html_en = (en.folder / "index.html").read_text(encoding="utf-8")
    assert cand.title.en in html_en and "2 years after last activity" in html_en


def test_portability_holds_consent_or_contract_sources(dsar_ws, tmp_path):
    pkg = export_access(dsar_ws, load_policy(), PersonQuery.make(email=EMAIL), tmp_path)
    data = json.loads((pkg.folder / "portabilite.json").read_text(encoding="utf-8"))
    by_source = {s["source"]: s for s in data["sources"]}
    assert "consent" in by_source["candidats"]["legal_bases"]
    assert "contract" in by_source["crm"]["legal_bases"]
    rec = by_source["candidats"]["tables"]["candidats"][0]
    assert rec["Téléphone"] == "06 12 34 56 78" and "_row" not in rec
