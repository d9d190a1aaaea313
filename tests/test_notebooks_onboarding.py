"""The thin notebook 52_brouillon_manifeste drafts a manifest from JupyterLab (papermill here)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
import yaml

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "52_brouillon_manifeste.ipynb"
CSV = "Matricule;Nom;Prénom;E-mail;Date d'entrée;Date de sortie\nM1;Durand;Anne;anne@example.fr;01/02/2020;\nM2;Petit;Marc;marc@example.fr;03/04/2019;05/06/2024\n"


def test_committed_clean_and_thin():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert all(len(c.source.splitlines()) == 1 for c in code if c is not params[0])
    assert not any("def " in c.source for c in code)


def test_drafts_from_the_notebook_and_refuses_to_overwrite(tmp_path):
    ex = tmp_path / "exports"
    ex.mkdir()
    (ex / "personnel.csv").write_bytes(CSV.encode("cp1252"))
    run = dict(kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "run.ipynb"), parameters={"exports": str(ex)}, **run)
    data = yaml.safe_load((ex / "manifest.yaml").read_text(encoding="utf-8"))
    (src,) = data["sources"]
    assert src["options"]["key"] == "Matricule"
    assert src["options"]["dates"] == {"Date d'entrée": "contract_start", "Date de sortie": "departure"}
    out = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    shown = "".join(str(o) for c in out.cells if c.cell_type == "code" for o in c.outputs)
    assert "personnel" in shown and "Durand" not in shown and "anne@example.fr" not in shown
    with pytest.raises(pm.PapermillExecutionError, match="already there"):
        pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "run2.ipynb"), parameters={"exports": str(ex)}, **run)
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "run3.ipynb"), parameters={"exports": str(ex), "force": True}, **run)
