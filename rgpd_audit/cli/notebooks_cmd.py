"""``rgpd-audit notebooks``: copy the analysis notebooks into an analyst's audit folder."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, main


@main.command("notebooks")
@click.argument("target", required=False, default="notebooks", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite notebooks already in TARGET (your edits to them are lost).")
@handle_errors
def notebooks_command(target: Path, force: bool):
    """Copy the analysis notebooks shipped with rgpd-audit into TARGET (default ./notebooks).

    The notebooks are part of the installed package; an analyst works on copies in the
    audit folder, next to the workspace, and opens them with JupyterLab (pip install
    "rgpd-audit[lab]"). Notebooks already in TARGET are kept unless --force.

    \b
    Example:
        rgpd-audit notebooks audit-2026/notebooks
        cd audit-2026 && jupyter lab notebooks/
    """
    from ..resources import copy_notebooks, notebooks

    written = copy_notebooks(target, overwrite=force)
    kept = len(notebooks()) - len(written)
    for nb in written:
        click.echo(f"  {nb}")
    click.echo(f"{len(written)} notebook(s) copied to {target}" + (f", {kept} kept (use --force to overwrite)" if kept else ""))
