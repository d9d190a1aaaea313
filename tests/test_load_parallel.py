"""Sources loaded side by side give exactly what a one-at-a-time load gives."""

from __future__ import annotations

import pytest

from rgpd_audit.errors import RgpdAuditError
from rgpd_audit.ingest.engine import WORKERS_ENV, load_estate, load_workers
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.resources import sample_manifest
from rgpd_audit.workspace import Workspace


def _snapshot(ws: Workspace) -> dict:
    files = ws.con.execute(
        "SELECT source, path, entry, sha256, encoding, rows_read, rows_loaded, rows_rejected, status, warnings "
        "FROM load_files ORDER BY source, path, entry"
    ).fetchall()
    rejects = ws.con.execute(
        "SELECT source, path, line, record, field, reason, raw FROM load_rejects ORDER BY ALL"
    ).fetchall()
    tables = {}
    for t in ws.tables("raw"):
        # the file id is a sequence number: compare rows by file path instead
        rows = ws.con.execute(
            f'SELECT f.path, f.entry, r.* EXCLUDE (_file_id) FROM raw."{t}" r JOIN load_files f ON f.file_id = r._file_id ORDER BY ALL'
        ).fetchall()
        tables[t] = rows
    return {"files": files, "rejects": rejects, "tables": tables}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    manifest = load_manifest(sample_manifest())
    out = {}
    for workers in (1, 2):
        path = tmp_path_factory.mktemp(f"w{workers}")
        with Workspace(path) as ws:  # pseudonyms (documents' links) are keyed per workspace: the same key
            ws.set_setting("pseudonym_secret", "same-secret-for-both")
        with Workspace(path) as ws:
            report = load_estate(ws, manifest, workers=workers)
            threads = ws.con.execute("SELECT current_setting('threads')").fetchone()[0]
            out[workers] = (report, _snapshot(ws), threads)
    return out


def test_same_rows_files_and_rejects(loaded):
    (_, one, _), (_, two, _) = loaded[1], loaded[2]
    assert two["files"] == one["files"]
    assert two["rejects"] == one["rejects"]
    assert sorted(two["tables"]) == sorted(one["tables"])
    for t in one["tables"]:
        assert two["tables"][t] == one["tables"][t], t


def test_report_in_manifest_order_and_threads_restored(loaded):
    names = [s.name for s in load_manifest(sample_manifest()).sources]
    for workers in (1, 2):
        report, _, threads = loaded[workers]
        assert [s.name for s in report.sources] == names
        assert not report.failed
        assert threads > 1 or threads == 1 == load_workers()  # the load's single-thread setting is undone


def test_workers_from_environment(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert load_workers() == 3
    monkeypatch.setenv(WORKERS_ENV, "two")
    with pytest.raises(RgpdAuditError, match=WORKERS_ENV):
        load_workers()
