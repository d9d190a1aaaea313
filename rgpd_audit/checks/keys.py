"""Finding keys across releases: the mapping from old keys to new ones.

A finding's key (``finding_key``) is how the audit history tells new, resolved and still-open
findings apart from one audit to the next. A release that changes how a kind of finding is
keyed ships here the rewriting of the keys already stored in the workspace, so that the
first audit after an upgrade compares like with like. The workspace records the version of
its keys (setting ``finding_keys``); :func:`migrate_keys` brings it to :data:`KEYS_VERSION`.

Version 2 (rgpd-audit 0.2): keys hold nothing a reload or a later verdict changes —
``transfer.third_country`` loses the mechanism judged; ``special_category.free_text``,
``forbidden_data.candidate_identifier`` and ``transfer.outbound_share`` name the record by
its key column, or its file and record number, instead of the load's internal file id.
Stored findings whose file is no longer loaded keep their old key (nothing to map them to).

Version 3 (rgpd-audit 0.2): transfers are judged per provider and activity, not per export:
``transfer.third_country|<source>`` becomes one key per activity of that source,
``transfer.third_country|<provider>|<activity>``; ``transfer.undeclared_system|<source>`` becomes
``transfer.undeclared_system|<provider>``.

Version 4 (rgpd-audit 0.3): ``load.rejected_rows`` is keyed by the rejected record's number,
not by its physical line, which readers now find where they did not:
``load.rejected_rows|<source>|<path>|<line or -1>|<record>`` becomes
``load.rejected_rows|<source>|<path>|<record>`` (``L<line>`` when there is no record number).

Version 5 (rgpd-audit 0.3): keys are unique within every run. Runs made since the redesign
number a repeated key (``~2``, ``~3``: :func:`number_repeated_keys`); older runs are numbered
the same way once, so that the history can compare two runs' keys without de-duplicating
millions of them first (:func:`rgpd_audit.report.history.changes_by_check`).
"""

from __future__ import annotations

from ..ingest.loaded import loaded_sources, row_identity
from ..sql import quote_ident
from ..workspace import Workspace

KEYS_VERSION = 5
SETTING = "finding_keys"


def migrate_keys(ws: Workspace) -> int:
    """Rewrite the stored finding keys to this release's; returns the version they were at."""
    stored = ws.get_setting(SETTING)
    if stored is None:
        has_findings = ws.con.execute("SELECT count(*) FROM findings").fetchone()[0]
        stored = "1" if has_findings else str(KEYS_VERSION)
    version = int(stored)
    if version < 2:
        _to_v2(ws)
    if version < 3:
        _to_v3(ws)
    if version < 4:
        _to_v4(ws)
    if version < 5:
        number_repeated_keys(ws.con)
    if ws.get_setting(SETTING) != str(KEYS_VERSION):
        ws.set_setting(SETTING, str(KEYS_VERSION))
    return version


def _to_v2(ws: Workspace) -> None:
    con = ws.con
    con.execute(
        "UPDATE findings SET finding_key = regexp_replace(finding_key, '^(transfer\\.third_country\\|[^|]*)\\|.*$', '\\1') "
        "WHERE check_id = 'transfer.third_country'"
    )
    concerned = {k: {r[0] for r in con.execute("SELECT DISTINCT source FROM findings WHERE check_id = ?", [k]).fetchall()}
                 for k in ("special_category.free_text", "forbidden_data.candidate_identifier", "transfer.outbound_share")}
    for s in loaded_sources(ws):
        if not s.main_table or not any(s.name in names for names in concerned.values()):
            continue
        t = f"raw.{quote_ident(s.name)}"
        rows = f"SELECT t._file_id AS fid, t._row AS row, {{}} AS k FROM {t} t LEFT JOIN load_files lf ON lf.file_id = t._file_id"
        # old key: <kind>|<source>|<file id>|<row> (free text), <kind>|<source>|<file id>#<row> (the others)
        for kind, sep, new in (
            ("special_category.free_text", "|", s.key_expr("t")),
            ("forbidden_data.candidate_identifier", "#", s.key_expr("t")),
            ("transfer.outbound_share", "#", row_identity("t")),
        ):
            if s.name not in concerned[kind]:
                continue
            con.execute(
                f"UPDATE findings f SET finding_key = $kind || '|' || $source || '|' || m.k, "
                f"record_key = CASE WHEN f.check_id = 'special_category.free_text' THEN m.k ELSE f.record_key END "
                f"FROM ({rows.format(new)}) m "
                f"WHERE f.check_id = $kind AND f.source = $source "
                f"AND f.finding_key = $kind || '|' || $source || '|' || m.fid || $sep || m.row",
                {"kind": kind, "source": s.name, "sep": sep},
            )


def _to_v3(ws: Workspace) -> None:
    from ..legal import provider_key  # the key of a provider, as the transfer check writes it

    con = ws.con
    for name, provider, activities in con.execute("SELECT name, provider, activities FROM sources").fetchall():
        key = provider_key(provider)
        con.execute(
            "UPDATE findings SET finding_key = 'transfer.undeclared_system|' || ? "
            "WHERE check_id = 'transfer.undeclared_system' AND finding_key = 'transfer.undeclared_system|' || ?",
            [key, name],
        )
        old = f"transfer.third_country|{name}"
        rows = con.execute("SELECT rowid FROM findings WHERE check_id = 'transfer.third_country' AND finding_key = ?", [old]).fetchall()
        if not rows:
            continue
        acts = list(activities or []) or ["-"]
        # one old finding per source becomes one per activity of that source
        for act in acts[1:]:
            con.execute(
                "INSERT INTO findings SELECT * REPLACE (? AS finding_key, ? AS activity) FROM findings "
                "WHERE check_id = 'transfer.third_country' AND finding_key = ?",
                [f"transfer.third_country|{key}|{act}", None if act == "-" else act, old],
            )
        con.execute(
            "UPDATE findings SET finding_key = ?, activity = ? WHERE check_id = 'transfer.third_country' AND finding_key = ?",
            [f"transfer.third_country|{key}|{acts[0]}", None if acts[0] == "-" else acts[0], old],
        )


def _to_v4(ws: Workspace) -> None:
    ws.con.execute(
        "UPDATE findings SET finding_key = CASE "
        "WHEN regexp_matches(finding_key, '\\|-1$') THEN regexp_replace(finding_key, '^(.*)\\|(-?\\d+)\\|-1$', '\\1|L\\2') "
        "ELSE regexp_replace(finding_key, '^(.*)\\|-?\\d+\\|(\\d+)$', '\\1|\\2') END "
        "WHERE check_id = 'load.rejected_rows' AND regexp_matches(finding_key, '\\|-?\\d+\\|-?\\d+$')"
    )


def number_repeated_keys(con, run_id: int | None = None) -> None:
    """Two findings of a run never share a key (a declared key column may repeat in an
    export): the second and later get ``~2``, ``~3``…, in an order that only depends on the
    findings. ``run_id``: that run only (the end of every run); None: every run (version 5)."""
    # only the keys found twice are numbered (a hash aggregate finds them; the window sorts few rows)
    where = "WHERE run_id = $run" if run_id is not None else ""
    con.execute(
        "UPDATE findings f SET finding_key = f.finding_key || '~' || d.n FROM ("
        "  SELECT t.rowid AS rid, row_number() OVER (PARTITION BY t.run_id, t.finding_key ORDER BY t.record_key, "
        "  t.subject_ref, t.detail_fr, t.reference_date, t.activity, t.source) AS n "
        f"  FROM (SELECT rowid, * FROM findings {where}) t JOIN ("
        f"    SELECT run_id, finding_key FROM findings {where} GROUP BY ALL HAVING count(*) > 1"
        "  ) dup ON dup.run_id = t.run_id AND dup.finding_key = t.finding_key"
        ") d WHERE f.rowid = d.rid AND d.n > 1",
        {"run": run_id} if run_id is not None else {},
    )
