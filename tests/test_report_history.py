"""Audit history: previous run, new / resolved / still open by finding_key, trend."""

from __future__ import annotations

import pytest

from rgpd_audit.report import history
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import AS_OF, PAST, tiny_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    tiny = tiny_workspace(tmp_path_factory.mktemp("hist"))
    with Workspace(tiny.workspace) as w:
        yield w, tiny


def test_run_for_and_previous(ws):
    w, tiny = ws
    assert history.run_for(w, AS_OF) == tiny.run_now
    assert history.run_for(w, PAST.isoformat()) == tiny.run_past
    assert history.run_for(w, "2020-01-01") is None
    assert history.previous_run(w, tiny.run_now) == tiny.run_past
    assert history.previous_run(w, tiny.run_past) is None


def test_changes_match_finding_keys(ws):
    w, tiny = ws
    keys = lambda r: {k for (k,) in w.con.execute("SELECT finding_key FROM findings WHERE run_id = ?", [r]).fetchall()}  # noqa: E731
    now, past = keys(tiny.run_now), keys(tiny.run_past)
    df = history.changes_by_check(w, tiny.run_now)
    assert df["new"].sum() == len(now - past) > 0          # the 2024 candidate is overdue in 2026 only
    assert df["resolved"].sum() == len(past - now)
    assert df["still_open"].sum() == len(now & past) > 0
    breach = df.set_index("check_id").loc["retention.breach"]
    assert (breach["previous"], breach["current"], breach["new"], breach["still_open"]) == (2, 3, 1, 2)
    totals = history.totals_of_changes(w, tiny.run_now)
    assert totals["previous_run"] == tiny.run_past and totals["new"] == len(now - past)
    first = history.totals_of_changes(w, tiny.run_past)
    assert first["previous_run"] is None and first["new"] is None


def test_trend_one_row_per_audit_date(ws):
    w, tiny = ws
    t = history.trend(w)
    assert [d.date() for d in t["as_of"]] == [PAST, AS_OF]
    n = w.con.execute("SELECT count(*) FROM findings WHERE run_id = ?", [tiny.run_now]).fetchone()[0]
    assert t.iloc[-1]["total"] == n
    assert len(history.trend(w, tiny.run_past)) == 1


def test_trend_counts_each_severity_and_shows_a_run_without_findings(tmp_path):
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.policy import load_policy

    tiny = tiny_workspace(tmp_path)
    with Workspace(tiny.workspace) as w:
        quiet = run_checks(w, load_policy(), AS_OF.replace(year=AS_OF.year + 1), only=["requests.overdue"]).run_id
        t = history.trend(w)
        assert t["run_id"].tolist() == [tiny.run_past, tiny.run_now, quiet]
        for row in t.itertuples():
            by = dict(w.con.execute("SELECT severity, count(*) FROM findings WHERE run_id = ? GROUP BY ALL", [row.run_id]).fetchall())
            assert (row.error, row.warning, row.info, row.total) == (
                by.get("error", 0), by.get("warning", 0), by.get("info", 0), sum(by.values()))
        assert t.iloc[-1]["total"] == 0 and t.iloc[1]["error"] > 0 and t.iloc[1]["warning"] > 0
