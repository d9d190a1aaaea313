"""Record numbers of accepted rows after rejected lines: ``shift_record_numbers``."""

from __future__ import annotations

import random

import duckdb
import pytest

from rgpd_audit.ingest.loaders.textfile import _SHIFTS_PER_UPDATE, shift_record_numbers


def _apply(total: int, rejected: set[int], other_file_rows: int = 5) -> tuple[list[int], list[int], list[int]]:
    """Rows 1..n of file 1 (the accepted ordinals) and of file 2; returns (got, wanted, file 2)."""
    numbers = [i for i in range(1, total + 1) if i not in rejected]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (_file_id INTEGER, _row BIGINT)")
    con.execute("INSERT INTO t SELECT 1, range FROM range(1, ?)", [len(numbers) + 1])
    con.execute("INSERT INTO t SELECT 2, range FROM range(1, ?)", [other_file_rows + 1])
    shift_record_numbers(con, "t", numbers, where="_file_id = 1")
    got = [r[0] for r in con.execute("SELECT _row FROM t WHERE _file_id = 1 ORDER BY _row").fetchall()]
    other = [r[0] for r in con.execute("SELECT _row FROM t WHERE _file_id = 2 ORDER BY _row").fetchall()]
    return got, numbers, other


@pytest.mark.parametrize(
    "total, rejected",
    [
        (10, set()),  # nothing to do
        (10, {1}),  # the first record
        (10, {10}),  # the last one: no accepted row moves
        (10, {3, 4, 5}),  # a run of rejects: one shift of 3
        (10, {2, 5, 9}),
        (1000, set(range(1, 1000, 2))),  # every other record: 499 runs, several UPDATEs
    ],
)
def test_accepted_rows_get_their_record_number(total, rejected):
    got, wanted, other = _apply(total, rejected)
    assert got == wanted
    assert other == [1, 2, 3, 4, 5]  # rows of another file are left alone


def test_random_rejects_more_runs_than_one_update():
    rng = random.Random(7)
    total = 5000
    rejected = set(rng.sample(range(1, total + 1), 3 * _SHIFTS_PER_UPDATE))
    got, wanted, _ = _apply(total, rejected)
    assert got == wanted
