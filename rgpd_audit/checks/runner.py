"""Run the registered checks as of a date, store findings, export them safely."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from .. import vocab
from ..errors import RgpdAuditError
from ..ingest.loaded import sources_snapshot
from ..policy import Policy
from ..sql import quote_ident, quote_literal, severity_rank, spreadsheet_safe
from ..workspace import ALIAS, Workspace, io_errors
from . import reuse
from .findings import COLUMN_TYPES, Finding, Query
from .keys import migrate_keys, number_repeated_keys
from .registry import TEMP_TABLES, CheckContext, CheckSpec, all_checks


class CheckFailed(RgpdAuditError):
    pass


@dataclass
class RunResult:
    run_id: int
    as_of: dt.date
    counts: dict[str, dict[str, int]]  # check_id -> severity -> n

    @property
    def errors(self) -> int:
        return sum(c.get("error", 0) for c in self.counts.values())

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())


def _sha256(path: Path | None) -> str | None:
    if path is None or not Path(path).exists():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def require_loaded(ws: Workspace) -> None:
    """Refuse a workspace with nothing loaded, or whose last load did not finish."""
    if not ws.tables("raw"):
        raise RgpdAuditError(f"{ws.path}: the workspace holds no loaded data; run `rgpd-audit load` first")
    ws.check_load_finished()


def run_checks(
    ws: Workspace,
    policy: Policy,
    as_of: dt.date,
    *,
    only: list[str] | None = None,
    domains: list[str] | None = None,
    policy_file: Path | None = None,
    record: bool = True,
    reuse_findings: bool = True,
) -> RunResult:
    """Run every registered check (or those in ``only``) as of ``as_of``; returns counts.

    ``record``: the run is an audit and enters the history the report compares with (an
    ad-hoc ``rgpd-audit check`` passes False: its findings are kept, it is no "previous audit").
    ``reuse_findings``: a check that does not depend on the date copies its findings from the
    last run on the same inputs (:mod:`rgpd_audit.checks.reuse`); False recomputes every check.

    Refuses a workspace whose last load did not finish (:meth:`Workspace.check_load_finished`)."""
    require_loaded(ws)
    con = ws.con
    checks = all_checks()
    unknown = sorted(set(only or []) - set(checks))
    if unknown:
        raise RgpdAuditError(f"unknown check(s): {', '.join(unknown)}; known: {', '.join(checks)}")
    if domains is None:
        stored = ws.get_setting("organisation_domains")
        domains = json.loads(stored) if stored else []
    migrate_keys(ws)  # the history compares like with like across releases
    run_id = con.execute("SELECT nextval('run_id_seq')").fetchone()[0]
    inputs = {
        src: files
        for src, files in con.execute(
            "SELECT source, list({'path': path, 'entry': entry, 'sha256': sha256} ORDER BY path, entry) FROM load_files GROUP BY source"
        ).fetchall()
    }
    if policy_file is None:
        from ..resources import bundled_policy

        policy_file = bundled_policy()
    policy_sha = _sha256(policy_file)
    con.execute(
        "INSERT INTO audit_runs (run_id, as_of, started_at, finished_at, policy_file, policy_sha256, inputs, counts, status, recorded) "
        "VALUES (?, ?, current_localtimestamp(), NULL, ?, ?, ?, NULL, 'running', ?)",
        [run_id, as_of, str(policy_file) if policy_file else None, policy_sha, json.dumps(inputs, default=str), record],
    )
    ctx = CheckContext(ws, policy, as_of, list(domains))
    overrides = severity_overrides(policy, checks)
    selected = [spec for cid, spec in checks.items() if not only or cid in only]
    # the checks of a run read the loaded sources (tables, columns, mapping) once
    with sources_snapshot(ws):
        # the workspace's inputs, before any check ran
        digest = reuse.workspace_digest(ws) if any(not spec.uses_date for spec in selected) else ""
        ctx.cache.update(workspace_digest=digest, run_id=run_id, reuse=reuse_findings)  # for reuse.memo_rows
        fingerprints = {spec.id: reuse.inputs_fingerprint(spec, digest, policy, ctx.organisation_domains)
                        for spec in selected if not spec.uses_date}
        reuse.record(ws, run_id, fingerprints)
        # the same findings on any date: copied from the last run on the same inputs
        copied = set(reuse.copy_previous_all(ws, selected, fingerprints, run_id, as_of)) if reuse_findings else set()
        for spec in selected:
            try:
                if spec.id in copied:
                    continue
                _run_check(ctx, spec, run_id, overrides)
            except RgpdAuditError:
                con.execute("UPDATE audit_runs SET status = 'failed' WHERE run_id = ?", [run_id])
                raise
            except Exception as exc:  # a check bug: name the check
                con.execute("UPDATE audit_runs SET status = 'failed' WHERE run_id = ?", [run_id])
                raise CheckFailed(f"check {spec.id} failed: {type(exc).__name__}: {exc}") from exc
    number_repeated_keys(con, run_id)  # two findings of the run never share a key
    # what the checks shared (the records in breach of retention) is not kept after the
    # run: its memory goes to the export
    for rel in ctx.cache.get(TEMP_TABLES, []):
        con.execute(f"DROP TABLE IF EXISTS {rel}")
    counts: dict[str, dict[str, int]] = {}
    for cid, sev, n in con.execute(
        "SELECT check_id, severity, count(*) FROM findings WHERE run_id = ? GROUP BY ALL ORDER BY ALL", [run_id]
    ).fetchall():
        counts.setdefault(cid, {})[sev] = n
    con.execute(
        "UPDATE audit_runs SET finished_at = current_localtimestamp(), counts = ?, status = 'done' WHERE run_id = ?",
        [json.dumps(counts), run_id],
    )
    return RunResult(run_id, as_of, counts)


def severity_overrides(policy: Policy, checks: dict[str, CheckSpec]) -> dict[str, str]:
    """The policy's ``severities`` (finding kind -> severity), each kind known to a check."""
    known = {k.id for spec in checks.values() for k in spec.kinds}
    unknown = sorted(set(policy.severities) - known)
    if unknown:
        raise RgpdAuditError(f"policy severities: unknown finding kind(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return dict(policy.severities)


def _run_check(ctx: CheckContext, spec: CheckSpec, run_id: int, overrides: dict[str, str]) -> None:
    """Run one check and store its findings in ``run_id``, each of a kind it declared with a
    severity that kind allows, then the policy's severities."""
    con, as_of = ctx.con, ctx.as_of
    result = spec.func(ctx)
    if isinstance(result, Query):
        if not result:
            return
        _check_declared(spec, set(result.kinds))
        with _any_order(con):
            written = con.execute(f"INSERT INTO findings SELECT $run_id, $as_of, * FROM ({result.sql})",
                                  {**result.values(), "run_id": run_id, "as_of": as_of}).fetchone()[0]
        if not written:
            return
        _check_severities(con, run_id, spec)
    else:
        if not result:
            return
        _check_declared(spec, {f.check_id for f in result})
        allowed = {k.id: k.allowed for k in spec.kinds}
        for kind, severity in sorted({(f.check_id, f.severity) for f in result}):
            if severity not in allowed[kind]:
                raise CheckFailed(f"check {spec.id}: a {kind} finding has severity {severity!r}, not one of {', '.join(allowed[kind])}")
        _insert_findings(con, run_id, as_of, result)
    for kind in spec.kinds:
        if kind.id in overrides:  # the default severity; a row the check judged otherwise keeps its own
            con.execute("UPDATE findings SET severity = ? WHERE run_id = ? AND check_id = ? AND severity = ?",
                        [overrides[kind.id], run_id, kind.id, kind.severity])


@contextlib.contextmanager
def _any_order(con):
    """A findings INSERT free to write its rows in any order: DuckDB then writes them to the
    file in parallel, compressed, instead of leaving them to a checkpoint (at 2.6M findings,
    1.3 s less). Nothing reads findings in their physical order: every export and view
    sorts them (``EXPORT_ORDER``, the views' ORDER BY), ``number_repeated_keys`` numbers by values."""
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if before else 'false'}")


def _insert_findings(con, run_id: int, as_of: dt.date, findings: list[Finding]) -> None:
    """Store findings built in Python, in their order: one statement binding each column as
    a list (DuckDB's ``executemany`` runs one INSERT per row)."""
    columns = list(zip(*(f.row() for f in findings), strict=True))
    values = {f"c{i}": list(col) for i, col in enumerate(columns)}
    items = ", ".join(f"CAST(unnest($c{i}) AS {t})" for i, t in enumerate(COLUMN_TYPES.values()))
    con.execute(f"INSERT INTO findings SELECT $run_id, $as_of, {items}", {**values, "run_id": run_id, "as_of": as_of})


def _check_declared(spec: CheckSpec, written: set[str]) -> None:
    """Every finding a check wrote is of a kind it declared."""
    undeclared = sorted(written - {k.id for k in spec.kinds})
    if undeclared:
        raise CheckFailed(f"check {spec.id} wrote findings of undeclared kind(s): {', '.join(undeclared)}")


def _check_severities(con, run_id: int, spec: CheckSpec) -> None:
    """Every finding a check wrote in SQL has a severity its kind allows."""
    allowed = {k.id: k.allowed for k in spec.kinds}
    for kind, severity in con.execute(
        "SELECT DISTINCT check_id, severity FROM findings WHERE run_id = ? AND list_contains(?, check_id) ORDER BY ALL",
        [run_id, list(allowed)],
    ).fetchall():
        if severity not in allowed[kind]:
            raise CheckFailed(f"check {spec.id}: a {kind} finding has severity {severity!r}, not one of {', '.join(allowed[kind])}")


def latest_run(ws: Workspace, as_of: dt.date | None = None) -> int | None:
    q = "SELECT max(run_id) FROM audit_runs WHERE status = 'done'"
    params: list = []
    if as_of is not None:
        q += " AND as_of = ?"
        params.append(as_of)
    return ws.con.execute(q, params).fetchone()[0]


# The spreadsheet's order, total (the key is unique within a run): the same file for the same
# findings; most severe first by rank, not by the severity's name (alphabetically, "warning" came first).
FINDINGS_CSV, FINDINGS_PARQUET = "findings.csv", "findings.parquet"
EXPORT_ORDER = f"{severity_rank()}, check_id, activity, source, record_key, finding_key"


def export_findings(ws: Workspace, run_id: int, out_dir: Path, *, csv_rows: int | None = None) -> tuple[Path, Path]:
    """Write ``findings.csv`` (spreadsheet-safe, sorted by :data:`EXPORT_ORDER`: most severe
    first) and ``findings.parquet`` for a run. ``csv_rows``: the spreadsheet holds at most
    that many findings (the first ones; the Parquet file always holds them all).

    The Parquet file is most severe first too, each severity in the order the checks wrote
    its findings: sorting millions of findings on every column of the order cost more than
    the rest of the report at 10M records (6 s of 2.6M findings, against 1.2 s for this).

    A folder or file that cannot be written (disk full, read-only, a file in the way) is an
    :class:`~rgpd_audit.errors.RgpdAuditError` naming it."""
    return _export(ws.con, run_id, out_dir, csv_rows)


@contextlib.contextmanager
def exporting(ws: Workspace, run_id: int, out_dir: Path, *, csv_rows: int | None = None):
    """:func:`export_findings` in a thread, on a connection of its own, while the caller goes
    on: yields a :class:`concurrent.futures.Future` of ``(csv_path, parquet_path)``. DuckDB
    writes the files without holding Python's lock, so the report's page (Python) is built
    meanwhile (at 372k records 0.4 s of a 3 s report; at 10M the page's own queries want
    DuckDB's threads too, and little is gained). The block is left only once the export has
    ended, success or not (the workspace is never closed under it); its error, a
    :class:`~rgpd_audit.errors.RgpdAuditError` naming the file, is raised by ``result()``."""
    cur = ws.con.cursor()  # a second connection to the same database, for the other thread
    try:
        cur.execute(f"USE {quote_ident(ALIAS)}")
        with ThreadPoolExecutor(1, thread_name_prefix="rgpd-audit-export") as pool:
            future = pool.submit(_export, cur, run_id, out_dir, csv_rows)
            try:
                yield future
            finally:
                wait([future])
    finally:
        cur.close()


def _export(con, run_id: int, out_dir: Path, csv_rows: int | None) -> tuple[Path, Path]:
    """:func:`_write_findings` on ``con``, an I/O failure raised naming the folder."""
    with io_errors(out_dir, RgpdAuditError, " (cannot write the findings)"):
        return _write_findings(con, run_id, out_dir, csv_rows)


def _write_findings(con, run_id: int, out_dir: Path, csv_rows: int | None) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, pq_path = out_dir / FINDINGS_CSV, out_dir / FINDINGS_PARQUET
    rows = f"SELECT * EXCLUDE (run_id) FROM findings WHERE run_id = {int(run_id)}"
    text_cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'findings' AND data_type = 'VARCHAR' AND database_name = ?",
            [ALIAS],
        ).fetchall()
    ]
    # Values a spreadsheet would run as a formula are neutralised with a leading apostrophe.
    safe = ", ".join(spreadsheet_safe(c) for c in text_cols)
    # UNION ALL keeps each branch's order, branch after branch (DuckDB's order preservation)
    by_severity = " UNION ALL ".join(
        [f"({rows} AND severity = {quote_literal(s)})" for s in vocab.SEVERITIES]
        + [f"({rows} AND severity NOT IN ({', '.join(quote_literal(s) for s in vocab.SEVERITIES)}))"])
    con.execute(f"COPY ({by_severity}) TO {quote_literal(str(pq_path))} (FORMAT parquet)")
    # the spreadsheet: its first rows only need the top of the order (a top-N, not a full
    # sort), found on the columns of the order alone, then read in full (at 2.1M findings,
    # 0.6 s instead of 1.2 s for carrying every text through the top-N)
    if csv_rows is not None:
        rows = (f"{rows} AND rowid IN (SELECT rowid FROM findings WHERE run_id = {int(run_id)} "
                f"ORDER BY {EXPORT_ORDER} LIMIT {int(csv_rows)})")
    con.execute(
        f"COPY (SELECT * REPLACE ({safe}) FROM ({rows}) ORDER BY {EXPORT_ORDER}) "
        f"TO {quote_literal(str(csv_path))} (HEADER, DELIMITER ',')"
    )
    return csv_path, pq_path
