"""The workspace: one folder holding one DuckDB database and its settings.

The database holds the loaded exports (schema ``raw``), their provenance (``load_files``,
``load_rejects``, ``sources``) and, as later stages add them, mapping, findings and audit
history. The schema is created and migrated here, by numbered SQL files in
``rgpd_audit/workspace/migrations``.

Encryption at rest: when ``RGPD_AUDIT_KEY`` is set (or a key is passed), the database is
created encrypted with DuckDB's ``ENCRYPTION_KEY`` and can only be opened with that key.
DuckDB writes encrypted files securely only with OpenSSL, which the ``httpfs`` extension
brings; it is loaded from the ``duckdb-extension-httpfs`` package, never downloaded.

Loads that did not finish: ``begin_load`` records the sources a load is about to replace
(setting ``load_pending``) before it touches them, ``end_load`` keeps only those that did not
load; a load killed or stopped by a full disk leaves them recorded, and
``check_load_finished`` (run by the checks and the report) refuses the workspace, naming
them, until a load of those sources succeeds.

I/O failures: ``io_failure(exc, path)`` turns an ``OSError``, or a DuckDB error caused by
one (disk full, read-only file system, permission denied, a file where a folder should be),
into one line naming the file; ``io_errors(path)`` raises it as a :class:`WorkspaceError`.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from ..errors import RgpdAuditError, WorkspaceError
from ..sql import quote_literal

DB_FILE = "workspace.duckdb"
KEY_ENV = "RGPD_AUDIT_KEY"
# DuckDB's memory budget; beyond it big joins and sorts spill to <workspace>/tmp (its own
# default is 80 % of the machine's RAM, far above what a monthly job should take)
MEMORY_ENV = "RGPD_AUDIT_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"
ALIAS = "ws"
LOAD_PENDING = "load_pending"

# What DuckDB says (its own wording, or the C library's strerror it quotes) when a file
# cannot be written or opened: the I/O failures a user can fix (space, rights, a path).
_IO_REASONS = (
    "No space left on device", "Disk quota exceeded", "File too large", "Read-only file system",
    "Permission denied", "Operation not permitted", "Not a directory", "Is a directory",
    "No such file or directory", "Input/output error", "Too many open files",
)
# DuckDB 1.x: 'Could not set lock on file "…": Conflicting lock is held in /usr/bin/python3 (PID 4242) by user …'
_LOCK = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_QUOTED_PATH = re.compile(r'(?:file|directory) "([^"]+)"', re.IGNORECASE)
_QUOTED_ANY_PATH = re.compile(r'"([^"\n]*/[^"\n]*)"')


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def io_failure(exc: BaseException, path: str | Path | None = None) -> str | None:
    """One line for an I/O failure, naming the file (``path`` when the error names none), or
    None when ``exc`` is not one. Looks through the exceptions ``exc`` was raised from (DuckDB
    reports a failed write again when a rollback follows it)."""
    for e in _chain(exc):
        if isinstance(e, OSError) and not isinstance(e, (TimeoutError, ConnectionError)) and (e.errno or e.strerror):
            where = e.filename if e.filename is not None else path
            reason = e.strerror or (os.strerror(e.errno) if e.errno else str(e))
            if isinstance(e, FileExistsError) or e.errno == errno.EEXIST:
                reason = "a file is in the way (a folder was expected)"
            return f"{where}: {reason[:1].lower()}{reason[1:]}" if where is not None else reason
        if isinstance(e, duckdb.Error):
            msg = str(e)
            reason = next((r for r in _IO_REASONS if r.lower() in msg.lower()), None)
            if reason is None:
                continue
            m = _QUOTED_PATH.search(msg) or _QUOTED_ANY_PATH.search(msg)
            where = m.group(1) if m else path
            text = f"{reason[:1].lower()}{reason[1:]}"
            return f"{where}: {text}" if where is not None else text
    return None


@contextmanager
def io_errors(path: str | Path | None, error: type[RgpdAuditError] = WorkspaceError, hint: str = ""):
    """Raise an I/O failure inside the block as ``error`` (one line naming the file, then
    ``hint``); library errors and other exceptions pass through unchanged."""
    try:
        yield
    except RgpdAuditError:
        raise
    except (OSError, duckdb.Error) as exc:
        msg = io_failure(exc, path)
        if msg is None:
            raise
        raise error(msg + hint) from exc


def lock_holder(exc: BaseException) -> str | None:
    """When DuckDB could not open the file because another process holds it: one line saying
    which process (its PID and program, from DuckDB's message) and what to do; else None."""
    msg = str(exc)
    if "lock" not in msg.lower():
        return None
    m = _LOCK.search(msg)
    who = f"process {m.group('pid')} ({Path(m.group('program')).name})" if m else "another process"
    return (f"the workspace is in use by {who}: a notebook kernel or another rgpd-audit command holds it; "
            "wait for the command to finish, or restart or shut down the notebook's kernel, then try again")


def _migrations() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("rgpd_audit.workspace.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(out)


SCHEMA_VERSION = max(v for v, _, _ in _migrations())


def _httpfs_path() -> str | None:
    try:
        import duckdb_extension_httpfs as ext
    except ImportError:
        return None
    base = Path(ext.__file__).parent
    found = sorted(base.glob(f"**/v{duckdb.__version__}/httpfs.duckdb_extension")) or sorted(
        base.glob("**/httpfs.duckdb_extension")
    )
    return str(found[0]) if found else None


class Workspace:
    """An open workspace. Use as a context manager, or call ``close()``."""

    def __init__(self, path: str | Path, *, key: str | None = None, create: bool = True, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self.db_path = self.path / DB_FILE
        if key is None:
            key = os.environ.get(KEY_ENV) or None
        self.encrypted = bool(key)
        exists = self.db_path.exists()
        if not exists and (not create or read_only):
            raise WorkspaceError(
                f"{self.path}: no workspace here (run `rgpd-audit load` first, or name the workspace with "
                "--workspace or $RGPD_AUDIT_WORKSPACE)"
            )
        if self.path.exists() and not self.path.is_dir():
            raise WorkspaceError(f"{self.path}: not a folder (a file is in the way of the workspace)")
        with io_errors(self.path, hint=" (cannot create the workspace folder)"):
            self.path.mkdir(parents=True, exist_ok=True)
        memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
        try:
            self.con = duckdb.connect(config={"threads": os.cpu_count() or 2, "memory_limit": memory})
        except duckdb.Error as exc:
            raise WorkspaceError(f"{MEMORY_ENV}={memory!r} is not a memory size DuckDB understands (e.g. 2GB): {exc}") from None
        if key:
            ext = _httpfs_path()
            if ext is None:
                raise WorkspaceError(
                    "encryption needs the duckdb-extension-httpfs package (OpenSSL); install it with pip"
                )
            self.con.execute(f"LOAD {quote_literal(ext)}")
        opts = [f"ENCRYPTION_KEY {quote_literal(key)}"] if key else []
        if read_only:
            opts.append("READ_ONLY")
        opts = f" ({', '.join(opts)})" if opts else ""
        try:
            self.con.execute(f"ATTACH {quote_literal(str(self.db_path))} AS {ALIAS}{opts}")
        except duckdb.Error as exc:
            self.con.close()
            msg = str(exc)
            held = lock_holder(exc)
            if held is not None:
                raise WorkspaceError(f"{self.db_path}: {held}") from None
            if "without a key" in msg:
                raise WorkspaceError(f"{self.db_path}: the workspace is encrypted; set {KEY_ENV} to its key") from None
            if "Wrong encryption key" in msg or "wrong encryption key" in msg.lower():
                raise WorkspaceError(f"{self.db_path}: wrong encryption key (from {KEY_ENV})") from None
            io = io_failure(exc, self.db_path)
            if io is not None:
                raise WorkspaceError(f"{io} (cannot open the workspace)") from None
            if key and exists:
                raise WorkspaceError(
                    f"{self.db_path}: cannot open with a key: the workspace is not encrypted "
                    f"(unset {KEY_ENV}, or start a new workspace) — {msg}"
                ) from None
            raise WorkspaceError(f"{self.db_path}: cannot open workspace: {msg.splitlines()[0] if msg else msg}") from None
        try:
            with io_errors(self.db_path, hint=" (cannot open the workspace)"):
                self.con.execute(f"USE {ALIAS}")
                tmp = self.path / "tmp"
                self.con.execute(f"SET temp_directory = {quote_literal(str(tmp))}")
                if key:
                    # data spilled to disk during big queries is encrypted too
                    self.con.execute("SET temp_file_encryption = true")
                if read_only:
                    self._check_current()
                else:
                    self._migrate()
                self._install_macros()
        except BaseException:
            self.close()
            raise

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.execute("USE memory")
            self.con.execute(f"DETACH {ALIAS}")
        except duckdb.Error:
            pass
        self.con.close()

    # -- schema --------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self.con.execute("SELECT value FROM settings WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        has_settings = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'settings'", [ALIAS]
        ).fetchone()[0]
        current = self.schema_version if has_settings else 0
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.db_path}: workspace schema v{current} is newer than this rgpd-audit (v{SCHEMA_VERSION}); upgrade the package"
            )
        for version, name, sql in _migrations():
            if version <= current:
                continue
            self.con.execute("BEGIN")
            try:
                self.con.execute(sql)
                self.con.execute(
                    "INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)", [str(version)]
                )
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self.con.execute("ROLLBACK")
                raise WorkspaceError(f"{self.db_path}: migration {name} failed: {exc}") from None
        if self.get_setting("pseudonym_secret") is None:
            self.set_setting("pseudonym_secret", secrets.token_hex(32))

    def _check_current(self) -> None:
        """A read-only workspace cannot be migrated: it must be of this release's schema."""
        current = self.schema_version
        if current != SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.db_path}: workspace schema v{current}, this rgpd-audit reads v{SCHEMA_VERSION}; "
                + ("run `rgpd-audit load` (or `check`) once to upgrade it" if current < SCHEMA_VERSION else "upgrade the package")
            )

    def get_setting(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])

    # -- loads that did not finish -----------------------------------------------------
    def stale_sources(self) -> list[str]:
        """Sources whose last load started and did not succeed (killed, disk full, failed)."""
        value = self.get_setting(LOAD_PENDING)
        return sorted(json.loads(value)) if value else []

    def begin_load(self, sources: list[str]) -> None:
        """Record, before a load touches them, the sources it is about to replace."""
        self.set_setting(LOAD_PENDING, json.dumps(sorted(set(self.stale_sources()) | set(sources))))

    def end_load(self, done: list[str], *, declared: list[str] | None = None) -> None:
        """A load returned: ``done`` are the sources now matching their files; the others
        stay recorded. ``declared`` (a whole manifest's load): sources no longer in the
        manifest are forgotten."""
        left = [s for s in self.stale_sources() if s not in done and (declared is None or s in declared)]
        self.set_setting(LOAD_PENDING, json.dumps(left))

    def check_load_finished(self) -> None:
        """Refuse a workspace whose last load did not finish: some sources may hold an older
        export than the others (:class:`WorkspaceError` naming them)."""
        stale = self.stale_sources()
        if stale:
            raise WorkspaceError(
                f"{self.path}: the last load did not finish for source(s) {', '.join(stale)} (interrupted or failed), "
                "so the workspace mixes old and new exports; run `rgpd-audit load` again"
            )

    # -- pseudonyms ------------------------------------------------------------------
    def _install_macros(self) -> None:
        secret = self.get_setting("pseudonym_secret") or ""
        self._secret = secret
        # A keyed hash: the same value gives the same pseudonym inside this workspace only.
        self.con.execute(
            f"CREATE OR REPLACE TEMP MACRO pseudonym(v) AS "
            f"CASE WHEN v IS NULL THEN NULL ELSE 'P-' || upper(left(sha256({quote_literal(secret)} || ':' || lower(trim(CAST(v AS VARCHAR)))), 10)) END"
        )

    def pseudonym(self, value: str | None) -> str | None:
        """The pseudonym of a value, equal to SQL ``pseudonym(value)``."""
        if value is None:
            return None
        digest = hashlib.sha256(f"{self._secret}:{value.strip(' ').lower()}".encode()).hexdigest()
        return "P-" + digest[:10].upper()

    # -- helpers ---------------------------------------------------------------------
    def tables(self, schema: str = "raw") -> list[str]:
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? ORDER BY 1",
            [ALIAS, schema],
        ).fetchall()
        return [r[0] for r in rows]

    def sql(self, query: str, params: list | None = None):
        """Run a query and return a pandas DataFrame (for notebooks and small results)."""
        return self.con.execute(query, params or []).df()


def open_workspace(path: str | Path, *, key: str | None = None, create: bool = True, read_only: bool = False) -> Workspace:
    return Workspace(path, key=key, create=create, read_only=read_only)
