"""The check registry, the context a check receives, and the shape of a finding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Literal

from ..plugins import import_modules
from ..policy import Policy
from ..workspace import Workspace

Severity = Literal["info", "warning", "error"]

FINDING_COLUMNS = (
    "check_id",
    "severity",
    "activity",
    "source",
    "record_key",
    "subject_ref",
    "reference_date",
    "deadline",
    "days_overdue",
    "clause",
    "detail_fr",
    "detail_en",
    "finding_key",
)


@dataclass
class Finding:
    """A finding built in Python (checks that are not pure SQL)."""

    check_id: str
    severity: Severity
    detail_fr: str
    detail_en: str
    activity: str | None = None
    source: str | None = None
    record_key: str | None = None
    subject_ref: str | None = None
    reference_date: dt.date | None = None
    deadline: dt.date | None = None
    days_overdue: int | None = None
    clause: str | None = None
    finding_key: str | None = None

    def row(self) -> list:
        key = self.finding_key or "|".join(
            str(x) for x in (self.check_id, self.activity, self.source, self.record_key) if x is not None
        )
        return [getattr(self, c) for c in FINDING_COLUMNS[:-1]] + [key]


# ``CheckContext.cache`` key: temp tables a check created for the run (dropped after it)
TEMP_TABLES = "temp_tables"


@dataclass
class CheckContext:
    ws: Workspace
    policy: Policy
    as_of: dt.date
    organisation_domains: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)  # shared between the checks of one run

    @property
    def con(self):
        return self.ws.con


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title_fr: str
    title_en: str
    theme: str  # retention | transfers | access | special_categories | policy | load | requests
    func: Callable[[CheckContext], "str | list[Finding]"]
    legal_basis: str = ""



_REGISTRY: dict[str, CheckSpec] = {}
_LOADED = False

BUILTIN_MODULES = (
    "rgpd_audit.checks.load_quality",
    "rgpd_audit.checks.retention",
    "rgpd_audit.checks.transfers",
    "rgpd_audit.checks.access",
    "rgpd_audit.checks.special",
    "rgpd_audit.checks.policy_lint",
    "rgpd_audit.checks.requests",
)


def check(id: str, *, title_fr: str, title_en: str, theme: str, legal_basis: str = ""):
    """Register a check function under ``id``."""

    def deco(func):
        if id in _REGISTRY and _REGISTRY[id].func is not func:
            raise ValueError(f"check {id!r} is registered twice")
        _REGISTRY[id] = CheckSpec(id, title_fr, title_en, theme, func, legal_basis)
        return func

    return deco


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import_modules(BUILTIN_MODULES, "rgpd_audit.checks")


def all_checks() -> dict[str, CheckSpec]:
    _ensure_loaded()
    return dict(sorted(_REGISTRY.items()))
