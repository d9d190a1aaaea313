"""``rgpd-audit check``: compute findings as of a date on what is loaded."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_FINDINGS, as_of_option, echo_as_of, handle_errors, main, out_option, policy_option, workspace_option


@main.command("check")
@workspace_option
@policy_option
@as_of_option
@out_option("reports")
@click.option("--check", "only", multiple=True, help="Run only this check (repeatable); see --list.")
@click.option("--list", "list_checks", is_flag=True, help="List the checks and exit.")
@click.option("--record", is_flag=True,
              help="Record this run as an audit: the next report compares with it (an ad-hoc check does not enter the trend).")
@handle_errors
def check_command(workspace: Path, policy, as_of, out: Path, only, list_checks, record):
    """Run the audit checks on the loaded workspace, as of an audit date.

    Writes FINDINGS.csv (safe to open in a spreadsheet) and findings.parquet under
    OUT/<as-of>/, prints a summary per check and activity, and exits 1 when
    error-severity findings exist. The analyst's decisions in <workspace>/mapping.yaml
    (confirmed categories, date roles, subject keys) are synced first and used by the
    checks. The run is ad hoc unless --record: only recorded audits (and `report`) enter
    the history the report compares with.

    \b
    Example:
        rgpd-audit load
        rgpd-audit check --as-of 2026-11-27
        rgpd-audit check --as-of 2021-01-01 --check policy.lint
        rgpd-audit check --as-of 2026-11-27 --record
        rgpd-audit check --list
    """
    from ..checks import all_checks
    from ..checks.runner import export_findings
    from ..pipeline import audit
    from ..workspace import Workspace

    if list_checks:
        for cid, spec in all_checks().items():
            click.echo(f"{cid:<40} {spec.theme:<20} {spec.title_fr}")
        return
    echo_as_of(as_of)
    with Workspace(workspace, create=False) as ws:
        result = audit(ws, as_of, policy_path=policy, load=False, only=list(only) or None, record=record).run
        target = out / as_of.isoformat()
        csv_path, _ = export_findings(ws, result.run_id, target)
        rows = ws.con.execute(
            "SELECT check_id, coalesce(activity, '-'), severity, count(*) FROM findings WHERE run_id = ? GROUP BY ALL ORDER BY 1, 2, 3",
            [result.run_id],
        ).fetchall()
    click.echo(f"{'check':<40} {'activity':<18} {'severity':<8} {'findings':>8}")
    click.echo("-" * 77)
    for cid, act, sev, n in rows:
        click.echo(f"{cid:<40} {act:<18} {sev:<8} {n:>8}")
    click.echo("-" * 77)
    kind = "recorded as an audit" if record else "ad hoc, not in the audit history (--record to record it)"
    click.echo(f"{result.total} findings ({result.errors} errors) — run {result.run_id}, {kind}, written to {csv_path}")
    if result.errors:
        raise SystemExit(EXIT_FINDINGS)
