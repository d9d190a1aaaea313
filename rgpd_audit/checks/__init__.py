"""Audit checks: each one computes findings "as of" a date and returns them as rows.

A check is a function registered with ``@check``; it receives a ``CheckContext`` and
returns SQL (a query producing the columns of ``FINDING_COLUMNS``) or a list of
``Finding``. The runner (``rgpd_audit.checks.runner``) stores every finding of a run in
the ``findings`` table; no check stops at the first problem. Built-in checks register the
same way an extension would (entry-point group ``rgpd_audit.checks``).
"""

from .registry import CheckContext, CheckSpec, Finding, FINDING_COLUMNS, all_checks, check

__all__ = ["CheckContext", "CheckSpec", "Finding", "FINDING_COLUMNS", "all_checks", "check"]
