"""``rgpd-audit report``: the whole audit, as a management report."""

from __future__ import annotations

import click

from .common import (
    EXIT_FINDINGS,
    as_of_option,
    echo_as_of,
    handle_errors,
    main,
    manifest_option,
    out_option,
    policy_option,
    workspace_option,
)
from .progress import StageLines, check_verbosity, verbosity_options


@main.command("report")
@as_of_option
@manifest_option
@policy_option
@workspace_option
@out_option("reports")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the report.")
@click.option("--pdf", is_flag=True, help="Also print the report to PDF with headless Chromium (/usr/bin/chromium).")
@click.option("--allow-outside", is_flag=True,
              help="Let the manifest name files outside its folder (or its `root:`); refused by default.")
@verbosity_options
@handle_errors
def report_command(as_of, manifest, policy, workspace, out, lang, pdf, allow_outside, quiet, verbose):
    """Audit the estate and write the management report to OUT/<as-of>/index.html.

    Loads the exports (unchanged files are skipped), runs every check as of the audit
    date, exports the findings (findings.csv, findings.parquet), runs the analysis
    notebooks 00-40 as annexes (OUT/<as-of>/annexes/*.html, their outputs without code) and
    writes index.html: the key numbers, what changed since the previous audit, the most
    urgent actions and a section per theme (no network needed: plotly.js is the folder's
    plotly.min.js.gz.js). No name, e-mail, phone number or social security number is ever written.

    A line per stage (load, map, check, html, each notebook) goes to stderr; --quiet for
    none (cron). A later --as-of on unchanged exports skips load and classification.

    Exit code 1 when error-severity findings exist (as `check`), 0 otherwise, 2 on input
    or I/O errors (disk full, an unwritable OUT, a path outside the estate, a source that
    does not load).

    \b
    Example:
        rgpd-audit report --as-of 2026-11-27                 # the sample estate
        rgpd-audit report --manifest exports/manifest.yaml --workspace audit/ --out reports
        rgpd-audit report --lang en --pdf
    """
    from ..report import run_report

    check_verbosity(quiet, verbose)
    if not quiet:
        echo_as_of(as_of)
    result = run_report(as_of, workspace, manifest, policy, out, lang, pdf=pdf, allow_outside=allow_outside,
                        progress=StageLines(quiet, verbose))
    click.echo(f"Report: {result.index_html}")
    if result.pdf:
        click.echo(f"PDF: {result.pdf}")
    if result.findings_in_csv is None:
        click.echo(f"Findings: {result.findings_csv}")
    else:
        click.echo(f"Findings: {result.findings_csv} (the first {result.findings_in_csv} of {result.total}, most severe first; "
                   f"all in {result.findings_parquet.name})")
    click.echo(f"Annexes: {result.out_dir / 'annexes'}")
    click.echo(f"Run {result.run_id}: {result.errors} error(s), {result.warnings} warning(s)")
    if result.previous_run is None:
        click.echo("First audit in this workspace: nothing to compare with.")
    else:
        click.echo(f"Since the audit of {result.previous_as_of} (run {result.previous_run}): {result.new} new, "
                   f"{result.resolved} resolved, {result.still_open} still open")
    for i, action in enumerate(result.urgent, 1):
        click.echo(f"  {i}. {action}")
    if result.errors:
        raise SystemExit(EXIT_FINDINGS)
