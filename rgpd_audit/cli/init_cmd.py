"""``rgpd-audit init``: draft the manifest of a folder of exports, copy the notebooks."""

from __future__ import annotations

from pathlib import Path

import click

from .common import handle_errors, main, policy_option


@main.command("init")
@click.argument("exports", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--manifest", "manifest", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default="EXPORTS/manifest.yaml", help="Where to write the draft manifest.")
@click.option("--notebooks", "notebooks", type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default="<manifest's folder>/notebooks", help="Where to copy the analysis notebooks.")
@click.option("--force", is_flag=True, help="Replace an existing manifest (and the notebooks already copied).")
@policy_option
@handle_errors
def init_command(exports: Path, manifest: Path | None, notebooks: Path | None, force: bool, policy):
    """Draft a manifest for a folder of exports and copy the notebooks next to it.

    Every file is recognised by the loaders' own signatures (HubSpot, Mailchimp, Brevo,
    Google and Outlook contacts, vCard, mbox, Dropbox reports, FEC, Sage, DSN, generic
    CSV/XLSX/JSON), read in memory by its loader, and its columns classified: the draft
    suggests each source's format, path, encoding, delimiter, date formats, key, subject
    columns, date roles and activities. What only a person can decide (activities, hosting
    provider and country, the organisation's identity…) is left empty and marked TO DECIDE:
    the manifest does not load until it is answered. An existing manifest is never replaced
    without --force.

    \b
    Example:
        rgpd-audit init exports/                        # writes exports/manifest.yaml
        rgpd-audit init exports/ --manifest audit-2026/manifest.yaml
        rgpd-audit load --manifest exports/manifest.yaml
    """
    from ..mapping.onboarding import DraftExists, draft_manifest
    from ..policy import load_policy
    from ..resources import copy_notebooks

    target = manifest if manifest is not None else exports / "manifest.yaml"
    if target.exists() and not force:
        raise DraftExists(f"{target}: a manifest is already there; not overwritten (use --force to replace it)")
    draft = draft_manifest(exports, load_policy(policy))
    draft.write(target, force=force)
    nb_dir = notebooks if notebooks is not None else target.parent / "notebooks"
    written = copy_notebooks(nb_dir, overwrite=force)
    click.echo(f"{len(draft.proposals)} source(s) recognised, {len(draft.left_out)} file(s) left out")
    for p in draft.proposals:
        click.echo(f"  {p.name:<32} {p.format:<16} {p.path}")
    for f in draft.left_out:
        click.echo(f"  left out: {f.rel} ({f.why})")
    click.echo(f"Draft manifest: {target}; answer the lines marked TO DECIDE (activities, hosting, organisation…), "
               f"then rgpd-audit load --manifest {target}")
    click.echo(f"{len(written)} notebook(s) copied to {nb_dir}")
