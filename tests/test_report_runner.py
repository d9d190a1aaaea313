"""The report runner and ``rgpd-audit report``: one full run on a tiny estate with personal data."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.report import NotebookFailed, ReportError, UnknownParameter, execute_notebook
from rgpd_audit.report import html as report_html
from rgpd_audit.report.annexes import PLOTLYJS_FILE
from rgpd_audit.report.guard import IdentifierLeak, find_identifiers
from rgpd_audit.report.runner import check_parameters, report_notebooks
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import AS_OF, IDENTIFIERS, tiny_workspace, write_estate

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"



@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """`rgpd-audit report` on the tiny estate, after a past audit in the same workspace."""
    root = tmp_path_factory.mktemp("report")
    tiny = tiny_workspace(root)
    out = root / "reports"
    res = CliRunner().invoke(main, ["report", "--as-of", AS_OF.isoformat(), "--manifest", str(tiny.manifest),
                                    "--workspace", str(tiny.workspace), "--out", str(out)])
    return res, out / AS_OF.isoformat(), tiny


def test_cli_exit_code_and_summary(report):
    res, target, _ = report
    assert res.exit_code == 1, res.output  # error-severity findings exist
    assert f"Report: {target / 'index.html'}" in res.output
    assert "new" in res.output and "1. " in res.output


def test_outputs_under_as_of_folder(report):
    _, target, _ = report
    assert (target / "index.html").is_file() and (target / "findings.csv").is_file()
    names = sorted(p.name for p in (target / "annexes").glob("*.html"))
    assert names == [p.stem + ".html" for p in report_notebooks()]
    assert {"00_chargement.html", "10_cartographie.html", "20_conservation.html",
            "30_transferts_acces.html", "40_synthese.html"} <= set(names)
    assert not (target / "notebooks").exists() and not list(target.rglob("*.ipynb"))
    # run with the report's parameters: the audit date shown by the status table
    # the audit date reached the annex (its parameter), written as a French reader writes it
    assert AS_OF.strftime("%d/%m/%Y") in (target / "annexes" / "00_chargement.html").read_text(encoding="utf-8")


def test_index_has_no_identifier_and_is_self_contained(report):
    _, target, _ = report
    page = (target / "index.html").read_text(encoding="utf-8")
    assert "plotly.js v" not in page  # not embedded: the folder's one copy, gzipped
    assert f'<script type="text/javascript" src="{PLOTLYJS_FILE}"></script>' in page
    assert (target / PLOTLYJS_FILE).stat().st_size < 2_500_000
    ours = page
    assert not re.search(r"(src|href)=[\"']https?:", ours)
    assert len(ours) < 1_000_000
    assert not find_identifiers(ours)
    for ident in IDENTIFIERS:
        assert ident not in page, ident
    assert "def " not in ours and "import " not in ours  # no code


def test_index_numbers_and_changes(report):
    _, target, tiny = report
    page = (target / "index.html").read_text(encoding="utf-8")
    with Workspace(tiny.workspace) as ws:
        run = ws.con.execute("SELECT max(run_id) FROM audit_runs WHERE status = 'done'").fetchone()[0]
        errors = ws.con.execute("SELECT count(*) FROM findings WHERE run_id = ? AND severity = 'error'", [run]).fetchone()[0]
    assert f'data-key="errors">{errors}<' in page
    assert 'data-key="new">' in page and 'data-key="resolved">' in page
    assert "Synthèse" in page and 'lang="fr"' in page
    assert page.count('class="chart"') == 4 and 'data-chart="sankey"' in page


def test_english_report(report, tmp_path):
    _, _, tiny = report
    with Workspace(tiny.workspace) as ws:
        page = report_html.render_report(ws, tiny.run_now, None, "en")
    assert 'lang="en"' in page and "Executive summary" in page and "Synthèse" not in page


def test_guard_refuses_leaking_page(report, monkeypatch):
    _, _, tiny = report
    monkeypatch.setattr(report_html.panels, "urgent_actions",
                        lambda *a, **k: __import__("pandas").DataFrame({
                            "action": ["call 06 12 34 56 78"], "detail": [""], "who": [""], "legal": [""],
                            "severity": [""], "sensitivity": [""], "score": [1.0]}))
    monkeypatch.setattr(report_html, "redact", lambda x: x)
    with Workspace(tiny.workspace) as ws, pytest.raises(IdentifierLeak, match="phone"):
        report_html.render_report(ws, tiny.run_now)


def test_unknown_parameter_rejected_with_known_list():
    with pytest.raises(UnknownParameter) as exc:
        check_parameters(NOTEBOOKS_DIR / "20_conservation.ipynb", {"as_of": "2026-11-27", "asof": "x", "colour": 1})
    msg = str(exc.value)
    assert "20_conservation.ipynb" in msg and "asof, colour" in msg
    assert "known: as_of, workspace, manifest, policy, lang" in msg


def test_non_primitive_parameter_rejected():
    with pytest.raises(ReportError, match="must be str, int, float, bool or None"):
        check_parameters(NOTEBOOKS_DIR / "20_conservation.ipynb", {"as_of": AS_OF})


def test_failing_cell_names_notebook_cell_and_saved_path(tmp_path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('x: int = 1  # a number')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell("import math"), params, nbformat.v4.new_code_cell("y = x + 1"),
                nbformat.v4.new_code_cell("raise ValueError('boom')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, src)
    out = tmp_path / "out" / "99_broken.ipynb"
    with pytest.raises(NotebookFailed) as exc:
        execute_notebook(src, out, {"x": 2})
    err = exc.value
    assert err.notebook.name == "99_broken.ipynb" and err.saved == out and out.exists()
    saved = nbformat.read(out, as_version=4)
    assert "raise ValueError" in saved.cells[err.cell_index].source
    assert f"99_broken.ipynb: cell {err.cell_index} of the saved notebook failed: ValueError: boom" in str(err)
    assert str(out) in str(err)


def test_cli_input_error_exit_2(tmp_path):
    res = CliRunner().invoke(main, ["report", "--manifest", str(tmp_path / "nope.yaml"), "--workspace",
                                    str(tmp_path / "ws"), "--out", str(tmp_path / "r"), "--as-of", "2026-11-27"])
    assert res.exit_code == 2, res.output
    res = CliRunner().invoke(main, ["report", "--lang", "de"])
    assert res.exit_code == 2


def test_cli_help_has_examples():
    res = CliRunner().invoke(main, ["report", "--help"])
    assert res.exit_code == 0 and "Example:" in res.output and "--pdf" in res.output


def test_write_estate_is_reusable(tmp_path):
    assert write_estate(tmp_path).exists()
