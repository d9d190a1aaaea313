"""A PDF's text read in a worker process that can be stopped: a hostile PDF cannot hang a load.

pypdf is pure Python: a file built to be slow (a huge or looping cross-reference table, a page
tree or content stream of millions of objects, deep nesting) can keep it busy far beyond the
scanner's budget, and a check of the clock between pages never comes while one page (or the
opening of the file) does not end. So the text of a PDF is read by :func:`read_pdf` in a
separate process (``spawn``: no copy of the loader's DuckDB connection or threads), given the
file's bytes through a pipe; when the answer does not come within ``HARD_SECONDS`` the process
is killed and the file is a ``rejected`` part with the reason, and the next PDF gets a fresh
worker. Idle workers are kept for the next PDF (one per loading thread at most) and stopped at
exit; a worker's memory is capped (``MAX_MEMORY``) where the system allows it.

Where a worker cannot be started at all (a platform without processes), the PDF is read in
the calling process, within the budget checked between pages, as before.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from multiprocessing.connection import Connection

HARD_SECONDS = 30.0        # opening and reading one PDF, end to end, before the worker is killed
MAX_MEMORY = 2 << 30       # address space of a worker (RLIMIT_AS), where the system has it

_idle: list[_Worker] = []
_lock = threading.Lock()


def _serve(conn: Connection, max_memory: int) -> None:  # pragma: no cover - runs in the worker
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    except Exception:  # noqa: BLE001 - no such limit here: the timeout still holds
        pass
    from .content import _pdf_in_process

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            result = _pdf_in_process(data)
        except MemoryError:
            from .content import Extracted

            result = Extracted("pdf", "rejected", reason=f"unreadable PDF (over {max_memory >> 20} MiB of memory)")
        conn.send(result)


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, MAX_MEMORY), daemon=True, name="rgpd-audit-pdf")
        self.proc.start()
        child.close()

    def stop(self) -> None:
        try:
            self.conn.close()
        finally:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)


def _acquire() -> _Worker:
    with _lock:
        while _idle:
            w = _idle.pop()
            if w.proc.is_alive():
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
    try:
        w = _acquire()
    except Exception:  # noqa: BLE001 - no worker process on this platform: read here
        return _pdf_in_process(data)
    try:
        w.conn.send_bytes(data)
        if w.conn.poll(limit):
            result = w.conn.recv()
            _release(w)
            return result
    except (EOFError, OSError):  # the worker died (killed by the memory cap, a crash)
        w.stop()
        return Extracted("pdf", "rejected", reason="unreadable PDF (its reader stopped)")
    w.stop()
    return Extracted("pdf", "rejected", reason=f"unreadable PDF (not read within {limit:g} s: a hostile or broken file?)")
