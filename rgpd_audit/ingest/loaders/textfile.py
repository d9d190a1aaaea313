"""Reading delimited text files through DuckDB's CSV reader, whatever their encoding.

- Encoding: a BOM, then one streaming scan (UTF-8 validity, bytes 0x80–0x9F, ISO-8859-15's
  eight special bytes; cached per file), decide. Windows-1252 / ISO-8859-15 files are read by
  DuckDB's fast built-in latin-1 reader when they hold no byte in 0x80–0x9F; otherwise
  (``’``, ``€``, ``œ`` in cp1252) they are transcoded once to UTF-8 with a C charmap codec,
  because DuckDB's latin-1 reader refuses those bytes. ISO-8859-15's eight differences from
  latin-1 are fixed in SQL while staging, and only when one of those bytes occurs.
- Dialect: the delimiter is sniffed among ``,`` ``;`` ``|`` tab (quote-aware) unless given.
- Rows DuckDB cannot read (wrong number of fields, undecodable bytes) are collected from its
  rejects table with their line number and text; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import LoadContext, Part, Reject, Scanned

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


@dataclass
class TextEncoding:
    label: str  # what was detected / declared, as recorded in provenance
    duckdb: str  # what DuckDB reads: utf-8 or latin-1
    transcode: bool = False  # cp1252 with C1 bytes: transcode to UTF-8 first
    bom: bool = False
    iso_fix: bool = True  # ISO-8859-15 read as latin-1: some of its eight special bytes occur, fix them


# ``bytes.translate(None, delete)`` keeps only the bytes not deleted: a C-speed membership test.
_NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)
_NOT_ISO15 = bytes(b for b in range(256) if b not in b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")


@dataclass
class _Scan:
    valid_utf8: bool = True
    non_ascii: bool = False
    c1: bool = False
    iso15: bool = False  # one of the eight bytes where ISO-8859-15 differs from latin-1


def _scan(path: Path, utf8: bool) -> _Scan:
    """One streaming pass: UTF-8 validity (when ``utf8``), C1 bytes, ISO-8859-15 special bytes."""
    out = _Scan(valid_utf8=utf8)
    dec = codecs.getincrementaldecoder("utf-8")() if utf8 else None
    with open_bytes(path) as fh:
        while chunk := fh.read(8 * SAMPLE_BYTES):
            if chunk.isascii():
                if dec is not None and dec.getstate()[0]:
                    try:  # a multi-byte sequence cut by the previous chunk must go on here
                        dec.decode(chunk)
                    except UnicodeDecodeError:
                        out.valid_utf8, dec = False, None
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
        if dec is not None:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                out.valid_utf8 = False
    return out


def _mostly_utf8(path: Path) -> bool:
    """A file with invalid UTF-8 lines among valid multi-byte UTF-8 ones: mixed, treat as UTF-8."""
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
    return good > bad


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


def _detect_encoding(path: Path, declared: str | None) -> TextEncoding:
    with open_bytes(path) as fh:
        head = fh.read(4)
    bom = head.startswith(codecs.BOM_UTF8)
    if declared in ("utf-8", "utf-8-sig") or (declared is None and bom):
        return TextEncoding("utf-8-sig" if bom else "utf-8", "utf-8", bom=bom)
    scan = _scan(path, declared is None)
    if declared is None:
        if scan.valid_utf8 or _mostly_utf8(path):
            return TextEncoding("utf-8", "utf-8")
        declared = "cp1252"
    has_c1 = scan.c1
    if declared == "cp1252":
        return TextEncoding("cp1252", "utf-8" if has_c1 else "latin-1", transcode=has_c1)
    if declared == "iso-8859-15":
        if has_c1:
            return TextEncoding("iso-8859-15", "utf-8", transcode=True, iso_fix=scan.iso15)
        return TextEncoding("iso-8859-15", "latin-1", iso_fix=scan.iso15)
    if has_c1:
        return TextEncoding("latin-1", "utf-8", transcode=True)
    return TextEncoding("latin-1", "latin-1")


def transcode_to_utf8(src: Path, dst, encoding: str) -> None:
    """Stream a single-byte file to UTF-8 into ``dst``, a binary file object (cp1252 never
    fails: undefined bytes map to C1)."""
    table = _CP1252_TABLE if encoding == "cp1252" else None
    with open_bytes(src) as fi:
        while chunk := fi.read(8 * SAMPLE_BYTES):
            if table is not None:
                text, _ = codecs.charmap_decode(chunk, "strict", table)
            else:
                text = chunk.decode("latin-1")
            dst.write(text.encode("utf-8"))


HEAD_BYTES = 256 * 1024  # the start of a file read in Python: header, delimiter, header-only files


def read_head(path: Path, enc: TextEncoding, nbytes: int = HEAD_BYTES) -> str:
    with open_bytes(path) as fh:
        data = fh.read(nbytes)
    if enc.bom:
        data = data[3:]
    if enc.duckdb == "utf-8" and not enc.transcode:
        return data.decode("utf-8", errors="replace")
    if enc.label == "cp1252":
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]
    return data.decode("latin-1")


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
    warnings: list[str] = []
    size = file_size(path)
    if size == 0:
        name = ctx.stage_rows(hint, [], [])
        return Part(name, 0), {}, [f"{display}: empty file, 0 rows"], TextEncoding(encoding or "utf-8", "utf-8")
    enc = detect_encoding(path, encoding)
    head = read_head(path, enc)
    delim = delimiter or sniff_delimiter(head)
    dialect = {"delimiter": delim, "quote": quote, "header": True}
    if _count_nonempty_lines(head) <= 1 and size <= HEAD_BYTES + (3 if enc.bom else 0):
        # header only (a header line longer than the sample goes to DuckDB like any file)
        header = next(csv.reader(io.StringIO(head.lstrip("\ufeff")), delimiter=delim), [])
        from .base import unique_columns

        name = ctx.stage_rows(hint, unique_columns(header), [])
        warnings.append(f"{display}: header only, 0 rows")
        return Part(name, 0), dialect, warnings, enc
    read_path = path
    if enc.transcode:
        read_path = ctx.scratch.new(f"{ctx.stage_name('utf8')}.csv")
        with ctx.scratch.open(read_path) as out:
            transcode_to_utf8(path, out, enc.label)
    name = ctx.stage_name(hint)
    rej_t, rej_s = f"{name}_rej", f"{name}_scan"
    opts = (
        f"header=true, all_varchar=true, delim={quote_literal(delim)}, quote={quote_literal(quote)}, escape={quote_literal(quote)}, "
        f"encoding={quote_literal(enc.duckdb)}, store_rejects=true, rejects_table={quote_literal(rej_t)}, "
        f"rejects_scan={quote_literal(rej_s)}, null_padding=false, strict_mode=true, "
        f"max_line_size=2097152, comment=''"  # no comment lines: the sniffer would otherwise guess '#' and drop text
    )
    header = header_columns(head, delim, quote)
    if header is not None:
        # the names DuckDB would give, without its sniffer: each bind of a view over the file
        # (staging view, renaming view, CREATE) would otherwise sniff a 20k-row sample again
        opts += ", auto_detect=false, columns={" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in header) + "}"
    cols = "*"
    if enc.label == "iso-8859-15" and enc.iso_fix:
        # ISO-8859-15's eight differences from latin-1, fixed while staging (every column is text)
        cols = f"translate(COLUMNS(*), {quote_literal(''.join(ISO_8859_15_FIX))}, {quote_literal(''.join(ISO_8859_15_FIX.values()))})"
    select = f"SELECT row_number() OVER () AS _row, {cols} FROM read_csv({quote_literal(str(read_path))}, {opts})"
    try:
        ctx.con.execute(f"CREATE TEMP {'VIEW' if lazy else 'TABLE'} {quote_ident(name)} AS {select}")
    except Exception as exc:  # duckdb.Error: give the file and the reason
        if enc.transcode:
            ctx.scratch.remove(read_path)
        raise InputFileError(display, f"cannot read as delimited text ({enc.label}, {delim!r}): {exc}") from None
    if lazy:

        def collect(scanned: int) -> Scanned:
            rejects = _reader_rejects(ctx, rej_t, rej_s, enc)
            if enc.transcode:
                ctx.scratch.remove(read_path)
            numbers, warning = None, None
            if rejects:
                numbers = _record_numbers({r.line for r in rejects}, scanned, rejects)
                if numbers is None:
                    warning = f"{display}: record numbers after rejected lines are approximate"
            return Scanned(rejects, numbers, warning)

        return Part(name, 0, collect=collect), dialect, warnings, enc
    rejects = _reader_rejects(ctx, rej_t, rej_s, enc)
    loaded = ctx.con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0]
    if rejects:
        w = _renumber_records(ctx, name, read_path, enc, delim, {r.line for r in rejects}, loaded, rejects)
        if w:
            warnings.append(f"{display}: {w}")
    if enc.transcode:
        ctx.scratch.remove(read_path)
    return Part(name, loaded + len(rejects), rejects=rejects), dialect, warnings, enc


def _reader_rejects(ctx: LoadContext, rej_t: str, rej_s: str, enc: TextEncoding) -> list[Reject]:
    """The rows DuckDB's reader rejected (its rejects table), one per line; drops that table."""
    rejects = []
    rows = ctx.con.execute(
        f"SELECT line, any_value(error_type)::VARCHAR, any_value(error_message), any_value(csv_line), any_value(column_name) "
        f"FROM {quote_ident(rej_t)} GROUP BY line ORDER BY line"
    ).fetchall()
    for line, etype, emsg, raw, _col in rows:
        reason = {
            "MISSING COLUMNS": "wrong number of fields (too few)",
            "TOO MANY COLUMNS": "wrong number of fields (too many)",
            "INVALID ENCODING": f"undecodable bytes (not {enc.label})",
            "UNQUOTED VALUE": "badly quoted field",
            "LINE SIZE OVER MAXIMUM": "line too long",
        }.get(etype, f"{etype}: {emsg}")
        rejects.append(Reject(reason=reason, line=int(line) if line is not None else None, raw=raw))
    ctx.con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_t)}")
    ctx.con.execute(f"DROP TABLE IF EXISTS {quote_ident(rej_s)}")
    return rejects


def _record_numbers(rejected_lines: set, loaded: int, rejects: list[Reject]) -> list[int] | None:
    """Record numbers of the accepted rows 1..loaded when DuckDB rejected some lines (None: unknown).

    DuckDB's reject ``line`` counts records (the header being line 1): a rejected row's record
    number is ``line - 1``, and the accepted rows take the remaining numbers in order. Sets
    ``record`` on the rejects.
    """
    rejected_records = {ln - 1 for ln in rejected_lines if ln is not None}
    total = loaded + len(rejected_records)
    accepted = [i for i in range(1, total + 1) if i not in rejected_records]
    if len(accepted) != loaded:
        return None
    for r in rejects:
        if r.line is not None:
            r.record = r.line - 1
    return accepted


def _renumber_records(ctx: LoadContext, table: str, path: Path, enc: TextEncoding, delim: str,
                      rejected_lines: set, loaded: int, rejects: list[Reject]) -> str | None:
    """Give accepted rows their record number in the file when DuckDB rejected some lines.

    DuckDB numbers only the rows it accepts, so after a rejected line record numbers would
    shift. DuckDB's reject ``line`` counts records (row delimiters outside quotes, the header
    being line 1), so the record number of a rejected row is ``line - 1`` and the accepted
    rows take the remaining numbers in order.
    """
    accepted = _record_numbers(rejected_lines, loaded, rejects)
    if accepted is None:
        return "record numbers after rejected lines are approximate"
    shift_record_numbers(ctx.con, quote_ident(table), accepted)
    return None


# At most this many shift steps in one UPDATE's CASE (rejected lines are rare; a file with
# thousands of them gets several UPDATEs).
_SHIFTS_PER_UPDATE = 200


def shift_record_numbers(con, table_sql: str, numbers: list[int], where: str = "TRUE") -> None:
    """Set ``_row`` from the row's ordinal among the accepted rows (1, 2, 3…) to its record
    number ``numbers[ordinal - 1]``, for the rows of ``table_sql`` matching ``where``.

    ``numbers`` is increasing, so the shift ``numbers[k-1] - k`` only grows: the ordinals
    form a few runs of constant shift, one per group of rejected lines. Each run is an
    arithmetic ``UPDATE`` of the rows from its first ordinal on (a join with a mapping of
    every row makes DuckDB write an update of every row, and costs seconds per 100k rows).
    Runs are applied from the last one back, so that no row is shifted twice.
    """
    runs: list[tuple[int, int]] = []  # (first ordinal, shift), shift > 0
    for k, n in enumerate(numbers, start=1):
        shift = n - k
        if shift and (not runs or runs[-1][1] != shift):
            runs.append((k, shift))
    for end in range(len(runs), 0, -_SHIFTS_PER_UPDATE):
        chunk = runs[max(0, end - _SHIFTS_PER_UPDATE):end]
        upper = runs[end][0] if end < len(runs) else None
        cases = " ".join(f"WHEN _row >= {int(k)} THEN _row + {int(d)}" for k, d in reversed(chunk))
        bounds = f"_row >= {int(chunk[0][0])}" + (f" AND _row < {int(upper)}" if upper is not None else "")
        con.execute(f"UPDATE {table_sql} SET _row = CASE {cases} ELSE _row END WHERE ({where}) AND {bounds}")
