"""The CSV export's formula guard (rgpd_audit.sql.spreadsheet_safe) compares the first
character: the same values as the FORMULA_START regular expression it replaced."""

from __future__ import annotations

import re

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.sql import FORMULA_START, spreadsheet_safe

EDGES = ["=a", "+1", "-2", "@x", "\tq", "\rz", " =a", "a=", "", None, "é", "\n=", "==", "'=", "=\n", "€"]


def _guarded(values: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    return [r[0] for r in con.execute(f"SELECT {spreadsheet_safe('v')} FROM t ORDER BY i").fetchall()]


def _expected(values):
    return [("'" + v if v is not None and re.match(FORMULA_START, v) else v) for v in values]


def test_edge_values():
    assert _guarded(EDGES) == _expected(EDGES)


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from("=+-@\t\r\n a'é€"), max_size=4)), min_size=1, max_size=20))
def test_same_as_the_regular_expression(values):
    assert _guarded(values) == _expected(values)
