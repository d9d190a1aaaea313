"""The whole chain in one call: load, classify (the map step), check.

``audit`` is what ``rgpd-audit check`` and the scheduled ``rgpd-audit report`` run; the
report then exports the findings and renders them (:func:`rgpd_audit.report.run_report`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .checks.keys import migrate_keys
from .checks.runner import RunResult, run_checks
from .errors import RgpdAuditError
from .ingest import LoadReport, load_estate, load_manifest
from .policy import Policy, load_policy
from .resources import bundled_policy, sample_manifest
from .workspace import Workspace, io_errors


class LoadFailed(RgpdAuditError):
    """Sources of the manifest could not be loaded: the audit would run on a partial estate."""


@dataclass
class AuditResult:
    policy: Policy
    load: LoadReport | None
    run: RunResult


def _classification_inputs(ws: Workspace) -> str:
    """A fingerprint of what classification depends on: the loaded files and the analyst's decisions."""
    files = ws.con.execute("SELECT source, path, entry, sha256 FROM load_files ORDER BY ALL").fetchall()
    decided = ws.con.execute(
        "SELECT table_name, column_name, category, status FROM column_map WHERE status <> 'suggested' ORDER BY ALL"
    ).fetchall()
    return hashlib.sha256(repr((files, decided)).encode()).hexdigest()


def classify_if_available(ws: Workspace, policy, *, force: bool = False) -> bool:
    """Refresh column suggestions and free-text hits (analyst decisions are kept).

    Skipped when neither the loaded files nor the analyst's decisions changed since the
    last run (a monthly audit of unchanged exports does not classify again). Returns
    whether classification ran.
    """
    try:
        from .mapping.classify import suggest
    except ImportError:  # classification stage not installed
        return False
    fingerprint = _classification_inputs(ws)
    if not force and ws.get_setting("classified_inputs") == fingerprint:
        return False
    suggest(ws, policy)
    ws.set_setting("classified_inputs", _classification_inputs(ws))
    return True


def sync_decisions(ws: Workspace, mapping: Path | None = None) -> bool:
    """Apply the analyst's mapping file (``<workspace>/mapping.yaml`` by default) to the
    workspace before the checks, so that a decision saved in the file or the review form is
    used at the next check. Nothing to do (False) when there is no mapping file yet."""
    path = Path(mapping) if mapping else ws.path / "mapping.yaml"
    if not path.exists():
        return False
    try:
        from .mapping.file import sync_mapping
    except ImportError:  # mapping stage not installed
        return False
    sync_mapping(ws, path)
    return True


def audit(
    ws: Workspace,
    as_of: dt.date,
    *,
    manifest: Path | None = None,
    policy_path: Path | None = None,
    load: bool = True,
    only: list[str] | None = None,
    strict: bool = False,
    allow_outside: bool = False,
    record: bool = True,
    mapping: Path | None = None,
) -> AuditResult:
    """Load the manifest's exports (``load``), classify, and run the checks as of ``as_of``.

    A workspace whose last load did not finish (a source interrupted or failed) is refused
    (:meth:`Workspace.check_load_finished`): the audit never runs on old and new exports
    mixed. ``strict``: a source failing in this load stops the audit with
    :class:`LoadFailed`, which names the load errors — what the scheduled report does.
    ``allow_outside``: the manifest may name files outside its folder (``--allow-outside``).
    The analyst's mapping file (``mapping``, default ``<workspace>/mapping.yaml``) is synced
    after classification: its decisions are inputs of the checks. ``record``: the run is an
    audit, entering the history (an ad-hoc check is not).
    An I/O failure of the workspace (disk full, read-only) is a :class:`WorkspaceError`
    naming the file.
    """
    policy_path = Path(policy_path) if policy_path else bundled_policy()
    policy = load_policy(policy_path)
    report = None
    with io_errors(ws.db_path):
        migrate_keys(ws)  # before a reload removes the file ids the old keys refer to
        if load:
            m = load_manifest(manifest or sample_manifest(), policy=policy, allow_outside=allow_outside)
            report = load_estate(ws, m)
            if strict and report.failed:
                raise LoadFailed("cannot load: " + "; ".join(f"{s.name}: {s.error}" for s in report.failed))
        ws.check_load_finished()
        classify_if_available(ws, policy)
        if sync_decisions(ws, mapping):
            ws.set_setting("classified_inputs", _classification_inputs(ws))  # decisions applied: no new classification needed
        run = run_checks(ws, policy, as_of, only=only, policy_file=policy_path, record=record)
    return AuditResult(policy, report, run)
