"""How loaded text becomes typed values and activities, the same way for every format.

SQL expressions only: a value that does not parse gives NULL here, and the engine
(``rgpd_audit.ingest.engine``) turns every such NULL from a non-empty text into a reject with its
field and reason — nothing is coerced silently.
"""

from __future__ import annotations

from ..sql import quote_ident, quote_literal
from .manifest import Source

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


def date_expr(col: str, formats: list[str]) -> str:
    c = f"nullif(trim({quote_ident(col)}), '')"
    fmts = "[" + ", ".join(quote_literal(f) for f in (formats or DEFAULT_DATE_FORMATS)) + "]"
    # ISO 8601 with an offset (+02:00) is converted to UTC; without one it is taken as written
    iso = (
        f"CASE WHEN regexp_matches({c}, '\\d:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?\\s*[+-]\\d{{2}}(:?\\d{{2}})?$') "
        f"THEN TRY_CAST({c} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' ELSE TRY_CAST({c} AS TIMESTAMP) END"
    )
    if formats:
        # an unambiguous ISO date is accepted too (XLSX cells, exports that changed format)
        return f"coalesce(try_strptime({c}, {fmts}), CASE WHEN regexp_matches({c}, '^\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN {iso} END)"
    return f"coalesce({iso}, try_strptime({c}, {fmts}))"


def date_fast_expr(col: str, formats: list[str]) -> str | None:
    """A cheap first try that, when it gives a value, gives the same one as ``date_expr``
    (``try_strptime`` skips surrounding blanks and a list of formats answers with its first
    match); None when there is no such shortcut (no declared format: ISO is tried first)."""
    if not formats:
        return None
    return f"try_strptime({quote_ident(col)}, {quote_literal(formats[0])})"


def amount_fast_expr(col: str) -> str:
    """A cheap first try for ``amount_expr``: the text with its decimal comma as a point.

    It gives a value only for a plain number with at most one separator (``12,5``,
    ``1234.56``, blanks around), where ``amount_expr`` gives the same one; anything else
    (``1.234,56``, ``1 234,56``, no-break spaces) is NULL here and goes the long way."""
    return f"TRY_CAST(replace({quote_ident(col)}, ',', '.') AS DECIMAL(18, 2))"


def amount_expr(col: str) -> str:
    c = f"nullif(replace(replace(trim({quote_ident(col)}), ' ', ''), '\u00a0', ''), '')"
    return (
        f"TRY_CAST(CASE WHEN contains({c}, ',') THEN replace(replace({c}, '.', ''), ',', '.') ELSE {c} END AS DECIMAL(18, 2))"
    )


def activity_expr(source: Source, columns: dict[str, str]) -> str:
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


def shown(value) -> str | None:
    """A split-column value as a warning may show it: no e-mail, no file name (they can
    carry a person's name), at most 30 characters."""
    if value is None:
        return None
    v = str(value)
    if "@" in v:
        return "<e-mail>"
    if "/" in v.strip("/"):
        v = "/" + v.strip("/").split("/")[0] + "/…"
    return v if len(v) <= 30 else v[:29] + "…"
