"""A real JupyterLab server for the browser tests: started in a folder with its own settings
(no news toast, no kernel dialog), answered on 127.0.0.1, stopped with its kernels."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVER_START = 60  # seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@contextlib.contextmanager
def jupyter_lab(cwd: Path, tmp_path: Path, args: list[str], *, drop_env: tuple[str, ...] = ("RGPD_AUDIT_KEY",)) -> Iterator[tuple[str, str]]:
    """``jupyter lab ARGS`` started from ``cwd``, its settings under ``tmp_path``; yields
    (base_url, token); a clean stop shuts the kernels down, else the process group is killed."""
    home = tmp_path / "jupyter"
    _quiet_lab_settings(home / "settings")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    for name in drop_env:
        env.pop(name, None)
    token, port = secrets.token_hex(16), _free_port()
    log_path = tmp_path / "jupyter-lab.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", *args, "--no-browser", f"--ServerApp.token={token}",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
         "--ServerApp.open_browser=False", "--ServerApp.terminals_enabled=False",
         "--LabApp.extension_manager=readonly", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}; log: {log_path}")
            try:
                if _get(f"{base}/api/status?token={token}") == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not answering after {SERVER_START} s; log: {log_path}")
            time.sleep(0.25)
        yield base, token
    finally:
        try:  # a clean stop also shuts the kernels down
            req = urllib.request.Request(f"{base}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=5).close()  # noqa: S310 - 127.0.0.1 only
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
