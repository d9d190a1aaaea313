"""What a loader is, and what it returns.

A loader reads one input file (which may be a container: a zip, a workbook) and returns
one ``FileResult`` per unit of provenance (the file itself, or each zip entry / sheet).
Each result holds ``Part``s: a staging table per entity (``messages``, ``recipients``…,
or ``None`` for the main one) with a ``_row`` column (record number in the file) and the
record's columns as text, plus the rows it could not read, as ``Reject``s.

Typing (dates, amounts) is declared, not done, by loaders: the engine applies it the same
way for every format, so that a value that does not parse is never turned into NULL
without trace.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ...sql import quote_ident
from ...vocab import CAPABILITIES, REJECT_REASONS

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from ..manifest import Source
    from ..scratch import Scratch


@dataclass(frozen=True)
class Capability:
    """What one table of a format is, for later stages to select sources by (never by name).

    ``kind`` is one of :data:`rgpd_audit.vocab.CAPABILITIES` (``member_list``, ``access_log``,
    ``share_log``, ``mail``, ``purchase_ledger``…); ``entity`` the table (``None``: the
    source's main table); ``columns`` the column playing each role (``email``, ``time``…),
    roles in ``optional`` may be missing from a file; ``facts`` what else the format says
    (the statuses of an active account, the events that delete a document, the tables of a
    mailbox's recipients and attachments, the service's name as people know it).
    """

    kind: str
    columns: Mapping[str, str] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    entity: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        CAPABILITIES.check(self.kind)


def sha256_file(path: Path) -> str:
    """A file's SHA-256, read in 4 MiB blocks (provenance, and a file checked again later)."""
    h = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        buf = bytearray(1 << 22)
        view = memoryview(buf)
        while n := fh.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


@dataclass
class Reject:
    """A row (record, message, card…) of an export that could not be loaded, and why.

    ``code`` is one of :data:`rgpd_audit.vocab.REJECT_REASONS` (what the report shows, in
    French or English); ``reason`` the detail in the reader's words. ``line`` is the physical
    line where the record starts, ``record`` its number among the records (they differ when a
    quoted field spans lines); ``raw`` its text, escaped (never a mail body).
    """

    reason: str
    line: int | None = None
    record: int | None = None
    field: str | None = None
    raw: str | None = None
    code: str = "other"

    def __post_init__(self) -> None:
        REJECT_REASONS.check(self.code)


# The columns the engine adds to every raw table. An export's column named like one of them (in
# any case), or starting with ``__`` (the engine's own working columns live there), is renamed
# on the way in (``safe_column_names``): no header can reach the engine's columns.
INTERNAL_COLUMNS = ("_file_id", "_row", "_activity")


def is_internal_name(name: str) -> bool:
    """True for a column name an export must not use as it is (see ``INTERNAL_COLUMNS``)."""
    return name.lower() in INTERNAL_COLUMNS or name.startswith("__")


def safe_column_names(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The names with every internal one renamed (``_row`` -> ``export_row``, ``__bad`` ->
    ``export_bad``, a ``_2``… suffix if that is taken too, case-insensitively, as DuckDB
    compares names); returns the names and the mapping {export's name: loaded name}."""
    taken = {n.lower() for n in names} | set(INTERNAL_COLUMNS)
    out: list[str] = []
    renamed: dict[str, str] = {}
    for n in names:
        if is_internal_name(n):
            base = "export_" + n.lstrip("_")
            new, k = base, 2
            while new.lower() in taken:
                new, k = f"{base}_{k}", k + 1
            taken.add(new.lower())
            renamed[n] = new
            n = new
        out.append(n)
    return out, renamed


def renamed_warning(display: str, renamed: Mapping[str, str]) -> str:
    pairs = ", ".join(f"{old!r} -> {new!r}" for old, new in renamed.items())
    return f"{display}: column(s) renamed, their names are reserved for the tool's own columns: {pairs}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_raw(text: str | None, *, backslash: bool = True) -> str | None:
    """A rejected row's text as stored: control characters (C0, DEL, C1, line separators)
    written as ``\\n``, ``\\r``, ``\\t``, ``\\x00``…, and (``backslash``) a backslash
    doubled, so that the text stays on one line and reads back unambiguously."""
    if text is None:
        return None
    if backslash:
        text = text.replace("\\", "\\\\")

    def one(m: re.Match) -> str:
        c = m.group()
        return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _CONTROL.sub(one, text)


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def one_line_error(exc: BaseException, limit: int = 200) -> str:
    """A reader's (DuckDB's) error as one line: its first line, without the SQL or the row's
    text DuckDB may add on the next lines, quoted values (``'Dupont'``) left out, cut at
    ``limit`` characters. The caller names the file."""
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    first = first.split("Original Line")[0].split("LINE 1:")[0].strip()
    first = _QUOTED.sub("…", first)
    return first if len(first) <= limit else first[: limit - 1] + "…"


@dataclass
class Scanned:
    """What a lazy part learns once the engine has read its rows (see ``Part.collect``)."""

    rejects: list[Reject]  # rows the reader could not read
    # shifts of the accepted rows' ``_row`` (ordinal among the accepted rows) to their record
    # numbers when some records were rejected: [(first ordinal, shift)], see ``apply_shifts``
    shifts: list[tuple[int, int]] | None = None
    warnings: list[str] = field(default_factory=list)
    # the physical line where a record starts (records numbered 1, 2…), None when unknown
    line_of: Callable[[int], int | None] | None = None
    # called once the engine is done with the part (removes a transcoded copy of the file)
    release: Callable[[], None] | None = None


@dataclass
class Part:
    table: str  # staging table (or, when ``collect`` is set, temp view) in the connection: _row BIGINT + text columns
    rows_read: int
    entity: str | None = None
    rejects: list[Reject] = field(default_factory=list)
    dates: dict[str, list[str]] = field(default_factory=dict)  # column -> strptime formats ([] = auto)
    amounts: list[str] = field(default_factory=list)  # decimal-comma amounts
    # Row rules besides typing: (SQL condition true for a bad row, field, reason). A row that
    # breaks one goes to the rejects with that reason (and is not typed).
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    # Lazy part: ``table`` is a view over the file, read once, by the engine's INSERT.
    # ``collect(rows_scanned)`` is then called: the reader's rejects, record numbers, and
    # ``rows_read`` is set to rows_scanned + len(those rejects).
    collect: Callable[[int], Scanned] | None = None
    # A staged part's physical lines: the line where record n starts (lazy parts: ``Scanned``).
    line_of: Callable[[int], int | None] | None = None


@dataclass
class FileResult:
    parts: list[Part]
    entry: str | None = None  # zip entry or sheet name
    encoding: str | None = None
    dialect: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    status: str = "loaded"  # loaded | empty | refused


_counter = itertools.count(1)


@dataclass
class LoadContext:
    con: duckdb.DuckDBPyConnection
    source: Source
    scratch: Scratch  # temporary files: a folder per load, or memory when the workspace is encrypted
    display_root: Path | None = None
    lazy_delimited: bool = False  # read_delimited returns views (the loader only reads column names)
    keep_text: bool = False  # content scanners keep the text they read (an encrypted workspace only: see load_estate)
    # a per-load token in the names of the engine's working columns: no export's column can
    # take their place (an export's ``__x`` is renamed anyway)
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    # staging tables whose columns were renamed by ``stage_rows``: {table: {export's name: loaded name}}
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)

    def stage_name(self, hint: str = "stage") -> str:
        return f"_stage_{hint}_{next(_counter)}"

    def display(self, path: Path) -> str:
        """A path as recorded in provenance: relative to the manifest when possible."""
        if self.display_root is not None:
            try:
                return str(Path(path).resolve().relative_to(self.display_root))
            except ValueError:
                pass
        return str(path)

    def stage_rows(
        self, hint: str, columns: list[str], rows: list[list[str | None]], row_numbers: list[int] | None = None
    ) -> str:
        """Write Python rows (lists of text) into a staging table; returns its name.

        ``row_numbers`` gives each row's record number in its file (default 1, 2, 3…). A
        column named like one of the engine's (``_row``, ``__x``…) is renamed
        (``safe_column_names``), the engine records it with the file.
        """
        import pyarrow as pa  # imported on first use: it costs ~0.2 s, and not every command needs it

        name = self.stage_name(hint)
        columns, renamed = safe_column_names(list(columns))
        if renamed:
            self.renamed[name] = renamed
        nums = row_numbers if row_numbers is not None else range(1, len(rows) + 1)
        cols = {"_row": pa.array(nums, pa.int64())}
        for i, c in enumerate(columns):
            cols[c] = pa.array([r[i] if i < len(r) else None for r in rows], pa.string())
        tbl = pa.table(cols) if rows else pa.table({k: pa.array([], v.type) for k, v in cols.items()})
        self.con.register("_arrow_in", tbl)
        try:
            self.con.execute(f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT * FROM _arrow_in")
        finally:
            self.con.unregister("_arrow_in")
        return name


class Loader:
    """Base class of every export format. Subclasses set ``name`` and implement ``read``."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    title: ClassVar[str] = ""
    # True when the loader never alters the staging table ``read_delimited`` gives it (it only
    # reads its column names): the file is then staged as a view and read once, by the INSERT.
    # Only such sources are loaded side by side: the others pass their rows through Python
    # and are loaded one at a time, to keep the load's peak memory down.
    lazy_staging: ClassVar[bool] = False
    # True when each file is a record of its own (a folder of documents: two copies of a CV in
    # two folders are two files to erase), so a file with the same content as another is loaded
    # too, instead of being skipped as "not loaded twice"
    copies_are_records: ClassVar[bool] = False
    # True when the source's files are read together, by one ``read_folder`` call, as one unit
    # of provenance (a folder of documents: one record per file, thousands of files)
    reads_folder: ClassVar[bool] = False
    # the column identifying a record when the manifest names no ``key`` (a document's path)
    key_column: ClassVar[str | None] = None
    # What the format itself says to later stages (the manifest can add to or override it):
    # column -> date role (``fiscal_year_close``…), or several: a message's date is its creation and a contact
    date_roles: ClassVar[dict[str, str | tuple[str, ...]]] = {}
    record_kind: ClassVar[str | None] = None  # kind of record every row is (``accounting_document``)
    # what its tables are (member list, access log, mailbox…), with the columns of each role
    capabilities: ClassVar[tuple[Capability, ...]] = ()
    # columns the loader adds to the export's own (a word for a code, a domain, a file-name
    # fact): not fields of the source system (the erasure plan does not list them)
    derived_columns: ClassVar[tuple[str, ...]] = ()

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def folder_of(cls, base: Path, pattern: str) -> Path:  # pragma: no cover - reads_folder loaders
        """The folder a ``reads_folder`` source's pattern names."""
        raise NotImplementedError

    def read_folder(self, ctx: LoadContext, folder: Path, files: list[Path], hashes: dict[Path, str]) -> list[FileResult]:
        """Read every file of the folder (``reads_folder`` loaders), their sha256 given."""  # pragma: no cover
        raise NotImplementedError

    # Formats whose records hold text the load does not keep (mail bodies, documents) say how
    # to read it again at request time (a DSAR search): the texts of one record, from its
    # file and the offset the load stored (``content_parts`` capability). None: no such text.
    @classmethod
    def read_contents(cls, path: Path, offset: int | None) -> list[tuple[str, str]] | None:
        return None

    # The format's signature (see ``signature.py``): what a file of it is called in "this is
    # not a …", and why a file is not one, from its name and first bytes (None: it may be).
    kind: ClassVar[str] = "a file of this format"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return None

    @classmethod
    def recognise(cls, path: Path, head: bytes) -> bool:
        return cls.mismatch(path, head) is None

    @classmethod
    def resolve_column(cls, name: str, columns: list[str]) -> str | None:
        """The loaded column holding the export's column ``name`` (a manifest names columns as
        in the export; a loader that renames headers overrides this to follow its renaming)."""
        if name in columns:
            return name
        key = header_key(name)
        return next((c for c in columns if header_key(c) == key), None)


def staged_columns(ctx: LoadContext, table: str) -> list[str]:
    """The record columns of a staging table (without ``_row``)."""
    rows = ctx.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = ? AND column_name <> '_row' "
        "ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def header_key(name: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed: ``E-mail address`` -> ``e mail address``."""
    s = re.sub(r"[^\w]+", " ", name.strip().lower().lstrip("\ufeff")).replace("_", " ")
    return " ".join(s.split())


def unique_columns(names: list[str]) -> list[str]:
    """Make column names unique and non-empty, the way DuckDB does (``a``, ``a_1``)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, n in enumerate(names):
        n = (n or "").strip() or f"column{i}"
        base, k = n, 1
        while n in seen:
            n = f"{base}_{k}"
            k += 1
        seen.add(n)
        out.append(n)
    return out
