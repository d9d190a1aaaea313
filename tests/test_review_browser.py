"""The mapping review notebook in a real JupyterLab, driven by headless Chromium.

The test starts its own JupyterLab server on a free port with a random token, over a
temporary folder holding the notebook and a tiny suggested workspace (``.rgpd-audit``, the
notebook's default), then opens the notebook in Debian's Chromium through Playwright, runs
all cells, clicks "Accepter" on the first row and "Enregistrer", and checks the mapping
file on disk. Requests to anything but 127.0.0.1 are aborted. On failure a screenshot and
the server log are left in the test's tmp folder.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.mapping.classify import needs_review, suggest
from rgpd_audit.mapping.file import read_mapping, sync_mapping
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.jupyterlab import jupyter_lab
from tests.test_mapping import SRC, V1
from tests.test_review_scale import SRC as BIG_SRC
from tests.test_review_scale import _csv

BIG_CSV = _csv(100)

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "55_revue_mapping.ipynb"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
KERNEL_START = 90_000  # ms: kernel start and the first cells, on a slow CI machine
STEP = 30_000          # ms: one click and its effect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian package chromium; .ci/run installs it)"),
]


def _prepare(root: Path, big: bool = False) -> tuple[str, str]:
    """The notebook and a suggested workspace in ``root`` (tiny, or 300 columns in 3 sources);
    return the first row to review."""
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    estate = root / "estate"
    estate.mkdir()
    if big:
        files, src = {f"s{n}.csv": BIG_CSV for n in range(3)}, BIG_SRC
    else:
        files, src = {"a.csv": V1}, SRC
    for name, text in files.items():
        (estate / name).write_text(text, encoding="utf-8")
    with Workspace(root / ".rgpd-audit") as ws:
        load_estate(ws, load_manifest(write_manifest(estate, src)))
        if big:  # as `rgpd-audit map` leaves it: suggestions in the workspace and in mapping.yaml
            suggest(ws)
            sync_mapping(ws, root / ".rgpd-audit" / "mapping.yaml")
        suggest(ws)
        first = needs_review(ws)[0]
    assert first.category is not None
    return first.column, first.category


@pytest.fixture
def lab(tmp_path, request):
    """A JupyterLab server over a prepared folder: yields (base_url, token, root, first_row).
    Parametrised indirectly with "big" for the 300-column workspace."""
    root = tmp_path / "root"
    root.mkdir()
    first = _prepare(root, big=getattr(request, "param", "tiny") == "big")
    with jupyter_lab(root, tmp_path, [f"--ServerApp.root_dir={root}"]) as (base, token):
        yield base, token, root, first


def _wait_kernel_idle(page, base: str, token: str, timeout_ms: int) -> None:
    """Until the server reports the notebook's kernel started and idle.

    Waits with ``page.wait_for_timeout``: the sync API serves the browser's routed requests
    only while a Playwright call runs (``time.sleep`` would stall them).
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:  # noqa: S310
            sessions = json.load(r)
        if any(s["path"].endswith(NOTEBOOK.name) and (s.get("kernel") or {}).get("execution_state") == "idle"
               for s in sessions):
            return
        page.wait_for_timeout(250)
    pytest.fail(f"the notebook's kernel not idle after {timeout_ms // 1000} s")


# Matched in the browser's driver, so requests to the server never wait for Python.
NOT_LOCAL = re.compile(r"^(?!https?://127\.0\.0\.1[:/])")


def test_accept_and_save_in_jupyterlab(lab, tmp_path):
    base, token, root, (column, category) = lab
    url = f"{base}/lab/tree/{NOTEBOOK.name}?token={token}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = None
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            blocked: list[str] = []
            context.route(NOT_LOCAL, lambda route: (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            page.set_default_timeout(STEP)
            # A kernel selection dialog (the settings above should prevent it): keep the proposed kernel.
            page.add_locator_handler(page.locator(".jp-Dialog"), lambda d: d.locator(".jp-mod-accept").click())
            page.goto(url, timeout=KERNEL_START)
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=KERNEL_START)
            # Running cells before the kernel is connected would ask for a kernel: wait for it.
            _wait_kernel_idle(page, base, token, KERNEL_START)
            page.wait_for_function(
                "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'",
                timeout=KERNEL_START)

            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

            accept = page.get_by_role("button", name="Accepter", exact=True).first
            accept.wait_for(timeout=KERNEL_START)
            label = page.locator(".widget-html-content", has_text=re.compile(f"^{re.escape(column)}$"))
            assert label.first.is_visible()  # the first row is the column the test expects
            accept.click()
            page.locator(".widget-label", has_text=re.compile("^accepté$")).wait_for()
            page.get_by_role("button", name="Enregistrer").click()
            page.get_by_text(re.compile(r"^Enregistré : 1 décision")).wait_for()
        except BaseException:
            if page is not None:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                (tmp_path / "blocked.txt").write_text("\n".join(blocked), encoding="utf-8")
            raise
        finally:
            browser.close()

    mapping = root / ".rgpd-audit" / "mapping.yaml"
    entry = read_mapping(mapping).tables["cands"].columns[column]
    assert (entry.status, entry.category) == ("confirmed", category)
    with Workspace(root / ".rgpd-audit") as ws:  # the kernel does not keep the database locked
        got = ws.con.execute("SELECT status FROM column_map WHERE column_name = ?", [column]).fetchone()
    assert got == ("confirmed",)


def _open_and_run_all(page, base: str, token: str) -> None:
    page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", timeout=KERNEL_START)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=KERNEL_START)
    _wait_kernel_idle(page, base, token, KERNEL_START)
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'",
        timeout=KERNEL_START)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):  # a menu click lost on a loaded machine: Run All once more
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            page.get_by_role("button", name="Accepter", exact=True).first.wait_for(timeout=KERNEL_START)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            _wait_kernel_idle(page, base, token, KERNEL_START)


def _clipped(page) -> list[str]:
    """Texts of the form cut by their box (a button, a label or a cell narrower than its text)."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.jp-OutputArea .widget-button, .jp-OutputArea .widget-label, .jp-OutputArea .widget-html-content')]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim()).filter(t => t)""")


@pytest.mark.parametrize("lab", ["big"], indirect=True)
def test_hundreds_of_columns_in_jupyterlab(lab, tmp_path):
    """300 columns: Save on top of the form, nothing clipped, a source filter, three decisions
    saved (the time it takes is measured and written to save-times.txt), then every suggestion
    at or above 0.9 accepted in one click and saved."""
    base, token, root, _first = lab
    times: list[tuple[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = None
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            blocked: list[str] = []
            context.route(NOT_LOCAL, lambda route: (blocked.append(route.request.url), route.abort()))
            page = context.new_page()
            page.set_default_timeout(STEP)
            page.add_locator_handler(page.locator(".jp-Dialog"), lambda d: d.locator(".jp-mod-accept").click())
            _open_and_run_all(page, base, token)

            save = page.get_by_role("button", name="Enregistrer")
            first_accept = page.get_by_role("button", name="Accepter", exact=True).first
            # Save sits above the rows: reached without scrolling past the form
            assert save.bounding_box()["y"] < first_accept.bounding_box()["y"]
            assert page.get_by_text("lignes 1–50 sur 300").is_visible()
            assert page.get_by_role("button", name="Accepter", exact=True).count() == 50  # one page, not 300 rows
            assert _clipped(page) == []

            # filter on one source (the dropdown labelled "Source")
            page.locator(".widget-dropdown", has_text="Source").locator("select").select_option(label="s1")
            page.get_by_text("lignes 1–50 sur 100").wait_for()

            for rnd in range(2):
                for k in range(3):
                    page.get_by_role("button", name="Accepter", exact=True).nth(k).click()
                page.get_by_text(re.compile(r"3 décision\(s\) non enregistrée\(s\)")).wait_for()
                start = time.monotonic()
                save.click()
                done = page.get_by_text(re.compile(r"^Enregistré : 3 décision"))
                done.wait_for()
                times.append((f"3 decisions (save {rnd + 1}), click to confirmation", time.monotonic() - start))
                times.append((f"  in the kernel: {done.text_content()}", 0.0))
                page.get_by_text(f"lignes 1–{47 - 3 * rnd} sur {97 - 3 * rnd}").wait_for()  # the saved lines leave the page

            page.get_by_role("button", name=re.compile("^Accepter tout")).click()
            page.get_by_text(re.compile(r"suggestion\(s\) acceptée\(s\)")).wait_for()
            start = time.monotonic()
            save.click()
            page.get_by_text(re.compile(r"^Enregistré : \d+ décision")).wait_for()
            times.append(("accept all >= 0.9, click to confirmation", time.monotonic() - start))
            server_side = page.get_by_text(re.compile(r"^Enregistré : ")).text_content()
        except BaseException:
            if page is not None:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
                (tmp_path / "blocked.txt").write_text("\n".join(blocked), encoding="utf-8")
            raise
        finally:
            browser.close()
    report = "\n".join(f"{what}: {s:.3f} s" for what, s in times) + f"\nform: {server_side}\n"
    (tmp_path / "save-times.txt").write_text(report, encoding="utf-8")
    print(report)  # measured and reported, not asserted (no timed assertion in tests)
    m = read_mapping(root / ".rgpd-audit" / "mapping.yaml")
    decided = [e for t in m.tables.values() for e in t.columns.values() if e.status != "suggested"]
    assert len(decided) > 3 and all(e.decided_by and e.decided_at for e in decided)
    assert sum(1 for t, te in m.tables.items() for e in te.columns.values() if e.status != "suggested" and t == "s1") >= 3
