"""Where a load keeps its temporary files, and how they go away.

Some inputs cannot be handed to DuckDB's CSV reader as they are: a Windows-1252 file that
must be transcoded to UTF-8, a CSV file inside a zip archive. Their bytes go to *scratch*:

- on a plain workspace, one folder per load, ``<workspace>/tmp/load-<pid>-<token>/``;
- on an encrypted workspace (``RGPD_AUDIT_KEY``), memory: an fsspec memory filesystem that
  DuckDB reads as ``memory://…`` — personal data never reaches the disk unencrypted.

A load's scratch is removed when the load ends, whether it succeeded or failed, and what a
killed load left behind (a folder whose process is gone) is removed at the start of the
next one. DuckDB's own spill files (``<workspace>/tmp``) are encrypted with the workspace.
"""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

PREFIX = "load-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep(tmp: Path) -> list[Path]:
    """Remove the scratch folders of loads whose process is gone; returns those removed."""
    removed = []
    if not tmp.is_dir():
        return removed
    for d in tmp.glob(f"{PREFIX}*"):
        try:
            pid = int(d.name[len(PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


class Scratch:
    """The temporary files of one load (see the module's docstring)."""

    def __init__(self, con, workspace: Path, *, encrypted: bool):
        self.encrypted = encrypted
        self._token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._n = 0
        if encrypted:
            import fsspec

            self._fs = fsspec.filesystem("memory")  # one instance per process (fsspec caches it)
            if "memory" not in con.list_filesystems():  # registered by an earlier load on this connection
                con.register_filesystem(self._fs)
            self._root = f"/{PREFIX}{self._token}"
            self.folder = None
        else:
            self._fs = None
            tmp = Path(workspace) / "tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            sweep(tmp)
            self.folder = tmp / f"{PREFIX}{self._token}"
            self.folder.mkdir()

    def new(self, name: str) -> str:
        """A new path for a scratch file, as DuckDB reads it (``memory://…`` or a file path)."""
        self._n += 1
        leaf = f"{self._n}-{name}"
        if self._fs is not None:
            return f"memory://{self._root}/{leaf}"
        return str(self.folder / leaf)

    def open(self, path: str, mode: str = "wb") -> BinaryIO:
        """Open a scratch path (from :meth:`new`) for writing (or reading)."""
        if self._fs is not None:
            return self._fs.open(path.removeprefix("memory://"), mode)
        return open(path, mode)  # noqa: SIM115 - the caller's with-block closes it

    def remove(self, path: str) -> None:
        with suppress(FileNotFoundError):
            if self._fs is not None:
                self._fs.rm(path.removeprefix("memory://"))
            else:
                Path(path).unlink()

    def close(self) -> None:
        """Remove every scratch file of this load."""
        if self._fs is not None:
            with suppress(FileNotFoundError):
                self._fs.rm(self._root, recursive=True)
        elif self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
