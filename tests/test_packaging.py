"""The package works outside its clone: `pip install .` (not editable) in a fresh virtualenv,
then the scheduled job from any folder — with no JupyterLab on that server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import rgpd_audit
from rgpd_audit import resources

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    pkg = Path(rgpd_audit.__file__).parent
    found = {".".join(p.parent.relative_to(pkg.parent).parts) for p in pkg.rglob("__init__.py")}
    assert found | {"rgpd_audit.notebooks", "rgpd_audit.sample_estate"} == listed


def test_resources_are_found_through_the_package():
    assert resources.bundled_policy().is_file()
    assert resources.sample_manifest().is_file()
    names = [nb.name for nb in resources.notebooks()]
    assert names[:5] == ["00_chargement.ipynb", "10_cartographie.ipynb", "20_conservation.ipynb",
                         "30_transferts_acces.ipynb", "40_synthese.ipynb"]


def test_notebooks_command_copies_and_keeps_edits(tmp_path):
    from click.testing import CliRunner

    from rgpd_audit.cli import main

    target = tmp_path / "audit" / "notebooks"
    r = CliRunner().invoke(main, ["notebooks", str(target)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in target.glob("*.ipynb")) == [nb.name for nb in resources.notebooks()]
    (target / "20_conservation.ipynb").write_text("{}", encoding="utf-8")  # the analyst's own version
    r = CliRunner().invoke(main, ["notebooks", str(target)])
    assert "0 notebook(s) copied" in r.output and f"{len(resources.notebooks())} kept" in r.output
    assert (target / "20_conservation.ipynb").read_text(encoding="utf-8") == "{}"
    r = CliRunner().invoke(main, ["notebooks", str(target), "--force"])
    assert (target / "20_conservation.ipynb").read_text(encoding="utf-8") != "{}"


def test_pip_install_then_report_from_any_folder(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RGPD_AUDIT_WORKSPACE", "RGPD_AUDIT_KEY")}
    # a copy of the tree as a clone has it (no build/ left over from an earlier build, no venv)
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "reports",
                                                             "__pycache__", ".rgpd-audit", "benchmarks"))
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(src)], env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    py = venv / "bin" / "python"
    probe = subprocess.run(
        [str(py), "-c", "import importlib.util as u, rgpd_audit; print(rgpd_audit.__file__); "
                        "print([m for m in ('jupyterlab', 'ipywidgets', 'faker') if u.find_spec(m)])"],
        env=env, capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.splitlines()
    assert probe[0].startswith(str(venv)), probe  # the installed copy, not the clone
    assert probe[1] == "[]"  # a scheduled server needs no JupyterLab, no review form, no generator
    anywhere = tmp_path / "srv" / "audit"
    anywhere.mkdir(parents=True)
    run = subprocess.run([str(venv / "bin" / "rgpd-audit"), "report", "--as-of", "2026-11-27"],
                         env=env, capture_output=True, text=True, cwd=anywhere, timeout=600)
    assert run.returncode == 1, run.stderr[-3000:]  # 1: the sample holds error findings by design
    report = anywhere / "reports" / "2026-11-27"
    assert (report / "index.html").stat().st_size > 10_000
    assert len(list((report / "notebooks").glob("*.ipynb"))) == 5
    assert (anywhere / ".rgpd-audit" / "workspace.duckdb").exists()
