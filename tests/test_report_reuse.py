"""What a report computes once: the policy per file, each table view per workspace and
arguments while the report renders, plotly.js per plotly.py version."""

from __future__ import annotations

import pytest

from rgpd_audit.policy import load_policy
from rgpd_audit.report import annexes, history, panels
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import tiny_workspace


def test_policy_validated_once_per_file_content(tmp_path):
    from rgpd_audit.resources import bundled_policy

    path = tmp_path / "policy.yaml"
    path.write_bytes(bundled_policy().read_bytes())
    first = load_policy(path)
    assert load_policy(path) is first and load_policy(str(path)) is first
    path.write_bytes(path.read_bytes() + b"\n# edited\n")
    assert load_policy(path) is not first  # an edited file is read again
    assert load_policy(None) is load_policy(bundled_policy())


def test_views_answered_once_while_a_report_renders(tmp_path):
    tiny = tiny_workspace(tmp_path)
    with Workspace(tiny.workspace) as ws:
        before = panels.findings_by_check(ws, tiny.run_now, "fr")
        assert len(before) > 0
        pol = load_policy()
        with history.remembered():
            first = panels.findings_by_check(ws, tiny.run_now, "fr")
            urgent = panels.urgent_actions(ws, tiny.run_now, pol, "fr")
            ws.con.execute("DELETE FROM findings WHERE run_id = ?", [tiny.run_now])
            again = panels.findings_by_check(ws, tiny.run_now, lang="fr")  # same arguments, by name
            assert again.equals(first)
            again["title"] = "changed by a notebook"  # a caller's copy: the memo keeps its own
            assert panels.findings_by_check(ws, tiny.run_now, "fr").equals(first)
            # the policy as a notebook passes it (its file, "" for the bundled one) is the same policy
            assert panels.urgent_actions(ws, tiny.run_now, "", "fr").equals(urgent)
            assert len(panels.findings_by_check(ws, tiny.run_now, "en")) == 0  # other arguments: read now
        assert len(panels.findings_by_check(ws, tiny.run_now, "fr")) == 0  # outside a report: read again


def test_plotlyjs_copied_from_last_month_made_by_the_same_plotly(tmp_path, monkeypatch):
    last, now, other = tmp_path / "2026-10-27", tmp_path / "2026-11-27", tmp_path / "2026-12-27"
    for d in (last, now, other):
        d.mkdir()
    made = annexes.write_plotlyjs(last).read_bytes()
    assert made.startswith(b"/* rgpd-audit: plotly.js of plotly.py ") and len(made) > 1_000_000

    def no_compression():
        raise AssertionError("compressed again")

    monkeypatch.setattr(annexes, "_plotlyjs_payload", no_compression)
    assert annexes.write_plotlyjs(now).read_bytes() == made
    assert not list(tmp_path.glob("*/*.tmp"))
    # a copy made by another plotly.py is not taken: the payload is made again
    (last / annexes.PLOTLYJS_FILE).write_bytes(b"/* rgpd-audit: plotly.js of plotly.py 0.0 */\nx")
    (now / annexes.PLOTLYJS_FILE).write_bytes(b"/* rgpd-audit: plotly.js of plotly.py 0.0 */\nx")
    with pytest.raises(AssertionError, match="compressed again"):
        annexes.write_plotlyjs(other)
