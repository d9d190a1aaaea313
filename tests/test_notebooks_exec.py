"""Execution tests: every report notebook run by papermill on a tiny audited estate.

One module-scoped workspace; each notebook runs once (a few seconds) and the test asserts
on what it wrote: the counts in its outputs equal the findings in the workspace, and no
output holds a raw identifier.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from rgpd_audit.report.guard import find_identifiers
from rgpd_audit.report.runner import execute_notebook, report_notebooks
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import AS_OF, IDENTIFIERS, tiny_workspace

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"

NOTEBOOKS = ["00_chargement.ipynb", "10_cartographie.ipynb", "20_conservation.ipynb",
             "30_transferts_acces.ipynb", "40_synthese.ipynb"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_workspace(tmp_path_factory.mktemp("nbexec"))


@pytest.fixture(scope="module")
def executed(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("executed")
    cache = {}

    def run(name):
        if name not in cache:
            params = {"as_of": AS_OF.isoformat(), "workspace": str(tiny.workspace), "manifest": str(tiny.manifest), "lang": "fr"}
            cache[name] = nbformat.read(execute_notebook(NOTEBOOKS_DIR / name, out / name, params), as_version=4)
        return cache[name]

    return run


def outputs_text(nb) -> str:
    """Every text/plain and text/html output, and the plotly JSON (not the embedded plotly.js)."""
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append(str(data.get("text/plain", "")))
            parts.append(json.dumps(data.get("application/vnd.plotly.v1+json", "")))
            html = data.get("text/html", "")
            if "plotly.js v" not in html:  # the renderer's one embedded copy of plotly.js
                parts.append(str(html))
            parts.append(str(o.get("text", "")))
    return "\n".join(parts)


def findings(tiny, where: str) -> int:
    with Workspace(tiny.workspace) as ws:
        return ws.con.execute(f"SELECT count(*) FROM findings WHERE run_id = ? AND {where}", [tiny.run_now]).fetchone()[0]


def test_expected_notebooks():
    assert set(NOTEBOOKS) <= {p.name for p in report_notebooks()}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_identifiers(executed, name):
    nb = executed(name)
    assert all(o.get("output_type") != "error" for c in nb.cells for o in c.get("outputs", []))
    text = outputs_text(nb)
    assert not find_identifiers(text)
    for ident in IDENTIFIERS:
        assert ident not in text, ident


def test_chargement_counts(executed):
    text = outputs_text(executed("00_chargement.ipynb"))
    assert "not a valid date" in text and "31/02/2021" not in text
    assert "cands" in text and "news" in text


def test_conservation_counts(executed, tiny):
    nb = executed("20_conservation.ipynb")
    breaches = findings(tiny, "check_id = 'retention.breach'")
    table = next(o for c in nb.cells if "retention_by_activity" in c.source for o in c.outputs)
    assert "Candidature" in table["data"]["text/plain"]
    chart = next(o for c in nb.cells if "retention_chart" in c.source for o in c.outputs
                 if "application/vnd.plotly.v1+json" in o.get("data", {}))
    traces = chart["data"]["application/vnd.plotly.v1+json"]["data"]
    assert sum(sum(t["x"]) for t in traces) == breaches > 0
    assert findings(tiny, "check_id = 'retention.unverifiable'") == 1
    assert "cands" in next(o for c in nb.cells if "unverifiable_by_source" in c.source for o in c.outputs)["data"]["text/plain"]


def test_synthese_key_numbers(executed, tiny):
    nb = executed("40_synthese.ipynb")
    cell = next(c for c in nb.cells if "key_numbers" in c.source)
    plain = cell.outputs[0]["data"]["text/plain"]
    errors = findings(tiny, "severity = 'error'")
    row = next(line for line in plain.splitlines() if line.split()[1:2] == ["errors"])
    assert int(row.split()[-1]) == errors


def test_figures_embed_plotly_offline(executed):
    nb = executed("10_cartographie.ipynb")
    htmls = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("plotly.js v" in h for h in htmls)  # plotly.js embedded, not loaded from a CDN
    assert not any(re.search(r"<script[^>]+src=[\"']https?:", h) for h in htmls)
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
