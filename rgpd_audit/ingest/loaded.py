"""What later stages know about a loaded source: tables, columns, capabilities, date roles,
keys and subjects — the one reading of the workspace's ``sources`` table.

Read from the workspace (the manifest as loaded) so that checks, the data map and DSAR run
on what is loaded, not on a manifest that may have changed since. Later stages select
sources by what their tables are (:meth:`LoadedSource.capability`), never by format name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..sql import quote_ident
from ..workspace import Workspace
from .loaders import registry
from .loaders.base import Capability

# How the checks read a date the load did not type (a column dated by the analyst's mapping
# decision only): after ISO 8601, the day-first forms of French exports.
DAY_FIRST_FORMATS = ["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"]


def _subject_kind(category: str | None) -> str | None:
    """The kind of subject key a category gives (``user.contact.email`` -> ``email``)."""
    for prefix, kind in (("user.contact.email", "email"), ("user.contact.phone_number", "phone"),
                         ("user.name", "name"), ("user.demographic.date_of_birth", "birth_date")):
        if category and (category == prefix or category.startswith(prefix + ".")):
            return kind
    return None


def row_identity(alias: str = "t", files: str = "lf") -> str:
    """SQL for a loaded row's identity that survives a reload: its file as recorded (path and
    zip entry or sheet, relative to the manifest) and its record number. ``files`` is the row's
    ``load_files`` row, ``alias`` the raw table."""
    return f"({files}.path || coalesce('!' || {files}.entry, '') || '#' || {alias}._row)"


@dataclass(frozen=True)
class Table:
    """A capability found in a loaded table: which table, and the column of each role."""

    name: str
    columns: dict[str, str | None]  # role -> column (None: an optional role the file lacks)
    capability: Capability

    def col(self, role: str) -> str | None:
        return self.columns.get(role)

    @property
    def facts(self):
        return self.capability.facts


# What the mapping records of a column, and who may say it, by precedence (docs/analyst-loop.md):
# the analyst's confirmed decision, the manifest's hint, the loader's declaration, the
# classifier's unreviewed suggestion.
KINDS = ("category", "activity", "subject_key", "date_role", "personal")
ORIGINS = ("mapping", "manifest", "loader", "suggestion")


@dataclass(frozen=True)
class Decision:
    """An analyst's decision on a column, as the mapping records it (``column_map``)."""

    table: str
    column: str
    status: str  # confirmed | not_personal
    category: str | None
    activity: str | None
    subject_key: bool
    date_role: str | None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None

    def value(self, kind: str):
        if kind == "personal":
            return self.status != "not_personal"
        if kind == "subject_key":
            return self.subject_key and self.status != "not_personal"
        return getattr(self, kind)


@dataclass(frozen=True)
class Effective:
    """The value a column takes for one kind of decision, and who gave it (``origin``: one of
    :data:`ORIGINS`, None when nobody says). ``decision``: the analyst's, when it is theirs."""

    kind: str
    value: object
    origin: str | None
    decision: Decision | None = None

    @property
    def decided(self) -> bool:
        return self.origin == "mapping"

    @property
    def unreviewed(self) -> bool:
        """The value rests on the classifier's suggestion only (a finding using it says so)."""
        return self.origin == "suggestion"


@dataclass
class LoadedSource:
    name: str
    format: str
    activities: list[str]
    use: str
    provider: str
    country: str
    options: dict
    tables: list[str]  # raw tables of the source that exist
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> columns
    title: str | None = None
    hosting: dict = field(default_factory=dict)  # the manifest's hosting entry (service, evidence…)
    # the analyst's decisions of the mapping (``column_map`` rows confirmed or not_personal):
    # table -> column -> {category, activity, subject_key, date_role, status, decided_by, decided_at}
    decisions: dict[str, dict[str, dict]] = field(default_factory=dict)
    # the classifier's suggestions (``column_map`` rows still suggested), the same shape
    suggestions: dict[str, dict[str, dict]] = field(default_factory=dict)

    def effective(self, column: str, kind: str, table: str | None = None, *, mapping: bool = True) -> Effective:
        """What ``column`` of ``table`` (default: the main table) is for one ``kind`` of
        decision (:data:`KINDS`), and who says so, by one precedence: the analyst's confirmed
        mapping decision (``mapping``) over the manifest's hint (``manifest``) over the
        loader's declaration (``loader``) over the classifier's suggestion (``suggestion``).

        A decision giving no date role or no activity leaves the others' (it decides the
        category); a ``not_personal`` decision makes the column no category, no subject key.
        The one reading of the mapping every check goes through. ``mapping=False``: what the
        column would be without the analyst's decision."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of decision {kind!r}; known: {', '.join(KINDS)}")
        table = table or self.name
        d = self.decisions.get(table, {}).get(column) if mapping else None
        if d is not None:
            decision = Decision(table, column, d["status"], d["category"], d["activity"], d["subject_key"],
                                d["date_role"], d.get("decided_by"), d.get("decided_at"))
            value = decision.value(kind)
            if value is not None or kind not in ("date_role", "activity"):
                return Effective(kind, value, "mapping", decision)
        main = table == self.name
        if kind == "date_role":
            dates = self.options.get("dates") or {}
            if main and column in dates:
                return Effective(kind, dates[column], "manifest")
            if main and column in self.loader.date_roles:
                return Effective(kind, self.loader.date_roles[column], "loader")
        elif kind in ("subject_key", "personal") and main and column in self._manifest_subjects():
            return Effective(kind, True, "manifest")
        elif kind == "activity" and len(self.activities) == 1 and not self.options.get("split_by"):
            return Effective(kind, self.activities[0], "manifest")
        sug = self.suggestions.get(table, {}).get(column)
        if sug is not None:
            value = sug["category"] is not None if kind == "personal" else sug[kind]
            if value is not None:
                return Effective(kind, value, "suggestion")
        return Effective(kind, None, None)

    def _manifest_subjects(self) -> dict[str, str]:
        """column -> kind of the manifest's ``options.subject``."""
        out: dict[str, str] = {}
        for kind, v in (self.options.get("subject") or {}).items():
            for c in [] if v is None else [v] if isinstance(v, str) else list(v):
                out.setdefault(c, kind)
        return out

    def decisions_used(self, columns, kinds: tuple[str, ...], table: str | None = None) -> list[Effective]:
        """The analyst's decisions among ``columns`` for ``kinds`` that a finding rests on: those
        giving a value, other than what the manifest or the loader already said (confirming
        the classifier's suggestion is a decision: it makes the value reviewed)."""
        out = []
        for c in columns:
            for k in kinds:
                e = self.effective(c, k, table)
                if not e.decided or e.value in (None, False):
                    continue
                below = self.effective(c, k, table, mapping=False)
                if below.origin in ("manifest", "loader") and below.value == e.value:
                    continue
                out.append(e)
        return out

    @property
    def evidence(self) -> dict:
        """The user's transfer evidence for the source's provider (``hosting.evidence``)."""
        return self.hosting.get("evidence") or {}

    @property
    def loader(self):
        """The loader class of the source's format (what the format says of its rows)."""
        return registry.get(self.format)

    def capability(self, kind: str) -> Table | None:
        """The source's table of a capability (``share_log``, ``mail``…) when its loader declares
        it and the loaded table has the columns of every required role; else None."""
        for cap in self.loader.capabilities:
            if cap.kind != kind:
                continue
            table = self.name if cap.entity is None else f"{self.name}__{cap.entity}"
            present = set(self.columns.get(table, []))
            if table not in self.tables:
                continue
            cols = {role: (c if c in present else None) for role, c in cap.columns.items()}
            if all(c is not None for role, c in cols.items() if role not in cap.optional):
                return Table(table, cols, cap)
        return None

    def has_capability(self, kind: str) -> bool:
        """The loader declares ``kind``, whether or not the loaded files have its columns."""
        return any(cap.kind == kind for cap in self.loader.capabilities)

    def resolve_column(self, name: str, table: str | None = None) -> str | None:
        """The loaded column holding the export's column ``name`` (loaders may rename headers)."""
        return self.loader.resolve_column(name, self.columns.get(table or self.name, []))

    @property
    def main_table(self) -> str | None:
        return self.name if self.name in self.tables else None

    def date_role_origins(self, table: str | None = None) -> dict[str, tuple[str | tuple[str, ...], str]]:
        """column -> (role or roles, who said so), by precedence: the analyst's confirmed
        mapping decision (``mapping``) over the manifest's ``options.dates`` (``manifest``)
        over the loader's declaration (``loader``). A decision without a date role leaves
        the others' role (it decides the category); the classifier's unreviewed guess of a
        date role is never used."""
        table = table or self.name
        candidates = list(self.decisions.get(table, {}))
        if table == self.name:
            candidates = list(self.loader.date_roles) + list(self.options.get("dates") or {}) + candidates
        out: dict[str, tuple] = {}
        for col in dict.fromkeys(candidates):
            e = self.effective(col, "date_role", table)
            if e.value and e.origin != "suggestion":
                out[col] = (e.value, e.origin)
        return out

    @property
    def mapped_date_columns(self) -> frozenset[str]:
        """Columns of the main table dated by a mapping decision only: the load did not type
        them (the checks read their text with the source's ``date_format``, else the usual
        day-first forms)."""
        typed = set(self.loader.date_roles) | set(self.options.get("dates") or {})
        return frozenset(c for c, (_, who) in self.date_role_origins().items() if who == "mapping" and c not in typed)

    @property
    def date_formats(self) -> list[str]:
        fmt = self.options.get("date_format")
        given = [fmt] if isinstance(fmt, str) else list(fmt or [])
        return given + [f for f in DAY_FIRST_FORMATS if f not in given]

    def decided(self, column: str, table: str | None = None) -> dict | None:
        """The analyst's decision on a column (None: no decision)."""
        return self.decisions.get(table or self.name, {}).get(column)

    def date_roles(self, table: str | None = None) -> dict[str, list[str]]:
        """role -> columns carrying it, restricted to columns present in the table (the
        precedence of :meth:`date_role_origins`)."""
        cols = set(self.columns.get(table or self.name, []))
        roles: dict[str, list[str]] = {}
        merged = {c: r for c, (r, _) in self.date_role_origins(table).items()}
        for col, role in merged.items():
            if col in cols:
                for r in (role,) if isinstance(role, str) else role:  # a loader may give a column several roles
                    roles.setdefault(r, []).append(col)
        return roles

    @property
    def derived_columns(self) -> frozenset[str]:
        """Columns the loader added to the export's own (not fields of the source system)."""
        return frozenset(self.loader.derived_columns)

    @property
    def record_kind(self) -> str | None:
        return self.options.get("record_kind") or self.loader.record_kind

    def subject_columns(self) -> dict[str, list[str]]:
        """kind (email, phone, name, birth_date) -> the main table's columns identifying the
        person, by precedence: the analyst's confirmed decision (``subject_key`` true with an
        e-mail, phone, name or birth-date category adds the column; false removes it) over the
        manifest's ``options.subject``."""
        cols = set(self.columns.get(self.name, []))
        hinted = self._manifest_subjects()
        out: dict[str, list[str]] = {}
        for col in dict.fromkeys([*hinted, *self.decisions.get(self.name, {})]):
            if col not in cols:
                continue
            e = self.effective(col, "subject_key")
            if not e.value or e.origin not in ("mapping", "manifest"):
                continue
            kind = _subject_kind(e.decision.category) if e.decided else hinted[col]
            if kind:
                out.setdefault(kind, []).append(col)
        return {k: out[k] for k in ("email", "phone", "name", "birth_date") if k in out}

    def subject_expr(self, alias: str = "t") -> str:
        """SQL for a pseudonymous subject reference (e-mail, else phone, else name)."""
        cols = self.subject_columns()
        for kind in ("email", "phone"):
            if kind in cols:
                c = cols[kind][0]
                return f"pseudonym(nullif(split_part({alias}.{quote_ident(c)}, ' ::: ', 1), ''))"
        if "name" in cols:
            parts = " || ' ' || ".join(f"coalesce({alias}.{quote_ident(c)}, '')" for c in cols["name"])
            return f"pseudonym(nullif(trim(strip_accents({parts})), ''))"
        return "NULL::VARCHAR"

    def key_expr(self, alias: str = "t", files: str = "lf") -> str:
        """SQL for the record key: the declared key column, unless it identifies the person.

        ``files`` is the ``load_files`` row of the record (its ``path`` and ``entry``).
        """
        key = self.options.get("key") or self.loader.key_column
        cols = set(self.columns.get(self.name, []))
        personal = {c for cs in self.subject_columns().values() for c in cs}
        if key and key in cols and key not in personal:
            return f"CAST({alias}.{quote_ident(key)} AS VARCHAR)"
        if key and key in cols:
            return f"pseudonym({alias}.{quote_ident(key)})"
        return row_identity(alias, files)

    def key_subject_columns(self) -> list[str]:
        """The columns of the main table ``key_expr`` and ``subject_expr`` read."""
        cols = set(self.columns.get(self.name, []))
        key = self.options.get("key") or self.loader.key_column
        used = [key] if key and key in cols else []
        used += [c for cs in self.subject_columns().values() for c in cs]
        return list(dict.fromkeys(used + ["_row"]))


# Workspaces read once for the length of a block (:func:`sources_snapshot`): id -> sources
_SNAPSHOTS: dict[int, list[LoadedSource] | None] = {}


@contextmanager
def sources_snapshot(ws: Workspace) -> Iterator[None]:
    """Within the block, :func:`loaded_sources` reads ``ws`` once (at its first call) and
    gives the same sources again: for a stage that does not load nor map (the checks of one
    run ask for them some twenty times). Nested blocks share the outer one's reading."""
    key = id(ws)
    if key in _SNAPSHOTS:
        yield
        return
    _SNAPSHOTS[key] = None
    try:
        yield
    finally:
        del _SNAPSHOTS[key]


def loaded_sources(ws: Workspace) -> list[LoadedSource]:
    """Every loaded source, by name, with its raw tables that exist and their columns."""
    key = id(ws)
    if key not in _SNAPSHOTS:
        return _read_sources(ws)
    if _SNAPSHOTS[key] is None:
        _SNAPSHOTS[key] = _read_sources(ws)
    return list(_SNAPSHOTS[key])


def _read_sources(ws: Workspace) -> list[LoadedSource]:
    rows = ws.con.execute(
        "SELECT name, title, format, activities, use, provider, country, options, tables, hosting FROM sources ORDER BY name"
    ).fetchall()
    colrows = ws.con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = 'ws' AND schema_name = 'raw' GROUP BY table_name"
    ).fetchall()
    columns = {t: c for t, c in colrows}
    decisions = _column_map(ws, decided=True)
    suggestions = _column_map(ws, decided=False)
    out = []
    for name, title, fmt, acts, use, provider, country, options, tables, hosting in rows:
        opts = json.loads(options) if isinstance(options, str) else (options or {})
        host = json.loads(hosting) if isinstance(hosting, str) else (hosting or {})
        present = [t for t in (tables or []) if t in columns]
        out.append(
            LoadedSource(name, fmt, list(acts or []), use, provider, country, opts, present,
                         {t: columns[t] for t in present}, title, host,
                         {t: decisions[t] for t in present if t in decisions},
                         {t: suggestions[t] for t in present if t in suggestions})
        )
    return out


def _column_map(ws: Workspace, decided: bool) -> dict[str, dict[str, dict]]:
    """``column_map`` (synced from the mapping file) per table: the analyst's decisions
    (``decided``) or the classifier's suggestions."""
    has = ws.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND table_name = 'column_map'"
    ).fetchone()[0]
    if not has:
        return {}
    who = "decided_by, decided_at" if _has_column(ws, "column_map", "decided_at") else "NULL, NULL"
    out: dict[str, dict[str, dict]] = {}
    for table, col, category, activity, subject_key, date_role, status, by, at in ws.con.execute(
        f"SELECT table_name, column_name, category, activity, subject_key, date_role, status, {who} FROM column_map "
        f"WHERE (status IN ('confirmed', 'not_personal')) = ? ORDER BY ALL", [decided]
    ).fetchall():
        out.setdefault(table, {})[col] = {"category": category, "activity": activity, "subject_key": bool(subject_key),
                                          "date_role": date_role, "status": status, "decided_by": by, "decided_at": at}
    return out


def _has_column(ws: Workspace, table: str, column: str) -> bool:
    return bool(ws.con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'ws' AND table_name = ? AND column_name = ?",
        [table, column],
    ).fetchone()[0])


def workspace_register(ws: Workspace):
    """The provider register transfers are judged on: the bundled one with the user's
    ``providers.yaml`` as it stood at the last load (kept in the workspace's settings)."""
    from ..legal import provider_register

    user = ws.get_setting("providers_register")
    return provider_register(json.loads(user) if user else None)


def workspace_organisation(ws: Workspace) -> dict:
    """The controller's identity as the manifest's ``organisation`` gave it at the last load."""
    value = ws.get_setting("organisation")
    return json.loads(value) if value else {}
