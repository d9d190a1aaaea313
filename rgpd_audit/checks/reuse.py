"""Findings carried over from the previous run when a check's inputs did not change.

A check registered with ``uses_date=False`` gives the same findings on any audit date: on
unchanged exports, mapping, policy and settings, next month's run copies them in SQL from
the last run that computed them instead of recomputing them. What a check's findings rest on
is summed up in a fingerprint (:func:`inputs_fingerprint`):

- the package's version, the check's own ``version`` and the source of its module, and the
  bundled data files (``rgpd_audit/data``: roles, legal tables, lint terms…);
- the policy as read (every field of the model: from its file or built in code), and the
  organisation's domains the run was given;
- every table of the workspace but the findings and the runs' history: the sources and
  their files (sha256, loader and its version), the rejected rows, the column mapping with
  the analyst's decisions, the hits of the detectors, the settings (organisation, its
  domains, the providers register, the key version…), and the raw tables' columns.

The findings copied are those of the last finished run whose fingerprint for that check is
the same and whose recorded counts the copy matches; else the check runs. Fingerprints are
kept per run and check in ``check_inputs`` (workspace schema 10).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from pathlib import Path

from .. import __version__
from ..policy import Policy
from ..sql import quote_ident
from ..workspace import ALIAS, Workspace
from .registry import CheckSpec

# Tables that are the checks' output or the history of runs, not their inputs.
NOT_INPUTS = frozenset({"findings", "audit_runs", "check_inputs", "check_memo"})
# Columns that say when a row was written, not what it holds.
TIMESTAMPS = frozenset({"updated_at"})


@functools.cache
def _data_files_digest() -> str:
    h = hashlib.sha256()
    data = Path(__file__).resolve().parent.parent / "data"
    for p in sorted(data.glob("*.yaml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


@functools.cache
def _module_digest(module: str) -> str:
    import sys

    try:
        return hashlib.sha256(inspect.getsource(sys.modules[module]).encode()).hexdigest()
    except (KeyError, OSError, TypeError):
        return ""


def workspace_digest(ws: Workspace) -> str:
    """A digest of every input table of the workspace (one scan each, order-independent; views
    such as ``datamap`` are derived from the tables and left out)."""
    return hashlib.sha256(repr(table_digests(ws)).encode()).hexdigest()


def table_digests(ws: Workspace) -> dict[str, tuple]:
    """Per input table of the workspace: its columns, row count and the sum of its rows' hashes;
    per raw table, its columns and their types."""
    con = ws.con
    tables = con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main' AND table_name IN (SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND schema_name = 'main') GROUP BY table_name ORDER BY table_name",
        [ALIAS, ALIAS],
    ).fetchall()
    parts = {}
    for name, cols in tables:
        if name in NOT_INPUTS:
            continue
        kept = [c for c in cols if c not in TIMESTAMPS]
        row = ", ".join(quote_ident(c) for c in kept)
        # sum of the rows' hashes (as HUGEINT: no overflow) and their count: the same rows in
        # any order give the same digest, one value changed gives another
        n, s = con.execute(
            f"SELECT count(*), coalesce(sum(hash({row})::HUGEINT), 0)::VARCHAR FROM {ALIAS}.main.{quote_ident(name)}"
        ).fetchone()
        parts[name] = (kept, n, s)
    raw = con.execute(
        "SELECT table_name, list(column_name || ' ' || data_type ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'raw' AND table_name IN (SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND schema_name = 'raw') GROUP BY table_name ORDER BY table_name",
        [ALIAS, ALIAS],
    ).fetchall()
    return {**parts, **{f"raw.{name}": tuple(cols) for name, cols in raw}}


def inputs_fingerprint(spec: CheckSpec, workspace: str, policy: Policy, domains: list[str]) -> str:
    """The fingerprint of what ``spec``'s findings rest on: ``workspace`` (:func:`workspace_digest`),
    the policy as read (its file, or a policy built in code) and the organisation's domains."""
    code = (__version__, spec.id, spec.version, _module_digest(spec.func.__module__), _data_files_digest())
    return hashlib.sha256(json.dumps([code, workspace, policy.model_dump_json(), sorted(domains)]).encode()).hexdigest()


def record(ws: Workspace, run_id: int, fingerprints: dict[str, str]) -> None:
    """Keep the run's fingerprints (check id -> fingerprint), in one statement (one commit)."""
    if fingerprints:
        ws.con.execute("INSERT INTO check_inputs SELECT ?, unnest(?), unnest(?)",
                       [run_id, list(fingerprints), list(fingerprints.values())])


def copy_previous_all(ws: Workspace, specs: list[CheckSpec], fingerprints: dict[str, str], run_id: int,
                      as_of) -> list[str]:
    """For each check of ``specs`` with a fingerprint, copy its findings from the last finished
    run with the same fingerprint into ``run_id``, when that run's findings of the check are
    all there (its recorded counts); returns the ids of the checks copied.

    A few statements for all the checks (one count, one INSERT per previous run), not two
    scans of the findings per check: at 10M records the findings table holds millions of
    rows per run."""
    con = ws.con
    wanted = [s for s in specs if s.id in fingerprints]
    if not wanted:
        return []
    prev = dict(con.execute(
        "SELECT c.check_id, max(r.run_id) FROM check_inputs c JOIN audit_runs r USING (run_id) "
        "JOIN (SELECT unnest(?) AS check_id, unnest(?) AS fingerprint) w "
        "ON w.check_id = c.check_id AND w.fingerprint = c.fingerprint "
        "WHERE r.status = 'done' AND r.run_id <> ? GROUP BY c.check_id",
        [[s.id for s in wanted], [fingerprints[s.id] for s in wanted], run_id],
    ).fetchall())
    if not prev:
        return []
    runs = sorted(set(prev.values()))
    counts = {r: json.loads(c) if c else {} for r, c in con.execute(
        "SELECT run_id, counts FROM audit_runs WHERE list_contains(?, run_id)", [runs]).fetchall()}
    kinds_of = {s.id: [k.id for k in s.kinds] for s in wanted if s.id in prev}
    all_kinds = sorted({k for ks in kinds_of.values() for k in ks})
    have = {(r, k): n for r, k, n in con.execute(
        "SELECT run_id, check_id, count(*) FROM findings WHERE run_id BETWEEN ? AND ? AND list_contains(?, run_id) "
        "AND list_contains(?, check_id) GROUP BY ALL", [runs[0], runs[-1], runs, all_kinds]).fetchall()}
    copied: dict[int, list[str]] = {}
    for cid, kinds in kinds_of.items():
        r = prev[cid]
        expected = sum(n for k in kinds for n in counts.get(r, {}).get(k, {}).values())
        if sum(have.get((r, k), 0) for k in kinds) == expected:  # else removed since: computed again
            copied.setdefault(r, []).extend(kinds)
    for r, kinds in copied.items():
        con.execute(
            "INSERT INTO findings SELECT ? AS run_id, ? AS as_of, * EXCLUDE (run_id, as_of) FROM findings "
            "WHERE run_id = ? AND list_contains(?, check_id)",
            [run_id, as_of, r, kinds],
        )
    done = {k for ks in copied.values() for k in ks}
    return [s.id for s in wanted if s.id in kinds_of and set(kinds_of[s.id]) <= done]


def memo_rows(ctx, name: str, sql: str, params: dict | list | None = None) -> list[tuple]:
    """The rows of ``sql``, a query of a check that does not depend on the audit date (a
    transfer's records and people per provider): read back from an earlier run on the same
    inputs when there is one, else computed and kept with the run (``check_memo``, schema 11).

    What the rows rest on is the workspace's input tables (:func:`workspace_digest`: the
    loaded files' sha256 and loader, the mapping and its decisions, the settings; the raw
    tables only change with them, nothing edits them) and the query itself with its
    parameters, under the package's version. A run asked not to reuse findings
    (``reuse_findings=False``) computes them."""
    con = ctx.con
    if not ctx.cache.get("reuse", True):
        return [tuple(r) for r in con.execute(sql, params or []).fetchall()]
    digest = ctx.cache.get("workspace_digest")
    if not digest:
        digest = ctx.cache["workspace_digest"] = workspace_digest(ctx.ws)
    key = hashlib.sha256(json.dumps([__version__, digest, sql, params], sort_keys=True, default=str).encode()).hexdigest()
    kept = con.execute("SELECT rows FROM check_memo WHERE name = ? AND key = ? ORDER BY run_id DESC LIMIT 1",
                       [name, key]).fetchone()
    if kept is not None:
        return [tuple(r) for r in json.loads(kept[0])]
    rows = [tuple(r) for r in con.execute(sql, params or []).fetchall()]
    con.execute("INSERT INTO check_memo VALUES (?, ?, ?, ?)",
                [ctx.cache.get("run_id", -1), name, key, json.dumps(rows, default=str)])
    return rows
