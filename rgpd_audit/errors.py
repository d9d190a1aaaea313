"""Typed exceptions raised by the library.

Only the CLI turns them into one-line messages and exit codes; library code never prints
or exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RgpdAuditError(Exception):
    """Base class of every error the library raises on purpose."""


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a declarative file: where (file + key path) and what."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class SpecError(RgpdAuditError):
    """A YAML spec (policy, manifest, mapping) is invalid; carries every issue at once."""

    def __init__(self, issues: list[SpecIssue]):
        self.issues = list(issues)
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.issues)
        head = f"{n} error{'s' if n != 1 else ''} in {self.issues[0].file}" if n else "invalid spec"
        return head + "\n" + "\n".join(f"  - {i}" for i in self.issues)


class InputFileError(RgpdAuditError):
    """An input file cannot be used at all (missing, unreadable, unsafe)."""

    def __init__(self, path: str | Path, message: str, *, line: int | None = None, field: str | None = None):
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path
        if line is not None:
            where += f":{line}"
        if field:
            where += f" [{field}]"
        super().__init__(f"{where}: {message}")


class WorkspaceError(RgpdAuditError):
    """The workspace cannot be opened or is in an unexpected state."""
