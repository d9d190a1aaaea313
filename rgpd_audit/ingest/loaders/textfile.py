"""Reading delimited text files through DuckDB's CSV reader, whatever their encoding.

- Encoding, per file: a byte-order mark (UTF-8, UTF-16 or UTF-32, little- or big-endian;
  a repeated mark is skipped whole), else one streaming scan (UTF-8 validity, bytes
  0x80–0x9F, ISO-8859-15's eight special bytes, UTF-8 multi-byte sequences; cached per file),
  decide. UTF-16/32 files are transcoded to UTF-8 through the load's scratch (memory when the
  workspace is encrypted). Windows-1252 / ISO-8859-15 files are read by DuckDB's fast built-in
  latin-1 reader when they hold no byte in 0x80–0x9F; otherwise (``’``, ``€``, ``œ`` in
  cp1252) they are transcoded once to UTF-8 with a C charmap codec, because DuckDB's latin-1
  reader refuses those bytes. ISO-8859-15's eight differences from latin-1 are fixed in SQL
  while staging, and only when one of those bytes occurs.
- Mixed encodings are reported, never garbled silently: a single-byte file holding lines that
  are valid UTF-8 is transcoded line by line (those lines read as UTF-8, a warning gives their
  count); in a mostly-UTF-8 file the other lines are rejects (``undecodable``), with a warning.
- Dialect: the delimiter is sniffed among ``,`` ``;`` ``|`` tab (quote-aware) unless given.
- Header: a column named like one of the engine's (``_row``, ``_file_id``, ``_activity``,
  ``__…``) is renamed (``export_row``…; ``renamed_columns`` in the dialect, and a warning); a
  NUL byte in the header line refuses the file.
- Rows DuckDB cannot read (wrong number of fields, undecodable bytes, bad quotes) are collected
  from its rejects table with their reason code, the physical line where the record starts,
  its record number (they differ after a quoted field spanning lines) and their text, escaped;
  nothing is dropped silently. Any error of the reader is one line naming the file.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import LoadContext, Part, Reject, Scanned, escape_raw, one_line_error, renamed_warning, safe_column_names, unique_columns

SAMPLE_BYTES = 1 << 20
MEMORY = "memory://"  # a load's scratch file on an encrypted workspace (ingest/scratch.py)


def open_bytes(path):
    """Open a file to read: a path on disk, or a scratch file in memory (``memory://…``)."""
    if str(path).startswith(MEMORY):
        import fsspec

        return fsspec.open(str(path), "rb").open()
    return open(path, "rb")  # noqa: SIM115 - the caller's with-block closes it


def file_size(path) -> int:
    if str(path).startswith(MEMORY):
        import fsspec

        return fsspec.filesystem("memory").size(str(path).removeprefix(MEMORY))
    return Path(path).stat().st_size


C1 = re.compile(rb"[\x80-\x9f]")

# cp1252 with its five undefined bytes kept as the C1 control they are in latin-1, so that
# decoding never fails and nothing is lost.
_CP1252_TABLE = "".join(
    bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b) for b in range(256)
)
# ISO-8859-15 differs from latin-1 in eight positions.
ISO_8859_15_FIX = {"\u00a4": "€", "\u00a6": "Š", "\u00a8": "š", "\u00b4": "Ž", "\u00b8": "ž", "\u00bc": "Œ", "\u00bd": "œ", "\u00be": "Ÿ"}

def _utf8_sequence(data: bytes) -> bool:
    """A lead byte followed by a continuation byte: the sign of lines written in UTF-8 in a
    single-byte file. A candidate only (cp1252's ``é’`` passes too): ``_utf8_lines`` then
    decides line by line. Vectorised (numpy): 0.3 s per 150 MB, where a regular expression
    took 6 s."""
    import numpy as np  # imported on first use (see test_cli_startup)

    a = np.frombuffer(data, dtype=np.uint8)
    follows = a[1:].view(np.int8) < -64  # 0x80–0xBF
    follows &= a[:-1] >= 0xC2
    return bool(follows.any())


# Byte-order marks of the encodings transcoded to UTF-8 (UTF-32 first: its LE mark starts like UTF-16's).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
WIDE = tuple(codec for _, codec in _WIDE_BOMS)
_SINGLE_BYTE = {"cp1252": None, "iso-8859-15": "iso8859_15", "latin-1": "latin-1"}


@dataclass
class TextEncoding:
    label: str  # what was detected / declared, as recorded in provenance
    duckdb: str  # what DuckDB reads: utf-8 or latin-1
    transcode: bool = False  # transcode to UTF-8 first (cp1252 with C1 bytes, UTF-16/32, mixed lines)
    bom: bool = False  # starts with a UTF-8 byte-order mark
    iso_fix: bool = True  # ISO-8859-15 read as latin-1: some of its eight special bytes occur, fix them
    skip: int = 0  # bytes of byte-order marks at the start (every one of a repeated mark)
    boms: int = 0  # how many byte-order marks
    utf8_lines: int = 0  # single-byte file: lines that are valid UTF-8, read as UTF-8 (transcoded line by line)
    bad_lines: int = 0  # mostly-UTF-8 file: lines that are not UTF-8 (rejected as undecodable)
    note: str | None = None  # a declared encoding the file contradicts


# ``bytes.translate(None, delete)`` keeps only the bytes not deleted: a C-speed membership test.
_NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
_NOT_ISO15 = bytes(b for b in range(256) if b not in b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")


@dataclass
class _Scan:
    valid_utf8: bool = True
    non_ascii: bool = False
    c1: bool = False
    iso15: bool = False  # one of the eight bytes where ISO-8859-15 differs from latin-1
    utf8_seq: bool = False  # a multi-byte UTF-8 sequence occurs


def _scan(path: Path) -> _Scan:
    """One streaming pass: UTF-8 validity, C1 bytes, ISO-8859-15 special bytes, UTF-8 sequences."""
    out = _Scan()
    dec = codecs.getincrementaldecoder("utf-8")()
    tail = b""
    with open_bytes(path) as fh:
        while chunk := fh.read(8 * SAMPLE_BYTES):
            if chunk.isascii():
                if dec is not None and dec.getstate()[0]:
                    try:  # a multi-byte sequence cut by the previous chunk must go on here
                        dec.decode(chunk)
                    except UnicodeDecodeError:
                        out.valid_utf8, dec = False, None
                tail = b""
                continue
            out.non_ascii = True
            if dec is not None:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    out.valid_utf8, dec = False, None
            if not out.c1 and chunk.translate(None, _NOT_C1):
                out.c1 = True
            if not out.iso15 and chunk.translate(None, _NOT_ISO15):
                out.iso15 = True
            if not out.utf8_seq and (_utf8_sequence(tail + chunk[:3]) or _utf8_sequence(chunk)):
                out.utf8_seq = True
            tail = chunk[-3:]
        if dec is not None:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                out.valid_utf8 = False
    return out


def _utf8_lines(path: Path) -> tuple[int, int]:
    """Lines with non-ASCII bytes: (valid UTF-8, not UTF-8)."""
    good = bad = 0
    with open_bytes(path) as fh:
        for line in fh:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
    return good, bad


def _looks_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: one byte of two is NUL (ASCII text), the other rarely."""
    n = min(len(head), 4096) // 2 * 2
    if n < 8:
        return None
    half = n // 2
    even, odd = head[0:n:2].count(0), head[1:n:2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# Detection results by (path, size, mtime, declared): loaders ask again for the same file
# (the FEC loader before ``read_delimited``), and a scan reads the whole file.
_DETECTED: dict[tuple, TextEncoding] = {}


def detect_encoding(path: Path, declared: str | None = None) -> TextEncoding:
    if str(path).startswith(MEMORY):  # a scratch file, read once: no cache
        return _detect_encoding(path, declared)
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns, declared)
    hit = _DETECTED.get(key)
    if hit is None:
        hit = _detect_encoding(path, declared)
        if len(_DETECTED) > 256:
            _DETECTED.clear()
        _DETECTED[key] = hit
    return dataclasses.replace(hit)


def _marks(head: bytes, bom: bytes) -> int:
    n = 0
    while head.startswith(bom, n * len(bom)):
        n += 1
    return n


def _detect_encoding(path: Path, declared: str | None) -> TextEncoding:
    with open_bytes(path) as fh:
        head = fh.read(4096)
    # a byte-order mark says what the file is, whatever the manifest declares for its source
    for bom, codec in _WIDE_BOMS:
        if n := _marks(head, bom):
            note = None
            if declared and declared != codec:
                note = f"declared {declared}, but the file starts with a {codec} byte-order mark: read as {codec}"
            return TextEncoding(codec, "utf-8", transcode=True, skip=n * len(bom), boms=n, note=note)
    if n := _marks(head, codecs.BOM_UTF8):
        note = None
        if declared not in (None, "utf-8", "utf-8-sig"):
            note = f"declared {declared}, but the file starts with a UTF-8 byte-order mark: read as UTF-8"
        return TextEncoding("utf-8-sig", "utf-8", bom=True, skip=3 * n, boms=n, note=note)
    if declared in ("utf-8", "utf-8-sig"):
        return TextEncoding("utf-8", "utf-8")
    if declared in WIDE:  # what a first detection found (a loader asking again): no mark
        return TextEncoding(declared, "utf-8", transcode=True)
    if declared is None and (wide := _looks_utf16(head)):
        return TextEncoding(wide, "utf-8", transcode=True)
    scan = _scan(path)
    good = bad = 0
    if not scan.valid_utf8 and scan.utf8_seq:
        good, bad = _utf8_lines(path)
    if declared is None:
        if scan.valid_utf8:
            return TextEncoding("utf-8", "utf-8")
        if good > bad:  # mostly UTF-8: the other lines are rejected as undecodable
            return TextEncoding("utf-8", "utf-8", bad_lines=bad)
        declared = "cp1252"
    elif scan.valid_utf8 and scan.non_ascii:
        return TextEncoding("utf-8", "utf-8", note=f"declared {declared}, but the file is UTF-8: read as UTF-8")
    # UTF-8 lines in a single-byte file: transcoded line by line, those lines read as UTF-8
    transcode = scan.c1 or good > 0
    duck = "utf-8" if transcode else "latin-1"
    if declared == "iso-8859-15":
        return TextEncoding("iso-8859-15", duck, transcode=transcode, iso_fix=scan.iso15 and not transcode, utf8_lines=good)
    return TextEncoding(declared, duck, transcode=transcode, utf8_lines=good)


def _single_byte(data: bytes, label: str) -> str:
    if label == "cp1252":
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]
    return data.decode(_SINGLE_BYTE.get(label) or "latin-1")


def _mixed_line(line: bytes, label: str) -> str:
    """A line of a single-byte file holding UTF-8 lines: UTF-8 when it is valid UTF-8."""
    if not line.isascii():
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return _single_byte(line, label)


def transcode_to_utf8(src: Path, dst, enc: TextEncoding) -> None:
    """Stream a file to UTF-8 into ``dst``, a binary file object, without its byte-order marks.

    Single-byte encodings never fail (cp1252's undefined bytes map to C1 controls); a file
    with UTF-8 lines is transcoded line by line, those lines kept as they are. UTF-16/32:
    an invalid code unit (a lone surrogate, a last character cut) is written as bytes that
    are not UTF-8, so that DuckDB rejects its line as undecodable: nothing is dropped.
    """
    with open_bytes(src) as fi:
        fi.read(enc.skip)
        if enc.label in WIDE:
            dec = codecs.getincrementaldecoder(enc.label)(errors="surrogatepass")
            while chunk := fi.read(8 * SAMPLE_BYTES):
                dst.write(dec.decode(chunk).encode("utf-8", "surrogatepass"))
            try:
                dst.write(dec.decode(b"", final=True).encode("utf-8", "surrogatepass"))
            except UnicodeDecodeError:
                dst.write(b"\xff")  # a last character cut short
        elif enc.utf8_lines:
            for line in fi:
                dst.write(line if line.isascii() else _mixed_line(line, enc.label).encode("utf-8"))
        else:
            while chunk := fi.read(8 * SAMPLE_BYTES):
                dst.write(_single_byte(chunk, enc.label).encode("utf-8"))


HEAD_BYTES = 256 * 1024  # the start of a file read in Python: header, delimiter, header-only files


def read_head(path: Path, enc: TextEncoding, nbytes: int = HEAD_BYTES) -> str:
    """The start of a file as text, without its byte-order marks (all of them)."""
    with open_bytes(path) as fh:
        data = fh.read(enc.skip + nbytes)[enc.skip:]
    if enc.label in WIDE:
        text = data.decode(enc.label, errors="replace")
    elif enc.duckdb == "utf-8" and not enc.transcode:
        text = data.decode("utf-8", errors="replace")
    elif enc.utf8_lines:
        text = "".join(_mixed_line(line, enc.label) for line in data.splitlines(keepends=True))
    else:
        text = _single_byte(data, enc.label)
    return text.lstrip("\ufeff")


def sniff_delimiter(text: str, candidates: str = ",;|\t") -> str:
    """Pick the delimiter that gives the most consistent (and >1) field count."""
    if csv.field_size_limit() < len(text):
        # Python's csv refuses fields over 128 KiB by default: a long note in the sample would
        # rule out every delimiter. Raising a process-wide limit, never lowering it.
        csv.field_size_limit(len(text))
    lines = text.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    sample = "".join(lines[:200])
    best, best_score = ",", -1.0
    for d in candidates:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d))
        except csv.Error:
            continue
        counts = [len(r) for r in rows if r]
        if not counts or counts[0] < 2:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = same * 1000 + counts[0]
        if score > best_score:
            best, best_score = d, score
    return best


def header_columns(head: str, delim: str, quote: str = '"') -> list[str] | None:
    """The column names of a header line when DuckDB would keep them exactly as written, else None.

    DuckDB trims names, renames empty ones (``column1``) and case-insensitive duplicates
    (``a``, ``a_1``); those headers, a header spanning lines, one with an undecodable byte and
    one with a (second) byte-order mark are left to DuckDB's own sniffer, so the names are the
    same either way. ``head`` is the file's start without its BOM (``read_head``).
    """
    first, sep, _ = head.partition("\n")
    if not sep:
        return None  # header only, or a first line longer than the sample
    line = first[:-1] if first.endswith("\r") else first
    if "\ufffd" in line or "\ufeff" in line or "\r" in line or (quote and line.count(quote) % 2):
        return None
    try:
        names = next(csv.reader([line], delimiter=delim, quotechar=quote or None, doublequote=True, strict=True))
    except (csv.Error, StopIteration):
        return None
    if len(names) < 1 or any(not n or n != n.strip() for n in names):
        return None
    if len({n.lower() for n in names}) != len(names):
        return None
    return names


def _count_nonempty_lines(text: str, limit: int = 2) -> int:
    return sum(1 for line in text.splitlines()[: limit + 5] if line.strip())


def _encoding_warnings(display: str, enc: TextEncoding) -> list[str]:
    out = []
    if enc.note:
        out.append(f"{display}: {enc.note}")
    if enc.boms > 1:
        out.append(f"{display}: {enc.boms} byte-order marks at the start of the file, the extra ones ignored")
    if enc.utf8_lines:
        out.append(f"{display}: mixed encodings: {enc.utf8_lines} line(s) of this {enc.label} file are UTF-8, read as UTF-8")
    return out


def read_delimited(
    ctx: LoadContext,
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    hint: str = "csv",
    display: str | None = None,
    quote: str = '"',
    lazy: bool | None = None,
) -> tuple[Part, dict, list[str], TextEncoding]:
    """Load a delimited file into a staging table.

    Returns the part, the dialect recorded in provenance, warnings, and the encoding.
    ``lazy`` (default: ``ctx.lazy_delimited``): stage a view over ``read_csv`` instead of a
    table; the engine reads the file once, while inserting, and then calls ``part.collect``.
    """
    if lazy is None:
        lazy = ctx.lazy_delimited
    display = display or ctx.display(path)
    size = file_size(path)
    if size == 0:
        name = ctx.stage_rows(hint, [], [])
        return Part(name, 0), {}, [f"{display}: empty file, 0 rows"], TextEncoding(encoding or "utf-8", "utf-8")
    enc = detect_encoding(path, encoding)
    warnings = _encoding_warnings(display, enc)
    if not enc.transcode:
        return _read(ctx, path, path, enc, enc, warnings, delimiter, hint, display, quote, lazy, None)
    # a copy in UTF-8 in the load's scratch (memory when the workspace is encrypted), removed
    # once read (lazy: once the engine is done with the part)
    read_path = ctx.scratch.new(f"{ctx.stage_name('utf8')}.csv")
    try:
        with ctx.scratch.open(read_path) as out:
            transcode_to_utf8(path, out, enc)
        return _read(ctx, path, read_path, enc, TextEncoding("utf-8", "utf-8"), warnings, delimiter, hint, display, quote, lazy,
                     lambda: ctx.scratch.remove(read_path))
    except BaseException:
        ctx.scratch.remove(read_path)
        raise


def _read(ctx: LoadContext, path, read_path, enc: TextEncoding, read_enc: TextEncoding, warnings: list[str],
          delimiter: str | None, hint: str, display: str, quote: str, lazy: bool, release) -> tuple[Part, dict, list[str], TextEncoding]:
    """``read_delimited`` of ``read_path`` (the file, or its UTF-8 copy, read as ``read_enc``)."""
    head = read_head(read_path, read_enc)
    if "\x00" in head.partition("\n")[0]:
        raise InputFileError(display, f"NUL byte(s) in the header line: not a text export, or not {enc.label}")
    delim = delimiter or sniff_delimiter(head)
    dialect = {"delimiter": delim, "quote": quote, "header": True}
    if _count_nonempty_lines(head) <= 1 and file_size(read_path) <= HEAD_BYTES + read_enc.skip:
        # header only (a header line longer than the sample goes to DuckDB like any file)
        header = next(csv.reader(io.StringIO(head), delimiter=delim), [])
        names, renamed = safe_column_names(unique_columns(header))
        _renamed(dialect, warnings, display, renamed)
        name = ctx.stage_rows(hint, names, [])
        warnings.append(f"{display}: header only, 0 rows")
        if release:
            release()
        return Part(name, 0), dialect, warnings, enc
    name = ctx.stage_name(hint)
    rej_t, rej_s = f"{name}_rej", f"{name}_scan"
    opts = (
        f"header=true, all_varchar=true, delim={quote_literal(delim)}, quote={quote_literal(quote)}, escape={quote_literal(quote)}, "
        f"encoding={quote_literal(read_enc.duckdb)}, store_rejects=true, rejects_table={quote_literal(rej_t)}, "
        f"rejects_scan={quote_literal(rej_s)}, null_padding=false, strict_mode=true, "
        f"max_line_size=2097152, comment=''"  # no comment lines: the sniffer would otherwise guess '#' and drop text
    )
    file_sql = quote_literal(str(read_path))
    iso = enc.label == "iso-8859-15" and enc.iso_fix and not enc.transcode
    fix = (lambda c: f"translate({c}, {quote_literal(''.join(ISO_8859_15_FIX))}, {quote_literal(''.join(ISO_8859_15_FIX.values()))})") if iso else None
    header = header_columns(head, delim, quote)
    try:
        if header is not None:
            # the names DuckDB would give, without its sniffer: each bind of a view over the file
            # (staging view, renaming view, CREATE) would otherwise sniff a 20k-row sample again
            names, renamed = safe_column_names(header)
            opts += ", auto_detect=false, columns={" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in names) + "}"
            # ISO-8859-15's eight differences from latin-1, fixed while staging (every column is text)
            cols = fix("COLUMNS(*)") if fix else "*"
        else:
            # DuckDB's sniffer names the columns: asked once, to rename those it must not keep
            sniffed = [r[0] for r in ctx.con.execute(f"DESCRIBE SELECT * FROM read_csv({file_sql}, {opts})").fetchall()]
            # (a second byte-order mark is part of the first name for DuckDB: removed)
            names, _ = safe_column_names(unique_columns([n.lstrip("\ufeff") for n in sniffed]))
            renamed = {o.lstrip("\ufeff"): n for o, n in zip(sniffed, names) if o.lstrip("\ufeff") != n}
            if names == sniffed:
                cols = fix("COLUMNS(*)") if fix else "*"
            else:
                cols = ", ".join(f"{fix(quote_ident(o)) if fix else quote_ident(o)} AS {quote_ident(n)}" for o, n in zip(sniffed, names))
        select = f"SELECT row_number() OVER () AS _row, {cols} FROM read_csv({file_sql}, {opts})"
        ctx.con.execute(f"CREATE TEMP {'VIEW' if lazy else 'TABLE'} {quote_ident(name)} AS {select}")
    except Exception as exc:  # duckdb.Error: give the file and the reason, on one line
        raise InputFileError(display, f"cannot read as delimited text ({enc.label}, {delim!r}): {one_line_error(exc)}") from None
    _renamed(dialect, warnings, display, renamed)
    if lazy:

        def collect(scanned: int) -> Scanned:
            found = _reader_rejects(ctx, rej_t, rej_s, enc)
            lines = _Lines(read_path, quote, scanned + len(found))
            rejects, shifts, warning = _place(found, lines)
            notes = [f"{display}: {warning}"] if warning else []
            notes += _undecodable_warning(display, enc, rejects)
            return Scanned(rejects, shifts, notes, line_of=lines.line_of, release=release)

        return Part(name, 0, collect=collect), dialect, warnings, enc
    found = _reader_rejects(ctx, rej_t, rej_s, enc)
    loaded = ctx.con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0]
    lines = _Lines(read_path, quote, loaded + len(found))
    rejects, shifts, warning = _place(found, lines)
    if shifts:
        apply_shifts(ctx.con, quote_ident(name), shifts)
    if warning:
        warnings.append(f"{display}: {warning}")
    warnings += _undecodable_warning(display, enc, rejects)
    lines.map()  # now, while the file is there: the engine asks for the lines of rows it rejects
    if release:
        release()
    return Part(name, loaded + len(rejects), rejects=rejects, line_of=lines.line_of), dialect, warnings, enc


def _renamed(dialect: dict, warnings: list[str], display: str, renamed: dict[str, str]) -> None:
    if renamed:
        dialect["renamed_columns"] = dict(renamed)
        warnings.append(renamed_warning(display, renamed))


def _undecodable_warning(display: str, enc: TextEncoding, rejects: list[Reject]) -> list[str]:
    n = sum(r.code == "undecodable" for r in rejects)
    if not n:
        return []
    return [f"{display}: mixed encodings: {n} row(s) hold bytes that are not {enc.label}, rejected as undecodable"]


# DuckDB's reader errors, most telling first (a line may have several): code, reason.
_READER_ERRORS = {
    "INVALID ENCODING": ("undecodable", "undecodable bytes (not {label})"),
    "UNQUOTED VALUE": ("bad_quotes", "badly quoted field"),
    "LINE SIZE OVER MAXIMUM": ("line_too_long", "line too long"),
    "TOO MANY COLUMNS": ("too_many_fields", "wrong number of fields (too many)"),
    "MISSING COLUMNS": ("too_few_fields", "wrong number of fields (too few)"),
}


def _reader_rejects(ctx: LoadContext, rej_t: str, rej_s: str, enc: TextEncoding) -> list[tuple[int | None, Reject]]:
    """The rows DuckDB's reader rejected (its rejects table), one per row, with DuckDB's row
    number (its reject ``line``); drops that table."""
    found = []
    rows = ctx.con.execute(
        f"SELECT line, list(DISTINCT error_type::VARCHAR), any_value(csv_line) FROM {quote_ident(rej_t)} GROUP BY line ORDER BY line"
    ).fetchall()
    order = list(_READER_ERRORS)
    for line, etypes, raw in rows:
        known = sorted((t for t in etypes if t in _READER_ERRORS), key=order.index)
        if known:
            code, reason = _READER_ERRORS[known[0]]
        else:
            code, reason = "other", f"unreadable row ({', '.join(sorted(str(t).lower() for t in etypes))})"
        if raw:  # DuckDB's text may start with the end of the lines before (the LF of a CRLF, a
            raw = raw.lstrip("\r\n")  # blank line): a record never starts with a line break
        found.append((int(line) if line is not None else None,
                      Reject(reason=reason.format(label=enc.label), raw=escape_raw(raw), code=code)))
    ctx.con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_t)}")
    ctx.con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_s)}")
    return found


class LineMap:
    """Where the rows of a delimited file start.

    DuckDB's reject ``line`` counts rows: the header is row 1, a blank line is a row (skipped,
    no record), a quoted field's line breaks are not. A row ``k`` is record ``k - 1 - b`` and
    starts on physical line ``k + e``, with ``b`` the blank rows and ``e`` the line breaks
    inside quoted fields before it. Both change at few rows: they are kept as breakpoints.
    """

    def __init__(self, starts=(1,), blanks=(0,), extra=(0,)):
        self._k = array("q", starts)
        self._b = array("q", blanks)
        self._e = array("q", extra)
        self._r = array("q", (k - 1 - b for k, b in zip(starts, blanks)))

    def row(self, k: int) -> tuple[int, int]:
        """DuckDB's row ``k``: (record number, physical line)."""
        i = bisect_right(self._k, k) - 1
        return k - 1 - self._b[i], k + self._e[i]

    def line_of(self, record: int) -> int:
        """The physical line where record ``record`` (1, 2…) starts."""
        i = max(0, bisect_right(self._r, record) - 1)
        return record + 1 + self._b[i] + self._e[i]


def _newlines(path) -> int:
    """Physical lines of a file: line feeds, plus a last line without one."""
    n, last = 0, b""
    with open_bytes(path) as fh:
        while chunk := fh.read(8 * SAMPLE_BYTES):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (1 if last and last != b"\n" else 0)


def line_map(path, quote: str, records: int) -> LineMap | None:
    """The ``LineMap`` of a delimited file holding ``records`` records (header excepted), None
    when a scan of its lines does not find that many (its quoting is not what it seems).

    A file with one line per record (the usual case) is told by a count of its line feeds;
    the others (fields spanning lines, blank lines) are scanned: a line break ends a row when
    the quotes before it are balanced (quotes inside a field are doubled). The scan is
    vectorised (numpy, 8 MiB at a time): a few seconds per GB, not a Python loop per line.
    """
    if _newlines(path) == records + 1:
        return LineMap()
    import numpy as np  # imported on first use (see test_cli_startup): only files with rejects get here

    with open_bytes(path) as fh:
        head = fh.read(HEAD_BYTES)
    nl = 13 if b"\n" not in head and b"\r" in head else 10  # lines ending with CR alone (classic Mac OS)
    q = ord(quote) if quote else None
    starts, blanks, extra = [1], [0], [0]
    rows = 0  # rows ended so far (row 1: the header)
    b = e = 0  # blank rows and line breaks inside quoted fields, so far
    row_e = 0  # line breaks inside quoted fields before the row being read (its line offset)
    inside = 0  # inside a quoted field at the end of the previous chunk
    last_end = -1  # position of the last row end
    last_byte = -1  # the previous chunk's last byte
    pos = 0
    with open_bytes(path) as fh:
        while chunk := fh.read(8 * SAMPLE_BYTES):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            breaks = np.flatnonzero(arr == nl)
            if q is not None:  # inside quotes at a line break: an odd number of quotes before it
                quotes = np.flatnonzero(arr == q)
                quoted = ((np.searchsorted(quotes, breaks) + inside) & 1).astype(bool)
                inside = (len(quotes) + inside) & 1
            else:
                quoted = np.zeros(len(breaks), dtype=bool)
            ends = breaks[~quoted]  # row ends, in the chunk
            if len(ends):
                # line breaks inside quoted fields before each row end: the next row's offset
                e_next = e + np.cumsum(quoted)[~quoted]
                length = np.diff(np.concatenate(([last_end - pos], ends))) - 1
                before = np.where(ends > 0, arr[np.maximum(ends - 1, 0)], last_byte)
                blank = (length == 0) | ((length == 1) & (before == 13) & (nl == 10))
                blank &= (rows + 1 + np.arange(len(ends))) >= 2  # the header is never blank
                b_next = b + np.cumsum(blank)
                prev_b = np.concatenate(([b], b_next[:-1]))
                prev_e = np.concatenate(([row_e], e_next[:-1]))
                for i in np.flatnonzero((b_next != prev_b) | (e_next != prev_e)).tolist():
                    starts.append(rows + i + 2)
                    blanks.append(int(b_next[i]))
                    extra.append(int(e_next[i]))
                rows += len(ends)
                b, row_e = int(b_next[-1]), int(e_next[-1])
                last_end = pos + int(ends[-1])
            e += int(quoted.sum())
            last_byte = int(arr[-1])
            pos += len(chunk)
    tail = pos - 1 - last_end
    if tail > 1 or (tail == 1 and last_byte != 13):
        rows += 1  # a last row without a line break (a CR alone ends the file, it is no row)
    if rows - 1 - b != records:
        return None
    return LineMap(starts, blanks, extra)


class _Lines:
    """A file's ``LineMap``, made when first needed (most files have no reject)."""

    def __init__(self, path, quote: str, records: int):
        self.path, self.quote, self.records = path, quote, records
        self._map: LineMap | None = None
        self._done = False

    def map(self) -> LineMap | None:
        if not self._done:
            self._map, self._done = line_map(self.path, self.quote, self.records), True
        return self._map

    def line_of(self, record: int) -> int | None:
        m = self.map()
        return m.line_of(record) if m is not None else None


def _place(found: list[tuple[int | None, Reject]], lines: _Lines) -> tuple[list[Reject], list[tuple[int, int]] | None, str | None]:
    """Give the reader's rejects their record number and physical line; returns the rejects,
    the shifts of the accepted rows' numbers (``apply_shifts``), and a warning when the
    numbers can only be approximate (the file's layout was not understood)."""
    if not found:
        return [], None, None
    m = lines.map()
    for k, r in found:
        if k is None:
            continue
        if m is not None:
            r.record, r.line = m.row(k)
        else:
            r.record = k - 1
    rejects = [r for _, r in found]
    records = sorted({r.record for r in rejects if r.record is not None})
    if m is None:
        if records and records[-1] > lines.records:
            return rejects, None, "record numbers after rejected lines are approximate"
        return rejects, shifts_after(records), "record numbers after rejected lines are approximate"
    return rejects, shifts_after(records), None


def shifts_after(rejected: list[int]) -> list[tuple[int, int]]:
    """The shifts of accepted rows' ordinals (1, 2, 3…) to their record numbers, ``rejected``
    being the sorted record numbers of the rejected records: [(first ordinal, shift)]."""
    runs: list[tuple[int, int]] = []
    for m, r in enumerate(rejected, start=1):
        start = r - m + 1
        if runs and runs[-1][0] == start:
            runs[-1] = (start, m)
        else:
            runs.append((start, m))
    return runs


# At most this many shift steps in one UPDATE's CASE (rejected lines are rare; a file with
# thousands of them gets several UPDATEs).
_SHIFTS_PER_UPDATE = 200


def shift_record_numbers(con, table_sql: str, numbers: list[int], where: str = "TRUE") -> None:
    """Set ``_row`` from the row's ordinal among the accepted rows (1, 2, 3…) to its record
    number ``numbers[ordinal - 1]``, for the rows of ``table_sql`` matching ``where``.

    ``numbers`` is increasing, so the shift ``numbers[k-1] - k`` only grows: the ordinals
    form a few runs of constant shift, one per group of rejected lines (``apply_shifts``).
    """
    runs: list[tuple[int, int]] = []  # (first ordinal, shift), shift > 0
    for k, n in enumerate(numbers, start=1):
        shift = n - k
        if shift and (not runs or runs[-1][1] != shift):
            runs.append((k, shift))
    apply_shifts(con, table_sql, runs, where)


def apply_shifts(con, table_sql: str, runs: list[tuple[int, int]], where: str = "TRUE") -> None:
    """Add ``shift`` to ``_row`` for the rows from each run's first ordinal on (the last run
    that starts at or before a row decides), for the rows of ``table_sql`` matching ``where``.

    Each run is an arithmetic ``UPDATE`` of the rows from its first ordinal on (a join with a
    mapping of every row makes DuckDB write an update of every row, and costs seconds per 100k
    rows). Runs are applied from the last one back, so that no row is shifted twice.
    """
    for end in range(len(runs), 0, -_SHIFTS_PER_UPDATE):
        chunk = runs[max(0, end - _SHIFTS_PER_UPDATE):end]
        upper = runs[end][0] if end < len(runs) else None
        cases = " ".join(f"WHEN _row >= {int(k)} THEN _row + {int(d)}" for k, d in reversed(chunk))
        bounds = f"_row >= {int(chunk[0][0])}" + (f" AND _row < {int(upper)}" if upper is not None else "")
        con.execute(f"UPDATE {table_sql} SET _row = CASE {cases} ELSE _row END WHERE ({where}) AND {bounds}")
