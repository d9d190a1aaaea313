"""The data map: which system holds which personal-data category, for which activity, where.

``build_datamap(ws, policy)`` (re)creates the workspace view ``datamap``: one row per
system (source) × table × column × category × activity, with the hosting provider and
country of the system, whether that country is in the EEA, the classification status and
whether the policy declares the category for the activity. It is generated from
``column_map`` (the column classification), ``special_hits`` (special-category data found
inside free text) and ``sources``; per-activity record counts come live from the
``_activity`` column of the ``raw.*`` tables, so a source serving several activities gives
one row per activity actually present in its data (``SELECT DISTINCT _activity``).

``activity_basis`` says how the activity was attributed: ``column`` (the classification names
one activity for the whole column), ``data`` (the record's ``_activity``), ``manifest`` (the
records carry no activity; the source's activities from the manifest are listed, so its
records are counted once per listed activity).

Nothing here reads values: the view holds names, categories and counts only.
"""

from __future__ import annotations

from ..legal import eea_members
from ..policy import Policy, categories
from ..sql import quote_ident, quote_literal
from ..workspace import ALIAS, Workspace

VIEW = "datamap"

# --- the view --------------------------------------------------------------------------


def _values(rows: list[tuple[str, ...]], columns: str, types: tuple[str, ...]) -> str:
    """A VALUES relation from literal rows (or an empty relation with the same columns)."""
    if not rows:
        cols = ", ".join(f"NULL::{t} AS {c.strip()}" for c, t in zip(columns.split(","), types))
        return f"(SELECT {cols} WHERE false)"
    body = ", ".join("(" + ", ".join(quote_literal(v) for v in r) + ")" for r in rows)
    return f"(SELECT * FROM (VALUES {body}) AS v({columns}))"


def _has_activity_column(ws: Workspace, table: str) -> bool:
    return bool(
        ws.con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'raw' "
            "AND table_name = ? AND column_name = '_activity'",
            [ALIAS, table],
        ).fetchone()[0]
    )


def _presence_sql(ws: Workspace) -> str:
    """Records per (table, activity), live from the raw tables the classification refers to."""
    tables = [r[0] for r in ws.con.execute(
        "SELECT DISTINCT table_name FROM column_map UNION SELECT DISTINCT table_name FROM special_hits ORDER BY 1"
    ).fetchall()]
    existing = set(ws.tables("raw"))
    parts = []
    for t in tables:
        if t not in existing:
            continue
        act = "_activity::VARCHAR" if _has_activity_column(ws, t) else "NULL::VARCHAR"
        parts.append(
            f"SELECT {quote_literal(t)} AS table_name, {act} AS activity, count(*)::BIGINT AS records "
            f"FROM raw.{quote_ident(t)} GROUP BY ALL"
        )
    if not parts:
        return "SELECT NULL::VARCHAR AS table_name, NULL::VARCHAR AS activity, NULL::BIGINT AS records WHERE false"
    return "\nUNION ALL\n".join(parts)


def datamap_sql(ws: Workspace, policy: Policy | None = None) -> str:
    """The ``CREATE OR REPLACE VIEW datamap`` statement for this workspace's tables."""
    declared = sorted({(a.id, c) for a in (policy.activities if policy else []) for c in a.data_categories})
    special = sorted((name,) for name, c in categories().items() if c.special)
    eea = ", ".join(quote_literal(c) for c in sorted(eea_members()))
    return f"""
CREATE OR REPLACE VIEW {VIEW} AS
WITH presence AS (
{_presence_sql(ws)}
),
declared AS {_values(declared, "activity, category", ("VARCHAR", "VARCHAR"))},
special AS {_values(special, "category", ("VARCHAR",))},
cm AS (
    SELECT c.source, c.table_name, c.column_name, c.category, c.activity AS column_activity,
           c.status, c.confidence, 'column_map' AS origin
    FROM column_map c
    WHERE c.category IS NOT NULL AND c.status <> 'not_personal'
),
cm_rows AS (
    -- one row per activity present in the data, or the column's own activity
    SELECT cm.*, p.activity AS data_activity, p.records
    FROM cm LEFT JOIN presence p
      ON p.table_name = cm.table_name
     AND (cm.column_activity IS NULL OR p.activity IS NULL OR p.activity = cm.column_activity)
),
sh AS (
    -- per-record detections: the record's own activity
    SELECT source, table_name, column_name, category, NULL::VARCHAR AS column_activity,
           'detected' AS status, NULL::DOUBLE AS confidence, 'special_hits' AS origin,
           activity AS data_activity, count(DISTINCT (file_id, row_no))::BIGINT AS records
    FROM special_hits GROUP BY ALL
),
rows AS (
    SELECT * FROM cm_rows
    UNION ALL BY NAME
    SELECT * FROM sh
),
attributed AS (
    SELECT r.*, s.title AS system_title, s.provider AS hosting_provider, s.country AS hosting_country,
           coalesce(r.column_activity, r.data_activity) AS known_activity,
           CASE WHEN r.column_activity IS NOT NULL THEN 'column'
                WHEN r.data_activity IS NOT NULL THEN 'data' END AS known_basis,
           coalesce(s.activities, []::VARCHAR[]) AS manifest_activities
    FROM rows r LEFT JOIN sources s ON s.name = r.source
),
fanned AS (
    SELECT * EXCLUDE (manifest_activities), known_activity AS activity, known_basis AS activity_basis
    FROM attributed WHERE known_activity IS NOT NULL OR len(manifest_activities) = 0
    UNION ALL BY NAME
    SELECT * EXCLUDE (manifest_activities), unnest(manifest_activities) AS activity, 'manifest' AS activity_basis
    FROM attributed WHERE known_activity IS NULL AND len(manifest_activities) > 0
)
SELECT f.source AS system, f.system_title, f.table_name, f.column_name, f.category,
       f.category IN (SELECT category FROM special) OR f.origin = 'special_hits' AS special,
       f.activity, f.activity_basis,
       f.hosting_provider, f.hosting_country,
       coalesce(upper(f.hosting_country) IN ({eea}), false) AS eea,
       f.status, f.confidence, f.origin,
       EXISTS (SELECT 1 FROM declared d WHERE d.activity = f.activity AND d.category = f.category) AS declared,
       sum(f.records)::BIGINT AS records
FROM fanned f
GROUP BY ALL
"""


def build_datamap(ws: Workspace, policy: Policy | None = None) -> int:
    """Create or replace the ``datamap`` view; return its number of rows.

    Call it again after loading or classifying: the view lists the raw tables that exist
    when it is built.
    """
    ws.con.execute(datamap_sql(ws, policy))
    return ws.con.execute(f"SELECT count(*) FROM {VIEW}").fetchone()[0]


def datamap_frame(ws: Workspace):
    """The ``datamap`` view as a pandas DataFrame (build it first with :func:`build_datamap`)."""
    return ws.sql(
        f"SELECT * FROM {VIEW} ORDER BY system, table_name, column_name, category, activity NULLS LAST, origin"
    )
