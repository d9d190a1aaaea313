"""The committed notebooks: no outputs, thin, documented parameters, and they pass nbval.

nbval runs in a subprocess (``pytest --nbval-lax``) against a tiny audited workspace given
by ``$RGPD_AUDIT_WORKSPACE``, and once against no workspace at all ("nothing loaded").
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from tests.test_report_fixtures import tiny_workspace

ROOT = Path(__file__).resolve().parents[1]
MINE = ["00_chargement.ipynb", "10_cartographie.ipynb", "20_conservation.ipynb", "30_transferts_acces.ipynb",
        "40_synthese.ipynb"]
PATHS = [ROOT / "notebooks" / n for n in MINE]
REQUIRED = {"as_of": '""', "workspace": '""', "manifest": '""', "policy": '""', "lang": '"fr"'}


@pytest.mark.parametrize("path", PATHS, ids=MINE)
def test_committed_notebook_is_clean_and_thin(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "committed with outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    params = papermill.inspect_notebook(str(path))
    for name, default in REQUIRED.items():
        assert params[name]["default"] == default and params[name]["help"], name
    for c in code:
        assert not re.search(r"^\s*(def|class|lambda)\b", c.source, re.M), c.source
        assert "SELECT" not in c.source.upper() or len(c.source.splitlines()) == 1
        if c is not tagged[0]:
            assert len(c.source.splitlines()) == 1, c.source  # one call per cell


def _nbval(env_workspace: str | None, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RGPD_AUDIT_WORKSPACE"}
    if env_workspace:
        env["RGPD_AUDIT_WORKSPACE"] = env_workspace
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
           "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
           "--rootdir", str(tmp_path), "-c", os.devnull, *map(str, PATHS)]
    return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def test_nbval_on_tiny_workspace(tmp_path):
    tiny = tiny_workspace(tmp_path / "estate")
    proc = _nbval(str(tiny.workspace), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout


def test_nbval_without_workspace(tmp_path):
    proc = _nbval(None, tmp_path)  # cwd has no .rgpd-audit: every notebook shows "nothing loaded"
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
