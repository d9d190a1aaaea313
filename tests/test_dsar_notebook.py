"""The thin notebook 50_demande_personne runs on the tiny estate and writes the package and the plan."""

from __future__ import annotations

import json
from pathlib import Path

from tests.dsar_estate import EMAIL

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "50_demande_personne.ipynb"


def test_committed_without_outputs_and_with_parameters():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and 'email: str = ""  # e-mail of the person' in "".join(params[0]["source"])
    assert not any("def " in "".join(c["source"]) for c in code)


def test_runs_with_papermill(dsar_ws, tmp_path):
    import papermill as pm
    ws_path = str(dsar_ws.path)
    dsar_ws.close()
    out = tmp_path / "out"
    pm.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "run.ipynb"), kernel_name="python3", progress_bar=False,
        parameters={"email": EMAIL, "workspace": ws_path, "out": str(out), "as_of": "2026-11-27"},
    )
    assert list(out.glob("acces_P-*.zip")) and list(out.glob("plan_effacement_P-*.json"))


def test_no_workspace_gives_the_notice_of_the_other_notebooks(tmp_path, monkeypatch):
    """No workspace found: each step shows the notice saying how to load, never a traceback."""
    import papermill as pm
    monkeypatch.delenv("RGPD_AUDIT_WORKSPACE", raising=False)
    run = tmp_path / "run.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK), str(run), kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
        parameters={"email": EMAIL, "out": str(tmp_path / "out")},
    )
    cells = [c for c in json.loads(run.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    outputs = [o for c in cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    notices = [o for o in outputs if "Rien de chargé" in "".join(o.get("data", {}).get("text/plain", ""))]
    assert len(notices) == 5  # the workspace cell and each of the four steps
    assert not (tmp_path / "out").exists()
