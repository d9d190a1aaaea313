"""The check registry (each check with the kinds of finding it emits) and the context a check receives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..plugins import import_modules
from ..policy import Policy
from ..vocab import SEVERITIES, THEMES
from ..workspace import Workspace
from .findings import Finding, FindingKind, Query

Severity = SEVERITIES.literal()


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
    theme: str  # one of vocab.THEMES
    func: Callable[[CheckContext], Query | list[Finding] | None]
    legal_basis: str = ""
    kinds: tuple[FindingKind, ...] = ()  # the kinds of finding it emits (the first is its own)
    # False: its findings do not depend on the audit date (rgpd_audit/checks/reuse.py copies
    # them from the previous run when its inputs did not change)
    uses_date: bool = True
    version: int = 1  # raise it when the check's logic changes without a package release

    @property
    def severity(self) -> str:
        return self.kinds[0].severity



_REGISTRY: dict[str, CheckSpec] = {}
_LOADED = False

BUILTIN_MODULES = (
    "rgpd_audit.checks.load_quality",
    "rgpd_audit.checks.retention",
    "rgpd_audit.checks.transfers",
    "rgpd_audit.checks.access",
    "rgpd_audit.checks.special",
    "rgpd_audit.checks.content",
    "rgpd_audit.checks.policy_lint",
    "rgpd_audit.checks.requests",
)


def check(id: str, *, title_fr: str, title_en: str, theme: str, legal_basis: str = "", severity: str | None = None,
          severities: tuple[str, ...] = (), emits: tuple[FindingKind, ...] = (), uses_date: bool = True,
          version: int = 1):
    """Register a check function under ``id``.

    ``severity`` is the default severity of its findings and ``severities`` the closed set
    they may take when the severity depends on the row (a transfer judged info or error).
    ``uses_date=False`` declares that its findings are the same on any audit date (no
    ``ctx.as_of``, no legal fact that changes with time): next month's run on unchanged inputs
    copies them (:mod:`rgpd_audit.checks.reuse`). ``version``: raise it when its logic changes.
    A check emitting findings of other kinds than ``id`` declares them in ``emits`` (with no
    ``severity``, it emits only those). A policy may override any kind's severity
    (``severities:`` in the policy file).
    """
    THEMES.check(theme)
    if severity is None and not emits:
        raise ValueError(f"check {id!r}: give the severity of its findings, or the kinds it emits")
    own = () if severity is None else (
        FindingKind(id, SEVERITIES.check(severity), title_fr, title_en, tuple(SEVERITIES.check(x) for x in severities)),
    )
    for k in emits:
        for x in k.allowed:
            SEVERITIES.check(x)

    def deco(func):
        if id in _REGISTRY and _REGISTRY[id].func is not func:
            raise ValueError(f"check {id!r} is registered twice")
        _REGISTRY[id] = CheckSpec(id, title_fr, title_en, theme, func, legal_basis, (*own, *emits), uses_date, version)
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


def finding_kinds() -> dict[str, FindingKind]:
    """Every kind of finding the registered checks emit, by id."""
    out: dict[str, FindingKind] = {}
    for spec in all_checks().values():
        for k in spec.kinds:
            if k.id in out:
                raise ValueError(f"finding kind {k.id!r} is declared by two checks")
            out[k.id] = k
    return out
