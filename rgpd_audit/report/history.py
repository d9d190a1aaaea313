"""Audit history: which run to show, the previous one, what changed, and the trend.

Runs are ordered by audit date then run id; only runs with status ``done`` count, and the
history (the previous audit, the trend) counts only *recorded* runs: audits made by
``rgpd-audit report`` or ``check --record``, not an analyst's ad-hoc ``check``. Findings
are compared by ``finding_key`` (stable across audits): *new* = in this run only,
*resolved* = in the previous run only, *still open* = in both.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pandas as pd

from ..workspace import Workspace

DONE = "status = 'done'"
AUDIT = "status = 'done' AND recorded"

# Changes already computed, by (database, run, previous run): only while a report renders
# (see remembered); None otherwise.
_MEMO: dict | None = None


@contextlib.contextmanager
def remembered():
    """While a report renders, compute each run's changes once.

    ``index.html``, the command's summary and the notebooks (run in the same process) ask for
    the same changes; once the run's findings are written nothing changes them until the
    report is done, so the first answer is kept for the others (at 10M records, seconds each).
    """
    global _MEMO
    outer = _MEMO
    _MEMO = {} if outer is None else outer
    try:
        yield
    finally:
        _MEMO = outer


def view_memo() -> dict | None:
    """The memo of the report being rendered (see :func:`remembered`), None outside one."""
    return _MEMO


def run_for(ws: Workspace, as_of: str | dt.date | None = None) -> int | None:
    """The latest done run at this audit date (or the latest done run at all)."""
    if as_of is None:
        row = ws.con.execute(f"SELECT max(run_id) FROM audit_runs WHERE {DONE}").fetchone()
    else:
        row = ws.con.execute(
            f"SELECT max(run_id) FROM audit_runs WHERE {DONE} AND as_of = CAST(? AS DATE)", [str(as_of)]
        ).fetchone()
    return row[0]


def previous_run(ws: Workspace, run_id: int) -> int | None:
    """The audit (a recorded done run) just before ``run_id`` in (as_of, run_id) order: on
    the same audit date, the earlier audit of that date."""
    row = ws.con.execute(
        f"""SELECT r.run_id FROM audit_runs r, (SELECT as_of, run_id FROM audit_runs WHERE run_id = ?) c
            WHERE r.{AUDIT} AND (r.as_of < c.as_of OR (r.as_of = c.as_of AND r.run_id < c.run_id))
            ORDER BY r.as_of DESC, r.run_id DESC LIMIT 1""",
        [run_id],
    ).fetchone()
    return row[0] if row else None


def latest_audit_date(ws: Workspace) -> dt.date | None:
    """The audit date of the latest recorded audit (None when there is none)."""
    row = ws.con.execute(f"SELECT as_of FROM audit_runs WHERE {AUDIT} ORDER BY run_id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def run_info(ws: Workspace, run_id: int | None) -> dict | None:
    if run_id is None:
        return None
    row = ws.con.execute("SELECT run_id, as_of, policy_sha256, coalesce(finished_at, started_at) FROM audit_runs WHERE run_id = ?",
                         [run_id]).fetchone()
    return None if row is None else {"run_id": row[0], "as_of": row[1], "policy_sha256": row[2], "at": row[3]}


def changes_by_check(ws: Workspace, run_id: int | None, previous: int | None = None) -> pd.DataFrame:
    """Per check: findings now and before, new, resolved, still open (previous run by default)."""
    cols = ["check_id", "severity", "current", "previous", "new", "resolved", "still_open"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    if previous is None:
        previous = previous_run(ws, run_id)
    prev = -1 if previous is None else previous
    key = (str(ws.db_path), run_id, prev)
    if _MEMO is not None and key in _MEMO:
        return _MEMO[key].copy()
    # a run's keys are unique (rgpd_audit.checks.keys, version 5): no de-duplication first
    df = ws.sql(
        """WITH cur AS (SELECT check_id, severity, finding_key FROM findings WHERE run_id = ?),
                pre AS (SELECT check_id, severity, finding_key FROM findings WHERE run_id = ?)
           SELECT coalesce(c.check_id, p.check_id) AS check_id,
                  max(coalesce(c.severity, p.severity)) AS severity,
                  count(c.finding_key)::INTEGER AS current,
                  count(p.finding_key)::INTEGER AS previous,
                  count(*) FILTER (WHERE p.finding_key IS NULL)::INTEGER AS new,
                  count(*) FILTER (WHERE c.finding_key IS NULL)::INTEGER AS resolved,
                  count(*) FILTER (WHERE c.finding_key IS NOT NULL AND p.finding_key IS NOT NULL)::INTEGER AS still_open
           FROM cur c FULL JOIN pre p ON c.check_id = p.check_id AND c.finding_key = p.finding_key
           GROUP BY 1 ORDER BY 1""",
        [run_id, prev],
    )[cols]
    if _MEMO is not None:
        _MEMO[key] = df.copy()
    return df


def totals_of_changes(ws: Workspace, run_id: int | None) -> dict:
    """{'previous_run', 'previous_as_of', 'previous_at', 'new', 'resolved', 'still_open'} for a run
    (``previous_at``: when the previous audit ran, to tell several audits of one day apart)."""
    prev = None if run_id is None else previous_run(ws, run_id)
    df = changes_by_check(ws, run_id, prev)
    info = run_info(ws, prev)
    return {
        "previous_run": prev,
        "previous_as_of": info["as_of"] if info else None,
        "previous_at": info["at"] if info else None,
        "new": int(df["new"].sum()) if prev is not None else None,
        "resolved": int(df["resolved"].sum()) if prev is not None else None,
        "still_open": int(df["still_open"].sum()) if prev is not None else None,
    }


def trend(ws: Workspace, until_run: int | None = None) -> pd.DataFrame:
    """Findings per severity for the latest audit of each audit date (up to ``until_run``, which
    is shown even when it is an ad-hoc run)."""
    where = ""
    params: list = [-1 if until_run is None else until_run]
    if until_run is not None:
        where = "AND as_of <= (SELECT as_of FROM audit_runs WHERE run_id = ?)"
        params.append(until_run)
    # the runs' findings counted by run first (two narrow columns, no join of every finding
    # of every month: the history grows by a run each month)
    return ws.sql(
        f"""WITH runs AS (
                SELECT max(run_id) AS run_id, as_of FROM audit_runs WHERE ({AUDIT} OR run_id = ?) {where} GROUP BY as_of),
            per_run AS (
                SELECT run_id,
                       count(*) FILTER (WHERE severity = 'error') AS error,
                       count(*) FILTER (WHERE severity = 'warning') AS warning,
                       count(*) FILTER (WHERE severity = 'info') AS info,
                       count(*) AS total
                FROM findings WHERE run_id IN (SELECT run_id FROM runs) GROUP BY run_id)
            SELECT r.as_of::DATE AS as_of, r.run_id,
                   coalesce(p.error, 0)::INTEGER AS error, coalesce(p.warning, 0)::INTEGER AS warning,
                   coalesce(p.info, 0)::INTEGER AS info, coalesce(p.total, 0)::INTEGER AS total
            FROM runs r LEFT JOIN per_run p USING (run_id) ORDER BY r.as_of""",
        params,
    )
