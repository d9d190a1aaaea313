"""Checks that do not depend on the audit date copy their findings from the last run on the
same inputs (rgpd_audit/checks/reuse.py): the copy is what a recompute gives, and any input
changed recomputes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from rgpd_audit.checks import reuse
from rgpd_audit.checks.registry import all_checks
from rgpd_audit.checks.runner import run_checks
from rgpd_audit.pipeline import audit
from rgpd_audit.policy import load_policy
from rgpd_audit.resources import bundled_policy, sample_manifest
from rgpd_audit.workspace import Workspace

AS_OF = dt.date(2026, 11, 27)
NEXT = dt.date(2026, 12, 27)
UNDATED = sorted(cid for cid, spec in all_checks().items() if not spec.uses_date)
COLUMNS = "check_id, severity, activity, source, record_key, subject_ref, reference_date, deadline, days_overdue, clause, detail_fr, detail_en, finding_key"


def _findings(ws: Workspace, run_id: int, check_ids=None) -> list[tuple]:
    kinds = [k.id for cid in (check_ids or all_checks()) for k in all_checks()[cid].kinds]
    return ws.con.execute(
        f"SELECT {COLUMNS} FROM findings WHERE run_id = ? AND list_contains(?, check_id) ORDER BY ALL", [run_id, kinds]
    ).fetchall()


def _copied(monkeypatch) -> list[str]:
    """Record the checks whose findings were copied in the next run."""
    copied: list[str] = []
    original = reuse.copy_previous_all

    def spy(*args):
        done = original(*args)
        copied.extend(done)
        return done

    monkeypatch.setattr(reuse, "copy_previous_all", spy)
    return copied


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("reuse") / "ws")
    first = audit(ws, AS_OF)
    yield ws, first.run
    ws.close()


def test_the_undated_checks_are_the_expected_ones():
    """Each was read for ``ctx.as_of`` and legal facts that change with time (transfers'
    mechanisms, retention, requests' deadlines, former staff's departure are dated)."""
    assert UNDATED == [
        "access.unauthorised_role", "forbidden_data.candidate_identifier", "forbidden_data.content_identifier",
        "load.rejected_rows", "load.rejected_share", "mapping.undeclared_category", "special_category.content",
        "special_category.free_text", "transfer.outbound_share",
    ]


def test_next_month_copies_the_undated_findings_identical_to_a_recompute(sample_ws, monkeypatch):
    ws, first = sample_ws
    policy = load_policy(bundled_policy())
    copied = _copied(monkeypatch)
    reused = run_checks(ws, policy, NEXT)
    assert sorted(copied) == UNDATED
    assert _findings(ws, reused.run_id, UNDATED) and _findings(ws, reused.run_id, UNDATED) == _findings(ws, first.run_id, UNDATED)
    copied.clear()
    fresh = run_checks(ws, policy, NEXT, reuse_findings=False)
    assert copied == []
    # every finding of the run, dated or not, as a full recompute gives it
    assert _findings(ws, reused.run_id) == _findings(ws, fresh.run_id)
    assert reused.counts == fresh.counts
    assert ws.con.execute("SELECT DISTINCT as_of FROM findings WHERE run_id = ?", [reused.run_id]).fetchall() == [(NEXT,)]


def test_a_previous_run_without_its_findings_is_recomputed(sample_ws, monkeypatch):
    ws, first = sample_ws
    policy = load_policy(bundled_policy())
    base = run_checks(ws, policy, NEXT)
    ws.con.execute("DELETE FROM findings WHERE run_id = ? AND check_id = 'transfer.outbound_share'", [base.run_id])
    # the runs before it on the same inputs are gone too: only `base` is left to copy from
    ws.con.execute("DELETE FROM check_inputs WHERE run_id <> ?", [base.run_id])
    copied = _copied(monkeypatch)
    again = run_checks(ws, policy, NEXT)
    assert "transfer.outbound_share" not in copied and "special_category.free_text" in copied
    assert _findings(ws, again.run_id, ["transfer.outbound_share"]) == _findings(ws, first.run_id, ["transfer.outbound_share"])


def _changes(ws: Workspace, tmp_path: Path):
    """Each input changed in turn, and undone: (what, change, undo)."""
    policy = load_policy(bundled_policy())
    con = ws.con

    def setting(key, value):
        old = ws.get_setting(key)
        return lambda: ws.set_setting(key, value), lambda: ws.set_setting(key, old)

    def decision():
        row = con.execute("SELECT source, table_name, column_name, category, status FROM column_map WHERE category IS NOT NULL ORDER BY ALL LIMIT 1").fetchone()
        where = "source = ? AND table_name = ? AND column_name = ?"
        return (lambda: con.execute(f"UPDATE column_map SET status = 'not_personal', category = NULL WHERE {where}", list(row[:3])),
                lambda: con.execute(f"UPDATE column_map SET status = ?, category = ? WHERE {where}", [row[4], row[3], *row[:3]]))

    def loaded_file():
        fid, sha, ver = con.execute("SELECT file_id, sha256, loader_version FROM load_files ORDER BY file_id LIMIT 1").fetchone()
        return (lambda: con.execute("UPDATE load_files SET sha256 = 'x', loader_version = '99' WHERE file_id = ?", [fid]),
                lambda: con.execute("UPDATE load_files SET sha256 = ?, loader_version = ? WHERE file_id = ?", [sha, ver, fid]))

    other_policy = policy.model_copy(update={"severities": {"special_category.free_text": "warning"}})
    return [
        ("the organisation's domains", *setting("organisation_domains", '["other.example"]'), policy),
        ("the providers register", *setting("providers_register", '{"providers": {}}'), policy),
        ("a mapping decision", *decision(), policy),
        ("a loaded file and its loader", *loaded_file(), policy),
        ("the policy", lambda: None, lambda: None, other_policy),
    ]


def test_any_input_changed_recomputes(sample_ws, monkeypatch, tmp_path):
    ws, _ = sample_ws
    for what, change, undo, policy in _changes(ws, tmp_path):
        change()
        try:
            copied = _copied(monkeypatch)
            run_checks(ws, policy, NEXT)
            assert copied == [], what
        finally:
            undo()
    copied = _copied(monkeypatch)
    run_checks(ws, load_policy(bundled_policy()), NEXT)
    assert sorted(copied) == UNDATED  # all undone: the same inputs as before


def test_a_new_check_version_recomputes(sample_ws, monkeypatch):
    ws, _ = sample_ws
    policy = load_policy(bundled_policy())
    spec = all_checks()["load.rejected_rows"]
    fp = reuse.inputs_fingerprint(spec, reuse.workspace_digest(ws), policy, [])
    newer = reuse.inputs_fingerprint(type(spec)(**{**spec.__dict__, "version": spec.version + 1}), reuse.workspace_digest(ws), policy, [])
    assert fp != newer


def test_a_reloaded_export_recomputes(tmp_path, monkeypatch):
    """End to end: a changed export (one more rejected line) makes the undated checks run again."""
    estate = tmp_path / "estate"
    shutil.copytree(Path(sample_manifest()).parent, estate, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    ws = Workspace(tmp_path / "ws")
    try:
        audit(ws, AS_OF, manifest=estate / "manifest.yaml")
        copied = _copied(monkeypatch)
        audit(ws, NEXT, manifest=estate / "manifest.yaml")
        assert sorted(copied) == UNDATED
        target = ws.con.execute("SELECT path FROM load_files WHERE format = 'csv' ORDER BY path LIMIT 1").fetchone()[0]
        path = Path(target) if Path(target).is_absolute() else estate / target
        with open(path, "a", encoding=_encoding(ws, target)) as f:
            f.write('"unterminated\n')
        copied.clear()
        audit(ws, NEXT, manifest=estate / "manifest.yaml")
        assert copied == []
    finally:
        ws.close()


def _encoding(ws: Workspace, path: str) -> str:
    enc = ws.con.execute("SELECT encoding FROM load_files WHERE path = ?", [path]).fetchone()[0] or "utf-8"
    return {"cp1252": "cp1252", "windows-1252": "cp1252"}.get(enc.lower(), enc)
