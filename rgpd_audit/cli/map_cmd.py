"""``rgpd-audit map``: suggest a data category for every loaded column, keep the mapping file in sync."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, main, policy_option, workspace_option


def _cut(text, width: int) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= width else s[: width - 1] + "…"


@main.command("map")
@workspace_option
@click.option("--mapping", "mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default="<workspace>/mapping.yaml", help="Field mapping YAML reviewed by a person.")
@policy_option
@handle_errors
def map_command(workspace, mapping, policy):
    """Suggest a data category for every loaded column and sync the field mapping file.

    Each column is classified from its header (French or English) and a sample of its
    values checked with real validators (NIR key, IBAN, SIRET, phone numbering plan,
    e-mail syntax, dates, postal codes, IP addresses); free-text columns are scanned
    record by record for special-category data (health, union, religion, politics,
    criminal record, ethnic origin). Decisions in the mapping file (status confirmed or
    not_personal) are never overwritten. Prints the columns needing review, then the
    columns that are new or have disappeared since the last run.

    \b
    Example:
        rgpd-audit load
        rgpd-audit map                               # writes .rgpd-audit/mapping.yaml
        rgpd-audit map --workspace audit-2026/ --mapping audit-2026/mapping.yaml
    """
    from ..mapping.classify import needs_review, suggest
    from ..mapping.file import sync_mapping
    from ..policy import load_policy
    from ..workspace import Workspace

    pol = load_policy(policy)
    with Workspace(workspace, create=False) as ws:
        path = mapping if mapping is not None else ws.path / "mapping.yaml"
        report = suggest(ws, pol)
        diff = sync_mapping(ws, path)
        rows = needs_review(ws)
        click.echo(f"Workspace: {ws.path}  Mapping: {path}")
        click.echo(f"{report.columns} columns: {report.suggested} suggested, {report.kept} decided by an analyst; "
                   f"{len(report.free_text_columns)} free-text columns scanned, {report.special_hits} special-category hits")
        if rows:
            header = f"{'source':<22} {'column':<26} {'suggested category':<52} {'conf':>4}  {'rule':<20} example"
            click.echo(f"\nColumns needing review ({len(rows)}):")
            click.echo(header)
            click.echo("-" * len(header))
            for r in rows:
                conf = "" if r.confidence is None else f"{r.confidence:.2f}"
                category = r.category or ("(not personal" + (f", date {r.date_role})" if r.date_role else ")"))
                click.echo(f"{_cut(r.source, 22):<22} {_cut(r.column, 26):<26} {_cut(category, 52):<52} {conf:>4}  "
                           f"{_cut(r.rule or '-', 20):<20} {_cut(r.example or '', 30)}")
        else:
            click.echo("\nEvery column has been reviewed.")
        for title, items in (("New columns since the last run", diff.new),
                             ("Columns in the mapping no longer loaded (kept)", diff.disappeared),
                             ("Suggestions edited by hand, now confirmed", diff.edited)):
            if items:
                click.echo(f"\n{title} ({len(items)}):")
                for table, col in items:
                    click.echo(f"  {table}.{col}")
