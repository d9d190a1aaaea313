"""Hostile corpus — I/O failures: disk full, read-only or unwritable folders, permission denied.

Each is one line naming the file, exit code 2 (never a traceback and exit 1, which systemd
is told means "findings"). A full disk is real where it can be (a file linked to
``/dev/full`` makes DuckDB's and Python's writes fail with ENOSPC); refused permissions are
real when the tests do not run as root (root ignores them) and simulated otherwise.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.errors import RgpdAuditError, WorkspaceError
from rgpd_audit.workspace import DB_FILE, Workspace, io_errors, io_failure
from tests.conftest import write_manifest
from tests.hostile.harness import KEY, counts, one_line_error, run_cli

AS_OF = "2026-11-27"
SOURCES = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}, dates: {contact: last_activity}}
"""


def _estate(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cands.csv").write_text("id;email;contact\n1;a@example.fr;01/01/2020\n2;b@example.fr;01/01/2026\n", encoding="utf-8")
    return write_manifest(root, SOURCES)


@pytest.fixture
def loaded(tmp_path):
    """An estate loaded into an encrypted workspace: (manifest, workspace)."""
    m = _estate(tmp_path / "estate")
    ws = tmp_path / "ws"
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return m, ws


def _fails(proc, *words: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    line = one_line_error(proc)
    for w in words:
        assert w in line, (w, line)
    return line


# -- disk full ----------------------------------------------------------------------------


def test_disk_full_in_the_workspace_is_one_line_and_leaves_it_as_it_was(loaded, tmp_path):
    assert Path("/dev/full").exists()
    m, ws = loaded
    before = counts(ws)
    wal = ws / f"{DB_FILE}.wal"
    assert not wal.exists()
    wal.symlink_to("/dev/full")  # every write of the database log fails with ENOSPC
    proc = run_cli(["load", str(m), "--workspace", str(ws), "--force"], cwd=tmp_path)
    _fails(proc, str(wal), "no space left on device")
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(tmp_path / "out")], cwd=tmp_path)
    _fails(proc, str(wal), "no space left on device")
    wal.unlink()
    assert counts(ws) == before  # nothing written
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(tmp_path / "out")], cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the workspace works: a retention breach is an error finding


def test_disk_full_for_the_outputs(loaded, tmp_path):
    _, ws = loaded
    out = tmp_path / "out"
    (out / AS_OF).mkdir(parents=True)
    (out / AS_OF / "findings.parquet").symlink_to("/dev/full")
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(out)], cwd=tmp_path)
    _fails(proc, "findings.parquet", "no space left on device")


def test_disk_full_writing_an_erasure_plan_names_the_folder(dsar_ws, tmp_path, monkeypatch):
    """Python's own writes: ENOSPC raised by a write names the folder written to."""
    from rgpd_audit.dsar import PersonQuery, erase_plan, write_plan
    from rgpd_audit.policy import load_policy
    from tests.dsar_estate import EMAIL

    plan = erase_plan(dsar_ws, load_policy(), PersonQuery.make(email=EMAIL), as_of=__import__("datetime").date(2026, 11, 27))

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as write() raises it: no file name

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(RgpdAuditError) as exc:
        write_plan(plan, tmp_path / "plans")
    assert str(exc.value) == f"{tmp_path / 'plans'}: no space left on device (cannot write the erasure plan)"


# -- a file where a folder should be, read-only, permission denied ---------------------------


def test_a_file_in_the_way_of_the_workspace_or_the_outputs(loaded, tmp_path):
    m, ws = loaded
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    proc = run_cli(["load", str(m), "--workspace", str(blocker / "ws")], cwd=tmp_path)
    _fails(proc, str(blocker / "ws"), "not a directory")
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(blocker / "out")], cwd=tmp_path)
    _fails(proc, str(blocker / "out"), "not a directory", "cannot write the findings")
    proc = run_cli(["report", "--manifest", str(m), "--workspace", str(ws), "--as-of", AS_OF, "--out", str(blocker)],
                   cwd=tmp_path)
    _fails(proc, str(blocker), "Directory")  # click's own check of --out: one line, exit 2
    for cmd in (["dsar", "export"], ["dsar", "erase-plan"]):
        proc = run_cli([*cmd, "--workspace", str(ws), "--email", "a@example.fr", "--as-of", AS_OF, "--out", str(blocker / "x")],
                       cwd=tmp_path)
        _fails(proc, str(blocker / "x"), "not a directory")


def _deny(monkeypatch, under: Path, err: int):
    """Refuse (EACCES / EROFS) any folder created under ``under``, as a read-only or foreign folder would."""
    real = Path.mkdir

    def mkdir(self, *a, **k):
        if Path(self).is_relative_to(under) and not Path(self).exists():
            raise OSError(err, os.strerror(err), str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", mkdir)


@pytest.mark.parametrize("err, words", [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only file system")])
def test_read_only_or_forbidden_folders(loaded, tmp_path, monkeypatch, err, words):
    m, ws = loaded
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setenv("RGPD_AUDIT_KEY", KEY)
    runner = CliRunner()
    if os.geteuid() != 0 and err == errno.EACCES:
        locked.chmod(0o500)  # real: the tests do not run as root
    else:
        _deny(monkeypatch, locked, err)
    try:
        res = runner.invoke(main, ["load", str(m), "--workspace", str(locked / "ws")])
        assert res.exit_code == 2, res.output
        assert f"Error: {locked / 'ws'}: {words} (cannot create the workspace folder)" in res.output
        res = runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(locked / "out")])
        assert res.exit_code == 2, res.output
        assert f"{locked / 'out'}" in res.output and words in res.output and "Traceback" not in res.output
        assert len([line for line in res.output.splitlines() if line.startswith("Error")]) == 1
    finally:
        locked.chmod(0o700)


def test_an_unwritable_workspace_is_one_line_naming_its_file(loaded, tmp_path, monkeypatch):
    """DuckDB's own refusals (a read-only or foreign database file): simulated at the DuckDB
    call, real when not root."""
    m, ws = loaded
    monkeypatch.setenv("RGPD_AUDIT_KEY", KEY)
    if os.geteuid() != 0:
        (ws / DB_FILE).chmod(0o400)
        ws.chmod(0o500)
    else:
        real_connect = duckdb.connect

        class Refusing:
            def __init__(self, con):
                self._con = con

            def execute(self, sql, *a, **k):
                if sql.startswith("ATTACH"):
                    raise duckdb.IOException(f'IO Error: Cannot open file "{ws / DB_FILE}": Permission denied')
                return self._con.execute(sql, *a, **k)

            def __getattr__(self, name):
                return getattr(self._con, name)

        monkeypatch.setattr(duckdb, "connect", lambda *a, **k: Refusing(real_connect(*a, **k)))
    try:
        res = CliRunner().invoke(main, ["load", str(m), "--workspace", str(ws)])
        assert res.exit_code == 2, res.output
        assert f"Error: {ws / DB_FILE}: permission denied" in res.output, res.output
        assert "Traceback" not in res.output
    finally:
        ws.chmod(0o700)
        (ws / DB_FILE).chmod(0o600)


def test_io_failure_reads_duckdb_and_os_errors():
    ro = duckdb.IOException('IO Error: Could not write file "/srv/ws/workspace.duckdb.wal": Read-only file system')
    assert io_failure(ro) == "/srv/ws/workspace.duckdb.wal: read-only file system"
    # a failed commit reported again by the rollback that follows: the cause is found
    try:
        try:
            raise duckdb.TransactionException('TransactionContext Error: Failed to commit: Could not write file "/w/x.wal": No space left on device')
        except duckdb.Error:
            raise duckdb.TransactionException("cannot rollback - no transaction is active")  # noqa: B904 - as DuckDB's callers do
    except duckdb.Error as exc:
        chained = exc
    assert io_failure(chained) == "/w/x.wal: no space left on device"
    assert io_failure(OSError(errno.ENOSPC, "No space left on device"), "/out") == "/out: no space left on device"
    assert io_failure(PermissionError(errno.EACCES, "Permission denied", "/srv/a.csv")) == "/srv/a.csv: permission denied"
    assert io_failure(duckdb.BinderException("Binder Error: column x not found")) is None
    assert io_failure(ValueError("x")) is None
    with pytest.raises(WorkspaceError, match=r"^/w/db: no space left on device$"):
        with io_errors("/w/db"):
            raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(duckdb.BinderException):  # not an I/O failure: passes through
        with io_errors("/w/db"):
            raise duckdb.BinderException("Binder Error: column x not found")


# -- a load that does not finish ------------------------------------------------------------

# ``rgpd-audit`` with the load stopped by a full disk after its first source
INTERRUPTED = (
    "import errno, os, rgpd_audit.ingest.engine as E\n"
    "_load, _n = E._load_source, [0]\n"
    "def _stop(*a, **k):\n"
    "    _n[0] += 1\n"
    "    if _n[0] == 2:\n"
    "        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.environ['FULL_AT'])\n"
    "    return _load(*a, **k)\n"
    "E._load_source = _stop\n"
)

THREE = """
- name: alpha
  format: csv
  path: alpha.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}}
- name: beta
  format: csv
  path: beta.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}}
- name: gamma
  format: csv
  path: gamma.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}}
"""


def _three(root: Path, rows: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("alpha", "beta", "gamma"):
        body = "".join(f"{i};{name}{i}@example.fr\n" for i in range(rows))
        (root / f"{name}.csv").write_text("id;email\n" + body, encoding="utf-8")
    return write_manifest(root, THREE)


def _interrupted_cli(args, cwd, full_at):
    import subprocess

    from tests.hostile import harness

    env = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_AUDIT_")}
    env.update(RGPD_AUDIT_KEY=KEY, RGPD_AUDIT_LOAD_WORKERS="1", FULL_AT=str(full_at))
    code = INTERRUPTED + harness.CLI[2]
    return subprocess.run([harness.CLI[0], "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _loaded_rows(ws: Path) -> dict[str, int]:
    with Workspace(ws, key=KEY, create=False) as w:
        return {t: w.con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in w.tables("raw")}


def test_an_interrupted_load_is_refused_by_check_and_report_until_loaded_again(tmp_path):
    m = _three(tmp_path / "estate", 2)
    ws, out = tmp_path / "ws", tmp_path / "out"
    assert run_cli(["load", str(m), "--workspace", str(ws)], cwd=tmp_path).returncode == 0
    assert _loaded_rows(ws) == {"alpha": 2, "beta": 2, "gamma": 2}
    _three(tmp_path / "estate", 3)  # next month's exports
    full = ws / "tmp" / "scratch.bin"
    proc = _interrupted_cli(["load", str(m), "--workspace", str(ws)], tmp_path, full)
    _fails(proc, str(full), "no space left on device")
    assert _loaded_rows(ws) == {"alpha": 3, "beta": 2, "gamma": 2}  # the mixed state the checks must not see
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(out)], cwd=tmp_path)
    _fails(proc, str(ws), "did not finish for source(s) alpha, beta, gamma", "run `rgpd-audit load` again")
    assert not out.exists()
    # the library refuses too: the checks and the pipeline
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.pipeline import audit
    from rgpd_audit.policy import load_policy

    with Workspace(ws, key=KEY, create=False) as w:
        assert w.stale_sources() == ["alpha", "beta", "gamma"]
        with pytest.raises(WorkspaceError, match="did not finish for source"):
            run_checks(w, load_policy(), __import__("datetime").date(2026, 11, 27))
        with pytest.raises(WorkspaceError, match="did not finish for source"):
            audit(w, __import__("datetime").date(2026, 11, 27), load=False)
        assert w.con.execute("SELECT count(*) FROM audit_runs").fetchone()[0] == 0
    # a load that finishes clears it
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _loaded_rows(ws) == {"alpha": 3, "beta": 3, "gamma": 3}
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(out)], cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert (out / AS_OF / "findings.csv").exists()


def test_a_load_of_some_sources_keeps_the_others_stale(tmp_path):
    m = _three(tmp_path / "estate", 2)
    ws = tmp_path / "ws"
    proc = _interrupted_cli(["load", str(m), "--workspace", str(ws)], tmp_path, ws / "tmp" / "x")
    assert proc.returncode == 2
    proc = run_cli(["load", str(m), "--workspace", str(ws), "--source", "beta"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(tmp_path / "out")], cwd=tmp_path)
    _fails(proc, "did not finish for source(s) alpha, gamma")


def test_a_failed_source_is_stale_until_it_loads(load_tiny, tmp_path):
    from rgpd_audit.checks.runner import run_checks
    from rgpd_audit.ingest.engine import load_estate
    from rgpd_audit.ingest.manifest import load_manifest
    from rgpd_audit.policy import load_policy

    sources = SOURCES + """
- name: emailing
  format: brevo
  path: contacts.csv
  activities: [prospects]
  hosting: {provider: Sendinblue SAS, country: FR}
"""
    (tmp_path / "cands.csv").write_text("id;email;contact\n1;a@example.fr;01/01/2020\n", encoding="utf-8")
    ws, report = load_tiny(sources, {"contacts.csv": "NOM;PRENOM\nx;y\n"})  # not a Brevo export: no EMAIL column
    assert [s.name for s in report.failed] == ["emailing"]
    assert ws.stale_sources() == ["emailing"]
    with pytest.raises(WorkspaceError) as exc:
        run_checks(ws, load_policy(), __import__("datetime").date(2026, 11, 27))
    assert "did not finish for source(s) emailing (interrupted or failed)" in str(exc.value)
    (tmp_path / "contacts.csv").write_text("EMAIL;NOM;ADDED_TIME\nz@example.fr;Z;01-02-2024\n", encoding="utf-8")
    report = load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
    assert not report.failed and ws.stale_sources() == []
    assert run_checks(ws, load_policy(), __import__("datetime").date(2026, 11, 27)).run_id


def test_a_real_write_failure_half_way_through_a_load(tmp_path):
    """A real failing write, not an injected exception: the file-size limit (RLIMIT_FSIZE, as
    a full disk would) stops DuckDB's log half-way through the load (measured with DuckDB
    1.5.5: after the first of three sources). One line naming the file, exit 2, the sources
    recorded as stale, and a load that can write heals the workspace."""
    import subprocess

    from tests.hostile import harness

    m = _three(tmp_path / "estate", 20_000)
    ws = tmp_path / "ws"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_AUDIT_")}
    env.update(RGPD_AUDIT_KEY=KEY, RGPD_AUDIT_LOAD_WORKERS="1")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, 1_500_000))\n"
    proc = subprocess.run([harness.CLI[0], "-c", limit + harness.CLI[2], "load", str(m), "--workspace", str(ws)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    line = _fails(proc, str(ws), "file too large")
    assert line.startswith(f"Error: {ws}"), line
    with Workspace(ws, key=KEY, create=False) as w:
        assert w.stale_sources() == ["alpha", "beta", "gamma"]
        loaded = {t: w.con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in w.tables("raw")}
    assert set(loaded.values()) <= {20_000} and len(loaded) < 3  # whole sources or none of them
    proc = run_cli(["check", "--workspace", str(ws), "--as-of", AS_OF, "--out", str(tmp_path / "out")], cwd=tmp_path)
    _fails(proc, "did not finish for source(s) alpha, beta, gamma")
    proc = run_cli(["load", str(m), "--workspace", str(ws)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _loaded_rows(ws) == {"alpha": 20_000, "beta": 20_000, "gamma": 20_000}
