"""The notebook panels: right counts on a tiny estate, no identifier, nothing breaks when empty."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from rgpd_audit.report import panels
from rgpd_audit.report.guard import find_identifiers
from tests.test_report_fixtures import AS_OF, IDENTIFIERS, tiny_workspace

TABLES = ["load_files", "load_by_source", "rejects_by_reason", "data_map", "categories_per_source", "transfers",
          "special_categories", "trend"]
RUN_TABLES = ["findings_by_check", "retention_by_activity", "retention_age_buckets", "unverifiable_by_source",
              "key_numbers", "changes", "urgent_actions"]
FIGURES = ["load_chart", "data_map_sankey", "transfers_chart", "trend_chart"]
RUN_FIGURES = ["retention_chart"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    t = tiny_workspace(tmp_path_factory.mktemp("views"))
    with panels.open_workspace(str(t.workspace)) as ws:
        yield ws, t


def _all_outputs(ws, run_id):
    out = {name: getattr(panels, name)(ws) for name in TABLES + FIGURES}
    out.update({name: getattr(panels, name)(ws, run_id) for name in RUN_TABLES + RUN_FIGURES})
    return out


def test_counts(tiny):
    ws, t = tiny
    run = panels.run_for(ws, AS_OF.isoformat())
    assert run == t.run_now
    lb = panels.load_by_source(ws).set_index("source")
    assert (lb.loc["cands", "rows_read"], lb.loc["cands", "rows_loaded"], lb.loc["cands", "rows_rejected"]) == (5, 4, 1)
    ret = panels.retention_by_activity(ws, run)
    assert ret["breaches"].sum() == ws.con.execute(
        "SELECT count(*) FROM findings WHERE run_id = ? AND check_id = 'retention.breach'", [run]).fetchone()[0]
    assert panels.unverifiable_by_source(ws, run).set_index("source").loc["cands", "records"] == 1
    assert panels.retention_age_buckets(ws, run)["count"].sum() == ret["breaches"].sum()
    tr = panels.transfers(ws, lang="en")
    us = tr[tr["country"] == "US"].iloc[0]
    assert us["outside_eea"] and us["records"] == 2 and us["mechanism"] == "none"  # §9 states no safeguard for Gmail
    kn = panels.key_numbers(ws, run).set_index("key")["value"]
    assert kn["sources"] == 2 and kn["records"] == 6 and kn["rejected"] == 1 and kn["new"] >= 1
    urgent = panels.urgent_actions(ws, run)
    assert 1 <= len(urgent) <= 3 and list(urgent["rank"]) == list(range(1, len(urgent) + 1))


def test_rejects_show_no_values(tiny):
    ws, _ = tiny
    rej = panels.rejects_by_reason(ws)
    assert rej["rows"].sum() == 1
    text = rej.to_string()
    assert "31/02/2021" not in text and "Bernard" not in text and "luc.bernard" not in text


def test_no_identifier_in_any_view(tiny):
    ws, t = tiny
    for name, value in _all_outputs(ws, t.run_now).items():
        text = value.to_json() if isinstance(value, go.Figure) else value.to_csv()
        assert not find_identifiers(text), name
        for ident in IDENTIFIERS:
            assert ident not in text, (name, ident)


def test_empty_workspace_gives_empty_views(tmp_path, monkeypatch):
    monkeypatch.delenv(panels.WORKSPACE_ENV, raising=False)
    with panels.open_workspace(str(tmp_path / "missing")) as ws:
        assert panels.run_for(ws, AS_OF.isoformat()) is None
        assert "Rien" in panels.status(ws, AS_OF.isoformat())["message"][0]
        for name, value in _all_outputs(ws, None).items():
            assert isinstance(value, (pd.DataFrame, go.Figure)), name
            if isinstance(value, pd.DataFrame) and name != "key_numbers":
                assert value.empty, name


def test_env_overrides_default_workspace(tiny, monkeypatch):
    ws, t = tiny
    monkeypatch.setenv(panels.WORKSPACE_ENV, str(t.workspace))
    assert panels.open_workspace.__defaults__ == (panels.DEFAULT_WORKSPACE,)
