"""A folder of documents exported as a zip (Dropbox's download of a folder, Google Takeout):
one record per entry, dated by the archive (a clone or a copy loses the files' own dates),
held to the archive budgets, a damaged archive a rejected record, DSAR reading entries again."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from pathlib import Path

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.loaders.documents_zip import _utc_mtime
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.sample.docs import minimal_docx, minimal_pdf
from rgpd_audit.workspace import Workspace

NIR = "1 90 05 75 123 456 22"


def _zip(entries: list[tuple[str, bytes, tuple]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, when in entries:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buf.getvalue()


def _manifest(root: Path, path: str, options: str = "") -> Path:
    (root / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        f"  - {{name: cvs, format: documents, path: '{path}', activities: [candidates], "
        f"hosting: {{provider: 'Dropbox, Inc.', country: US}}{options}}}\n", encoding="utf-8")
    return root / "manifest.yaml"


def test_entries_are_records_dated_by_the_archive(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "Documents.zip").write_bytes(_zip([
        ("Documents/Recrutement/CV/cv-zoe.pdf", minimal_pdf(["Zoé Lefèvre", f"NIR {NIR}"]), (2023, 3, 14, 10, 20, 30)),
        ("Documents/Recrutement/lettre.docx", minimal_docx(["Madame, Monsieur"]), (2026, 1, 2, 8, 0, 0)),
        ("Documents/Recrutement/", b"", (2026, 1, 2, 8, 0, 0)),  # a folder entry: no record
    ]))
    (tmp_path / "export" / "notes.txt").write_bytes(b"rien")  # a file beside the archive: a document too
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(_manifest(tmp_path, "export/**/*")))
        assert report.failed == []
        rows = ws.con.execute(
            "SELECT path, name, extension, modified, container, content_status, hit_count FROM raw.cvs ORDER BY path").fetchall()
    by_path = {r[0]: r for r in rows}
    # the archive's single top folder named as the archive is left out: paths as in the synchronised folder
    assert set(by_path) == {"/Recrutement/CV/cv-zoe.pdf", "/Recrutement/lettre.docx", "/notes.txt"}
    zoe = by_path["/Recrutement/CV/cv-zoe.pdf"]
    assert zoe[1:] == ("cv-zoe.pdf", "pdf", dt.datetime(2023, 3, 14, 10, 20, 30), "Documents.zip", "scanned", "1")
    assert by_path["/Recrutement/lettre.docx"][3] == dt.datetime(2026, 1, 2, 8, 0, 0)
    assert by_path["/notes.txt"][4] is None  # on disk, not in an archive


def test_extended_timestamp_is_utc():
    info = zipfile.ZipInfo("a.txt", date_time=(2020, 1, 1, 0, 0, 0))
    info.extra = struct.pack("<HHBi", 0x5455, 5, 1, 1700000000)
    assert _utc_mtime(info) == dt.datetime(2023, 11, 14, 22, 13, 20)
    assert _utc_mtime(zipfile.ZipInfo("b.txt", date_time=(2020, 1, 1, 0, 0, 0))) == dt.datetime(2020, 1, 1)


def test_a_damaged_or_oversized_archive_is_a_rejected_record_not_a_failed_load(tmp_path):
    (tmp_path / "docs").mkdir()
    good = _zip([(f"f{i}.txt", b"x", (2025, 1, 1, 0, 0, 0)) for i in range(3)])
    (tmp_path / "docs" / "trois.zip").write_bytes(good)
    (tmp_path / "docs" / "tronque.zip").write_bytes(good[:-30])  # its directory cut off
    (tmp_path / "docs" / "cv.pdf").write_bytes(minimal_pdf(["Zoé"]))
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(_manifest(tmp_path, "docs/**/*", ", options: {max_entries: 2}")))
        assert report.failed == []
        rows = dict(ws.con.execute("SELECT path, content_status || ': ' || coalesce(content_reason, '') FROM raw.cvs").fetchall())
    assert rows["/cv.pdf"] == "scanned: "
    assert rows["/trois.zip"].startswith("rejected: zip archive of documents with 3 entries, more than the limit of 2")
    # a truncated zip is not recognised as one (no directory): an unreadable file of the folder
    assert rows["/tronque.zip"].startswith(("rejected", "not_scanned"))


def test_dsar_reads_an_archived_document_again(tmp_path):
    from rgpd_audit.dsar import PersonQuery
    from rgpd_audit.dsar.contents import find_in_contents

    (tmp_path / "dropbox").mkdir()
    archive = tmp_path / "dropbox" / "Documents.zip"
    archive.write_bytes(_zip([("Documents/CV/cv.pdf", minimal_pdf(["Zoé Lefèvre", "zoe.lefevre@example.org"]),
                               (2024, 5, 6, 7, 8, 10))]))
    with Workspace(tmp_path / "ws") as ws:
        load_estate(ws, load_manifest(_manifest(tmp_path, "dropbox/Documents.zip")))
        found = find_in_contents(ws, PersonQuery.make(email="Zoe.Lefevre@example.org"))
        assert [(m.source, m.record, m.reasons) for m in found.matches] == [("cvs", "/CV/cv.pdf", ["email"])]
        assert found.problems == []
        archive.write_bytes(_zip([("Documents/CV/cv.pdf", minimal_pdf(["autre"]), (2024, 5, 6, 7, 8, 10))]))
        changed = find_in_contents(ws, PersonQuery.make(email="zoe.lefevre@example.org"))
    assert changed.matches == []
    assert changed.problems == ["cvs: dropbox/Documents.zip: /CV/cv.pdf is missing or changed since the load: not searched"]
