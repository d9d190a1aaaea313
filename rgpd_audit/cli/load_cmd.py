"""``rgpd-audit load``: fill the workspace from the exports of an estate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..resources import sample_manifest
from .common import EXIT_USAGE, handle_errors, main, policy_option, workspace_option
from .progress import check_verbosity, is_terminal, verbosity_options


def resolve_manifest(manifest: Path | None) -> Path:
    return manifest if manifest is not None else sample_manifest()


@main.command("load")
@click.argument("manifest_arg", metavar="[MANIFEST]", required=False, type=click.Path(path_type=Path))
@click.option("--manifest", "manifest_opt", type=click.Path(path_type=Path), default=None, help="Source manifest (same as the argument); default: the sample estate.")
@workspace_option
@policy_option
@click.option("--source", "only", multiple=True, help="Load only this source (repeatable).")
@click.option("--force", is_flag=True, help="Reload sources whose files did not change.")
@click.option("--allow-outside", is_flag=True,
              help="Let the manifest name files outside its folder (or its `root:`); refused by default.")
@click.option("--keep-text", is_flag=True,
              help="Keep the text of mail bodies and attachments with their content hits; only in an encrypted workspace.")
@verbosity_options
@handle_errors
def load_command(manifest_arg, manifest_opt, workspace, policy, only, force, allow_outside, keep_text, quiet, verbose):
    """Load every export listed in a source manifest into the workspace.

    Each file is recorded (path, size, sha256, encoding, dialect, rows read / loaded /
    rejected); rows that cannot be read are kept in the rejects table with their line and
    reason. A source is reloaded when its files, its manifest entry (format, options,
    activities, use) or its loader's version changed, atomically; otherwise it is skipped
    (a changed hosting entry is updated in place); each line says why. A source losing
    more than 5 % of its rows is reported loudly, with a diagnosis where one can be made.
    Every path of the manifest must lead inside the manifest's folder (or the folder its
    `root:` names), links included, unless --allow-outside. A load that does not finish
    (killed, disk full, a source failing) leaves its sources marked: `check` and `report`
    refuse the workspace until they load. A progress bar on a terminal (none with --quiet or
    in a log); --verbose writes a line per source loaded.

    \b
    Example:
        rgpd-audit load                                  # the sample estate
        rgpd-audit load exports/manifest.yaml --workspace audit-2026/
        rgpd-audit load --source crm_contacts --force
        rgpd-audit load /srv/exports/manifest.yaml --allow-outside
        RGPD_AUDIT_KEY=… rgpd-audit load exports/manifest.yaml --keep-text
    """
    from ..checks.keys import migrate_keys
    from ..ingest.engine import load_estate
    from ..ingest.loaded import loaded_sources
    from ..ingest.manifest import load_manifest
    from ..ingest.quality import REJECT_SHARE, diagnose, over_share, unknown_option_columns
    from ..policy import load_policy
    from ..workspace import Workspace

    check_verbosity(quiet, verbose)
    mpath = resolve_manifest(manifest_arg or manifest_opt)
    pol = load_policy(policy)
    manifest = load_manifest(mpath, policy=pol, allow_outside=allow_outside)
    with Workspace(workspace) as ws:
        names = [s.name for s in manifest.sources if not only or s.name in only]
        unknown = sorted(set(only) - {s.name for s in manifest.sources})
        if unknown:
            raise click.UsageError(f"unknown source(s): {', '.join(unknown)}")
        show_bar = not quiet and not verbose and is_terminal(sys.stderr)
        with click.progressbar(length=len(names), label="Loading", file=sys.stderr,
                               item_show_func=lambda s: s or "", hidden=not show_bar) as bar:
            def progress(kind, name):
                if kind == "source":
                    bar.update(1, name)
                    if verbose:
                        click.echo(f"load: {name}", err=True)
            migrate_keys(ws)  # before a reload removes the file ids old finding keys refer to
            report = load_estate(ws, manifest, only=list(only) or None, force=force, progress=progress, keep_text=keep_text)
        click.echo(f"Workspace: {ws.path}  Manifest: {manifest.file}")
        header = f"{'source':<24} {'format':<16} {'status':<10} {'files':>5} {'read':>9} {'loaded':>9} {'rejected':>9}"
        click.echo(header)
        click.echo("-" * len(header))
        for s in report.sources:
            if s.status == "unchanged":
                row = ws.con.execute(
                    "SELECT count(*) FILTER (WHERE status <> 'duplicate'), coalesce(sum(rows_read),0), coalesce(sum(rows_loaded),0), coalesce(sum(rows_rejected),0) FROM load_files WHERE source = ?",
                    [s.name],
                ).fetchone()
                nfiles, read, loaded, rejected = row
            else:
                nfiles = sum(1 for f in s.files if f.status != "duplicate")
                read, loaded, rejected = s.rows_read, s.rows_loaded, s.rows_rejected
            click.echo(f"{s.name:<24} {s.format:<16} {s.status:<10} {nfiles:>5} {read:>9} {loaded:>9} {rejected:>9}"
                       + (f"  ({s.reason})" if s.reason else ""))
        tot = ws.con.execute("SELECT coalesce(sum(rows_read),0), coalesce(sum(rows_loaded),0), coalesce(sum(rows_rejected),0) FROM load_files").fetchone()
        click.echo("-" * len(header))
        click.echo(f"{'total (workspace)':<24} {'':<16} {'':<10} {'':>5} {tot[0]:>9} {tot[1]:>9} {tot[2]:>9}")
        for w in report.warnings:
            click.echo(f"warning: {w}", err=True)
        by_name = {s.name: s for s in manifest.sources}
        for q in over_share(ws):
            src = by_name.get(q.source)
            why = diagnose(ws, q.source, src.options.date_format if src else None)
            click.echo(f"ERROR: {q.source}: {q.rows_rejected} of {q.rows_read} rows rejected "
                       f"(over {REJECT_SHARE:.0%}){': ' + why if why else ''}; fix the source's options in the manifest "
                       "and load again (`rgpd-audit check` reports it as load.rejected_share)", err=True)
        for ls in loaded_sources(ws):
            if ls.name in names and ls.main_table:
                for w in unknown_option_columns(ls.options, ls.columns.get(ls.name, [])):
                    click.echo(f"warning: {ls.name}: {w}", err=True)
        for s in report.failed:
            click.echo(f"error: {s.name}: {s.error}", err=True)
        if report.failed:
            raise SystemExit(EXIT_USAGE)
