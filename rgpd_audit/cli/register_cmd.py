"""``rgpd-audit register``: the record of processing activities (GDPR Art. 30)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import as_of_option, echo_as_of, handle_errors, main, out_option, policy_option, workspace_option


@main.command("register")
@workspace_option
@policy_option
@as_of_option
@out_option("reports")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the register.")
@click.option("--created", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Creation date of the record (YYYY-MM-DD), when it predates the first audit recorded in the "
                   "workspace (the default); never later than --as-of.")
@handle_errors
def register_cmd(workspace: Path, policy: Path | None, as_of: dt.date, out: Path, lang: str, created: dt.datetime | None):
    """Write the Article 30 register (XLSX and HTML) from the policy and the loaded data.

    Follows the CNIL model register: an "Organisation" sheet (controller, representative,
    DPO, contact), then one sheet per activity: the controller's record (Art. 30(1)) for
    the company's own activities, the processor's record (Art. 30(2)) for client
    activities, with purposes, legal bases, people and data categories, sensitive data,
    retention in words, recipients, third-country transfers with their safeguard and
    security measures. A "Déclaré vs observé" sheet lists the categories found in the data
    that the policy does not declare, and the declared ones never seen. Without a
    workspace, the register is built from the policy alone. Writes registre-art30.xlsx and
    registre-art30.html into --out; no personal value is written, only categories and counts.

    Example:

    \b
        rgpd-audit register --as-of 2026-11-27
        rgpd-audit register --lang en --out reports/en
        rgpd-audit register --workspace /tmp/none --policy my_company.yaml
        rgpd-audit register --created 2019-05-24
    """
    from ..policy import load_policy
    from ..ropa import build_register, write_register
    from ..workspace import DB_FILE, Workspace

    echo_as_of(as_of)
    made = created.date() if created else None
    if made is not None and made > as_of:
        raise click.BadParameter(f"{made} is after the register's date {as_of}", param_hint="--created")
    pol = load_policy(policy)
    if (workspace / DB_FILE).exists():
        with Workspace(workspace, create=False) as ws:
            reg = build_register(pol, ws, as_of=as_of, lang=lang, created=made)  # type: ignore[arg-type]
    else:
        reg = build_register(pol, None, as_of=as_of, lang=lang, created=made)  # type: ignore[arg-type]
    xlsx, html = write_register(reg, out)
    click.echo(str(xlsx))
    click.echo(str(html))
    data = "" if reg.data_loaded else f" ({reg.t('no_data')})"
    click.echo(
        f"{len(reg.controller)} controller + {len(reg.processor)} processor activities{data}; "
        f"{len(reg.undeclared)} undeclared categories observed, {len(reg.not_seen)} declared never observed"
    )
    for g in reg.undeclared:
        click.echo(f"  undeclared: {g.activity_id}: {g.category}" + (" (special)" if g.special else ""))
