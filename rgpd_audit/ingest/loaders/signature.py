"""What a file is, from its name and its first bytes: the tools of the formats' signatures.

Each loader says why a file is not of its format: ``Loader.mismatch(path, head)``, from the
file's name and its first ``HEAD_BYTES`` (a zip's directory for the containers), None when it
may be. Its ``read`` calls ``refuse_unless_recognised`` first, so the wrong kind of file fails
its source with "this is not a HubSpot contacts export: no HubSpot property column…" before
anything is read; the same signatures sort a folder of exports (``registry.recognise``).

A refusal describes what the file is (a PNG image, a zip archive, text whose first line has
4 fields separated by ';') and which expected columns are missing, never what the file holds:
it is printed and logged, and a file's first line may be a person's record.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from ...errors import InputFileError

HEAD_BYTES = 64 * 1024

MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 document (Excel 97-2003 .xls, Word .doc, Outlook .msg)"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_head(path, n: int = HEAD_BYTES) -> bytes:
    """The first ``n`` bytes of a file (a path on disk)."""
    with open(path, "rb") as fh:
        return fh.read(n)


def magic(head: bytes) -> str | None:
    """What a binary file is, by its magic number (None: not one we know)."""
    return next((what for sig, what in MAGIC if head.startswith(sig)), None)


def text_of(head: bytes) -> str | None:
    """The head as text (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), or
    None when it is binary."""
    if magic(head) is not None:
        return None
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    elif head.startswith(_UTF16_BOMS):
        return head[: len(head) - len(head) % 2].decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    for cut in range(4):  # a multi-byte character cut by the end of the head
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                break
    return codecs.charmap_decode(head, "replace", _CP1252)[0]


_CP1252 = "".join(
    bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in range(256)
)


def header_of(head: bytes, delimiters: str = ",;|\t", *, complete: bool | None = None) -> tuple[list[str], str] | None:
    """The first line of a delimited text as column names (quote-aware, trimmed) and its
    delimiter, or None when the head is not text or its first line is cut.

    ``complete``: the head is the whole file (default: shorter than ``HEAD_BYTES``)."""
    from .textfile import sniff_delimiter  # imported late: textfile imports base, which imports this module's users

    text = text_of(head)
    if text is None:
        return None
    if complete is None:
        complete = len(head) < HEAD_BYTES
    text = text.lstrip("\ufeff\r\n")
    if not text.strip():
        return None
    if not complete and "\n" not in text:
        return None
    delim = sniff_delimiter(text, delimiters)
    try:
        first = next(csv.reader(io.StringIO(text), delimiter=delim), [])
    except csv.Error:
        first = text.splitlines()[0].split(delim)
    return [c.strip().lstrip("\ufeff") for c in first], delim


def within(head: bytes) -> str:
    """Where a signature looked: " in its first 64 KB", or nothing when that is the whole file."""
    return f" in its first {len(head) // 1024} KB" if len(head) >= HEAD_BYTES else ""


def has_column(columns: list[str], name: str) -> bool:
    """A column named ``name``, ignoring case and surrounding spaces."""
    w = name.strip().lower()
    return any(c.strip().lower() == w for c in columns)


def describe(head: bytes) -> str:
    """What the file looks like, without a word of what it holds."""
    if not head:
        return "an empty file"
    what = magic(head)
    if what is not None:
        return what
    if text_of(head) is None:
        return "binary data"
    found = header_of(head)
    if found is None:
        return "text"
    cols, delim = found
    if len(cols) < 2:
        return "text whose first line is not a delimited header"
    shown = {"\t": "tabs", ",": "','", ";": "';'", "|": "'|'"}[delim]
    return f"text whose first line has {len(cols)} fields separated by {shown}"


def delimited_mismatch(head: bytes, header_mismatch) -> str | None:
    """Why a file is not a delimited export whose header ``header_mismatch(columns)`` accepts
    (None: it is, or it is empty, or its first line is longer than the head)."""
    if not head.strip():
        return None
    found = header_of(head)
    if found is None:
        return f"it is {describe(head)}" if text_of(head) is None else None
    why = header_mismatch(found[0])
    if why and len(found[0]) < 2:
        why += f" (it is {describe(head)})"
    return why


def refuse_unless_recognised(loader, ctx, path: Path) -> None:
    """Raise ``InputFileError`` ("this is not a …: why") unless ``path`` looks like a file of
    ``loader``'s format (its ``mismatch``)."""
    try:
        head = read_head(path)
    except OSError as exc:
        raise InputFileError(ctx.display(path), f"cannot read: {exc.strerror or exc}") from None
    reason = type(loader).mismatch(Path(path), head)
    if reason is not None:
        raise InputFileError(ctx.display(path), f"this is not {type(loader).kind}: {reason}")
