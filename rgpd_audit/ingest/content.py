"""The text inside a mail part or a file, read within a budget, for the content scanner.

``extract(data, name, content_type)`` returns an :class:`Extracted`: the text of a plain
text or HTML part, a PDF (pypdf, page by page), a DOCX or ODT (their XML, through
``zipfile`` with the archive budget and ``defusedxml``: no entity expansion, no external
reference), or a status saying why there is none: ``not_scanned`` (an image or a scan
without a text layer, a type the scanner does not read, a file over the size budget) or
``rejected`` (a damaged file, an unknown charset), with the reason. Nothing raises: a
hostile file is one rejected part, never a failed load.

Budgets (per part): ``MAX_BYTES`` read, ``MAX_CHARS`` of text kept for the scan,
``MAX_SECONDS`` of PDF parsing (checked between pages; the whole reading of a PDF runs in a
worker process killed after ``pdf_worker.HARD_SECONDS``, so a file slow to open or one page
that never ends is a rejected part, not a hung load), ``MAX_XML_BYTES`` of a DOCX/ODT's
XML. A text cut by a budget is scanned as far as it goes and says so (``truncated``).
The text is given to the scanner and dropped: only the hits are kept.
"""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_BYTES = 50 << 20       # a part or file bigger than this is not scanned
MAX_CHARS = 2_000_000      # text scanned per part
MAX_SECONDS = 20.0         # PDF parsing time per file
MAX_XML_BYTES = 64 << 20   # unpacked XML of a DOCX/ODT
MAX_PAGES = 2000

TEXT_EXT = {".txt", ".csv", ".md", ".tsv", ".log", ".json", ".xml", ".eml", ".rtf"}
HTML_EXT = {".html", ".htm"}
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".webp"}


@dataclass
class Extracted:
    kind: str          # text | html | pdf | docx | odt | image | other
    status: str        # scanned | not_scanned | rejected
    text: str = ""
    reason: str | None = None
    truncated: bool = False


def kind_of(data: bytes, name: str | None, content_type: str | None) -> str:
    ext = PurePosixPath(name or "").suffix.lower()
    ct = (content_type or "").lower()
    if data[:5] == b"%PDF-" or ct == "application/pdf" or ext == ".pdf":
        return "pdf"
    if data[:4] == b"PK\x03\x04" or ext in (".docx", ".odt"):
        if ext == ".odt" or "opendocument.text" in ct or b"application/vnd.oasis.opendocument.text" in data[:100]:
            return "odt"
        if ext == ".docx" or "wordprocessingml" in ct or b"word/" in data[:2000]:
            return "docx"
        return "other"
    if ct.startswith("image/") or ext in IMAGE_EXT:
        return "image"
    if ct == "text/html" or ext in HTML_EXT:
        return "html"
    if ct.startswith("text/") or ext in TEXT_EXT:
        return "text"
    return "other"


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252 (nothing lost)."""
    for cs in (charset, "utf-8", "cp1252"):
        if not cs:
            continue
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


_SKIP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_text(source: str) -> str:
    """The words of an HTML part (scripts and styles out, tags to spaces, entities decoded)."""
    s = _SKIP.sub(" ", source)
    s = _BREAK.sub("\n", s)
    s = _TAG.sub(" ", s)
    return html.unescape(s)


def _cut(text: str) -> tuple[str, bool]:
    return (text[:MAX_CHARS], True) if len(text) > MAX_CHARS else (text, False)


def _pdf(data: bytes) -> Extracted:
    """A PDF's text, read in a worker process that is stopped past its time budget
    (:mod:`rgpd_audit.ingest.pdf_worker`): a hostile PDF is a rejected part, never a hung load."""
    from .pdf_worker import read_pdf

    return read_pdf(data)


def _pdf_in_process(data: bytes) -> Extracted:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings may quote the file
    t0 = time.monotonic()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return Extracted("pdf", "not_scanned", reason="encrypted PDF")
            except Exception:  # noqa: BLE001 - an encryption pypdf cannot open
                return Extracted("pdf", "not_scanned", reason="encrypted PDF")
        out: list[str] = []
        size = 0
        truncated = False
        for i, page in enumerate(reader.pages):
            if i >= MAX_PAGES or size > MAX_CHARS or time.monotonic() - t0 > MAX_SECONDS:
                truncated = True
                break
            t = page.extract_text() or ""
            out.append(t)
            size += len(t) + 1
    except Exception as exc:  # noqa: BLE001 - a damaged or hostile PDF is a rejected part
        return Extracted("pdf", "rejected", reason=f"unreadable PDF ({type(exc).__name__})")
    text, cut = _cut("\n".join(out))
    if not text.strip():
        return Extracted("pdf", "not_scanned", reason="no text layer (a scan?)")
    return Extracted("pdf", "scanned", text, truncated=truncated or cut)


_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _office(data: bytes, kind: str) -> Extracted:
    from defusedxml import ElementTree as DET

    entry = "word/document.xml" if kind == "docx" else "content.xml"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > 1000:
                return Extracted(kind, "rejected", reason=f"{len(infos)} zip entries, more than 1000")
            info = next((i for i in infos if i.filename == entry), None)
            if info is None:
                return Extracted(kind, "rejected", reason=f"no {entry} in the archive")
            if info.file_size > MAX_XML_BYTES:
                return Extracted(kind, "not_scanned", reason=f"{entry} unpacks to more than {MAX_XML_BYTES >> 20} MiB")
            with zf.open(info) as fh:
                xml = fh.read(MAX_XML_BYTES + 1)
        root = DET.fromstring(xml, forbid_dtd=True)
    except Exception as exc:  # noqa: BLE001 - damaged zip, bad XML, DTD/entities refused
        return Extracted(kind, "rejected", reason=f"unreadable {kind.upper()} ({type(exc).__name__})")
    paras: list[str] = []
    if kind == "docx":
        for p in root.iter(f"{_W_NS}p"):
            paras.append("".join(t.text or "" for t in p.iter(f"{_W_NS}t")))
    else:
        for p in root.iter():
            if p.tag in (f"{_TEXT_NS}p", f"{_TEXT_NS}h"):
                paras.append("".join(p.itertext()))
    text, cut = _cut("\n".join(paras))
    return Extracted(kind, "scanned", text, truncated=cut)


def extract(data: bytes, name: str | None = None, content_type: str | None = None, charset: str | None = None) -> Extracted:
    """The text of one part or file, or why there is none (never raises)."""
    kind = kind_of(data[:4096], name, content_type)
    if len(data) > MAX_BYTES:
        return Extracted(kind, "not_scanned", reason=f"bigger than {MAX_BYTES >> 20} MiB")
    if kind == "pdf":
        return _pdf(data)
    if kind in ("docx", "odt"):
        return _office(data, kind)
    if kind == "image":
        return Extracted(kind, "not_scanned", reason="image (not scanned: no text recognition)")
    if kind in ("text", "html"):
        text = decode_text(data, charset)
        if kind == "html":
            text = html_text(text)
        text, cut = _cut(text)
        return Extracted(kind, "scanned", text, truncated=cut)
    return Extracted(kind, "not_scanned", reason="type not read by the scanner")
