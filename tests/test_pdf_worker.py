"""A hostile PDF cannot hang a load: its reading runs in a worker process stopped past its
budget, and the file is a rejected part with the reason."""

from __future__ import annotations

import io

from rgpd_audit.ingest import pdf_worker
from rgpd_audit.ingest.content import extract
from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.sample.docs import minimal_pdf
from rgpd_audit.workspace import Workspace


def xobject_bomb(depth: int = 40) -> bytes:
    """A 7 kB PDF whose one page draws a form that draws the next one twice, ``depth`` times:
    2**depth text operations for a reader that follows them (the « billion laughs » of PDF)."""
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /X 10 0 R >> >> /Contents 5 0 R >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    c = b"/X Do /X Do"
    objs[5] = b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream"
    for i in range(depth):
        n = 10 + i
        if i < depth - 1:
            c, res = b"/X Do /X Do", b"<< /XObject << /X %d 0 R >> >>" % (n + 1)
        else:
            c, res = b"BT /F1 11 Tf (NIR) Tj ET", b"<< /Font << /F1 4 0 R >> >>"
        objs[n] = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources " + res
                   + b" /Length %d >>\nstream\n" % len(c) + c + b"\nendstream")
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
    bomb = xobject_bomb()
    assert len(bomb) < 10_000
    got = pdf_worker.read_pdf(bomb, timeout=2)
    assert (got.status, got.reason) == ("rejected", "unreadable PDF (not read within 2 s: a hostile or broken file?)")
    ok = extract(minimal_pdf(["Léa Martin", "lea.martin@example.com"]), "cv.pdf")  # a fresh worker
    assert ok.status == "scanned" and "lea.martin@example.com" in ok.text


def test_a_folder_with_a_hostile_pdf_loads_and_rejects_it_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_worker, "HARD_SECONDS", 2.0)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bomb.pdf").write_bytes(xobject_bomb())
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
    assert pdf_worker._idle == [] and not any(p.is_alive() for p in procs)
