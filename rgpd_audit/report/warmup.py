"""Import the report's modules in a thread while the audit's SQL runs.

A report spends its first seconds in SQL (load, checks) that DuckDB runs without holding
Python's lock, and later imports pandas, plotly, IPython and the report's own modules (half
a second on a 2-core machine) before it can build a page. Started at the top of
:func:`rgpd_audit.report.runner.run_report`, :func:`start` imports them meanwhile in a
thread; the report's own imports then find them loaded (or wait for the thread's
import of that module to end: Python's import locks are per module).

Only imports run there: no module of this list imports back one the audit imports while it
runs (no import cycle between the two threads, so no import-lock deadlock), and an import
that fails in the thread is left for the report's own import to raise, with its traceback
where it belongs.
"""

from __future__ import annotations

import importlib
import threading

# In the order the report needs them; each brings its own imports (the page's module brings
# pandas, jinja2, plotly and the views; IPython's shell its display machinery).
MODULES = (
    "rgpd_audit.report.html",
    "rgpd_audit.report.present",
    "IPython.core.interactiveshell",
    "rgpd_audit.report.nbhtml",
    "rgpd_audit.report.annex_texts",
    "mistune",
    "nbformat",  # plotly's renderer imports it to check Jupyter's version
)


def _import_all(names: tuple[str, ...]) -> None:
    from .inprocess import skip_iri_grammar

    skip_iri_grammar()  # before nbformat: the same module left out as the report leaves out
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - the report's own import raises it, where it belongs
            continue


def start(names: tuple[str, ...] = MODULES) -> threading.Thread:
    """Start importing ``names`` in a thread; returns it. Not a daemon: a report that fails
    early waits for the imports to end (under a second) rather than stop Python mid-import."""
    thread = threading.Thread(target=_import_all, args=(names,), name="rgpd-audit-imports", daemon=False)
    thread.start()
    return thread
