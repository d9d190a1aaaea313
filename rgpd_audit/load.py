"""Loading an estate into the workspace: provenance, typing, rejects, atomic reloads.

For each source of the manifest, every matching file is read by the loader of its format
(the registry), typed (dates, amounts) the same way for every format, and appended to
``raw.<source>`` (or ``raw.<source>__<entity>`` for formats with several entities), with
``_file_id``, ``_row`` and ``_activity`` columns. A source is reloaded as a whole inside
one transaction: a load that fails half-way leaves the previous state intact. Unchanged
files (same path and sha256) are not loaded again.

Invariant, checked for every file: ``rows_loaded + rows_rejected == rows_read``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InputFileError, RgpdAuditError
from .loaders import registry
from .loaders.base import FileResult, LoadContext, Part, Reject
from .manifest import Manifest, Source
from .workspace import Workspace, quote_ident, quote_literal

DEFAULT_DATE_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%d%m%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d",
    "%Y/%m/%d",
]


@dataclass
class FileSummary:
    path: str
    entry: str | None
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class SourceSummary:
    name: str
    format: str
    status: str  # loaded | unchanged | failed
    files: list[FileSummary] = field(default_factory=list)
    error: str | None = None
    tables: list[str] = field(default_factory=list)

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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def table_name(source: str, entity: str | None) -> str:
    return source if entity is None else f"{source}__{entity}"


def load_estate(
    ws: Workspace,
    manifest: Manifest,
    *,
    only: list[str] | None = None,
    force: bool = False,
    progress: Callable[[str, str], None] | None = None,
) -> LoadReport:
    """Load every source of the manifest (or those named in ``only``)."""
    out = []
    ws.set_setting("organisation_domains", json.dumps(manifest.organisation.domains))
    ws.set_setting("organisation_name", manifest.organisation.name)
    for source in manifest.sources:
        if only and source.name not in only:
            continue
        if progress:
            progress("source", source.name)
        out.append(_load_source(ws, manifest, source, force=force, progress=progress))
    return LoadReport(out)


def _load_source(ws: Workspace, manifest: Manifest, source: Source, *, force: bool, progress) -> SourceSummary:
    files = manifest.files_of(source)
    root = manifest.base_dir
    hashes = {p: sha256_file(p) for p in files}
    display = lambda p: _display(p, root)  # noqa: E731
    previous = ws.con.execute("SELECT DISTINCT path, sha256 FROM load_files WHERE source = ?", [source.name]).fetchall()
    if not force and previous and sorted(previous) == sorted((display(p), h) for p, h in hashes.items()):
        return SourceSummary(source.name, source.format, "unchanged", tables=_source_tables(ws, source.name))
    loader = registry.get(source.format)()
    tmpdir = ws.path / "tmp"
    tmpdir.mkdir(exist_ok=True)
    ctx = LoadContext(ws.con, source, tmpdir, display_root=root)
    summary = SourceSummary(source.name, source.format, "loaded")
    con = ws.con
    con.execute("BEGIN TRANSACTION")
    staged: list[str] = []
    try:
        _drop_source(ws, source.name)
        seen: dict[str, str] = {}
        found_dates: set[str] = set()
        for path in files:
            if progress:
                progress("file", display(path))
            t0 = time.perf_counter()
            digest = hashes[path]
            size = path.stat().st_size
            if digest in seen:
                fid = _next_file_id(con)
                msg = f"{display(path)}: same content as {seen[digest]}, not loaded twice"
                _record_file(con, fid, source, display(path), None, size, digest, None, {}, 0, 0, 0, "duplicate", [msg], loader, 0.0)
                summary.files.append(FileSummary(display(path), None, "duplicate", warnings=[msg]))
                continue
            seen[digest] = display(path)
            try:
                results = loader.read(ctx, path)
            except RgpdAuditError:
                raise
            except Exception as exc:  # a loader bug or an unexpected file: name the file
                raise InputFileError(display(path), f"{source.format} loader failed: {type(exc).__name__}: {exc}") from exc
            for res in results:
                staged.extend(p.table for p in res.parts)
                fid = _next_file_id(con)
                read = loaded = rejected = 0
                warnings = list(res.warnings)
                for part in res.parts:
                    n_ok, rejects, w = _type_and_insert(ctx, fid, source, part, loader, found_dates)
                    warnings.extend(w)
                    read += part.rows_read
                    loaded += n_ok
                    rejected += len(rejects)
                    _record_rejects(con, fid, source.name, display(path) + (f"!{res.entry}" if res.entry else ""), rejects)
                if loaded + rejected != read:
                    raise RgpdAuditError(
                        f"{display(path)}: internal error, counts do not add up (loaded {loaded} + rejected {rejected} != read {read})"
                    )
                status = res.status if res.status != "loaded" or read else "empty"
                _record_file(
                    con, fid, source, display(path), res.entry, size, digest, res.encoding, res.dialect,
                    read, loaded, rejected, status, warnings, loader, time.perf_counter() - t0,
                )
                summary.files.append(FileSummary(display(path), res.entry, status, read, loaded, rejected, res.encoding, warnings))
        missing = [c for c in source.options.dates if c not in found_dates]
        if missing and summary.rows_read:
            msg = f"{source.name}: date column(s) {', '.join(map(repr, missing))} found in no file"
            summary.files[-1].warnings.append(msg)
        summary.tables = _source_tables(ws, source.name)
        _record_source(con, source, manifest, summary.tables)
        for t in staged:
            con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(t)}")
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


def _drop_staged(con, staged: list[str]) -> None:
    for t in staged:
        try:
            con.execute(f"DROP TABLE IF EXISTS temp.{quote_ident(t)}")
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


def _record_file(con, fid, source, path, entry, size, digest, encoding, dialect, read, loaded, rejected, status, warnings, loader, seconds):
    con.execute(
        "INSERT INTO load_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?)",
        [fid, source.name, path, entry, size, digest, source.format, encoding, json.dumps(dialect, ensure_ascii=False),
         read, loaded, rejected, status, warnings, seconds, type(loader).name, type(loader).version],
    )


def _record_rejects(con, fid: int, source: str, path: str, rejects: list[Reject]) -> None:
    if rejects:
        con.executemany(
            "INSERT INTO load_rejects VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[fid, source, path, r.line, r.record, r.field, r.reason, r.raw] for r in rejects],
        )


def _record_source(con, source: Source, manifest: Manifest, tables: list[str]) -> None:
    con.execute(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
        [source.name, source.title, source.format, source.activities, source.use, source.hosting.provider,
         source.hosting.country, source.options.model_dump_json(exclude_defaults=True), str(manifest.file or ""), tables],
    )


def _columns(con, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def _date_expr(col: str, formats: list[str]) -> str:
    c = f"nullif(trim({quote_ident(col)}), '')"
    fmts = "[" + ", ".join(quote_literal(f) for f in (formats or DEFAULT_DATE_FORMATS)) + "]"
    if formats:
        # an unambiguous ISO date is accepted too (XLSX cells, exports that changed format)
        return f"coalesce(try_strptime({c}, {fmts}), CASE WHEN regexp_matches({c}, '^\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN TRY_CAST({c} AS TIMESTAMP) END)"
    return f"coalesce(TRY_CAST({c} AS TIMESTAMP), try_strptime({c}, {fmts}))"


def _amount_expr(col: str) -> str:
    c = f"nullif(replace(replace(trim({quote_ident(col)}), ' ', ''), '\u00a0', ''), '')"
    return (
        f"TRY_CAST(CASE WHEN contains({c}, ',') THEN replace(replace({c}, '.', ''), ',', '.') ELSE {c} END AS DECIMAL(18, 2))"
    )


def _type_and_insert(ctx: LoadContext, fid: int, source: Source, part: Part, loader, found_dates: set[str]) -> tuple[int, list[Reject], list[str]]:
    """Type the declared columns of a staged part, reject rows that do not parse, append the rest."""
    con = ctx.con
    cols = _columns(con, part.table)
    warnings: list[str] = []
    opts = source.options
    dates: dict[str, list[str]] = dict(part.dates)
    declared_fmt = opts.date_format if isinstance(opts.date_format, list) else ([opts.date_format] if opts.date_format else [])
    for col in opts.dates:
        if col in cols:
            dates.setdefault(col, declared_fmt)
            found_dates.add(col)
    if declared_fmt:
        for col in dates:
            if col in opts.dates:
                dates[col] = declared_fmt
    amounts = [c for c in dict.fromkeys(list(part.amounts) + list(opts.amounts)) if c in cols]
    typed = {c: _date_expr(c, f) for c, f in dates.items() if c in cols and cols[c] == "VARCHAR"}
    typed.update({c: _amount_expr(c) for c in amounts if cols[c] == "VARCHAR"})
    rejects = list(part.rejects)
    src = quote_ident(part.table)
    params: list = []
    if typed:
        # Two passes over the staged rows, none materialised: the rows that do not parse (a
        # filtered scan, usually empty), then the typed rows appended straight to raw.<source>.
        conds, checks = [], []
        for c, expr in typed.items():
            kind = "date" if c in dates else "amount"
            cond = f"(nullif(trim({quote_ident(c)}), '') IS NOT NULL AND ({expr}) IS NULL)"
            conds.append(cond)
            checks.append(
                f"CASE WHEN {cond} "
                f"THEN {quote_literal(c)} || ': ' || {quote_literal('not a valid ' + kind + ' ')} || {quote_ident(c)} END"
            )
        bad = con.execute(
            f"SELECT s._row, list_filter([{', '.join(checks)}], x -> x IS NOT NULL), to_json(s)::VARCHAR "
            f"FROM {src} s WHERE {' OR '.join(conds)} ORDER BY s._row"
        ).fetchall()
        for row, problems, raw in bad:
            fields = ", ".join(p.split(": ", 1)[0] for p in problems)
            rejects.append(Reject(reason="; ".join(problems), record=int(row), field=fields, raw=raw))
        replace = ", ".join(f"{e} AS {quote_ident(c)}" for c, e in typed.items())
        where = ""
        if bad:
            where, params = " WHERE _row NOT IN (SELECT unnest(?::BIGINT[]))", [[r for r, _, _ in bad]]
        select_from = f"(SELECT * REPLACE ({replace}) FROM {src}{where})"
    else:
        select_from = src
    activity = _activity_expr(source, cols)
    name = table_name(source.name, part.entity)
    target = f"raw.{quote_ident(name)}"
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND schema_name = 'raw' AND table_name = ?",
        [name],
    ).fetchone()[0]
    body = f"SELECT {fid}::BIGINT AS _file_id, _row::BIGINT AS _row, {activity} AS _activity, * EXCLUDE (_row) FROM {select_from} AS t"
    if not exists:
        con.execute(f"CREATE TABLE {target} AS {body}", params)
    else:
        # the typed columns' types from an empty result, then one INSERT (no intermediate copy)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _typed AS SELECT * FROM ({body}) LIMIT 0", params)
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'ws' AND schema_name = 'raw' AND table_name = ?",
                [name],
            ).fetchall()
        }
        for c, t in _columns(con, "_typed").items():
            if c not in have:
                con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_ident(c)} {t}")
        con.execute("DROP TABLE _typed")
        con.execute(f"INSERT INTO {target} BY NAME {body}", params)
    loaded = part.rows_read - len(rejects)
    if source.options.split_by is not None:
        sb = source.options.split_by
        if sb.column in cols:
            unmapped = con.execute(
                f"SELECT {quote_ident(sb.column)}, count(*) FROM {target} WHERE _file_id = ? AND _activity IS NULL GROUP BY 1 ORDER BY 2 DESC",
                [fid],
            ).fetchall()
            if unmapped:
                vals = ", ".join(f"{v!r} ({n})" for v, n in unmapped[:5])
                warnings.append(f"{source.name}: {sum(n for _, n in unmapped)} rows with {sb.column} not mapped to an activity: {vals}")
        elif part.entity is None:
            warnings.append(f"{source.name}: split_by column {sb.column!r} not found")
    return loaded, rejects, warnings


def _activity_expr(source: Source, columns: dict[str, str]) -> str:
    sb = source.options.split_by
    if sb is not None and sb.column not in columns:
        # an entity table without the split column (e.g. a mailbox's attachments)
        return f"{quote_literal(sb.default)}::VARCHAR" if sb.default else "NULL::VARCHAR"
    if sb is not None:
        col = f"trim({quote_ident(sb.column)})"
        whens = []
        for key, act in sb.values.items():
            if key.endswith("*"):
                whens.append(f"WHEN starts_with({col}, {quote_literal(key[:-1])}) THEN {quote_literal(act)}")
            else:
                whens.append(f"WHEN {col} = {quote_literal(key)} THEN {quote_literal(act)}")
        default = quote_literal(sb.default) if sb.default else "NULL"
        # exact matches first, as SplitBy.activity_for does
        whens.sort(key=lambda w: "starts_with" in w)
        return f"(CASE {' '.join(whens)} ELSE {default} END)::VARCHAR"
    if len(source.activities) == 1:
        return f"{quote_literal(source.activities[0])}::VARCHAR"
    return "NULL::VARCHAR"


def rows_summary(ws: Workspace) -> list[tuple]:
    """Per source: files, rows read, loaded, rejected (for the CLI and notebooks)."""
    return ws.con.execute(
        "SELECT source, count(*) FILTER (WHERE status <> 'duplicate') AS files, sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
        "FROM load_files GROUP BY source ORDER BY source"
    ).fetchall()
