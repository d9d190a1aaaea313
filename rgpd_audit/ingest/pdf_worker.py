"""A PDF's text read in a worker process that can be stopped: a hostile PDF cannot hang a load.

pypdf is pure Python: a file built to be slow (a huge or looping cross-reference table, a page
tree or content stream of millions of objects, forms drawing forms) can keep it busy far beyond
the scanner's budget, and a check of the clock between pages never comes while one page (or
the opening of the file) does not end. So the text of a PDF is read by :func:`read_pdf` in a
separate process, ``python -m rgpd_audit.ingest.pdf_worker`` (a plain subprocess: no copy of
the loader's DuckDB connection or threads, and the caller's script is never imported again,
as ``multiprocessing``'s spawn would do), given the file's bytes on its standard input; when
the answer does not come within ``HARD_SECONDS`` the process is killed and the file is a
``rejected`` part with the reason, and the next PDF gets a fresh worker. Idle workers are kept
for the next PDF (one per loading thread at most) and stopped at exit; a worker's memory is
capped (``MAX_MEMORY``, ``RLIMIT_AS``) where the system allows it.

Where a worker cannot be started (a platform without ``select`` on pipes, no interpreter to
run), the PDF is read in the calling process, within the budget checked between pages.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import struct
import subprocess
import sys
import threading
from pathlib import Path

HARD_SECONDS = 30.0        # opening and reading one PDF, end to end, before the worker is killed
MAX_MEMORY = 2 << 30       # address space of a worker (RLIMIT_AS), where the system has it
_LEN = struct.Struct(">Q")

_idle: list[_Worker] = []
_lock = threading.Lock()


def _read_exact(fh, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = fh.read(n - len(buf))
        if not chunk:
            raise EOFError("the PDF reader stopped")
        buf += chunk
    return bytes(buf)


def _serve() -> None:  # pragma: no cover - runs in the worker
    try:
        import resource

        limit = int(os.environ.get("RGPD_AUDIT_PDF_MEMORY", MAX_MEMORY))
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except Exception:  # noqa: BLE001 - no such limit here: the timeout still holds
        pass
    from .content import Extracted, _pdf_in_process

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            (n,) = _LEN.unpack(_read_exact(inp, _LEN.size))
            data = _read_exact(inp, n)
        except EOFError:
            return
        try:
            ex = _pdf_in_process(data)
        except MemoryError:
            ex = Extracted("pdf", "rejected", reason="unreadable PDF (over its memory budget)")
        body = json.dumps({"kind": ex.kind, "status": ex.status, "text": ex.text, "reason": ex.reason,
                           "truncated": ex.truncated}).encode("utf-8")
        out.write(_LEN.pack(len(body)) + body)
        out.flush()


class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # where the rgpd_audit package is
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["RGPD_AUDIT_PDF_MEMORY"] = str(MAX_MEMORY)
        # stderr discarded: a reader's warnings may quote the file
        self.proc = subprocess.Popen([sys.executable, "-m", "rgpd_audit.ingest.pdf_worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def ask(self, data: bytes, timeout: float) -> dict | None:
        """The answer, or None when it did not come in time."""
        self.proc.stdin.write(_LEN.pack(len(data)) + data)
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        (n,) = _LEN.unpack(_read_exact(self.proc.stdout, _LEN.size))
        return json.loads(_read_exact(self.proc.stdout, n))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                fh.close()
            except OSError:
                pass


def _acquire() -> _Worker:
    with _lock:
        while _idle:
            w = _idle.pop()
            if w.proc.poll() is None:
                return w
            w.stop()
    return _Worker()


def _release(w: _Worker) -> None:
    with _lock:
        _idle.append(w)


@atexit.register
def stop_workers() -> None:
    """Stop the idle workers (at exit; a test may call it)."""
    with _lock:
        while _idle:
            _idle.pop().stop()


def read_pdf(data: bytes, timeout: float | None = None):
    """The :class:`~rgpd_audit.ingest.content.Extracted` text of a PDF, read in a worker
    within ``timeout`` seconds (default ``HARD_SECONDS``), or ``rejected`` with the reason."""
    from .content import Extracted, _pdf_in_process

    limit = HARD_SECONDS if timeout is None else timeout
    if os.name != "posix":
        return _pdf_in_process(data)
    try:
        w = _acquire()
    except OSError:  # no worker process here: read in this one
        return _pdf_in_process(data)
    try:
        got = w.ask(data, limit)
    except (EOFError, OSError, ValueError):  # the worker died (its memory cap, a crash)
        w.stop()
        return Extracted("pdf", "rejected", reason="unreadable PDF (its reader stopped: over its memory budget?)")
    if got is None:
        w.stop()
        return Extracted("pdf", "rejected", reason=f"unreadable PDF (not read within {limit:g} s: a hostile or broken file?)")
    _release(w)
    return Extracted(got["kind"], got["status"], got["text"], got["reason"], got["truncated"])


if __name__ == "__main__":  # pragma: no cover - the worker
    _serve()
