"""The committed notebooks in a real JupyterLab, started as the README says, driven by Chromium.

A folder laid out like a clone after `rgpd-audit report`: the sample audited into
``.rgpd-audit/`` at its root and the committed notebooks in ``notebooks/``. JupyterLab starts
from the root with ``jupyter lab notebooks/`` and no ``$RGPD_AUDIT_WORKSPACE``: the notebooks
must find ``../.rgpd-audit`` by the workspace rule. Each report notebook is opened, Run All,
and read back from JupyterLab's own model (``expose_app_in_browser``): no error output, the
tables hold the sample's numbers. With a notebook open (its kernel alive, after it ran), a
CLI ``rgpd-audit check`` on the same workspace succeeds. Requests to anything but 127.0.0.1
are aborted; on failure a screenshot and the server log are left in the test's tmp folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

from rgpd_audit.checks.registry import finding_kinds
from rgpd_audit.pipeline import audit
from rgpd_audit.workspace import Workspace
from tests.jupyterlab import jupyter_lab
from tests.test_review_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    KERNEL_START,
    NOT_LOCAL,
    STEP,
)

REPO = Path(__file__).resolve().parents[1]
EXPECTED = yaml.safe_load((REPO / "data" / "sample" / "expected.yaml").read_text(encoding="utf-8"))
AS_OF = dt.date.fromisoformat(EXPECTED["as_of"])
NOTEBOOKS = ["00_chargement.ipynb", "10_cartographie.ipynb", "20_conservation.ipynb", "30_transferts_acces.ipynb",
             "40_synthese.ipynb"]
RUN_ALL = 120_000  # ms: every cell of a notebook, on a slow shared machine

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian package chromium; .ci/run installs it)"),
]


class _Tables(HTMLParser):
    """The rows of the HTML tables of an output: lists of cell texts (index cell included)."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _rows(html: str) -> list[list[str]]:
    """The body rows of a DataFrame's HTML (those starting with their index number)."""
    p = _Tables()
    p.feed(html)
    return [r for r in p.rows if r and r[0].isdigit()]


def _records(html: str) -> list[dict[str, str]]:
    """The body rows of a DataFrame's HTML as {column name: cell}, by its header row."""
    p = _Tables()
    p.feed(html)
    header = next(r for r in p.rows if r and not r[0].isdigit())
    return [dict(zip(header, r)) for r in p.rows if r and r[0].isdigit()]


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A folder like a clone after `rgpd-audit report`: .rgpd-audit/ audited, notebooks/ committed."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    with Workspace(root / ".rgpd-audit") as ws:
        audit(ws, AS_OF)
    return root


@pytest.fixture
def lab(clone, tmp_path):
    """``jupyter lab notebooks/`` started from the clone's root; yields (base_url, token)."""
    # the notebooks must find ../.rgpd-audit themselves: no RGPD_AUDIT_WORKSPACE
    with jupyter_lab(clone, tmp_path, ["notebooks/", "--LabApp.expose_app_in_browser=True"],
                     drop_env=("RGPD_AUDIT_KEY", "RGPD_AUDIT_WORKSPACE")) as lab_url:
        yield lab_url


# The open notebook's cells as JupyterLab holds them: source, execution count, outputs.
CELLS_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model || !w.sessionContext) return null;
  const cells = [];
  for (const c of w.content.model.cells) {
    const j = c.toJSON();
    cells.push({type: j.cell_type, source: Array.isArray(j.source) ? j.source.join('') : j.source,
                count: j.execution_count === undefined ? null : j.execution_count, outputs: j.outputs || []});
  }
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return {cells, kernel: k ? k.status : null, path: w.context.path};
}"""

DONE_JS = """(name) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.content.model || w.context.path !== name) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  for (const c of w.content.model.cells) {
    if (c.type === 'code' && !(c.executionCount > 0)) return false;
  }
  return true;
}"""

KERNEL_READY_JS = """(name) => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name || !w.sessionContext) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""


def _run_all(page, base: str, token: str, name: str) -> list[dict]:
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}", timeout=KERNEL_START)
    page.wait_for_function(KERNEL_READY_JS, arg=name, timeout=KERNEL_START, polling=250)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    page.wait_for_function(DONE_JS, arg=name, timeout=RUN_ALL, polling=500)
    return page.evaluate(CELLS_JS)["cells"]


def _output_of(cells: list[dict], source: str) -> str:
    cell = next(c for c in cells if c["type"] == "code" and c["source"].strip() == source)
    html = [o["data"]["text/html"] for o in cell["outputs"] if "text/html" in o.get("data", {})]
    assert html, (source, cell["outputs"])
    return "".join(html) if isinstance(html[0], str) else "".join("".join(h) for h in html)


def _int(cell: str) -> int:
    """A number as the notebook shows it (thin spaces between thousands in French)."""
    return int(cell.replace("\u202f", "").replace("\xa0", "").replace(" ", ""))


def _no_error(name: str, cells: list[dict]) -> None:
    for c in cells:
        for o in c["outputs"]:
            assert o.get("output_type") != "error", (name, c["source"], o.get("ename"), o.get("evalue"))
            assert o.get("name") != "stderr" or "Warning" in "".join(o.get("text", "")), (name, c["source"], o)
            text = json.dumps(o.get("data", {}), ensure_ascii=False)
            assert "Rien de chargé" not in text and "Rien à signaler" not in text, (name, c["source"])


def test_notebooks_run_in_jupyterlab_and_the_cli_works_meanwhile(clone, lab, tmp_path):
    base, token = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = None
        blocked: list[str] = []
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route(NOT_LOCAL, lambda route: (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            page.set_default_timeout(STEP)
            page.add_locator_handler(page.locator(".jp-Dialog"), lambda d: d.locator(".jp-mod-accept").click())
            cells = {}
            for name in NOTEBOOKS:
                cells[name] = _run_all(page, base, token, name)
                _no_error(name, cells[name])

            # 00: rows loaded per source, as the sample's expected records (single-table sources)
            loaded = {r["source"]: r for r in _records(_output_of(cells["00_chargement.ipynb"], "panels.load_by_source(ws)"))}
            for source in ("crm_contacts", "candidates", "fec", "sage_tiers", "staff"):
                assert _int(loaded[source]["rows_loaded"]) == EXPECTED["records"][source], source
            # 10: the data map's records per source add up to the sample's records
            mapped = defaultdict(int)
            for r in _records(_output_of(cells["10_cartographie.ipynb"], "panels.data_map(ws, pol, lang)")):
                mapped[r["source"]] += _int(r["records"])
            for source in ("crm_contacts", "candidates", "fec", "sage_tiers", "staff", "newsletter_brevo"):
                assert mapped[source] == EXPECTED["records"][source], source
            # 20: breaches per activity, as the sample's expected findings
            want = defaultdict(int)
            for f in EXPECTED["findings"]:
                if f["check"] == "retention.breach":
                    want[f["activity"]] += f["expected"]
            got = [int(r[2]) for r in _rows(_output_of(cells["20_conservation.ipynb"],
                                                       "panels.retention_by_activity(ws, run_id, pol, lang)"))]
            assert sorted(n for n in got if n) == sorted(n for n in want.values() if n)
            # 30: transfers and access findings per source, as the sample's expected findings
            for theme, kinds in (("transfers", ("transfer.outbound_share",)), ("access", ("access.former_staff", "access.unauthorised_role"))):
                rows = _records(_output_of(cells["30_transferts_acces.ipynb"], f'panels.findings_by_theme(ws, run_id, "{theme}", lang)'))
                for kind in kinds:
                    title = finding_kinds()[kind].title_fr
                    got = defaultdict(int)
                    for r in rows:
                        if r["check"] == title:
                            got[r["source"]] += _int(r["findings"])
                    want = {f["source"]: f["expected"] for f in EXPECTED["findings"] if f["check"] == kind}
                    assert dict(got) == want, (kind, got, want)
            # 40: the key numbers hold the 18 systems of the sample
            keys = {r[1]: r[3] for r in _rows(_output_of(cells["40_synthese.ipynb"], "panels.key_numbers(ws, run_id, lang)"))}
            assert int(keys["sources"]) == len(EXPECTED["records"])

            # the notebook is open, its kernel alive: the CLI writes to the same workspace
            env = {k: v for k, v in os.environ.items() if k not in ("RGPD_AUDIT_WORKSPACE", "RGPD_AUDIT_KEY")}
            cli = subprocess.run(
                [str(Path(sys.executable).parent / "rgpd-audit"), "check", "--as-of", AS_OF.isoformat(),
                 "--out", str(tmp_path / "out")],
                cwd=clone / "notebooks", env=env, capture_output=True, text=True, timeout=300,
            )
            assert cli.returncode == 1, cli.stdout + cli.stderr  # the sample's error findings, not a lock
            assert "ad hoc" in cli.stdout
            # and the open notebook still reads it: re-run its views
            again = _run_all(page, base, token, "20_conservation.ipynb")
            _no_error("20_conservation.ipynb (after the CLI)", again)
        except BaseException:
            if page is not None:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                (tmp_path / "blocked.txt").write_text("\n".join(blocked), encoding="utf-8")
            raise
        finally:
            browser.close()
