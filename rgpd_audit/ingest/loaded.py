"""What later stages know about a loaded source: tables, columns, capabilities, date roles,
keys and subjects — the one reading of the workspace's ``sources`` table.

Read from the workspace (the manifest as loaded) so that checks, the data map and DSAR run
on what is loaded, not on a manifest that may have changed since. Later stages select
sources by what their tables are (:meth:`LoadedSource.capability`), never by format name.
"""

from __future__ import annotations

import json
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
    # table -> column -> {category, activity, subject_key, date_role, status}
    decisions: dict[str, dict[str, dict]] = field(default_factory=dict)

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
        out: dict[str, tuple] = {c: (r, "loader") for c, r in self.loader.date_roles.items()}
        out.update({c: (r, "manifest") for c, r in (self.options.get("dates") or {}).items()})
        for col, d in self.decisions.get(table or self.name, {}).items():
            if d.get("date_role"):
                out[col] = (d["date_role"], "mapping")
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
        subj = self.options.get("subject") or {}
        cols = set(self.columns.get(self.name, []))
        decided = self.decisions.get(self.name, {})
        out = {}
        for kind in ("email", "phone", "name", "birth_date"):
            v = subj.get(kind)
            vs = [] if v is None else [v] if isinstance(v, str) else list(v)
            vs = [c for c in vs if c in cols and (c not in decided or decided[c]["subject_key"])]
            vs += [c for c, d in decided.items()
                   if d["subject_key"] and c in cols and c not in vs and _subject_kind(d["category"]) == kind]
            if vs:
                out[kind] = vs
        return out

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


def loaded_sources(ws: Workspace) -> list[LoadedSource]:
    """Every loaded source, by name, with its raw tables that exist and their columns."""
    rows = ws.con.execute(
        "SELECT name, title, format, activities, use, provider, country, options, tables, hosting FROM sources ORDER BY name"
    ).fetchall()
    colrows = ws.con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = 'ws' AND schema_name = 'raw' GROUP BY table_name"
    ).fetchall()
    columns = {t: c for t, c in colrows}
    decisions = _decisions(ws)
    out = []
    for name, title, fmt, acts, use, provider, country, options, tables, hosting in rows:
        opts = json.loads(options) if isinstance(options, str) else (options or {})
        host = json.loads(hosting) if isinstance(hosting, str) else (hosting or {})
        present = [t for t in (tables or []) if t in columns]
        out.append(
            LoadedSource(name, fmt, list(acts or []), use, provider, country, opts, present,
                         {t: columns[t] for t in present}, title, host,
                         {t: decisions[t] for t in present if t in decisions})
        )
    return out


def _decisions(ws: Workspace) -> dict[str, dict[str, dict]]:
    """The analyst's decisions in ``column_map`` (synced from the mapping file), per table."""
    has = ws.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND table_name = 'column_map'"
    ).fetchone()[0]
    if not has:
        return {}
    out: dict[str, dict[str, dict]] = {}
    for table, col, category, activity, subject_key, date_role, status in ws.con.execute(
        "SELECT table_name, column_name, category, activity, subject_key, date_role, status FROM column_map "
        "WHERE status IN ('confirmed', 'not_personal') ORDER BY ALL"
    ).fetchall():
        out.setdefault(table, {})[col] = {"category": category, "activity": activity, "subject_key": bool(subject_key),
                                          "date_role": date_role, "status": status}
    return out


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
