"""A line per stage on stderr (load, map, check, html, each notebook), ``--quiet`` / ``--verbose``.

On a terminal the stage being run is shown while it runs, then replaced by its line; in a
log (not a terminal: cron, systemd) only the finished lines are written, no progress bar and
no control character. ``--quiet`` writes no stage line (errors and the summary remain).
"""

from __future__ import annotations

import sys

import click


def verbosity_options(func):
    """``--quiet`` / ``-q`` and ``--verbose`` / ``-v`` (mutually exclusive)."""
    func = click.option("--verbose", "-v", "verbose", is_flag=True,
                        help="Also write when each stage starts, and timings in milliseconds.")(func)
    return click.option("--quiet", "-q", "quiet", is_flag=True,
                        help="No progress lines on stderr (for cron); errors and the summary remain.")(func)


def check_verbosity(quiet: bool, verbose: bool) -> None:
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class StageLines:
    """The progress callback of :func:`rgpd_audit.pipeline.audit` and ``run_report``."""

    def __init__(self, quiet: bool = False, verbose: bool = False, stream=None):
        self.quiet, self.verbose = quiet, verbose
        self.stream = stream if stream is not None else sys.stderr
        self.tty = is_terminal(self.stream)

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def __call__(self, stage: str, event: str, seconds: float) -> None:
        if self.quiet:
            return
        if event == "start":
            if self.verbose:
                self._write(f"{stage}: started\n")
            elif self.tty:
                self._write(f"{stage}…")
            return
        took = f"{seconds * 1000:.0f} ms" if self.verbose else f"{seconds:.1f} s"
        line = f"{stage}: skipped, nothing changed ({took})" if event == "skipped" else f"{stage}: {took}"
        self._write(("\r\033[K" if self.tty and not self.verbose else "") + line + "\n")
