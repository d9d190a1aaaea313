"""The ``rgpd-audit`` command line.

One module per command group; each command is one function whose docstring is its
``--help`` text and ends with examples. Library errors become one-line messages here and
nowhere else. Exit codes: 0 ok, 1 the audit found error-severity findings, 2 usage or
input error.

Start-up stays fast (``rgpd-audit --help`` imports click and little else): a command
module imports only click and ``.common`` at module level; the library (DuckDB, pydantic,
pyarrow, openpyxl, pandas…) is imported inside the command function that needs it.
"""

from __future__ import annotations

from ..plugins import import_modules
from .common import main

# Importing the command modules registers their commands on ``main``.
COMMAND_MODULES = ("policy_cmd", "load_cmd", "map_cmd", "check_cmd", "register_cmd", "report_cmd", "dsar_cmd", "notebooks_cmd", "init_cmd")

import_modules(tuple(f"{__name__}.{name}" for name in COMMAND_MODULES), "rgpd_audit.commands")

__all__ = ["main"]
