"""Start-up cost: importing the command line must not import the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("duckdb", "pandas", "numpy", "pyarrow", "openpyxl", "pydantic", "jinja2", "plotly", "yaml")


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_cli_import_is_light():
    # every command is registered, yet the library is imported only when a command runs
    loaded = _imported_after("import rgpd_audit.cli")
    assert {"rgpd_audit.cli.load_cmd", "rgpd_audit.cli.dsar_cmd", "rgpd_audit.cli.report_cmd"} <= loaded
    assert not loaded & set(HEAVY)


def test_loaders_import_without_pyarrow():
    loaded = _imported_after("import rgpd_audit.ingest.loaders.base, rgpd_audit.ingest.loaders.mbox")
    assert "pyarrow" not in loaded and "pandas" not in loaded
