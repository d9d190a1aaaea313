"""The click group, the options shared by every command, and error handling."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import click

from .. import __version__
from ..errors import RgpdAuditError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

DEFAULT_WORKSPACE = ".rgpd-audit"  # rgpd_audit.workspace.locate.DEFAULT_NAME (not imported: --help stays light)
WORKSPACE_ENV = "RGPD_AUDIT_WORKSPACE"


class UsageFailure(click.ClickException):
    """A usage or input error: printed on one line, exit code 2."""

    exit_code = EXIT_USAGE


class LazyChoice(click.Choice):
    """A ``click.Choice`` whose values come from the library, imported on first use.

    Command modules import no heavy module at import time (``rgpd-audit --help`` stays
    fast); a choice defined by the library is read only when the option is parsed or its
    command's help is shown.
    """

    def __init__(self, load, case_sensitive: bool = True):
        # not click.Choice.__init__, which would read the choices now (it sets only these)
        self._load = load
        self._choices: tuple | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple:  # type: ignore[override]
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices


def error_line(exc: RgpdAuditError) -> str:
    """What the user reads: a spec error with one issue on one line (``file: key: message``),
    otherwise the library's message."""
    from ..errors import SpecError

    if isinstance(exc, SpecError) and len(exc.issues) == 1:
        return str(exc.issues[0])
    return str(exc)


def handle_errors(func):
    """Turn library exceptions into one-line click errors (exit code 2), and so I/O failures
    (disk full, read-only or unwritable folder, permission denied) that reach the command
    line: one line naming the file (the workspace or the output folder when the error names
    none), exit code 2 — never a traceback and exit 1, which means "findings"."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RgpdAuditError as exc:
            raise UsageFailure(error_line(exc)) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            from ..workspace import io_failure  # imports DuckDB: only once something failed

            msg = io_failure(exc, kwargs.get("out") or kwargs.get("workspace"))
            if msg is None:
                raise
            raise UsageFailure(msg) from exc

    return wrapper


def repo_sample_manifest() -> Path:
    """The sample estate's manifest (``data/sample/manifest.yaml`` in a clone)."""
    from ..resources import sample_manifest

    return sample_manifest()


def _locate_workspace(ctx, param, value):
    """The workspace rule (``rgpd_audit.workspace.locate``): --workspace, else
    $RGPD_AUDIT_WORKSPACE, else the nearest .rgpd-audit/ from here up, else ./.rgpd-audit
    (created only by the commands that fill a workspace; the others say none is found)."""
    from ..workspace.locate import locate

    found = locate(value, create_here=True)
    ctx.meta["workspace_how"] = found.how
    return found.path


def workspace_option(func):
    return click.option(
        "--workspace",
        "workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        callback=_locate_workspace,
        show_default=f"${WORKSPACE_ENV}, else the nearest ./{DEFAULT_WORKSPACE} here or above, else ./{DEFAULT_WORKSPACE}",
        help="Workspace folder holding the DuckDB database and its settings.",
    )(func)


def manifest_option(func):
    return click.option(
        "--manifest",
        "manifest",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        show_default="the sample estate's data/sample/manifest.yaml",
        help="Source manifest describing the exports to audit.",
    )(func)


def policy_option(func):
    return click.option(
        "--policy",
        "policy",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        show_default="the bundled INTER INTERIM policy",
        help="Privacy policy YAML to audit against.",
    )(func)


def _parse_date(ctx, param, value):
    if value is None:
        # Decided at the CLI edge, and printed: no function below reads the clock.
        value = dt.date.today().isoformat()
        ctx.meta["as_of_defaulted"] = True
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def as_of_option(func):
    return click.option(
        "--as-of",
        "as_of",
        callback=_parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        show_default="today",
        help="Audit date: every check is computed as of this date.",
    )(func)


def out_option(default: str = "reports"):
    def deco(func):
        return click.option(
            "--out",
            "out",
            type=click.Path(file_okay=False, path_type=Path),
            default=default,
            show_default=True,
            help="Output folder.",
        )(func)

    return deco


def echo_as_of(as_of: dt.date) -> None:
    ctx = click.get_current_context()
    suffix = " (today)" if ctx.meta.get("as_of_defaulted") else ""
    click.echo(f"Audit date: {as_of.isoformat()}{suffix}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rgpd-audit")
def main():
    """rgpd-audit: audit a company's data exports against its privacy policy and the GDPR.

    \b
    Typical session:
        rgpd-audit policy show
        rgpd-audit load                      # the sample estate
        rgpd-audit check --as-of 2026-11-27
        rgpd-audit report --as-of 2026-11-27

    Exit codes: 0 ok, 1 error-severity findings, 2 usage, input or I/O error (disk full,
    read-only or unwritable folder, a manifest path outside the estate, an unfinished load).
    """
