"""What the checks know about the loaded sources: tables, date roles, keys, subjects.

Read from the workspace's ``sources`` table (the manifest as loaded) so that checks run on
what is loaded, not on a manifest that may have changed since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .loaders import registry
from ..workspace import Workspace
from ..sql import quote_ident


@dataclass
class LoadedSource:
    name: str
    format: str
    activities: list[str]
    use: str
    provider: str
    country: str
    options: dict
    tables: list[str]
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> columns

    @property
    def loader(self):
        """The loader class of the source's format (what the format says of its rows)."""
        return registry.get(self.format)

    @property
    def main_table(self) -> str | None:
        return self.name if self.name in self.tables else None

    def date_roles(self, table: str | None = None) -> dict[str, list[str]]:
        """role -> columns carrying it, restricted to columns present in the table."""
        cols = set(self.columns.get(table or self.name, []))
        roles: dict[str, list[str]] = {}
        merged = {**self.loader.date_roles, **self.options.get("dates", {})}
        for col, role in merged.items():
            if col in cols:
                roles.setdefault(role, []).append(col)
        return roles

    @property
    def record_kind(self) -> str | None:
        return self.options.get("record_kind") or self.loader.record_kind

    def subject_columns(self) -> dict[str, list[str]]:
        subj = self.options.get("subject") or {}
        cols = set(self.columns.get(self.name, []))
        out = {}
        for kind in ("email", "phone", "name", "birth_date"):
            v = subj.get(kind)
            if v is None:
                continue
            vs = [v] if isinstance(v, str) else list(v)
            vs = [c for c in vs if c in cols]
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
        key = self.options.get("key")
        cols = set(self.columns.get(self.name, []))
        personal = {c for cs in self.subject_columns().values() for c in cs}
        if key and key in cols and key not in personal:
            return f"CAST({alias}.{quote_ident(key)} AS VARCHAR)"
        if key and key in cols:
            return f"pseudonym({alias}.{quote_ident(key)})"
        return f"({files}.path || coalesce('!' || {files}.entry, '') || '#' || {alias}._row)"

    def key_subject_columns(self) -> list[str]:
        """The columns of the main table ``key_expr`` and ``subject_expr`` read."""
        cols = set(self.columns.get(self.name, []))
        key = self.options.get("key")
        used = [key] if key and key in cols else []
        used += [c for cs in self.subject_columns().values() for c in cs]
        return list(dict.fromkeys(used + ["_row"]))


def loaded_sources(ws: Workspace) -> list[LoadedSource]:
    rows = ws.con.execute(
        "SELECT name, format, activities, use, provider, country, options, tables FROM sources ORDER BY name"
    ).fetchall()
    colrows = ws.con.execute(
        "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = 'ws' AND schema_name = 'raw' GROUP BY table_name"
    ).fetchall()
    columns = {t: c for t, c in colrows}
    out = []
    for name, fmt, acts, use, provider, country, options, tables in rows:
        opts = json.loads(options) if isinstance(options, str) else (options or {})
        out.append(
            LoadedSource(name, fmt, list(acts or []), use, provider, country, opts, list(tables or []),
                         {t: columns.get(t, []) for t in (tables or [])})
        )
    return out
