"""The whole chain in one call: load, classify, check (the report adds notebooks and HTML)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .checks.runner import RunResult, run_checks
from .load import LoadReport, load_estate
from .manifest import load_manifest
from .paths import bundled_policy, sample_manifest
from .policy import load_policy
from .workspace import Workspace


@dataclass
class AuditResult:
    load: LoadReport | None
    run: RunResult


def classify_if_available(ws: Workspace, policy) -> None:
    """Refresh column suggestions and free-text hits (analyst decisions are kept)."""
    try:
        from .classify import suggest  # noqa: PLC0415
    except ImportError:  # classification stage not installed
        return
    suggest(ws, policy)


def audit(
    ws: Workspace,
    as_of: dt.date,
    *,
    manifest: Path | None = None,
    policy_path: Path | None = None,
    load: bool = True,
    only: list[str] | None = None,
) -> AuditResult:
    policy = load_policy(policy_path)
    report = None
    if load:
        m = load_manifest(manifest or sample_manifest(), policy=policy)
        report = load_estate(ws, m)
    classify_if_available(ws, policy)
    run = run_checks(ws, policy, as_of, only=only, policy_file=policy_path or bundled_policy())
    return AuditResult(report, run)
