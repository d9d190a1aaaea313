"""The ``rgpd-audit`` command line.

One module per command group; each command is one function whose docstring is its
``--help`` text and ends with examples. Library errors become one-line messages here and
nowhere else. Exit codes: 0 ok, 1 the audit found error-severity findings, 2 usage or
input error.
"""

from __future__ import annotations

import click

from .common import main

# Importing the command modules registers their commands on ``main``.
from . import check_cmd, load_cmd, policy_cmd  # noqa: F401,E402

__all__ = ["main"]
from . import dsar_cmd  # noqa: F401
from . import map_cmd  # noqa: F401
