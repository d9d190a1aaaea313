"""The committed sample estate: reproducible, well-formed, fictitious, and its counts hold."""

from __future__ import annotations

import csv
import glob
import io
import mailbox
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from rgpd_audit.sample import SAMPLE_AS_OF, generate
from rgpd_audit.sample.common import add_years, luhn_valid

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
RESERVED = ("example.fr", "example.com", "example.org")
EMAIL_RE = re.compile(r"[\w.+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
NIR_RES = [re.compile(r"(?<![\d ])([12] \d{2} \d{2} \d{2} \d{3} \d{3} \d{2})(?![\d])"),
           re.compile(r"(?<!\d)([12]\d{14})(?!\d)")]
FORMATS = {"csv", "xlsx", "json", "ndjson", "parquet", "mailchimp", "brevo", "hubspot",
           "google_contacts", "outlook_csv", "vcard", "gmail_mbox", "dropbox_members",
           "dropbox_activity", "dropbox_sharing", "fec", "sage_tiers", "dsn", "documents"}
ACTIVITIES = {"prospects", "client_contacts", "client_datasets", "client_web_apps", "candidates",
              "partners", "suppliers", "newsletters"}
ROLES = {"last_activity", "creation", "record_change", "opt_out", "contract_end", "contract_start", "last_purchase",
         "fiscal_year_close", "departure"}
SOURCE_KEYS = {"name", "title", "format", "path", "activities", "use", "hosting", "options"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((SAMPLE / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def expected() -> dict:
    return yaml.safe_load((SAMPLE / "expected.yaml").read_text(encoding="utf-8"))


# what makes data/sample a package (rgpd_audit.sample_estate), not part of the estate
PACKAGE_FILES = ("__init__.py", "__pycache__")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not set(p.relative_to(root).parts) & set(PACKAGE_FILES)}


def _texts() -> dict[str, str]:
    """Every file's text content (zip / xlsx members and mbox parts decoded)."""
    out = {}
    for rel, data in _files(SAMPLE).items():
        if rel.startswith("dropbox/Documents"):  # an exported folder: the text the scanner reads
            from rgpd_audit.ingest.content import extract

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for name in zf.namelist():
                    out[f"{rel}!{name}"] = extract(zf.read(name), name).text
        elif rel.endswith((".zip", ".xlsx")):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for name in zf.namelist():
                    out[f"{rel}!{name}"] = zf.read(name).decode("utf-8")
        elif rel.endswith(".mbox"):
            out[rel] = data.decode("utf-8")
            for i, msg in enumerate(mailbox.mbox(SAMPLE / rel)):
                for part in msg.walk():
                    if part.get_filename():
                        out[f"{rel}!{i}/{part.get_filename()}"] = part.get_payload(decode=True).decode("latin-1")
        else:
            for enc in ("utf-8", "cp1252"):
                try:
                    out[rel] = data.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise AssertionError(f"{rel}: neither UTF-8 nor cp1252")
    return out


# --------------------------------------------------------------------------- reproducible

@pytest.mark.parametrize("attempt", [1, 2])
def test_regenerated_estate_is_byte_identical(tmp_path, attempt):
    summary = generate(tmp_path / f"run{attempt}")
    fresh, committed = _files(tmp_path / f"run{attempt}"), _files(SAMPLE)
    assert sorted(fresh) == sorted(committed)
    differing = [rel for rel in fresh if fresh[rel] != committed[rel]]
    assert differing == [], "regenerate with: python -m rgpd_audit.sample.generator"
    assert sum(summary["records"].values()) > 3000


def test_sample_is_small():
    assert sum(len(b) for b in _files(SAMPLE).values()) < 5_000_000


def test_scale_multiplies_big_sources(tmp_path):
    one = yaml.safe_load((SAMPLE / "expected.yaml").read_text(encoding="utf-8"))["records"]
    two = generate(tmp_path, scale=2)["records"]
    for name in ("crm_contacts", "candidates", "newsletter_mailchimp", "newsletter_brevo",
                 "dataset_cli0042_paie", "webapp_inscriptions"):
        assert two[name] == pytest.approx(2 * one[name], abs=2), name
    assert two["fec"] > 1.8 * one["fec"]
    assert two["staff"] == one["staff"]


# --------------------------------------------------------------------------- manifest

def test_manifest_follows_the_schema(manifest):
    assert manifest["version"] == 1
    org = manifest["organisation"]
    assert (org["name"], org["domains"]) == ("INTER INTERIM", ["inter-interim.example.fr"])
    assert org["siren"] == "123456782" and org["address"] and org["contact"].endswith("@inter-interim.example.fr")
    names = [s["name"] for s in manifest["sources"]]
    assert len(names) == len(set(names))
    for s in manifest["sources"]:
        assert set(s) <= SOURCE_KEYS, s["name"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", s["name"])
        assert s["format"] in FORMATS
        assert set(s["activities"]) <= ACTIVITIES
        assert s.get("use", "records") in {"records", "contracts", "staff", "access"}
        assert set(s["hosting"]) == {"provider", "country"} and len(s["hosting"]["country"]) == 2
        opts = s.get("options", {})
        assert set(opts.get("dates", {}).values()) <= ROLES
        if "split_by" in opts:
            assert set(opts["split_by"]["values"].values()) <= set(s["activities"])
        assert glob.glob(str(SAMPLE / s["path"])), f"{s['name']}: {s['path']} matches nothing"


def test_manifest_validates_against_the_project_model():
    from rgpd_audit.ingest.manifest import load_manifest

    assert len(load_manifest(SAMPLE / "manifest.yaml").sources) == 19


def test_manifest_columns_exist(manifest):
    """Every column the manifest names is a header of its (delimited) file."""
    for s in manifest["sources"]:
        opts = s.get("options", {})
        if s["format"] not in {"csv", "hubspot", "brevo", "sage_tiers", "google_contacts"}:
            continue
        path = sorted(glob.glob(str(SAMPLE / s["path"])))[0]
        enc = opts.get("encoding", "utf-8")
        with open(path, encoding=enc, newline="") as fh:
            header = next(csv.reader(fh, delimiter=opts.get("delimiter", ",")))
        named = list(opts.get("dates", {}))
        for v in opts.get("subject", {}).values():
            named += v if isinstance(v, list) else [v]
        named += [opts[k] for k in ("key", "client_column") if k in opts]
        if "split_by" in opts:
            named.append(opts["split_by"]["column"])
        assert set(named) <= set(header), (s["name"], set(named) - set(header))


def test_exactly_one_undeclared_non_eu_system(manifest):
    declared = {"INTER INTERIM", "OVH SAS", "Google LLC", "Dropbox, Inc."}
    eea = {"FR", "DE", "IE", "NL", "BE", "LU", "IT", "ES"}
    undeclared = [s["name"] for s in manifest["sources"]
                  if s["hosting"]["country"] not in eea and s["hosting"]["provider"] not in declared]
    assert undeclared == ["newsletter_mailchimp"]


# --------------------------------------------------------------------------- fictitious data

def test_emails_only_on_reserved_domains():
    bad = set()
    for rel, text in _texts().items():
        for m in EMAIL_RE.finditer(text):
            domain = m.group(1).lower()
            if not any(domain == r or domain.endswith("." + r) for r in RESERVED):
                if not domain.endswith("mail.gmail.com"):  # Message-ID right-hand sides
                    bad.add((rel, m.group(0)))
    assert not bad


def test_every_nir_has_a_valid_key():
    found = 0
    for rel, text in _texts().items():
        for rx in NIR_RES:
            for m in rx.finditer(text):
                digits = m.group(1).replace(" ", "")
                found += 1
                assert int(digits[13:]) == 97 - int(digits[:13]) % 97, (rel, m.group(1))
    assert found > 100


def test_ibans_and_sirets_are_valid():
    text = (SAMPLE / "clients/missions/CLI0042_salaries_paie_2019.csv").read_text(encoding="cp1252")
    ibans = re.findall(r"FR\d{2}(?: \d{4}){5} \d{3}", text)
    assert len(ibans) > 50
    for iban in ibans:
        raw = iban.replace(" ", "")
        assert int(raw[4:] + "1527" + raw[2:4]) % 97 == 1, iban
    contracts = (SAMPLE / "clients/contrats-clients.csv").read_text(encoding="cp1252").splitlines()[1:]
    for line in contracts:
        siret = line.split(";")[2]
        assert len(siret) == 14 and luhn_valid(siret) and luhn_valid(siret[:9]), siret


def test_cp1252_files_really_are_cp1252(manifest):
    for s in manifest["sources"]:
        if s.get("options", {}).get("encoding") not in ("cp1252", "iso-8859-15"):
            continue
        for path in glob.glob(str(SAMPLE / s["path"])):
            data = Path(path).read_bytes()
            data.decode(s["options"]["encoding"])
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")


def test_french_flavour():
    crm = (SAMPLE / "crm/hubspot-crm-exports-all-contacts-2026-11-20.csv").read_text(encoding="utf-8")
    for needle in ("N'Diaye", "Jean-François", "Müller", "Lefèvre-Dupont", "D'Almeida"):
        assert needle in crm or needle.upper() in crm or needle in _texts()["rh/personnel.csv"], needle
    assert re.search(r"\b0[1-9](?: \d{2}){4}\b", crm) and "+33 " in crm
    assert (SAMPLE / "annuaire/contacts-google.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- counts

def _outcome(dates, creation, years):
    dates = [d for d in dates if d]
    ref = max(dates) if dates else creation
    if ref is None:
        return "unverifiable"
    return "breach" if SAMPLE_AS_OF > add_years(ref, years) else "ok"


def _find(expected, check, source, activity):
    rows = [r["expected"] for r in expected["findings"]
            if (r["check"], r["source"], r["activity"]) == (check, source, activity)]
    assert len(rows) == 1, (check, source, activity)
    return rows[0]


def test_readme_table_matches_expected(expected):
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "| check | activity | source | expected |" in readme
    for r in expected["findings"]:
        assert f"| `{r['check']}` | {r['activity']} | `{r['source']}` | {r['expected']} |" in readme
    checks = {r["check"] for r in expected["findings"] if r["expected"] > 0}
    assert checks == {"retention.breach", "retention.unverifiable", "retention.no_section", "special_category.free_text",
                      "special_category.content", "forbidden_data.candidate_identifier", "forbidden_data.content_identifier",
                      "transfer.third_country", "transfer.undeclared_system",
                      "transfer.outbound_share", "access.former_staff", "access.unauthorised_role",
                      "load.rejected_rows"}
    assert "## Transfers at five dates" in readme and all(d in readme for d in expected["transfers"])
    assert "## Retention cases at two dates" in readme
    for c in expected["retention_cases"]["cases"]:
        assert f"| `{c['source']}` |" in readme and f"| {c['today']} | {c['past']} | {c['why']} |" in readme


def test_prospect_counts_recomputed_from_the_file(expected):
    path = SAMPLE / "crm/hubspot-crm-exports-all-contacts-2026-11-20.csv"
    counts = {"breach": 0, "unverifiable": 0, "ok": 0}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Lifecycle Stage"] == "customer":
                continue
            parse = lambda v: datetime.strptime(v, "%Y-%m-%d %H:%M").date() if v else None  # noqa: E731
            counts[_outcome([parse(row["Last Activity Date"])], parse(row["Create Date"]), 3)] += 1
    assert counts["breach"] == _find(expected, "retention.breach", "crm_contacts", "prospects")
    assert counts["unverifiable"] == _find(expected, "retention.unverifiable", "crm_contacts", "prospects")


def test_candidate_counts_recomputed_from_the_file(expected):
    wb = openpyxl.load_workbook(SAMPLE / "recrutement/suivi-candidats.xlsx", read_only=True)
    forbidden = breach = rejected = 0
    for ws in wb.worksheets:
        rows = ws.iter_rows(values_only=True)
        header = next(rows)
        for values in rows:
            row = dict(zip(header, values))

            def d(v):
                if isinstance(v, datetime):
                    return v.date()
                return datetime.strptime(v, "%d/%m/%Y").date() if v else None
            try:
                last, created = d(row["Dernier contact"]), d(row["Date de candidature"])
            except ValueError:
                rejected += 1
                continue
            # a hired candidate has left §5 (retention.no_section), it is no §5 breach
            breach += row["Statut"] != "Embauché" and _outcome([last], created, 2) == "breach"
            forbidden += row["Statut"] != "Embauché" and bool(row["N° sécurité sociale"] or row["Lieu de naissance"])
    assert breach == _find(expected, "retention.breach", "candidates", "candidates")
    assert forbidden == _find(expected, "forbidden_data.candidate_identifier", "candidates", "candidates")
    assert rejected == _find(expected, "load.rejected_rows", "candidates", "candidates")


def test_mailchimp_counts_recomputed_from_the_zip(expected):
    breach = total = 0
    with zipfile.ZipFile(SAMPLE / "newsletter/mailchimp-audience-export.zip") as zf:
        for name in zf.namelist():
            for row in csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))):
                # the subscription (CONFIRM_TIME, the import for imported members) is the only
                # contact date: LAST_CHANGED, UNSUB_TIME, CLEAN_TIME never restart the clock
                confirm = datetime.strptime(row["CONFIRM_TIME"], "%Y-%m-%d %H:%M:%S").date()
                breach += _outcome([], confirm, 3) == "breach"
                total += 1
    assert total == expected["records"]["newsletter_mailchimp"]
    assert breach == _find(expected, "retention.breach", "newsletter_mailchimp", "newsletters")


def test_brevo_malformed_rows(expected):
    rejected = 0
    with open(SAMPLE / "newsletter/brevo-contacts.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        for row in reader:
            try:
                assert len(row) == len(header)
                for v in row[-2:]:
                    if v:
                        datetime.strptime(v, "%d-%m-%Y")
            except (AssertionError, ValueError):
                rejected += 1
    assert rejected == _find(expected, "load.rejected_rows", "newsletter_brevo", "newsletters") == 2


def test_access_findings_recomputed(expected):
    staff = {}
    with open(SAMPLE / "rh/personnel.csv", encoding="cp1252", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            end = datetime.strptime(row["Date de sortie"], "%d/%m/%Y").date() if row["Date de sortie"] else None
            staff[row["E-mail"]] = (row["Service"], end)
    with open(SAMPLE / "dropbox/membres.csv", encoding="utf-8", newline="") as fh:
        former = sum(1 for r in csv.DictReader(fh) if r["Status"] == "Active"
                     and staff[r["Email address"]][1] and staff[r["Email address"]][1] < SAMPLE_AS_OF)
    assert former == _find(expected, "access.former_staff", "dropbox_members", "-") == 2
    with open(SAMPLE / "dropbox/activite.csv", encoding="utf-8", newline="") as fh:
        members = {r["member_email"] for r in csv.DictReader(fh) if r["assets"].startswith("/Recrutement/")}
    bad = {m for m in members if staff[m][0] not in ("Direction", "Recrutement", "Secrétariat")}
    assert len(bad) == _find(expected, "access.unauthorised_role", "dropbox_activity", "candidates") == 2


def test_fec_files_cover_expired_years():
    names = sorted(p.name for p in (SAMPLE / "compta/fec").iterdir())
    assert names[0] == "123456782FEC20141231.txt" and luhn_valid("123456782")
    closes = [date(int(n[12:16]), 12, 31) for n in names]
    assert any(SAMPLE_AS_OF > add_years(c, 10) for c in closes)
    headers = {(SAMPLE / "compta/fec" / n).read_bytes().split(b"\r\n")[0] for n in names}
    assert any(b"|" in h for h in headers) and any(b"\t" in h for h in headers)
    assert any(b"Sens" in h for h in headers)
