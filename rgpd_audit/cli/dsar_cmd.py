"""``rgpd-audit dsar``: data-subject requests — find a person, answer, plan erasure, keep the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import LazyChoice, _parse_date, as_of_option, echo_as_of, handle_errors, main, policy_option, workspace_option

if TYPE_CHECKING:  # pragma: no cover
    from ..dsar import PersonQuery


def _request_types() -> tuple[str, ...]:
    from ..dsar import REQUEST_TYPES

    return REQUEST_TYPES


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def person_options(func):
    for opt in reversed([
        click.option("--email", help="E-mail address of the person (case and spaces ignored)."),
        click.option("--phone", help="Phone number (French numbers in any usual form)."),
        click.option("--name", help="First and last name, in any order; weak alone, strong with --birth-date."),
        click.option("--birth-date", "birth_date", help="Birth date (YYYY-MM-DD or DD/MM/YYYY), used with --name."),
    ]):
        func = opt(func)
    return func


def _query(email, phone, name, birth_date) -> PersonQuery:
    from ..dsar import PersonQuery

    return PersonQuery.make(email=email, phone=phone, name=name, birth_date=birth_date)


@main.group("dsar")
def dsar_group():
    """Data-subject requests (GDPR Articles 12-22): find, export, erase-plan, register.

    The person is given by --email, --phone and/or --name (+ --birth-date). Results
    show identifiers on screen for the analyst; logs and the register only hold a
    pseudonym. Nothing is ever modified in the loaded data.

    Example:

    \b
        rgpd-audit dsar find --email aissa.ndiaye@example.fr --phone "06 12 34 56 78"
        rgpd-audit dsar register --received 2026-01-31 --type access --email aissa.ndiaye@example.fr
    """


@dsar_group.command("find")
@person_options
@click.option("--contents", is_flag=True,
              help="Also look inside mail bodies, attachments and documents (read again from the loaded files).")
@workspace_option
@handle_errors
def find_cmd(email, phone, name, birth_date, contents, workspace: Path):
    """List every record about a person across the loaded sources, with the match reason.

    Reasons: email, phone, name+birth_date; "name" alone is a weak candidate to check
    (a homonym is possible) and is never exported. With --contents, the messages and
    documents whose text names the person are listed too (table "<source> (content)").

    Example:

    \b
        rgpd-audit dsar find --email aissa.ndiaye@example.fr
        rgpd-audit dsar find --phone "+33 6 12 34 56 78"
        rgpd-audit dsar find --name "Aïssa N'Diaye" --birth-date 1990-05-12
        rgpd-audit dsar find --email aissa.ndiaye@example.fr --contents
    """
    from ..dsar import find_person
    from ..dsar.contents import find_in_contents
    from ..workspace import Workspace

    q = _query(email, phone, name, birth_date)
    with Workspace(workspace, create=False) as ws:
        found = find_person(ws, q)
        if contents:
            inside = find_in_contents(ws, q)
            found.matches.extend(inside.matches)
            for problem in inside.problems:
                click.echo(f"warning: {problem}", err=True)
    click.echo(f"Person: {found.subject_ref}  records: {len(found.strong)}  weak candidates: {len(found.weak)}")
    if not found.matches:
        return
    df = found.to_frame().drop(columns=["weak"])
    click.echo(df.to_string(index=False))


@dsar_group.command("export")
@person_options
@workspace_option
@policy_option
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Language of the cover page.")
@handle_errors
def export_cmd(email, phone, name, birth_date, workspace, policy, as_of, out, lang):
    """Write the access package of a person (Article 15): a folder and its zip.

    Per table holding the person's records a CSV and a JSON file; index.html, the cover
    page (purposes, categories, recipients, transfers and their safeguards, retention,
    source of the data per activity); portabilite.json (Art. 20: data from sources relying
    on consent or contract).

    Example:

    \b
        rgpd-audit dsar export --email aissa.ndiaye@example.fr --out reponses/
        rgpd-audit dsar export --email a.b@example.fr --lang en --as-of 2026-11-27 --out reponses/
    """
    from ..dsar import export_access
    from ..policy import load_policy
    from ..workspace import Workspace

    q = _query(email, phone, name, birth_date)
    pol = load_policy(policy)
    echo_as_of(as_of)
    with Workspace(workspace, create=False) as ws:
        pkg = export_access(ws, pol, q, out, lang=lang, as_of=as_of)
    click.echo(f"{len(pkg.found.strong)} record(s) exported to {pkg.folder} ({len(pkg.files)} files) and {pkg.zip_path}")
    if pkg.found.weak:
        click.echo(f"{len(pkg.found.weak)} weak name-only candidate(s) not exported: check them with `dsar find`.", err=True)


@dsar_group.command("erase-plan")
@person_options
@workspace_option
@policy_option
@as_of_option
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Language of the plan.")
@click.option("--claims", "claims_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="YAML file of legal claims in progress (Art. 17(3)(e)) that keep the person's records (docs/dsar.md).")
@click.option("--objection", is_flag=True,
              help="The person also objects (Art. 21): keep their address on the mailing lists' suppression list.")
@click.option("--contents", is_flag=True,
              help="Also plan the messages and documents whose text names the person (read again from the loaded files).")
@handle_errors
def erase_plan_cmd(email, phone, name, birth_date, workspace, policy, as_of, out, lang, claims_file, objection, contents):
    """Plan an erasure (Article 17), field by field: what to erase, what the law keeps and until when, whom to notify.

    Legal holds (rgpd_audit/data/holds.yaml) keep accounting entries 10 years after the close
    of their financial year and the third-party accounts they refer to (not their contact's
    details), payroll and staff records, and a hired person's file for the limitation periods
    of employment claims; --claims adds the legal claims in progress you declare. An
    unsubscribed (or, with --objection, objecting) person's address, date and channel stay on
    the suppression list. Data processed for a client goes to the client; weak matches are to
    be checked. Written as Markdown, HTML and JSON; nothing is erased.

    Example:

    \b
        rgpd-audit dsar erase-plan --email aissa.ndiaye@example.fr --as-of 2026-11-27 --out plans/
        rgpd-audit dsar erase-plan --email a.b@example.fr --claims claims.yaml --objection --lang en --out plans/
        rgpd-audit dsar erase-plan --email a.b@example.fr --contents --out plans/
    """
    from ..dsar import erase_plan, load_claims, write_plan
    from ..policy import load_policy
    from ..workspace import Workspace

    q = _query(email, phone, name, birth_date)
    pol = load_policy(policy)
    claims = load_claims(claims_file) if claims_file else ()
    echo_as_of(as_of)
    with Workspace(workspace, create=False) as ws:
        plan = erase_plan(ws, pol, q, as_of=as_of, claims=claims, objection=objection, contents=contents)
    paths = write_plan(plan, out, lang)
    s = plan.summary()
    held = sum(1 for i in plan.by_action("keep") if i.keep_reason == "hold")
    click.echo(f"{len(plan.records())} record(s): erase {s['erase']} field(s), pseudonymise {s['pseudonymise']}, "
               f"keep {s['keep']} (hold {held}, opt-out {s['keep'] - held}), client {len(plan.records('client'))} record(s), "
               f"check {len(plan.records('review'))} record(s); {len(plan.recipients)} recipient(s) to notify")
    for p in paths:
        click.echo(str(p))


@dsar_group.command("register")
@click.option("--received", required=True, callback=_date, metavar="YYYY-MM-DD", help="Date the request was received.")
@click.option("--type", "type_", required=True, type=LazyChoice(_request_types), help="Right exercised.")
@click.option("--email", required=True, help="E-mail of the person (stored as a pseudonym only).")
@click.option("--channel", default=None, help="How it came in (e-mail, letter, form…).")
@click.option("--notes", default=None, help="Free notes (no identifiers).")
@workspace_option
@handle_errors
def register_cmd(received, type_, email, channel, notes, workspace):
    """Record a request in the register; its deadline is one month from receipt (Article 12(3)).

    Example:

    \b
        rgpd-audit dsar register --received 2026-01-31 --type erasure --email a.b@example.fr --channel e-mail
    """
    from ..dsar import register_request
    from ..workspace import Workspace

    with Workspace(workspace) as ws:
        r = register_request(ws, received=received, type=type_, email=email, channel=channel, notes=notes)
    click.echo(f"#{r.id} {r.type} {r.subject_ref} received {r.received}, answer due {r.deadline}")


@dsar_group.command("extend")
@click.argument("request_id", type=int)
@click.option("--reason", required=True, help="Why (complexity, number of requests); told to the person.")
@click.option("--on", "on", callback=_parse_date, default=None, metavar="YYYY-MM-DD", show_default="today",
              help="Date the person is told of the extension (within the first month).")
@workspace_option
@handle_errors
def extend_cmd(request_id, reason, on, workspace):
    """Extend a request's deadline by two further months (Article 12(3)), within the first month.

    Example:

    \b
        rgpd-audit dsar extend 3 --reason "12 systems to search, archives on tape" --on 2026-02-10
    """
    from ..dsar import extend_request
    from ..workspace import Workspace

    with Workspace(workspace, create=False) as ws:
        r = extend_request(ws, request_id, reason=reason, on=on)
    click.echo(f"#{r.id} extended: answer due {r.extended_deadline} (was {r.deadline})")


@dsar_group.command("close")
@click.argument("request_id", type=int)
@click.option("--answered", required=True, callback=_date, metavar="YYYY-MM-DD", help="Date of the answer.")
@click.option("--refused", is_flag=True, help="The request was refused (give the reason in --notes).")
@click.option("--notes", default=None, help="Free notes (no identifiers).")
@workspace_option
@handle_errors
def close_cmd(request_id, answered, refused, notes, workspace):
    """Close a request as answered (or refused) on a date.

    Example:

    \b
        rgpd-audit dsar close 3 --answered 2026-02-20
        rgpd-audit dsar close 4 --answered 2026-02-20 --refused --notes "manifestly unfounded"
    """
    from ..dsar import close_request
    from ..workspace import Workspace

    with Workspace(workspace, create=False) as ws:
        r = close_request(ws, request_id, answered=answered, status="refused" if refused else "answered", notes=notes)
    click.echo(f"#{r.id} {r.status} on {r.answered}")


@dsar_group.command("list")
@workspace_option
@as_of_option
@click.option("--open", "only_open", is_flag=True, help="Only open requests.")
@handle_errors
def list_cmd(workspace, as_of, only_open):
    """List the request register with the deadline in force and days left as of a date.

    Example:

    \b
        rgpd-audit dsar list --as-of 2026-11-27
        rgpd-audit dsar list --open
    """
    from ..dsar import list_requests
    from ..workspace import Workspace

    with Workspace(workspace, create=False) as ws:
        reqs = list_requests(ws, status="open" if only_open else None)
    header = f"{'id':>4} {'received':<10} {'type':<13} {'subject':<12} {'due':<10} {'ext':<3} {'status':<8} {'answered':<10} {'days left':>9}"
    click.echo(header)
    click.echo("-" * len(header))
    for r in reqs:
        left = str(r.days_left(as_of)) if r.status == "open" else ""
        click.echo(f"{r.id:>4} {r.received.isoformat():<10} {r.type:<13} {r.subject_ref:<12} {r.due.isoformat():<10} "
                   f"{'yes' if r.extended else '':<3} {r.status:<8} {(r.answered.isoformat() if r.answered else ''):<10} {left:>9}")
