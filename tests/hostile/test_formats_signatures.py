"""The wrong kind of file given to a format fails its source with "this is not a …: why"
(exit 2, one line, no word of the file's content); each format's signature recognises its
own files of the sample estate and no other named format's."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from rgpd_audit.ingest.loaders import registry
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.resources import sample_manifest
from tests.loaders.hostile_files import Estate, load_error, shared, sheet_xml, xlsx, zip_of

EMAIL = "wrong.kind@example.org"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300)
PLAIN_CSV = f"Nom,Prénom,Email,Téléphone\nDurand,Marie,{EMAIL},0612345678\n"
BREVO_CSV = f"CONTACT ID;EMAIL;LASTNAME;FIRSTNAME;ADDED_TIME;MODIFIED_TIME\n1;{EMAIL};Durand;Marie;05-03-2021;12-10-2024\n"
HUBSPOT_CSV = f"Record ID,First Name,Last Name,Email,Create Date\n51,Marie,Durand,{EMAIL},2024-01-02 10:00\n"
TEXT = f"Notes de réunion\nAppeler {EMAIL} demain.\n"

CASES = [
    ("gmail_mbox", "notes.txt", TEXT, "this is not an mbox mailbox: no 'From ' line followed by a message header"),
    ("gmail_mbox", "image.png", PNG, "this is not an mbox mailbox: it is a PNG image"),
    ("gmail_mbox", "contacts.csv", PLAIN_CSV, "this is not an mbox mailbox: no 'From ' line followed by a message header "
     "(it is text whose first line has 4 fields separated by ',')"),
    ("hubspot", "contacts.csv", PLAIN_CSV, "this is not a HubSpot contacts export: no HubSpot property column (Record ID, "
     "Contact ID, Create Date, Contact owner…)"),
    ("hubspot", "brevo.csv", BREVO_CSV, "this is not a HubSpot contacts export: no HubSpot property column"),
    ("brevo", "hubspot.csv", HUBSPOT_CSV, "this is not a Brevo contacts export: no ADDED_TIME or MODIFIED_TIME column"),
    ("mailchimp", "contacts.csv", PLAIN_CSV, "this is not a Mailchimp audience export: no MEMBER_RATING, OPTIN_TIME column"),
    ("mailchimp", "images.zip", zip_of({"a.png": PNG, "b.png": PNG}), "this is not a Mailchimp audience export: the zip "
     "archive holds no CSV file (2 entries)"),
    ("vcard", "contacts.csv", PLAIN_CSV, "this is not a vCard address book: no BEGIN:VCARD line"),
    ("dsn", "contacts.csv", PLAIN_CSV, "this is not a DSN file: no line of the form code,'value'"),
    ("ndjson", "image.png", PNG, "this is not a newline-delimited JSON file: it is a PNG image"),
]


@pytest.mark.parametrize("fmt, name, data, expected", CASES, ids=[f"{c[1]}-as-{c[0]}" for c in CASES])
def test_wrong_kind_of_file_fails_its_source(tmp_path, fmt, name, data, expected):
    estate = Estate(tmp_path)
    estate.write({name: data})
    proc = estate.load(estate.source("src", fmt, name))
    err = load_error(proc, "src")
    assert err.startswith(f"error: src: {name}: {expected}"), err
    assert EMAIL not in proc.stderr and "Durand" not in proc.stderr  # the refusal says what the file is, not what it holds
    assert estate.query("SELECT count(*) FROM load_files") == [(0,)]


GENERIC = {"csv", "xlsx", "json", "ndjson", "parquet"}


def _sample_files() -> list[tuple[str, Path]]:
    """Each sample file with its format; a folder of documents is left out: any file may be one
    of its documents, so none is recognised as such (the manifest names the format)."""
    m = load_manifest(sample_manifest())
    return [(s.format, p) for s in m.sources if not registry.get(s.format).reads_folder for p in m.files_of(s)]


@pytest.mark.parametrize("fmt, path", _sample_files(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_each_sample_file_is_recognised_by_its_format_only(fmt, path):
    verdicts = registry.recognise(path)
    assert verdicts[fmt] is None, verdicts[fmt]
    named = {f for f, why in verdicts.items() if why is None} - GENERIC
    assert named == ({fmt} - GENERIC), {f: verdicts[f] for f in named}


def test_every_named_format_has_a_signature():
    from rgpd_audit.ingest.loaders.base import Loader

    missing = [n for n, cls in registry.all_loaders().items() if n != "csv" and cls.mismatch.__func__ is Loader.mismatch.__func__]
    assert missing == []


def test_signatures_read_only_the_start_of_a_file(tmp_path, monkeypatch):
    """A signature reads the first KBs (and a zip's directory), never the whole file."""
    from rgpd_audit.ingest.loaders import signature

    big = tmp_path / "hubspot.csv"
    with open(big, "wb") as fh:
        fh.write(HUBSPOT_CSV.encode())
        fh.write(b"51,Marie,Durand,x@example.org,2024-01-02 10:00\n" * 200_000)  # ~9 MB
    reads = []
    real = signature.read_head

    def spy(path, n=signature.HEAD_BYTES):
        reads.append(n)
        return real(path, n)

    monkeypatch.setattr(signature, "read_head", spy)
    assert registry.recognise(big)["hubspot"] is None
    assert reads == [signature.HEAD_BYTES] and signature.HEAD_BYTES <= 64 * 1024


def test_a_workbook_given_as_hubspot_is_judged_on_its_first_row(tmp_path):
    plain = sheet_xml({3: {1: "Nom", 2: "Email"}, 4: {1: "Durand", 2: EMAIL}})
    hubspot = sheet_xml({2: {0: "Record ID", 1: "Email", 2: "Create Date"}, 3: {0: 1, 1: EMAIL}})
    (tmp_path / "plain.xlsx").write_bytes(xlsx({"S": plain}))
    (tmp_path / "hubspot.xlsx").write_bytes(xlsx({"S": hubspot}))
    (tmp_path / "shared.xlsx").write_bytes(xlsx({"S": shared(hubspot)[0]}, strings=shared(hubspot)[1]))
    assert registry.recognise(tmp_path / "plain.xlsx")["hubspot"].startswith("no HubSpot property column")
    assert registry.recognise(tmp_path / "hubspot.xlsx")["hubspot"] is None
    assert registry.recognise(tmp_path / "shared.xlsx")["hubspot"] is None  # read through the shared strings
    assert b"Record ID" not in zipfile.ZipFile(tmp_path / "shared.xlsx").read("xl/worksheets/sheet1.xml")
