"""What the report does at the same time: the findings written by DuckDB in a thread while the
page is built (``checks.runner.exporting``), and the report's modules imported in a thread
while the audit's SQL runs (``report.warmup``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rgpd_audit.checks.runner import FINDINGS_CSV, FINDINGS_PARQUET, export_findings, exporting
from rgpd_audit.errors import RgpdAuditError
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import tiny_workspace


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_workspace(tmp_path_factory.mktemp("overlap"))


def test_export_in_a_thread_writes_the_same_files(tiny, tmp_path):
    with Workspace(tiny.workspace) as ws:
        plain = export_findings(ws, tiny.run_now, tmp_path / "plain", csv_rows=2)
        with exporting(ws, tiny.run_now, tmp_path / "thread", csv_rows=2) as exported:
            # the caller's own queries go on meanwhile, on the caller's connection
            n = ws.con.execute("SELECT count(*) FROM findings WHERE run_id = ?", [tiny.run_now]).fetchone()[0]
        threaded = exported.result()
    assert n > 2  # the spreadsheet is capped, the Parquet file is not
    assert [p.name for p in threaded] == [FINDINGS_CSV, FINDINGS_PARQUET]
    for a, b in zip(plain, threaded, strict=True):
        assert a.read_bytes() == b.read_bytes(), b.name


def test_export_error_names_the_folder_and_the_workspace_stays_usable(tiny, tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file where the report folder goes", encoding="utf-8")
    with Workspace(tiny.workspace) as ws:
        with exporting(ws, tiny.run_now, blocker / "2026-11-27") as exported:
            pass
        with pytest.raises(RgpdAuditError, match="taken") as err:
            exported.result()
        assert "cannot write the findings" in str(err.value)
        assert ws.con.execute("SELECT count(*) FROM findings").fetchone()[0] > 0


def test_the_block_is_left_only_once_the_export_has_ended(tiny, tmp_path):
    out = tmp_path / "out"
    with Workspace(tiny.workspace) as ws:
        with pytest.raises(RuntimeError, match="the page failed"), exporting(ws, tiny.run_now, out):
            raise RuntimeError("the page failed")  # the export still ends before the workspace may close
        assert (out / FINDINGS_CSV).stat().st_size > 0 and (out / FINDINGS_PARQUET).stat().st_size > 0


def _in_a_fresh_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_warmup_imports_every_module_it_names():
    # a misspelt name would be skipped in silence: every name must import
    out = _in_a_fresh_python(
        "import sys\n"
        "from rgpd_audit.report import warmup\n"
        "before = set(sys.modules)\n"
        "warmup.start().join()\n"
        "missing = [m for m in warmup.MODULES if m not in sys.modules]\n"
        "print(len(set(warmup.MODULES) - before), missing)\n"
    )
    count, missing = out.split(" ", 1)
    assert int(count) > 5 and missing.strip() == "[]", out


def test_warmup_goes_past_a_module_that_does_not_import():
    out = _in_a_fresh_python(
        "import sys\n"
        "from rgpd_audit.report import warmup\n"
        "t = warmup.start(('no_such_module_for_rgpd_audit', 'csv'))\n"
        "t.join()\n"
        "print('csv' in sys.modules, t.is_alive(), t.daemon)\n"
    )
    assert out.split() == ["True", "False", "False"]


def test_capped_spreadsheet_is_the_head_of_the_whole_one(tiny, tmp_path):
    with Workspace(tiny.workspace) as ws:
        whole, _ = export_findings(ws, tiny.run_now, tmp_path / "whole")
        lines = whole.read_text(encoding="utf-8").splitlines()
        for k in (1, 3, len(lines) - 2):
            capped, _ = export_findings(ws, tiny.run_now, tmp_path / f"cap{k}", csv_rows=k)
            assert capped.read_text(encoding="utf-8").splitlines() == lines[: k + 1], k  # header + the first k
    assert len(lines) > 4
