"""The workspace: schema versions, settings, pseudonyms, encryption at rest."""

from __future__ import annotations

import pytest

from rgpd_audit.errors import WorkspaceError
from rgpd_audit.workspace import DB_FILE, SCHEMA_VERSION, Workspace


def test_created_and_migrated_to_current_version(tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        assert ws.schema_version == SCHEMA_VERSION >= 4
        assert {"load_files", "load_rejects", "sources", "findings", "audit_runs", "column_map"} <= set(ws.tables("main"))
    with Workspace(tmp_path / "ws") as ws:  # reopening migrates nothing and keeps the secret
        assert ws.schema_version == SCHEMA_VERSION


def test_missing_workspace_not_created_when_asked(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace here"):
        Workspace(tmp_path / "nope", create=False)


def test_newer_schema_refused(tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        ws.set_setting("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(WorkspaceError, match="newer than this rgpd-audit"):
        Workspace(tmp_path / "ws")


def test_pseudonyms_are_keyed_stable_and_equal_in_sql_and_python(tmp_path):
    with Workspace(tmp_path / "a") as a, Workspace(tmp_path / "b") as b:
        pa = a.pseudonym("Jean.Dupont@example.fr")
        assert pa == a.pseudonym("jean.dupont@example.fr ")
        assert pa == a.con.execute("SELECT pseudonym('jean.dupont@example.fr')").fetchone()[0]
        assert pa != b.pseudonym("jean.dupont@example.fr")  # another workspace, another key
        assert "dupont" not in pa.lower()


def test_encrypted_workspace_needs_its_key(tmp_path, monkeypatch):
    monkeypatch.setenv("RGPD_AUDIT_KEY", "correct horse battery staple")
    with Workspace(tmp_path / "ws") as ws:
        assert ws.encrypted
        ws.set_setting("probe", "secret-value")
    raw = (tmp_path / "ws" / DB_FILE).read_bytes()
    assert b"secret-value" not in raw and b"pseudonym_secret" not in raw
    monkeypatch.delenv("RGPD_AUDIT_KEY")
    with pytest.raises(WorkspaceError, match="encrypted; set RGPD_AUDIT_KEY"):
        Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="wrong encryption key"):
        Workspace(tmp_path / "ws", key="wrong")
    size_before = (tmp_path / "ws" / DB_FILE).stat().st_size
    with Workspace(tmp_path / "ws", key="correct horse battery staple") as ws:
        assert ws.get_setting("probe") == "secret-value"
    assert (tmp_path / "ws" / DB_FILE).stat().st_size >= size_before  # never truncated by a failed open


def test_plain_workspace_opened_with_a_key_is_a_clear_error(tmp_path):
    Workspace(tmp_path / "ws").close()
    with pytest.raises(WorkspaceError):
        Workspace(tmp_path / "ws", key="k")


def test_memory_budget_default_and_override(tmp_path, monkeypatch):
    monkeypatch.delenv("RGPD_AUDIT_MEMORY_LIMIT", raising=False)
    with Workspace(tmp_path / "ws") as ws:
        default = ws.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    monkeypatch.setenv("RGPD_AUDIT_MEMORY_LIMIT", "3GB")
    with Workspace(tmp_path / "ws") as ws:
        raised = ws.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert default == "953.6 MiB"  # 1GB (decimal) as DuckDB prints it
    assert raised == "2.7 GiB"
    monkeypatch.setenv("RGPD_AUDIT_MEMORY_LIMIT", "lots")
    with pytest.raises(WorkspaceError, match="RGPD_AUDIT_MEMORY_LIMIT"):
        Workspace(tmp_path / "ws")


def test_two_loads_on_one_encrypted_connection(tmp_path):
    """The in-memory scratch of an encrypted workspace is registered once per connection: a
    second load in the same session (a notebook, a script) works, and the counts add up."""
    from rgpd_audit.ingest.engine import load_estate
    from rgpd_audit.ingest.manifest import load_manifest
    from tests.conftest import write_manifest

    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "a.csv").write_text("id,email\n1,a@example.fr\n2,b@example.fr\n", encoding="utf-8")
    manifest = write_manifest(estate, "  - {name: a, format: csv, path: a.csv, activities: [prospects], "
                                      "hosting: {provider: OVH SAS, country: FR}}\n")
    with Workspace(tmp_path / "ws", key="k") as ws:
        assert ws.encrypted
        load_estate(ws, load_manifest(manifest))
        (estate / "a.csv").write_text("id,email\n1,a@example.fr\n2,b@example.fr\n3,c@example.fr\n", encoding="utf-8")
        report = load_estate(ws, load_manifest(manifest))
        assert report.failed == []
        assert ws.con.execute("SELECT rows_read, rows_loaded, rows_rejected FROM load_files").fetchall() == [(3, 3, 0)]
