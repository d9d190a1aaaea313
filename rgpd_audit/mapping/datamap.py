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

from typing import TYPE_CHECKING, Literal

from ..policy import Policy, categories
from ..legal import transfer_rules
from ..workspace import ALIAS, Workspace
from ..sql import quote_ident, quote_literal

if TYPE_CHECKING:
    import plotly.graph_objects as go

Lang = Literal["fr", "en"]

VIEW = "datamap"

# European Economic Area (27 EU member states + Iceland, Liechtenstein, Norway): data hosted
# there is not transferred to a third country. The list is data: rgpd_audit/data/legal.yaml.
EEA_COUNTRIES: frozenset[str] = frozenset(c.upper() for c in transfer_rules()["eea"])

# Country names for labels (EEA plus the usual hosting countries); other codes show as-is.
COUNTRY_NAMES: dict[str, tuple[str, str]] = {
    "AT": ("Autriche", "Austria"), "BE": ("Belgique", "Belgium"), "BG": ("Bulgarie", "Bulgaria"),
    "CY": ("Chypre", "Cyprus"), "CZ": ("Tchéquie", "Czechia"), "DE": ("Allemagne", "Germany"),
    "DK": ("Danemark", "Denmark"), "EE": ("Estonie", "Estonia"), "ES": ("Espagne", "Spain"),
    "FI": ("Finlande", "Finland"), "FR": ("France", "France"), "GR": ("Grèce", "Greece"),
    "HR": ("Croatie", "Croatia"), "HU": ("Hongrie", "Hungary"), "IE": ("Irlande", "Ireland"),
    "IT": ("Italie", "Italy"), "LT": ("Lituanie", "Lithuania"), "LU": ("Luxembourg", "Luxembourg"),
    "LV": ("Lettonie", "Latvia"), "MT": ("Malte", "Malta"), "NL": ("Pays-Bas", "Netherlands"),
    "PL": ("Pologne", "Poland"), "PT": ("Portugal", "Portugal"), "RO": ("Roumanie", "Romania"),
    "SE": ("Suède", "Sweden"), "SI": ("Slovénie", "Slovenia"), "SK": ("Slovaquie", "Slovakia"),
    "IS": ("Islande", "Iceland"), "LI": ("Liechtenstein", "Liechtenstein"), "NO": ("Norvège", "Norway"),
    "US": ("États-Unis", "United States"), "GB": ("Royaume-Uni", "United Kingdom"),
    "CH": ("Suisse", "Switzerland"), "CA": ("Canada", "Canada"), "JP": ("Japon", "Japan"),
    "IN": ("Inde", "India"), "CN": ("Chine", "China"), "IL": ("Israël", "Israel"),
    "AU": ("Australie", "Australia"), "SG": ("Singapour", "Singapore"), "BR": ("Brésil", "Brazil"),
    "KR": ("Corée du Sud", "South Korea"), "MA": ("Maroc", "Morocco"), "TN": ("Tunisie", "Tunisia"),
}

_UNASSIGNED = {"fr": "Activité non attribuée", "en": "Unassigned activity"}
_UNKNOWN_COUNTRY = {"fr": "Pays inconnu", "en": "Unknown country"}


def is_eea(country: str | None) -> bool:
    return bool(country) and country.upper() in EEA_COUNTRIES


def country_name(code: str | None, lang: Lang = "fr") -> str:
    """``FR`` -> ``France``; ``US`` -> ``États-Unis`` / ``United States``; unknown codes as-is."""
    if not code:
        return _UNKNOWN_COUNTRY[lang]
    names = COUNTRY_NAMES.get(code.upper())
    return names[0 if lang == "fr" else 1] if names else code.upper()


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
    eea = ", ".join(quote_literal(c) for c in sorted(EEA_COUNTRIES))
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


def flows(ws: Workspace) -> list[tuple[str, str | None, str | None, str | None, int]]:
    """(system, system title, activity, country, records): records counted once per table."""
    return ws.con.execute(
        f"""
        SELECT system, any_value(system_title), activity, hosting_country, sum(records)::BIGINT
        FROM (SELECT DISTINCT system, system_title, table_name, activity, hosting_country, records
              FROM {VIEW} WHERE origin = 'column_map' AND records IS NOT NULL)
        GROUP BY system, activity, hosting_country
        ORDER BY system, activity NULLS LAST, hosting_country
        """
    ).fetchall()


_EEA_COLOUR = "rgba(46, 139, 87, 0.85)"
_NON_EEA_COLOUR = "rgba(200, 50, 50, 0.85)"
_EEA_LINK = "rgba(46, 139, 87, 0.30)"
_NON_EEA_LINK = "rgba(200, 50, 50, 0.35)"
_SYSTEM_COLOUR = "rgba(70, 100, 160, 0.85)"
_ACTIVITY_COLOUR = "rgba(120, 120, 120, 0.85)"


def sankey(ws: Workspace, lang: Lang = "fr", policy: Policy | None = None) -> go.Figure:
    """Systems → activities → hosting countries, link widths = number of records.

    Country nodes are green inside the EEA and red outside (a third-country transfer).
    With ``policy``, activities are labelled by section and title instead of their id.
    """
    import plotly.graph_objects as go

    titles = {a.id: f"{a.section} {a.title.get(lang)}" for a in policy.activities} if policy else {}

    def act_label(a: str | None) -> str:
        if a is None:
            return _UNASSIGNED[lang]
        t = titles.get(a, a)
        return t if len(t) <= 60 else t[:57] + "…"

    rows = flows(ws)
    labels: list[str] = []
    colours: list[str] = []
    index: dict[tuple[str, str | None], int] = {}

    def node(kind: str, key: str | None, label: str, colour: str) -> int:
        if (kind, key) not in index:
            index[(kind, key)] = len(labels)
            labels.append(label)
            colours.append(colour)
        return index[(kind, key)]

    sys_act: dict[tuple[int, int], int] = {}
    act_country: dict[tuple[int, int], tuple[int, bool]] = {}
    for system, title, activity, country, records in rows:
        s = node("system", system, title or system, _SYSTEM_COLOUR)
        a = node("activity", activity, act_label(activity), _ACTIVITY_COLOUR)
        eea = is_eea(country)
        c = node("country", country, country_name(country, lang), _EEA_COLOUR if eea else _NON_EEA_COLOUR)
        sys_act[(s, a)] = sys_act.get((s, a), 0) + records
        prev = act_country.get((a, c), (0, eea))
        act_country[(a, c)] = (prev[0] + records, eea)
    src, tgt, val, lcol = [], [], [], []
    for (s, a), v in sys_act.items():
        src.append(s), tgt.append(a), val.append(v), lcol.append("rgba(150, 150, 150, 0.30)")
    for (a, c), (v, eea) in act_country.items():
        src.append(a), tgt.append(c), val.append(v), lcol.append(_EEA_LINK if eea else _NON_EEA_LINK)
    title = {
        "fr": "Cartographie : systèmes → activités → pays d’hébergement (nombre d’enregistrements)",
        "en": "Data map: systems → activities → hosting countries (number of records)",
    }[lang]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": colours, "pad": 14, "thickness": 16},
            link={"source": src, "target": tgt, "value": val, "color": lcol},
        )
    )
    fig.update_layout(title_text=title, font_size=11)
    return fig
