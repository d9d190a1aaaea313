"""SQL text helpers shared by every stage: the one identifier-quoting helper, and the
spreadsheet-safe select item for CSV exports.

Values are bound as parameters wherever DuckDB allows it (queries); ``quote_literal`` is for
the statements that cannot take parameters (views, DDL over files).
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (the one helper every module uses)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# A value a spreadsheet would run as a formula (CSV injection): it starts with = + - @ tab or CR.
FORMULA_START = "^[=+\\-@\t\r]"
FORMULA_FIRST = "('=', '+', '-', '@', chr(9), chr(13))"  # FORMULA_START's characters, as SQL


def spreadsheet_safe(column: str) -> str:
    """SQL select item for a text column written to CSV: formula-looking values get a leading
    apostrophe, so a spreadsheet shows them as text (the column keeps its name)."""
    c = quote_ident(column)
    # the first character against FORMULA_START's set: the same values as regexp_matches at a
    # fraction of its cost over a run's findings
    return f"CASE WHEN left({c}, 1) IN {FORMULA_FIRST} THEN '''' || {c} ELSE {c} END AS {c}"


def severity_rank(column: str = "severity") -> str:
    """SQL ranking a severity most severe first (0 = error), in the order of
    :data:`rgpd_audit.vocab.SEVERITIES`; an unknown severity last."""
    from .vocab import SEVERITIES

    whens = " ".join(f"WHEN {quote_literal(s)} THEN {i}" for i, s in enumerate(SEVERITIES))
    return f"CASE {column} {whens} ELSE {len(SEVERITIES)} END"
