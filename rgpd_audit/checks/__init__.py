"""Audit checks: each one computes findings "as of" a date and returns them as rows.

A check is a function registered with ``@check``, declaring the kinds of finding it emits
with their default severity (and, when the severity depends on the row, the closed set it
may take). It receives a ``CheckContext`` and returns a ``Query`` (SQL over the workspace
whose ``add`` names every finding column and binds every value) or a list of ``Finding``.
The runner (``rgpd_audit.checks.runner``) stores every finding of a run in the ``findings``
table, checks kinds and severities, and applies the policy's severity overrides; no check
stops at the first problem. Built-in checks register the same way an extension would
(entry-point group ``rgpd_audit.checks``).
"""

from .findings import FINDING_COLUMNS, Finding, FindingKind, Query
from .registry import CheckContext, CheckSpec, all_checks, check, finding_kinds

__all__ = [
    "CheckContext", "CheckSpec", "Finding", "FindingKind", "FINDING_COLUMNS", "Query", "all_checks", "check",
    "finding_kinds",
]
