"""The ``rgpd-audit`` command line.

One module per command group; each command is one function whose docstring is its
``--help`` text and ends with examples. Library errors become one-line messages here and
nowhere else. Exit codes: 0 ok, 1 the audit found error-severity findings, 2 usage or
input error.
"""

from __future__ import annotations

import importlib

from .common import main

# Importing the command modules registers their commands on ``main``.
COMMAND_MODULES = ("policy_cmd", "load_cmd", "map_cmd", "check_cmd", "register_cmd", "report_cmd", "dsar_cmd")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a stage not installed in this build
        if _exc.name != f"{__name__}.{_name}":
            raise

__all__ = ["main"]
