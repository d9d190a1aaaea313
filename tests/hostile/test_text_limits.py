"""Hostile settings and sizes: workers that are not a number of workers, a source too big.

``RGPD_AUDIT_LOAD_WORKERS=-5`` used to be accepted (taken as 1); ``0`` and text are refused
too, with one line, exit 2. A source holding more rows than ``RGPD_AUDIT_MAX_ROWS`` (default
50 million) fails naming the source and the setting, and leaves the workspace as it was.
"""

from __future__ import annotations

import pytest

from rgpd_audit.ingest.engine import DEFAULT_MAX_ROWS
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.hostile.harness import KEY, assert_counts_add_up, assert_no_leak, one_line_error, run_cli

EMAIL = "yannick.le-goff@example.fr"

SOURCES = """
- name: small
  format: csv
  path: small.csv
  activities: [candidates]
  hosting: {provider: X, country: FR}
- name: big
  format: csv
  path: big.csv
  activities: [candidates]
  hosting: {provider: X, country: FR}
- name: cards
  format: ndjson
  path: cards.ndjson
  activities: [candidates]
  hosting: {provider: X, country: FR}
"""


def _estate(tmp_path):
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "small.csv").write_text(f"id;email\n1;{EMAIL}\n2;b@example.fr\n", encoding="utf-8")
    (estate / "big.csv").write_text("id;email\n" + "".join(f"{i};p{i}@example.fr\n" for i in range(6)) + "7;trop;long\n", encoding="utf-8")
    (estate / "cards.ndjson").write_text("".join(f'{{"id": {i}}}\n' for i in range(6)), encoding="utf-8")
    write_manifest(estate, SOURCES)
    return estate


@pytest.mark.parametrize("value", ["-5", "0", "deux", "1.5"])
def test_workers_that_are_not_a_number_of_workers_are_refused(tmp_path, value):
    estate = _estate(tmp_path)
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(tmp_path / "ws")], cwd=estate,
                   env={"RGPD_AUDIT_LOAD_WORKERS": value})
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc)
    assert f"RGPD_AUDIT_LOAD_WORKERS='{value}'" in line and "whole number of 1 or more" in line
    assert not (tmp_path / "ws" / "tmp").exists() or not any((tmp_path / "ws" / "tmp").iterdir())


def test_workers_accepted(tmp_path):
    estate = _estate(tmp_path)
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(tmp_path / "ws")], cwd=estate, env={"RGPD_AUDIT_LOAD_WORKERS": "3"})
    assert proc.returncode == 0, proc.stderr
    assert sum(r[2] for r in assert_counts_add_up(tmp_path / "ws")) == 2 + 7 + 6


def test_rows_per_source_over_the_limit(tmp_path):
    assert DEFAULT_MAX_ROWS >= 10_000_000 * 2  # room for the benchmark's 10M-record estate
    estate = _estate(tmp_path)
    ws_path = tmp_path / "ws"
    # 7 rows read (6 loaded, 1 rejected) in big, 6 in cards: over a limit of 5; small fits
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(ws_path)], cwd=estate, env={"RGPD_AUDIT_MAX_ROWS": "5"})
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "Traceback" not in proc.stderr, proc.stderr
    for source in ("big", "cards"):
        (line,) = [e for e in errors if e.startswith(f"error: {source}:")]
        assert f"source '{source}' holds more than 5 rows" in line and "RGPD_AUDIT_MAX_ROWS" in line
    # the failed sources left nothing; the one that fits is loaded whole
    assert [r[:5] for r in assert_counts_add_up(ws_path)] == [("small.csv", None, 2, 2, 0)]
    with Workspace(ws_path, key=KEY, create=False) as ws:
        assert ws.tables("raw") == ["small"]
    assert_no_leak([ws_path], [EMAIL])
    # at the limit exactly, it loads (rejected rows count: they were read)
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(ws_path)], cwd=estate, env={"RGPD_AUDIT_MAX_ROWS": "7"})
    assert proc.returncode == 0, proc.stderr
    assert sorted(r[2:5] for r in assert_counts_add_up(ws_path)) == [(2, 2, 0), (6, 6, 0), (7, 6, 1)]


@pytest.mark.parametrize("value", ["0", "-1", "beaucoup"])
def test_max_rows_that_is_not_a_number_is_refused(tmp_path, value):
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(tmp_path / "ws")], cwd=_estate(tmp_path),
                   env={"RGPD_AUDIT_MAX_ROWS": value})
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc)
    assert f"RGPD_AUDIT_MAX_ROWS='{value}'" in line and "whole number of 1 or more" in line
    with Workspace(tmp_path / "ws", key=KEY, create=False) as ws:
        assert ws.tables("raw") == []  # refused before any source was touched
