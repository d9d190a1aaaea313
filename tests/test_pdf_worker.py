"""A hostile PDF cannot hang a load: its reading runs in a worker process stopped past its
budget, and the file is a rejected part with the reason."""

from __future__ import annotations

import io
import zlib

from rgpd_audit.ingest import pdf_worker
from rgpd_audit.ingest.content import extract
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.sample.docs import minimal_pdf
from rgpd_audit.workspace import Workspace


def slow_pdf(ops: int = 600_000, pages: int = 3) -> bytes:
    """A PDF of a few kB whose pages share one compressed content stream of ``ops`` text
    operations (under pypdf's own limits, which reject bigger ones): about ten seconds of
    pypdf per page, where no check between pages can stop it."""
    content = zlib.compress(b"BT /F1 11 Tf " + b"(a) Tj " * ops + b"ET", 9)
    kids = " ".join(f"{10 + i} 0 R" for i in range(pages)).encode()
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    }
    for i in range(pages):
        objs[10 + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = out.tell()
        out.write(f"{k} 0 obj\n".encode() + objs[k] + b"\nendobj\n")
    size = max(objs) + 1
    xref = out.tell()
    out.write(f"xref\n0 {size}\n".encode())
    for k in range(size):
        out.write(f"{offsets[k]:010d} 00000 n \n".encode() if k in offsets else b"0000000000 65535 f \n")
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_pdf_that_never_ends_is_rejected_and_the_next_one_is_read():
    bomb = slow_pdf()
    assert len(bomb) < 20_000
    got = pdf_worker.read_pdf(bomb, timeout=2)
    assert (got.status, got.reason) == ("rejected", "unreadable PDF (not read within 2 s: a hostile or broken file?)")
    ok = extract(minimal_pdf(["Léa Martin", "lea.martin@example.com"]), "cv.pdf")  # a fresh worker
    assert ok.status == "scanned" and "lea.martin@example.com" in ok.text


def test_a_folder_with_a_hostile_pdf_loads_and_rejects_it_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_worker, "HARD_SECONDS", 2.0)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bomb.pdf").write_bytes(slow_pdf())
    (docs / "cv.pdf").write_bytes(minimal_pdf(["Zoé", "zoe@example.com"]))
    (tmp_path / "manifest.yaml").write_text(
        "version: 1\nname: t\norganisation: {name: X}\nsources:\n"
        "  - {name: cvs, format: documents, path: 'docs/*', activities: [candidates], hosting: {provider: X, country: FR}}\n",
        encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
        rows = ws.con.execute("SELECT path, content_status, content_reason FROM raw.cvs ORDER BY path").fetchall()
        (warnings,) = ws.con.execute("SELECT warnings FROM load_files").fetchone()
    assert report.failed == []
    assert rows == [("/bomb.pdf", "rejected", "unreadable PDF (not read within 2 s: a hostile or broken file?)"),
                    ("/cv.pdf", "scanned", None)]
    assert "docs: 1 file(s) rejected: unreadable PDF (not read within 2 s: a hostile or broken file?)" in warnings


def test_workers_are_stopped_on_request():
    extract(minimal_pdf(["x"]), "x.pdf")
    assert pdf_worker._idle
    procs = [w.proc for w in pdf_worker._idle]
    pdf_worker.stop_workers()
    assert pdf_worker._idle == [] and all(p.poll() is not None for p in procs)
