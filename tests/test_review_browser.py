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
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.mapping.classify import needs_review, suggest
from rgpd_audit.mapping.file import read_mapping
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.test_mapping import SRC, V1

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "55_revue_mapping.ipynb"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
SERVER_START = 60      # seconds
KERNEL_START = 90_000  # ms: kernel start and the first cells, on a slow CI machine
STEP = 30_000          # ms: one click and its effect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian package chromium; .ci/run installs it)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(root: Path) -> tuple[str, str]:
    """The notebook and a tiny suggested workspace in ``root``; return the first row to review."""
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    estate = root / "estate"
    estate.mkdir()
    (estate / "a.csv").write_text(V1, encoding="utf-8")
    with Workspace(root / ".rgpd-audit") as ws:
        load_estate(ws, load_manifest(write_manifest(estate, SRC)))
        suggest(ws)
        first = needs_review(ws)[0]
    assert first.category is not None
    return first.column, first.category


def _quiet_lab_settings(settings: Path) -> None:
    """No news toast, no kernel selection dialog over the notebook."""
    for name, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"autoStartDefaultKernel": True},
    }.items():
        p = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(values), encoding="utf-8")


def _get(url: str, timeout: float = 2) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - 127.0.0.1 only
        return r.status


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server over a prepared folder: yields (base_url, token, root, first_row)."""
    root = tmp_path / "root"
    root.mkdir()
    first = _prepare(root)
    home = tmp_path / "jupyter"
    _quiet_lab_settings(home / "settings")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    env.pop("RGPD_AUDIT_KEY", None)
    token, port = secrets.token_hex(16), _free_port()
    log = (tmp_path / "jupyter-lab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.token={token}",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--ServerApp.terminals_enabled=False", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}; log: {tmp_path / 'jupyter-lab.log'}")
            try:
                if _get(f"{base}/api/status?token={token}") == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not answering after {SERVER_START} s; log: {tmp_path / 'jupyter-lab.log'}")
            time.sleep(0.25)
        yield base, token, root, first
    finally:
        try:  # a clean stop also shuts the kernels down
            req = urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=5).close()  # noqa: S310
            proc.wait(timeout=15)
        except Exception:  # noqa: BLE001
            pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started: the server and its kernels
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


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

            accept = page.get_by_role("button", name="Accepter").first
            accept.wait_for(timeout=KERNEL_START)
            label = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(column)}$"))
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
