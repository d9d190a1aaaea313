"""Loading an estate into the workspace: provenance, typing, rejects, atomic reloads.

For each source of the manifest, every matching file is read by the loader of its format
(the registry), typed (dates, amounts) the same way for every format, and appended to
``raw.<source>`` (or ``raw.<source>__<entity>`` for formats with several entities), with
``_file_id``, ``_row`` and ``_activity`` columns. A source is reloaded as a whole inside
one transaction: a load that fails half-way leaves the previous state intact. Unchanged
files (same path and sha256) are not loaded again.

Invariant, checked for every file: ``rows_loaded + rows_rejected == rows_read``.

No export's column can reach the engine's own: an export's ``_file_id``, ``_row``,
``_activity`` or ``__…`` column is renamed on the way in (``loaders.base.safe_column_names``,
recorded in ``load_files.dialect`` as ``renamed_columns`` with a warning), and the working
columns of the statement that types the rows carry a per-load random token in their names.
A source holds at most ``max_rows()`` rows (``RGPD_AUDIT_MAX_ROWS``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..errors import InputFileError, RgpdAuditError
from ..sql import quote_ident, quote_literal
from ..workspace import ALIAS, Workspace
from .coerce import activity_expr, amount_expr, amount_fast_expr, date_expr, date_fast_expr, shown
from .loaders import registry
from .loaders.base import (
    FileResult,
    LoadContext,
    Part,
    Reject,
    escape_raw,
    one_line_error,
    renamed_warning,
    safe_column_names,
    sha256_file,
)
from .loaders.textfile import apply_shifts
from .manifest import Manifest, Source, user_providers_json
from .scratch import Scratch

WORKERS_ENV = "RGPD_AUDIT_LOAD_WORKERS"
MAX_ROWS_ENV = "RGPD_AUDIT_MAX_ROWS"
# Rows per source (read: loaded + rejected): room for the benchmark's 10M-record estate
# (its biggest source has 2.7M rows) many times over, and a clear stop for a runaway export.
DEFAULT_MAX_ROWS = 50_000_000

# A loader that only reads the column names of what ``read_delimited`` stages (never ALTER /
# UPDATE it) says so with ``lazy_staging = True``: its files are staged as views over
# read_csv, read once by the statement that creates the raw table.




@dataclass
class FileSummary:
    """One loaded file (or zip entry, or sheet): what ``load_files`` records of it."""

    path: str
    entry: str | None
    status: str  # loaded | empty | refused | duplicate
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    size: int | None = None
    sha256: str | None = None
    dialect: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class SourceSummary:
    name: str
    format: str
    status: str  # loaded | unchanged | failed
    files: list[FileSummary] = field(default_factory=list)
    error: str | None = None
    tables: list[str] = field(default_factory=list)
    reason: str = ""  # why the source was (re)loaded or skipped, in words

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)


@dataclass
class LoadReport:
    sources: list[SourceSummary]

    @property
    def failed(self) -> list[SourceSummary]:
        return [s for s in self.sources if s.status == "failed"]

    @property
    def warnings(self) -> list[str]:
        return [w for s in self.sources for f in s.files for w in f.warnings]


def table_name(source: str, entity: str | None) -> str:
    return source if entity is None else f"{source}__{entity}"


def _positive_env(name: str, what: str) -> int | None:
    """A whole number of 1 or more from the environment variable ``name`` (None: not set)."""
    env = os.environ.get(name)
    if env is None or not env.strip():
        return None
    try:
        value = int(env.strip().replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise RgpdAuditError(f"{name}={env!r}: expected {what}, a whole number of 1 or more")
    return value


def load_workers() -> int:
    """Sources loaded side by side: one per core, at most two (``RGPD_AUDIT_LOAD_WORKERS``)."""
    n = _positive_env(WORKERS_ENV, "the number of sources loaded side by side")
    return n if n is not None else max(1, min(2, os.cpu_count() or 1))


def max_rows() -> int:
    """Rows a source may hold (read: loaded + rejected), ``RGPD_AUDIT_MAX_ROWS`` or 50 million."""
    n = _positive_env(MAX_ROWS_ENV, "the most rows a source may hold")
    return n if n is not None else DEFAULT_MAX_ROWS


class TooManyRows(RgpdAuditError):
    """A source holds more rows than ``max_rows()``."""

    def __init__(self, source: str, limit: int):
        super().__init__(
            f"source {source!r} holds more than {limit:,} rows, the limit of a source; "
            f"set {MAX_ROWS_ENV} to a higher number to load it"
        )


def load_estate(
    ws: Workspace,
    manifest: Manifest,
    *,
    only: list[str] | None = None,
    force: bool = False,
    progress: Callable[[str, str], None] | None = None,
    workers: int | None = None,
    keep_text: bool = False,
) -> LoadReport:
    """Load every source of the manifest (or those named in ``only``).

    ``keep_text``: the text of mail parts is kept with their content-scan rows (an analyst who
    needs it), refused unless the workspace is encrypted (``RGPD_AUDIT_KEY``).

    Each source is one transaction. DuckDB runs on one thread for the whole load: each file's
    rows are numbered by ``row_number() OVER ()``, which reads the file on one thread anyway,
    and with more threads DuckDB runs the files of a source side by side and writes their rows
    as many partial row groups, which the next checkpoint rewrites whole (measured: 4–10 s for
    the 2M-row FEC table of the scale-1000 estate). The cores are used instead by loading
    ``workers`` sources at a time (default ``load_workers()``), biggest first, each on its own
    connection. Only the sources DuckDB reads itself (``Loader.lazy_staging``) load side by
    side; the others (XLSX, JSON, mbox, vCard, Mailchimp: rows built in Python) load one at a
    time, first (at 10M records, everything side by side peaked at 2.3 GiB, this at 1.8 GiB).
    The report lists the sources in manifest order whatever the order they finished in.

    The sources to load are recorded in the workspace before any is touched and forgotten
    once loaded (``Workspace.begin_load`` / ``end_load``): a load killed half-way, stopped by
    an I/O failure or with a failed source leaves them recorded, and the checks refuse the
    workspace until they load. An I/O failure (disk full, read-only, permission denied) is a
    :class:`~rgpd_audit.errors.WorkspaceError` naming the file.
    """
    from ..workspace import io_errors

    if keep_text and not ws.encrypted:
        raise RgpdAuditError(
            f"{ws.path}: --keep-text keeps mail bodies and attachments' text in the workspace: refused, the workspace "
            "is not encrypted (set RGPD_AUDIT_KEY when creating it)"
        )
    names = [s.name for s in manifest.sources if not only or s.name in only]
    with io_errors(ws.db_path):
        ws.begin_load(names)
        report = _load_sources(ws, manifest, only=only, force=force, progress=progress, workers=workers,
                               keep_text=keep_text)
        ws.end_load([s.name for s in report.sources if s.status != "failed"],
                    declared=None if only else [s.name for s in manifest.sources])
    return report


def _load_sources(ws: Workspace, manifest: Manifest, *, only: list[str] | None, force: bool,
                  progress: Callable[[str, str], None] | None, workers: int | None, keep_text: bool = False) -> LoadReport:
    ws.set_setting("organisation_domains", json.dumps(manifest.organisation.domains))
    ws.set_setting("organisation_name", manifest.organisation.name)
    ws.set_setting("organisation", manifest.organisation.model_dump_json(exclude_none=True))
    # where the loaded files are: a DSAR search reads mail bodies and documents again from them
    ws.set_setting("estate_root", str(Path(manifest.base_dir).resolve()))
    # the user's provider register (a providers.yaml next to the manifest), validated now and
    # kept with the data: the checks judge transfers on the register as it stood at the load
    ws.set_setting("providers_register", user_providers_json(manifest))
    sources = [s for s in manifest.sources if not only or s.name in only]
    workers = min(workers or load_workers(), max(1, len(sources)))
    lock = threading.Lock()

    def report(kind: str, name: str) -> None:
        if progress:
            with lock:
                progress(kind, name)

    # sha256 of every file in background threads (hashlib releases the GIL, DuckDB too): the
    # hashes of a source's files are ready, or nearly, when its turn comes. Two threads: next
    # month, when nothing changed, hashing is all a load does (1.1 GiB at 10M records).
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1), thread_name_prefix="sha256") as pool:
        sized = {s.name: [(p, p.stat().st_size) for p in manifest.files_of(s)] for s in sources}
        order = sorted(sources, key=lambda s: -sum(n for _, n in sized[s.name])) if workers > 1 else sources
        hashes = {s.name: {p: pool.submit(sha256_file, p) for p, _ in sized[s.name]} for s in order}

        scratch = Scratch(ws.con, ws.path, encrypted=ws.encrypted)

        def one(source: Source, w: Workspace = ws) -> SourceSummary:
            report("source", source.name)
            digests = {p: f.result() for p, f in hashes[source.name].items()}
            return _load_source(w, manifest, source, force=force, progress=report, hashes=digests, scratch=scratch,
                                keep_text=keep_text)

        threads = ws.con.execute("SELECT current_setting('threads')").fetchone()[0]
        ws.con.execute("SET threads = 1")
        try:
            if workers == 1:
                return LoadReport([one(s) for s in sources])
            done = {s.name: _on_own_connection(ws, one, s) for s in order
                    if not getattr(registry.get(s.format), "lazy_staging", False)}
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as loaders:
                futures = {s.name: loaders.submit(_on_own_connection, ws, one, s) for s in order if s.name not in done}
                done.update({name: f.result() for name, f in futures.items()})
            return LoadReport([done[s.name] for s in sources])
        finally:
            scratch.close()
            ws.con.execute(f"SET threads = {int(threads)}")


def _on_own_connection(ws: Workspace, fn, source: Source) -> SourceSummary:
    """Run ``fn(source, w)`` with ``w`` a view of the workspace on a connection of its own
    (its own transaction and temporary objects)."""
    w = copy.copy(ws)
    w.con = ws.con.cursor()
    try:
        w.con.execute(f"USE {ALIAS}")
        w._install_macros()  # the workspace's macros (pseudonym) are temporary: one set per connection
        return fn(source, w)
    finally:
        w.con.close()


def _load_source(ws: Workspace, manifest: Manifest, source: Source, *, force: bool, progress, hashes: dict | None = None,
                 scratch: Scratch, keep_text: bool = False) -> SourceSummary:
    files = manifest.files_of(source)
    root = manifest.base_dir
    if hashes is None or list(hashes) != list(files):
        hashes = {p: sha256_file(p) for p in files}
    display = lambda p: _display(p, root)  # noqa: E731
    loader_cls = registry.get(source.format)
    folder = loader_cls.folder_of(Path(root), source.path) if loader_cls.reads_folder and files else None
    if folder is not None:
        # a folder of documents is one unit of provenance: its digest is that of its listing
        # (each file's path and sha256, which its record keeps), read by one call
        listing = "\n".join(f"{display(p)}\t{hashes[p]}" for p in files)
        folder_files, folder_hashes = files, hashes
        files, hashes = [folder], {folder: hashlib.sha256(listing.encode("utf-8")).hexdigest()}
    reason = _why_reload(ws, source, {display(p): h for p, h in hashes.items()}, force)
    if reason is None:
        # the files and the manifest entry are the same; where the data is held and the user's
        # evidence about it shape no row, so a changed hosting entry is taken as it stands
        hosting = source.hosting.model_dump_json(exclude_none=True)
        before = ws.con.execute("SELECT hosting::VARCHAR, title FROM sources WHERE name = ?", [source.name]).fetchone()
        ws.con.execute("UPDATE sources SET provider = ?, country = ?, hosting = ?, title = ? WHERE name = ?",
                       [source.hosting.provider, source.hosting.country, hosting, source.title, source.name])
        why = "files, manifest entry and loader unchanged"
        if before is not None and before[0] is not None and json.loads(before[0]) != json.loads(hosting):
            why += "; hosting updated (it shapes no row)"
        return SourceSummary(source.name, source.format, "unchanged", tables=_source_tables(ws, source.name), reason=why)
    loader = loader_cls()
    lazy = bool(getattr(loader, "lazy_staging", False))
    ctx = LoadContext(ws.con, source, scratch, display_root=root, lazy_delimited=lazy, keep_text=keep_text)
    summary = SourceSummary(source.name, source.format, "loaded", reason=reason)
    limit = max_rows()
    staged_rows = 0  # rows of the parts read already (lazy parts are counted once inserted)
    con = ws.con
    con.execute("BEGIN TRANSACTION")
    staged: list[str] = []
    try:
        _drop_source(ws, source.name)
        seen: dict[str, str] = {}
        found_dates: set[str] = set()
        pending: list[_Pending] = []
        # 1. every file is read by its loader: staged tables, or views not read yet
        for path in files:
            if progress:
                progress("file", display(path))
            t0 = time.perf_counter()
            digest = hashes[path]
            size = path.stat().st_size if folder is None else sum(p.stat().st_size for p in folder_files)
            if digest in seen and not loader.copies_are_records:
                fid = _next_file_id(con)
                msg = f"{display(path)}: same content as {seen[digest]}, not loaded twice"
                dup = FileSummary(display(path), None, "duplicate", warnings=[msg], size=size, sha256=digest)
                _record_file(con, fid, source, loader, dup)
                pending.append(_Pending(fid, path, size, digest, None, 0.0, dup=dup))
                continue
            seen[digest] = display(path)
            try:
                results = loader.read(ctx, path) if folder is None else loader.read_folder(ctx, folder, folder_files, folder_hashes)
            except RgpdAuditError:
                raise
            except Exception as exc:  # a loader bug or an unexpected file: name the file
                raise InputFileError(display(path), f"{source.format} loader failed: {type(exc).__name__}: {exc}") from exc
            for res in results:
                staged.extend(p.table for p in res.parts)
                pending.append(_Pending(_next_file_id(con), path, size, digest, res, time.perf_counter() - t0))
                staged_rows += sum(p.rows_read for p in res.parts if p.collect is None)
            if staged_rows > limit:
                raise TooManyRows(source.name, limit)
        # 2. one statement per table: typed rows of every file (rejects flagged, then moved out)
        t1 = time.perf_counter()
        _insert_all(ctx, source, pending, found_dates, display, limit)
        share = (time.perf_counter() - t1) / max(1, sum(pf.res is not None for pf in pending))
        # 3. provenance
        for pf in pending:
            if pf.dup is not None:
                summary.files.append(pf.dup)
                continue
            res, path = pf.res, pf.path
            read = loaded = rejected = 0
            warnings = list(res.warnings)
            dialect = dict(res.dialect)
            if pf.renamed:  # renamed by stage_rows or by the engine (read_delimited puts its own in the dialect)
                dialect["renamed_columns"] = {**dialect.get("renamed_columns", {}), **pf.renamed}
                where = display(path) + (f"!{res.entry}" if res.entry else "")
                warnings.append(renamed_warning(where, pf.renamed))
            for part, (n_ok, rejects, w) in zip(res.parts, pf.outcomes):
                warnings.extend(w)
                read += part.rows_read
                loaded += n_ok
                rejected += len(rejects)
                _record_rejects(con, pf.fid, source.name, display(path) + (f"!{res.entry}" if res.entry else ""), rejects)
            if loaded + rejected != read:
                raise RgpdAuditError(
                    f"{display(path)}: internal error, counts do not add up (loaded {loaded} + rejected {rejected} != read {read})"
                )
            status = res.status if res.status != "loaded" or read else "empty"
            if status == "empty" and read and any(part.collect is not None for part in res.parts):
                status = "loaded"  # a lazy part's rows are counted only once read
            done = FileSummary(display(path), res.entry, status, read, loaded, rejected, res.encoding, warnings,
                               size=pf.size, sha256=pf.digest, dialect=dialect, seconds=pf.seconds + share)
            _record_file(con, pf.fid, source, loader, done)
            summary.files.append(done)
        missing = [c for c in source.options.dates if c not in found_dates]
        if missing and summary.rows_read:
            from .quality import did_you_mean

            loaded_cols = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'raw' AND table_name = ? "
                "ORDER BY column_index", [ALIAS, source.name]).fetchall()]
            msg = f"{source.name}: date column(s) {', '.join(repr(c) + did_you_mean(c, loaded_cols) for c in missing)} found in no file"
            summary.files[-1].warnings.append(msg)
        summary.tables = _source_tables(ws, source.name)
        _record_source(con, source, manifest, summary.tables)
        _drop_staged(con, staged)
        con.execute("COMMIT")
    except RgpdAuditError as exc:
        con.execute("ROLLBACK")
        _drop_staged(con, staged)
        return SourceSummary(source.name, source.format, "failed", error=str(exc))
    except BaseException:
        con.execute("ROLLBACK")
        _drop_staged(con, staged)
        raise
    return summary


@dataclass
class _Pending:
    """A file (or zip entry / sheet) read by its loader, waiting for the insert."""

    fid: int
    path: Path
    size: int
    digest: str
    res: FileResult | None  # None: a duplicate, recorded already (``dup``)
    seconds: float
    outcomes: list = field(default_factory=list)  # per part: (rows loaded, rejects, warnings)
    dup: FileSummary | None = None
    renamed: dict[str, str] = field(default_factory=dict)  # export's column -> loaded column (stage_rows, engine)


def _why_reload(ws: Workspace, source: Source, files: dict[str, str], force: bool) -> str | None:
    """Why the source must be (re)loaded, in words; None when nothing that shapes its rows
    changed: its files (path and sha256), its manifest entry (format, activities, use,
    options) and the version of its loader."""
    row = ws.con.execute(
        "SELECT format, activities, use, options::VARCHAR, loader_version FROM sources WHERE name = ?", [source.name]
    ).fetchone()
    previous = dict(ws.con.execute("SELECT DISTINCT path, sha256 FROM load_files WHERE source = ?", [source.name]).fetchall())
    if row is None or not previous:
        return "new source"
    if force:
        return "--force"
    why = []
    if previous != files:
        changed = sum(1 for p, h in files.items() if p in previous and previous[p] != h)
        added, gone = len(set(files) - set(previous)), len(set(previous) - set(files))
        parts = [f"{n} {what}" for n, what in ((changed, "changed"), (added, "new"), (gone, "gone")) if n]
        why.append("files: " + ", ".join(parts) if parts else "files changed")
    fmt, acts, use, options, version = row
    if fmt != source.format:
        why.append(f"format {fmt} -> {source.format}")
    if list(acts or []) != list(source.activities):
        why.append("activities changed")
    if use != source.use:
        why.append(f"use {use} -> {source.use}")
    old = json.loads(options) if options else {}
    new = json.loads(source.options.model_dump_json(exclude_defaults=True))
    if old != new:
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        why.append("manifest options changed: " + ", ".join(keys))
    loader_version = registry.get(source.format).version
    if fmt == source.format and version != loader_version:
        why.append(f"loader {source.format} version {version or '(not recorded)'} -> {loader_version}")
    return "; ".join(why) or None


def _drop_staged(con, staged: list[str]) -> None:
    """Drop the staging tables and views (lazy parts: a view, and the views under it)."""
    try:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary AND view_name LIKE '\\_stage\\_%' ESCAPE '\\'").fetchall()}
    except Exception:  # noqa: BLE001 - best effort cleanup
        views = set()
    for t in staged:
        if t in views:
            continue
        try:
            con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(t)}")
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass
    for v in views:
        try:
            con.execute(f"DROP VIEW IF EXISTS temp.{quote_ident(v)}")
        except Exception:  # noqa: BLE001 - best effort cleanup
            pass


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root))
        except ValueError:
            pass
    return str(path)


def _next_file_id(con) -> int:
    return con.execute("SELECT nextval('file_id_seq')").fetchone()[0]


def _source_tables(ws: Workspace, source: str) -> list[str]:
    return [t for t in ws.tables("raw") if t == source or t.startswith(source + "__")]


def _drop_source(ws: Workspace, source: str) -> None:
    for t in _source_tables(ws, source):
        ws.con.execute(f"DROP TABLE raw.{quote_ident(t)}")
    ws.con.execute("DELETE FROM load_rejects WHERE source = ?", [source])
    ws.con.execute("DELETE FROM load_files WHERE source = ?", [source])
    ws.con.execute("DELETE FROM sources WHERE name = ?", [source])


def _record_file(con, fid: int, source: Source, loader, f: FileSummary) -> None:
    """The provenance row of one file in ``load_files``."""
    row = {
        "file_id": fid, "source": source.name, "path": f.path, "entry": f.entry, "size": f.size, "sha256": f.sha256,
        "format": source.format, "encoding": f.encoding, "dialect": json.dumps(f.dialect, ensure_ascii=False),
        "rows_read": f.rows_read, "rows_loaded": f.rows_loaded, "rows_rejected": f.rows_rejected, "status": f.status,
        "warnings": f.warnings, "load_seconds": f.seconds, "loader": type(loader).name, "loader_version": type(loader).version,
    }
    con.execute(
        f"INSERT INTO load_files ({', '.join(row)}, loaded_at) VALUES ({', '.join('$' + k for k in row)}, current_localtimestamp())",
        row,
    )


def _record_rejects(con, fid: int, source: str, path: str, rejects: list[Reject]) -> None:
    if rejects:
        con.executemany(
            "INSERT INTO load_rejects (file_id, source, path, line, record, field, reason, raw, reason_code) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[fid, source, path, r.line, r.record, r.field, r.reason, r.raw, r.code] for r in rejects],
        )


def _record_source(con, source: Source, manifest: Manifest, tables: list[str]) -> None:
    con.execute(
        "INSERT INTO sources (name, title, format, activities, use, provider, country, options, manifest, tables, loaded_at, hosting, "
        "loader_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?)",
        [source.name, source.title, source.format, source.activities, source.use, source.hosting.provider,
         source.hosting.country, source.options.model_dump_json(exclude_defaults=True), str(manifest.file or ""), tables,
         source.hosting.model_dump_json(exclude_none=True), registry.get(source.format).version],
    )


def _columns(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


# A rejected row's problems, one per field or rule: its reason code (vocab.REJECT_REASONS),
# the field, the reason in words.
_PROBLEM = "STRUCT(code VARCHAR, field VARCHAR, reason VARCHAR)"


def _working(ctx: LoadContext) -> tuple[str, str]:
    """The working columns of the typing statement: a row's problems and its text. Their names
    hold the load's random token: no export's column can take their place."""
    return f"__problems_{ctx.token}", f"__bad_{ctx.token}"


def _part_select(ctx: LoadContext, fid: int, source: Source, part: Part, found_dates: set[str],
                 renames: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """SELECT of a part's rows as they go into raw.<table>: typed, plus the working columns
    (``_working``): the row's problems (a list of (code, field, reason), NULL for a good row)
    and, for a rejected row, its text as JSON.

    A staged column still named like an internal one (a loader that staged it itself) is
    renamed here; returns the SELECT and those renamings. ``renames`` (the export's name ->
    the loaded one) lets the manifest's column names follow a renaming. Each typed expression
    is computed once; nothing is materialised here.
    """
    con = ctx.con
    tok = ctx.token
    problems_col, bad_col = _working(ctx)
    staged = _columns(con, part.table)
    record_cols = [c for c in staged if c != "_row"]
    names, renamed = safe_column_names(record_cols)
    src = f"temp.{quote_ident(part.table)}"
    if renamed:
        src = f"(SELECT _row, {', '.join(f'{quote_ident(o)} AS {quote_ident(n)}' for o, n in zip(record_cols, names))} FROM {src})"
    cols = {"_row": staged.get("_row", "BIGINT"), **{n: staged[o] for o, n in zip(record_cols, names)}}
    follow = {**(renames or {}), **renamed}
    opts = source.options
    dates: dict[str, list[str]] = {renamed.get(c, c): f for c, f in part.dates.items()}
    declared_fmt = opts.date_format if isinstance(opts.date_format, list) else ([opts.date_format] if opts.date_format else [])
    for declared in opts.dates:
        col = follow.get(declared, declared)
        if col in cols:
            dates.setdefault(col, declared_fmt)
            found_dates.add(declared)
    if declared_fmt:
        for declared in opts.dates:
            col = follow.get(declared, declared)
            if col in dates:
                dates[col] = declared_fmt
    wanted = [renamed.get(c, c) for c in part.amounts] + [follow.get(c, c) for c in opts.amounts]
    amounts = [c for c in dict.fromkeys(wanted) if c in cols]
    typed = {c: date_expr(c, f) for c, f in dates.items() if c in cols and cols[c] == "VARCHAR"}
    typed.update({c: amount_expr(c) for c in amounts if cols[c] == "VARCHAR"})
    alias = {c: f"__t{i}_{tok}" for i, c in enumerate(typed)}
    # Most values take the cheap first try (computed in an inner projection); the full
    # expression runs, inside a CASE, only on the rows where it gave nothing.
    fast = {c: date_fast_expr(c, f) for c, f in dates.items() if c in typed}
    fast.update({c: amount_fast_expr(c) for c in amounts if c in typed})
    fast = {c: e for c, e in fast.items() if e is not None}
    falias = {c: f"__f{i}_{tok}" for i, c in enumerate(fast)}
    for c in fast:
        typed[c] = f"CASE WHEN {falias[c]} IS NOT NULL THEN {falias[c]} ELSE {typed[c]} END"
    probs, bad_conds = [], []
    for c in typed:
        kind = "date" if c in dates else "amount"
        # the typed value first: the text is looked at only when it did not parse
        bad = f"({alias[c]} IS NULL AND nullif(trim({quote_ident(c)}), '') IS NOT NULL)"
        bad_conds.append(bad)
        reason = f"{quote_literal(c)} || ': ' || {quote_literal('not a valid ' + kind + ' ')} || {quote_ident(c)}"
        probs.append(f"CASE WHEN {bad} THEN {{'code': {quote_literal('bad_' + kind)}, 'field': {quote_literal(c)}, 'reason': {reason}}} END")
    # The list of problems is built only for a row that has one: a good row costs one condition.
    whens = []
    if part.checks:
        failed = " OR ".join(f"coalesce({cond}, false)" for cond, _, _ in part.checks)
        reasons = ", ".join(
            f"CASE WHEN coalesce({cond}, false) THEN {{'code': 'format_rule', "
            f"'field': {quote_literal(fld) if fld else 'NULL::VARCHAR'}, 'reason': {quote_literal(reason)}}} END"
            for cond, fld, reason in part.checks
        )
        whens.append(f"WHEN {failed} THEN list_filter([{reasons}], x -> x IS NOT NULL)")
    if probs:
        whens.append(f"WHEN {' OR '.join(bad_conds)} THEN list_filter([{', '.join(probs)}], x -> x IS NOT NULL)")
    problems = f"(CASE {' '.join(whens)} END)::{_PROBLEM}[]" if whens else f"NULL::{_PROBLEM}[]"
    record = [c for c in cols if c != "_row"]
    as_json = "to_json({" + ", ".join(f"{quote_literal(c)}: {quote_ident(c)}" for c in record) + "})::VARCHAR" if record else "'{}'"
    l0 = f"SELECT *{''.join(f', {e} AS {falias[c]}' for c, e in fast.items())} FROM {src} AS s"
    l1 = f"SELECT *{''.join(f', {e} AS {alias[c]}' for c, e in typed.items())} FROM ({l0}) AS s"
    l2 = f"SELECT *, {problems} AS {problems_col} FROM ({l1}) AS s"
    exclude = ", ".join(["_row", problems_col, *alias.values(), *falias.values()])
    replace = f" REPLACE ({', '.join(f'{alias[c]} AS {quote_ident(c)}' for c in typed)})" if typed else ""
    sql = (
        f"SELECT {fid}::BIGINT AS _file_id, _row::BIGINT AS _row, {activity_expr(source, cols)} AS _activity, "
        f"* EXCLUDE ({exclude}){replace}, {problems_col}, CASE WHEN {problems_col} IS NOT NULL THEN {as_json} END AS {bad_col} "
        f"FROM ({l2}) AS s"
    )
    return sql, {**ctx.renamed.get(part.table, {}), **renamed}


def _insert_all(ctx: LoadContext, source: Source, pending: list[_Pending], found_dates: set[str], display,
                limit: int | None = None) -> None:
    """Create each raw table of the source in one statement over all its parts (typed rows and
    the rows to reject, flagged), then move the flagged rows to the rejects.

    Lazy parts (views over a file) are read here, once. ``pending[i].outcomes`` gets, per
    part, (rows loaded, rejects, warnings). More than ``limit`` rows read in the source:
    ``TooManyRows``.
    """
    con = ctx.con
    limit = limit or max_rows()
    problems_col, bad_col = _working(ctx)
    targets: dict[str, list[tuple[_Pending, int, Part, str]]] = {}
    for pf in pending:
        if pf.res is None:
            continue
        pf.outcomes = [None] * len(pf.res.parts)
        for i, part in enumerate(pf.res.parts):
            sel, renamed = _part_select(ctx, pf.fid, source, part, found_dates, pf.res.dialect.get("renamed_columns"))
            pf.renamed.update(renamed)
            targets.setdefault(table_name(source.name, part.entity), []).append((pf, i, part, sel))
    read_total = 0
    for name, items in targets.items():
        target = f"raw.{quote_ident(name)}"
        body = " UNION ALL BY NAME ".join(f"({sel})" for *_, sel in items) if len(items) > 1 else items[0][3]
        try:
            # at most one row more than the source may hold: enough to tell it holds too many
            con.execute(f"CREATE TABLE {target} AS {body} LIMIT {int(limit) + 1}")
        except duckdb.Error as exc:
            files = ", ".join(display(pf.path) for pf, *_ in items[:3]) + (" …" if len(items) > 3 else "")
            raise InputFileError(files, f"cannot load into raw.{name}: {one_line_error(exc)}") from None
        counts = dict(con.execute(f"SELECT _file_id, count(*) FROM {target} GROUP BY 1").fetchall())
        if sum(counts.values()) > limit:
            raise TooManyRows(source.name, limit)
        rejects_of: dict[int, list[Reject]] = {}
        warnings_of: dict[int, list[str]] = {}
        line_of: dict[int, object] = {}
        releases = []
        for pf, _i, part, _ in items:
            rejects, warnings = list(part.rejects), []
            line_of[pf.fid] = part.line_of
            if part.collect is not None:
                scanned = part.collect(counts.get(pf.fid, 0))
                part.rows_read = counts.get(pf.fid, 0) + len(scanned.rejects)
                rejects = scanned.rejects + rejects
                warnings.extend(scanned.warnings)
                if scanned.shifts:
                    apply_shifts(con, target, scanned.shifts, where=f"_file_id = {int(pf.fid)}")
                line_of[pf.fid] = scanned.line_of
                releases.append(scanned.release)
            read_total += part.rows_read
            rejects_of[pf.fid], warnings_of[pf.fid] = rejects, warnings
        if read_total > limit:
            raise TooManyRows(source.name, limit)
        bad = con.execute(
            f"SELECT _file_id, _row, {problems_col}, {bad_col} FROM {target} WHERE {problems_col} IS NOT NULL ORDER BY _file_id, _row"
        ).fetchall()
        for fid, row, problems, raw in bad:
            where = line_of.get(fid)
            fields = ", ".join(dict.fromkeys(p["field"] for p in problems if p["field"]))
            rejects_of[fid].append(Reject(
                reason="; ".join(p["reason"] for p in problems), line=where(int(row)) if where else None, record=int(row),
                field=fields, raw=escape_raw(raw, backslash=False), code=problems[0]["code"],
            ))
        for release in releases:
            if release is not None:
                release()
        if bad:
            con.execute(f"DELETE FROM {target} WHERE {problems_col} IS NOT NULL")
            counts = dict(con.execute(f"SELECT _file_id, count(*) FROM {target} GROUP BY 1").fetchall())
        con.execute(f"ALTER TABLE {target} DROP COLUMN {problems_col}")
        con.execute(f"ALTER TABLE {target} DROP COLUMN {bad_col}")
        for pf, i, part, _ in items:
            warnings = warnings_of[pf.fid] + _split_warnings(con, source, target, pf.fid, part)
            pf.outcomes[i] = (counts.get(pf.fid, 0), rejects_of[pf.fid], warnings)


def _split_warnings(con, source: Source, target: str, fid: int, part: Part) -> list[str]:
    sb = source.options.split_by
    if sb is None:
        return []
    if sb.column in _columns(con, part.table):
        unmapped = con.execute(
            f"SELECT {quote_ident(sb.column)}, count(*) FROM {target} WHERE _file_id = ? AND _activity IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 NULLS FIRST",
            [fid],
        ).fetchall()
        if unmapped:
            vals = ", ".join(f"{shown(v)!r} ({n})" for v, n in unmapped[:5])
            return [f"{source.name}: {sum(n for _, n in unmapped)} rows with {sb.column} not mapped to an activity: {vals}"]
    elif part.entity is None:
        return [f"{source.name}: split_by column {sb.column!r} not found"]
    return []
