"""The hostile corpus's harness: load generated hostile exports through the command line, with
a key set, and check that nothing is lost, nothing escapes the estate, nothing leaks.

- ``run_cli(args, cwd, key=...)``: ``rgpd-audit …`` in a subprocess (as cron runs it), with
  ``RGPD_AUDIT_KEY`` set unless ``key=None``; returns the CompletedProcess.
- ``assert_counts_add_up(ws_path, key)``: for every file, loaded + rejected = read.
- ``assert_no_leak(roots, identifiers)``: no file under ``roots`` holds one of the identifiers
  in clear (UTF-8, UTF-16, latin-1), the workspace database included (it is encrypted).
- ``one_line_error(proc)``: stderr is one line naming what failed, no traceback, no SQL dump.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KEY = "hostile-corpus-key-0123456789"
CLI = [sys.executable, "-c", "import sys; from rgpd_audit.cli import main; sys.argv[0] = 'rgpd-audit'; main()"]


def run_cli(args: list[str], cwd: Path, *, key: str | None = KEY, timeout: float = 300, env: dict | None = None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_AUDIT_")}
    if key:
        e["RGPD_AUDIT_KEY"] = key
    e.update(env or {})
    return subprocess.run([*CLI, *args], cwd=cwd, env=e, capture_output=True, text=True, timeout=timeout)


def counts(ws_path: Path, key: str | None = KEY) -> list[tuple]:
    """(path, entry, read, loaded, rejected, rejects recorded) of every loaded file."""
    from rgpd_audit.workspace import Workspace

    with Workspace(ws_path, key=key, create=False) as ws:
        return ws.con.execute(
            "SELECT f.path, f.entry, f.rows_read, f.rows_loaded, f.rows_rejected, "
            "(SELECT count(*) FROM load_rejects r WHERE r.file_id = f.file_id) FROM load_files f ORDER BY ALL"
        ).fetchall()


def assert_counts_add_up(ws_path: Path, key: str | None = KEY) -> list[tuple]:
    rows = counts(ws_path, key)
    for path, entry, read, loaded, rejected, recorded in rows:
        assert loaded + rejected == read, (path, entry, read, loaded, rejected)
        assert rejected == recorded, (path, entry, rejected, recorded)
    return rows


def _forms(identifier: str) -> list[bytes]:
    out = [identifier.encode("utf-8"), identifier.encode("utf-16-le")]
    try:
        out.append(identifier.encode("latin-1"))
    except UnicodeEncodeError:
        pass
    return out


def assert_no_leak(roots: list[Path], identifiers: list[str]) -> None:
    """No file under ``roots`` (workspace, outputs, scratch) holds an identifier in clear."""
    leaks = []
    for root in roots:
        for p in Path(root).rglob("*"):
            if not p.is_file():
                continue
            data = p.read_bytes()
            for ident in identifiers:
                if any(f in data for f in _forms(ident)):
                    leaks.append(f"{p}: {ident}")
    assert not leaks, "identifiers in clear:\n" + "\n".join(leaks)


def one_line_error(proc) -> str:
    """The error printed by a failed command: one line, no traceback, no SQL."""
    err = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith(("Audit date", "warning:"))]
    assert err, proc.stderr
    assert "Traceback" not in proc.stderr and "LINE 1:" not in proc.stderr and "Binder Error" not in proc.stderr, proc.stderr
    errors = [line for line in err if line.startswith("Error")]
    assert len(errors) == 1 and len(errors[0]) < 600, proc.stderr
    return errors[0]
