"""Throughput of the content scanner: a generated mailbox and a folder of documents.

Generates (deterministically, under ``--work``) an mbox of ``--items`` messages (French
bodies of about 1 KB; one in four with a PDF attachment, one in eight with a DOCX, one in
fifty with a NIR written in the body) and a folder of ``--items`` files (60 % PDF of about
40 lines, 25 % DOCX, 10 % plain text, 5 % images), then loads each as one source
(``gmail_mbox``, ``documents``) in a child process and reports wall time, messages or
files per second, MB/s of input, MB/s of PDF text extracted, and the child's peak RSS.
A third child only extracts the folder's PDFs (pypdf), to isolate the PDF rate.

Example:

    python benchmarks/contents.py                        # 10,000 messages and 10,000 files
    python benchmarks/contents.py --items 1000 --json /tmp/contents.json
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rgpd_audit.sample.docs import minimal_docx, minimal_pdf  # noqa: E402

WORDS = ("candidature poste cariste entrepôt disponible immédiatement expérience préparateur commandes "
         "permis CACES mission intérim semaine horaires équipe matin après-midi salaire logement transport "
         "agence Lille Roubaix Tourcoing contrat entretien rappeler merci cordialement bonjour").split()
NIR = "1 90 05 75 123 456 22"
MANIFEST = """\
version: 1
name: benchmark contents
organisation: {name: BENCH}
sources:
  - {name: mail, format: gmail_mbox, path: mail.mbox, activities: [candidates], hosting: {provider: Google LLC, country: US}}
  - {name: docs, format: documents, path: "docs/**/*", activities: [candidates], hosting: {provider: 'Dropbox, Inc.', country: US}}
"""


def _text(i: int, n: int) -> list[str]:
    """``n`` lines of words, the first naming item ``i`` (every file's content is its own)."""
    return [f"Dossier {i}"] + [" ".join(WORDS[(i * 7 + k * 3 + j) % len(WORDS)] for j in range(12)) for k in range(n - 1)]


def generate(work: Path, items: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    box_path = work / "mail.mbox"
    if box_path.exists():
        box_path.unlink()
    box = mailbox.mbox(str(box_path), create=True)
    for i in range(items):
        m = EmailMessage()
        m["Message-ID"] = f"<bench-{i}@example.com>"
        m["Date"] = "Wed, 06 Mar 2024 11:15:32 +0100"
        m["From"] = f"Candidat {i} <candidat{i}@example.com>"
        m["To"] = "recrutement@example.fr"
        m["Subject"] = f"Candidature {i}"
        body = "\n".join(_text(i, 10))
        if i % 50 == 0:
            body += f"\nMon numéro de sécurité sociale : {NIR}\n"
        m.set_content(body)
        if i % 4 == 0:
            m.add_attachment(minimal_pdf(_text(i, 40)), maintype="application", subtype="pdf", filename=f"CV_{i}.pdf")
        if i % 8 == 1:
            m.add_attachment(minimal_docx(_text(i, 30)), maintype="application",
                             subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename=f"Lettre_{i}.docx")
        mm = mailbox.mboxMessage(m)
        mm.set_from("bench@xxx Wed Mar 06 10:15:32 +0000 2024")
        box.add(mm)
    box.flush()
    box.close()
    docs = work / "docs"
    for i in range(items):
        folder = docs / f"Dossier{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        r = i % 20
        if r < 12:
            (folder / f"cv_{i}.pdf").write_bytes(minimal_pdf(_text(i, 40)))
        elif r < 17:
            (folder / f"lettre_{i}.docx").write_bytes(minimal_docx(_text(i, 30)))
        elif r < 19:
            (folder / f"note_{i}.txt").write_text("\n".join(_text(i, 20)), encoding="utf-8")
        else:
            (folder / f"scan_{i}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
    (work / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    return {"mbox_mb": box_path.stat().st_size / 1e6,
            "docs_mb": sum(p.stat().st_size for p in docs.rglob("*") if p.is_file()) / 1e6}


def child(work: Path, what: str) -> dict:
    """Run in a child process: one measurement, as JSON on stdout."""
    if what == "pdf":
        from rgpd_audit.ingest.content import extract

        t0 = time.perf_counter()
        n = chars = size = 0
        for p in sorted((work / "docs").rglob("*.pdf")):
            data = p.read_bytes()
            size += len(data)
            chars += len(extract(data, p.name).text.encode("utf-8"))
            n += 1
        return {"files": n, "seconds": time.perf_counter() - t0, "pdf_mb": size / 1e6, "text_mb": chars / 1e6}
    from rgpd_audit.ingest.engine import load_estate
    from rgpd_audit.ingest.manifest import load_manifest
    from rgpd_audit.workspace import Workspace

    ws_path = work / f"ws_{what}"
    if ws_path.exists():
        import shutil

        shutil.rmtree(ws_path)
    with Workspace(ws_path) as ws:
        t0 = time.perf_counter()
        report = load_estate(ws, load_manifest(work / "manifest.yaml"), only=[what])
        seconds = time.perf_counter() - t0
        assert not report.failed, report.failed
        records = ws.con.execute(f"SELECT count(*) FROM raw.{what}").fetchone()[0]
        hits = ws.con.execute(f"SELECT count(*) FROM raw.{what}__content_hits").fetchone()[0]
        nirs = ws.con.execute(f"SELECT count(*) FROM raw.{what}__content_hits WHERE detector = 'nir'").fetchone()[0]
        if what == "mail":
            parts = ws.con.execute("SELECT count(*), count(*) FILTER (WHERE kind = 'pdf') FROM raw.mail__contents").fetchone()
        else:
            parts = ws.con.execute("SELECT count(*), count(*) FILTER (WHERE content_kind = 'pdf') FROM raw.docs").fetchone()
    return {"records": records, "seconds": seconds, "hits": hits, "nir_hits": nirs, "parts": parts[0], "pdf_parts": parts[1]}


def measure(work: Path, what: str) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--child", what, "--work", str(work)], stdout=subprocess.PIPE)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{what}: child failed ({proc.returncode})")
    res = json.loads(out)
    res["peak_rss_mib"] = usage.ru_maxrss / 1024
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000, help="messages in the mailbox and files in the folder")
    ap.add_argument("--work", type=Path, default=Path("/tmp/rgpd-bench-contents"))
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", choices=["mail", "docs", "pdf"], default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.work, args.child)))
        return 0
    t0 = time.perf_counter()
    sizes = generate(args.work, args.items)
    gen = time.perf_counter() - t0
    mail, docs, pdf = measure(args.work, "mail"), measure(args.work, "docs"), measure(args.work, "pdf")
    result = {"items": args.items, "generate_seconds": gen, **sizes, "mail": mail, "docs": docs, "pdf": pdf}
    print(f"generated {args.items:,} messages ({sizes['mbox_mb']:.1f} MB) and {args.items:,} files "
          f"({sizes['docs_mb']:.1f} MB) in {gen:.1f} s")
    print(f"mailbox: {mail['records']:,} messages, {mail['parts']:,} parts ({mail['pdf_parts']:,} PDF) in "
          f"{mail['seconds']:.1f} s = {mail['records'] / mail['seconds']:,.0f} messages/s, "
          f"{sizes['mbox_mb'] / mail['seconds']:.2f} MB/s; {mail['hits']:,} hits ({mail['nir_hits']} NIR); "
          f"peak RSS {mail['peak_rss_mib']:.0f} MiB")
    print(f"folder: {docs['records']:,} files ({docs['pdf_parts']:,} PDF) in {docs['seconds']:.1f} s = "
          f"{docs['records'] / docs['seconds']:,.0f} files/s, {sizes['docs_mb'] / docs['seconds']:.2f} MB/s; "
          f"{docs['hits']:,} hits; peak RSS {docs['peak_rss_mib']:.0f} MiB")
    print(f"PDF text only: {pdf['files']:,} PDFs, {pdf['pdf_mb']:.1f} MB in {pdf['seconds']:.1f} s = "
          f"{pdf['text_mb'] / pdf['seconds']:.2f} MB/s of text ({pdf['pdf_mb'] / pdf['seconds']:.2f} MB/s of PDF); "
          f"peak RSS {pdf['peak_rss_mib']:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
