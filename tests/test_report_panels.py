"""The notebook panels: right counts on a tiny estate, no identifier, nothing breaks when empty."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from rgpd_audit.report import panels
from rgpd_audit.report.guard import find_identifiers
from rgpd_audit.workspace import Workspace
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
    with Workspace(t.workspace, create=False) as ws:
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


def test_missing_workspace_is_said_in_every_view(tmp_path, monkeypatch):
    # never an empty table or "Rien à signaler" for a workspace that is not there
    monkeypatch.delenv(panels.WORKSPACE_ENV, raising=False)
    ws = panels.find_workspace(str(tmp_path / "missing"))
    assert not ws.latest_audit_date()
    for name, value in _all_outputs(ws, None).items():
        assert isinstance(value, panels.Notice), name
        assert "Rien de chargé" in value.text and "rgpd-audit load" in value.text, name
        assert "Rien à signaler" not in value._repr_html_()
    assert isinstance(panels.status(ws, AS_OF.isoformat()), panels.Notice)
    en = panels.find_workspace(str(tmp_path / "missing"), "en")
    assert "Nothing loaded" in panels.load_files(en).text


def test_empty_workspace_is_said(tmp_path, monkeypatch):
    monkeypatch.delenv(panels.WORKSPACE_ENV, raising=False)
    Workspace(tmp_path / "ws").close()  # created, nothing loaded
    value = panels.load_by_source(panels.find_workspace(str(tmp_path / "ws")))
    assert isinstance(value, panels.Notice) and "aucune donnée chargée" in value.text


def test_views_release_the_workspace(tmp_path):
    # a notebook's handle holds no connection between views: another process can write
    import subprocess
    import sys

    t = tiny_workspace(tmp_path)
    handle = panels.find_workspace(str(t.workspace))
    assert panels.load_by_source(handle).set_index("source").loc["cands", "rows_read"] == 5
    assert handle.latest_audit_date() == AS_OF.isoformat()
    code = ("import sys; from rgpd_audit.workspace import Workspace; from rgpd_audit.errors import WorkspaceError\n"
            "try:\n    ws = Workspace(sys.argv[1], create=False)\nexcept WorkspaceError as e:\n    print(e); sys.exit(2)\n"
            "ws.set_setting('touched', 'yes'); ws.close(); print('written')")
    done = subprocess.run([sys.executable, "-c", code, str(t.workspace)], capture_output=True, text=True)
    assert done.stdout.strip() == "written", done.stdout + done.stderr
    # while this process holds it open, the other is told which process holds it and what to do
    import os

    with Workspace(t.workspace, create=False):
        held = subprocess.run([sys.executable, "-c", code, str(t.workspace)], capture_output=True, text=True)
    assert held.returncode == 2, held.stdout + held.stderr
    assert f"in use by process {os.getpid()}" in held.stdout and "notebook" in held.stdout
    assert len(held.stdout.strip().splitlines()) == 1


def test_env_and_nearest_folder(tiny, monkeypatch, tmp_path):
    ws, t = tiny
    monkeypatch.setenv(panels.WORKSPACE_ENV, str(t.workspace))
    assert panels.find_workspace().path == t.workspace
    monkeypatch.delenv(panels.WORKSPACE_ENV)
    (tmp_path / ".rgpd-audit").mkdir()
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "deep")
    found = panels.find_workspace()
    assert found.path == tmp_path / ".rgpd-audit" and found.located.how == "found"


def test_encrypted_workspace_without_its_key_is_said(tmp_path, monkeypatch):
    monkeypatch.delenv(panels.WORKSPACE_ENV, raising=False)
    monkeypatch.setenv("RGPD_AUDIT_KEY", "correct horse battery staple")
    t = tiny_workspace(tmp_path, audits=False)
    handle = panels.find_workspace(str(t.workspace))
    assert panels.load_by_source(handle).set_index("source").loc["cands", "rows_read"] == 5  # the key from the env
    monkeypatch.delenv("RGPD_AUDIT_KEY")
    value = panels.load_by_source(handle)
    assert isinstance(value, panels.Notice) and "chiffré" in value.text and "RGPD_AUDIT_KEY" in value.text
