"""``rgpd-audit policy``: check and read the privacy-policy YAML."""

from __future__ import annotations

from pathlib import Path

import click

from ..resources import bundled_policy
from .common import handle_errors, main

_FILE = click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))


@main.group("policy")
def policy_group():
    """The privacy policy as YAML: what the company promises, section by section.

    Without FILE, commands use the bundled INTER INTERIM policy. The YAML schema is
    described in docs/policy.md.

    Example:

    \b
        rgpd-audit policy validate
        rgpd-audit policy show --lang en
    """


@policy_group.command("validate")
@_FILE
@handle_errors
def validate_cmd(file: Path | None):
    """Check a policy file, listing every error.

    Prints a one-line count when the file is valid (exit 0); otherwise lists every
    problem at once as FILE: key.path: message (exit 2).

    Example:

    \b
        rgpd-audit policy validate
        rgpd-audit policy validate my_company.yaml
    """
    from ..policy import load_policy

    path = file or bundled_policy()
    policy = load_policy(path)
    n_rules = sum(1 for _ in policy.retention_rules())
    click.echo(
        f"OK: {path}: {len(policy.activities)} activities, {n_rules} retention rules, "
        f"{len(policy.hosting)} hosting entries"
    )


@policy_group.command("show")
@_FILE
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Language of the summary."
)
@handle_errors
def show_cmd(file: Path | None, lang: str):
    """Print a readable summary of a policy.

    Per activity: section, title, controller role, purposes, legal bases, who may
    access the data and the retention rules in words; then hosting with country and
    claimed transfer mechanism; then rights and contact.

    Example:

    \b
        rgpd-audit policy show
        rgpd-audit policy show --lang en
        rgpd-audit policy show my_company.yaml
    """
    from ..policy import load_policy, render_summary

    click.echo(render_summary(load_policy(file), lang), nl=False)  # type: ignore[arg-type]
