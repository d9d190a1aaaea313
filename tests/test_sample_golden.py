"""The sample estate's documented expected counts (data/sample/expected.yaml, also the
README table) are what the checks find: the README and the code cannot drift apart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from rgpd_audit.pipeline import audit
from rgpd_audit.workspace import Workspace

REPO_DIR = Path(__file__).resolve().parents[1]

EXPECTED = yaml.safe_load((REPO_DIR / "data" / "sample" / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("golden") / "ws")
    result = audit(ws, dt.date.fromisoformat(EXPECTED["as_of"]))
    yield ws, result
    ws.close()


def _actual(ws, run_id):
    rows = ws.con.execute(
        "SELECT check_id, coalesce(activity, '-'), coalesce(source, '-'), count(*) FROM findings WHERE run_id = ? GROUP BY ALL",
        [run_id],
    ).fetchall()
    return {(c, a, s): n for c, a, s, n in rows}


def test_records_loaded_per_source(sample_run):
    ws, result = sample_run
    got = {s: ws.con.execute(f'SELECT count(*) FROM raw."{s}"').fetchone()[0] for s in EXPECTED["records"]}
    assert {k: got.get(k) for k in EXPECTED["records"]} == EXPECTED["records"]


@pytest.mark.parametrize("row", EXPECTED["findings"], ids=lambda r: f"{r['check']}-{r['activity']}-{r['source']}")
def test_expected_finding_count(sample_run, row):
    ws, result = sample_run
    actual = _actual(ws, result.run.run_id)
    assert actual.get((row["check"], row["activity"], row["source"]), 0) == row["expected"]


def test_every_finding_kind_is_documented(sample_run):
    """A (check, activity, source) the checks report but the README does not list is drift too."""
    ws, result = sample_run
    documented = {(r["check"], r["activity"], r["source"]) for r in EXPECTED["findings"]}
    documented_checks = {r["check"] for r in EXPECTED["findings"]}
    actual = _actual(ws, result.run.run_id)
    undocumented = {k: n for k, n in actual.items() if k[0] in documented_checks and k not in documented}
    assert undocumented == {}


@pytest.fixture(scope="module")
def loaded_sample(tmp_path_factory):
    from rgpd_audit.ingest import load_estate, load_manifest
    from rgpd_audit.pipeline import classify_if_available
    from rgpd_audit.policy import load_policy
    from rgpd_audit.resources import sample_manifest

    ws = Workspace(tmp_path_factory.mktemp("transfers") / "ws")
    load_estate(ws, load_manifest(sample_manifest()))
    classify_if_available(ws, load_policy())
    yield ws
    ws.close()


@pytest.mark.parametrize("as_of", sorted(EXPECTED["transfers"]))
def test_transfers_at_five_dates(loaded_sample, as_of):
    """The verdicts written in data/sample/README.md ("Transfers at five dates") are the checks'."""
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.policy import load_policy

    run = run_checks(loaded_sample, load_policy(), dt.date.fromisoformat(as_of), only=["transfer.third_country"])
    got = dict(loaded_sample.con.execute("SELECT finding_key, severity FROM findings WHERE run_id = ?", [run.run_id]).fetchall())
    assert got == EXPECTED["transfers"][as_of]


def _case_statuses(ws, as_of: dt.date, case: dict) -> list[str]:
    from rgpd_audit.checks.findings import Query
    from rgpd_audit.checks.registry import CheckContext
    from rgpd_audit.checks.retention import retention_status_sql
    from rgpd_audit.policy import load_policy
    from rgpd_audit.sql import quote_ident

    q = Query()
    rel = retention_status_sql(CheckContext(ws, load_policy(), as_of), q)
    where = "r.source = $__src"
    params = {"__src": case["source"]}
    for i, (col, value) in enumerate((case["match"] or {}).items()):
        where += f" AND CAST(t.{quote_ident(col)} AS VARCHAR) = $__m{i}"
        params[f"__m{i}"] = value
    sql = (f"SELECT DISTINCT r.status FROM ({rel}) r JOIN raw.{quote_ident(case['source'])} t "
           f"ON r._file_id = t._file_id AND r._row = t._row WHERE {where}")
    return sorted(s for (s,) in ws.con.execute(sql, {**q.values(rel), **params}).fetchall())


@pytest.mark.parametrize("case", EXPECTED["retention_cases"]["cases"], ids=lambda c: f"{c['source']}-{c['today']}-{c['past']}")
def test_retention_cases_at_two_dates(loaded_sample, case):
    """The verdicts written in data/sample/README.md ("Retention cases at two dates"), today and in the past."""
    for as_of, want in ((EXPECTED["as_of"], case["today"]), (EXPECTED["retention_cases"]["past"], case["past"])):
        got = _case_statuses(loaded_sample, dt.date.fromisoformat(as_of), case)
        assert got == ([] if want == "absent" else [want]), (as_of, case["why"])
    if case["match"]:  # the case names exactly one record
        from rgpd_audit.sql import quote_ident

        col, value = next(iter(case["match"].items()))
        n = loaded_sample.con.execute(
            f"SELECT count(*) FROM raw.{quote_ident(case['source'])} WHERE CAST({quote_ident(col)} AS VARCHAR) = ?", [value]).fetchone()[0]
        assert n == 1
