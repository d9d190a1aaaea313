"""Reports: the papermill runner, audit history and trend, the HTML management report, PDF.

- ``runner``   ``run_report`` (load → check → export → annexes → index.html) and
               ``execute_notebook`` (papermill, checked parameters, failures named)
- ``inprocess`` the report's notebooks run in its own process (one IPython shell, no kernel)
- ``annexes``  executed notebooks as HTML pages without code; the folder's one plotly.js
- ``history``  which run to show, the previous one, new / resolved / still open, trend
- ``html``     the self-contained management report (Jinja2 templates in ``templates/``)
- ``charts``   plotly figures from the DataFrames of :mod:`rgpd_audit.report.panels`
- ``guard``    the scan refusing any e-mail, phone number or NIR in a report
- ``pdf``      the same report printed by headless Chromium
"""

from .guard import IdentifierLeak, assert_no_identifiers, find_identifiers, redact
from .runner import (
    NotebookFailed,
    ReportError,
    ReportResult,
    UnknownParameter,
    execute_notebook,
    notebook_parameters,
    report_notebooks,
    run_report,
)

__all__ = [
    "IdentifierLeak", "NotebookFailed", "ReportError", "ReportResult", "UnknownParameter",
    "assert_no_identifiers", "execute_notebook", "find_identifiers", "notebook_parameters", "redact",
    "report_notebooks", "run_report",
]
