"""The ``rgpd-audit dsar`` commands end to end, and the check through the runner."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from rgpd_audit.checks.runner import run_checks
from rgpd_audit.cli import main
from rgpd_audit.dsar import register_request
from rgpd_audit.policy import load_policy
from tests.dsar_estate import EMAIL


def _ws_path(ws):
    return str(ws.path)


def test_find_export_erase_plan(dsar_ws, tmp_path):
    path = _ws_path(dsar_ws)
    dsar_ws.close()
    run = CliRunner().invoke
    res = run(main, ["dsar", "find", "--workspace", path, "--email", EMAIL, "--name", "Aïssa N'Diaye"])
    assert res.exit_code == 0, res.output
    assert "candidats" in res.output and "name (weak: check)" in res.output and "gmail__recipients" in res.output
    res = run(main, ["dsar", "export", "--workspace", path, "--email", EMAIL, "--out", str(tmp_path / "o"), "--as-of", "2026-11-27"])
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "o").glob("acces_P-*.zip"))
    res = run(main, ["dsar", "erase-plan", "--workspace", path, "--email", EMAIL, "--out", str(tmp_path / "p"), "--as-of", "2026-11-27"])
    assert res.exit_code == 0, res.output
    # the two invoices: 5 fields each, one kept (closed 2024), one past its ten years
    assert "erase 20 field(s)" in res.output and "keep 5 (hold 5, opt-out 0)" in res.output
    assert len(list((tmp_path / "p").iterdir())) == 3
    res = run(main, ["dsar", "find", "--workspace", path, "--email", "pas-une-adresse"])
    assert res.exit_code == 2 and "not an e-mail address" in res.output


def test_register_extend_close_list(tmp_path):
    ws = str(tmp_path / "ws")
    run = CliRunner().invoke
    res = run(main, ["dsar", "register", "--workspace", ws, "--received", "2026-01-31", "--type", "access", "--email", "a.b@example.fr"])
    assert res.exit_code == 0, res.output
    assert "answer due 2026-02-28" in res.output and "a.b@example.fr" not in res.output
    res = run(main, ["dsar", "extend", "1", "--workspace", ws, "--reason", "complexe", "--on", "2026-03-02"])
    assert res.exit_code == 2 and "first month" in res.output
    res = run(main, ["dsar", "extend", "1", "--workspace", ws, "--reason", "complexe", "--on", "2026-02-10"])
    assert res.exit_code == 0 and "answer due 2026-04-30" in res.output  # one month + two, from receipt
    res = run(main, ["dsar", "list", "--workspace", ws, "--as-of", "2026-04-20"])
    assert res.exit_code == 0 and " 10" in res.output.splitlines()[2]
    res = run(main, ["dsar", "close", "1", "--workspace", ws, "--answered", "2026-04-01"])
    assert res.exit_code == 0 and "answered on 2026-04-01" in res.output


def test_overdue_through_the_runner(dsar_ws):
    register_request(dsar_ws, received=dt.date(2026, 1, 31), type="erasure", email=EMAIL)
    policy = load_policy()
    early = run_checks(dsar_ws, policy, dt.date(2026, 2, 1), only=["requests.overdue"])
    assert early.counts == {}
    late = run_checks(dsar_ws, policy, dt.date(2026, 3, 10), only=["requests.overdue"])
    assert late.counts == {"requests.overdue": {"error": 1}}
    row = dsar_ws.con.execute("SELECT subject_ref, days_overdue FROM findings WHERE run_id = ?", [late.run_id]).fetchone()
    assert row == (dsar_ws.pseudonym(EMAIL), 10)
