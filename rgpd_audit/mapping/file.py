"""The field mapping: the classifier's suggestions, reviewed by a person, as a YAML file.

One entry per loaded column, grouped by raw table (``raw.<source>`` or
``raw.<source>__<entity>``)::

    version: 1
    tables:
      candidates:
        source: candidates
        columns:
          N° sécurité sociale:
            category: user.government_id.national_identification_number
            activity: candidates
            subject_key: true
            date_role: null
            status: suggested          # suggested | confirmed | not_personal
            evidence: {rule: value:nir, confidence: 0.99, matched: 120, sampled: 120,
                       examples: [1 85 ** ** *** *** 48], suggested: {...}}

The analyst edits ``category``, ``activity``, ``subject_key``, ``date_role`` and sets
``status``; the review form also records who decided (``decided_by``) and when
(``decided_at``, UTC). That made the file's version 2: a version 1 file (without them) is
read as it is and written back as version 2. Decisions (``confirmed``, ``not_personal``, or a ``suggested`` entry whose
values were changed by hand, which then becomes ``confirmed``) are never overwritten by a
later suggestion run. Columns loaded but absent from the file are added as ``suggested``
and reported as new; entries of columns no longer loaded are kept and reported as
disappeared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, model_validator

from ..errors import SpecError, SpecIssue
from ..ingest.manifest import DateRole
from ..policy.model import CategoryName
from ..spec import StrictModel, load_spec, validate
from ..workspace import ALIAS, Workspace
from .classify.suggest import free_text_columns, refresh_special_hits

Status = Literal["suggested", "confirmed", "not_personal"]
DECIDED = ("confirmed", "not_personal")
VERSION = 2  # 2: decided_by / decided_at; version 1 files are read as they are


class Suggested(StrictModel):
    """What the classifier proposed, to tell an analyst's edit from a suggestion."""

    category: str | None = None
    activity: str | None = None
    subject_key: bool = False
    date_role: str | None = None


class Evidence(StrictModel):
    rule: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    matched: int | None = Field(default=None, ge=0)
    sampled: int | None = Field(default=None, ge=0)
    examples: list[str] = Field(default_factory=list)
    suggested: Suggested | None = None


class ColumnEntry(StrictModel):
    category: CategoryName | None = None
    activity: str | None = None
    subject_key: bool = False
    date_role: DateRole | None = None
    status: Status
    decided_by: str | None = None      # who decided (the review form: a parameter, $RGPD_AUDIT_USER or the OS login)
    decided_at: dt.datetime | None = None  # when, in UTC
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _not_personal(self):
        if self.status == "not_personal" and self.category is not None:
            raise ValueError("a not_personal column has no category (set category: null)")
        return self

    @property
    def edited(self) -> bool:
        """A suggested entry whose values differ from what the classifier proposed."""
        s = self.evidence.suggested if self.evidence else None
        if self.status != "suggested" or s is None:
            return False
        return (self.category, self.activity, self.subject_key, self.date_role) != (
            s.category, s.activity, s.subject_key, s.date_role)


class TableEntry(StrictModel):
    source: str
    columns: dict[str, ColumnEntry] = Field(default_factory=dict)


class Mapping(StrictModel):
    version: Literal[1, 2]
    tables: dict[str, TableEntry] = Field(default_factory=dict)


@dataclass
class MappingDiff:
    path: Path
    new: list[tuple[str, str]] = field(default_factory=list)          # (table, column)
    disappeared: list[tuple[str, str]] = field(default_factory=list)
    edited: list[tuple[str, str]] = field(default_factory=list)       # suggested entries changed by hand
    decided: int = 0                                                  # decisions applied to the workspace
    created: bool = False                                             # the file did not exist


HEADER = """\
# Field mapping reviewed by a person (rgpd-audit map). For each column: category (a name of
# the catalogue, null = not personal), activity, subject_key, date_role, and status:
#   suggested     the classifier's proposal, refreshed at every run
#   confirmed     decided by an analyst: never overwritten
#   not_personal  decided by an analyst: not personal data (category: null)
# Changing a suggested entry's values by hand makes it confirmed. decided_by / decided_at:
# who decided and when (UTC), written by the review form. `evidence` is informative.
"""


def read_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping file (every error with its key path)."""
    return load_spec(path, Mapping)


def _rows(ws: Workspace) -> dict[tuple[str, str], dict]:
    cur = ws.con.execute(
        "SELECT m.*, c.column_index FROM column_map m LEFT JOIN duckdb_columns() c ON c.database_name = ? "
        "AND c.schema_name = 'raw' AND c.table_name = m.table_name AND c.column_name = m.column_name "
        "ORDER BY m.table_name, c.column_index, m.column_name",
        [ALIAS],
    )
    cols = [d[0] for d in cur.description]
    return {(r[1], r[2]): dict(zip(cols, r)) for r in cur.fetchall()}


def _entry(row: dict, evidence: Evidence | None = None) -> ColumnEntry:
    if evidence is None:
        evidence = Evidence(
            rule=row["rule"], confidence=row["confidence"], matched=row["matched"], sampled=row["sampled"],
            examples=list(row["examples"] or []),
            suggested=Suggested(category=row["category"], activity=row["activity"],
                                subject_key=bool(row["subject_key"]), date_role=row["date_role"]),
        )
    return ColumnEntry(category=row["category"], activity=row["activity"], subject_key=bool(row["subject_key"]),
                       date_role=row["date_role"], status=row["status"], evidence=evidence)


def _decisions(mapping: Mapping) -> dict[tuple[str, str], ColumnEntry]:
    """The file's decisions. One written by hand carries no ``decided_at``: it is dated when it
    first reaches the workspace (the sync writes that date back to the file)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = {}
    for table, te in mapping.tables.items():
        for col, e in te.columns.items():
            if e.status in DECIDED or e.edited:
                out[(table, col)] = e.model_copy(update={"status": e.status if e.status in DECIDED else "confirmed",
                                                         "decided_at": e.decided_at or now})
    return out


def _apply(ws: Workspace, decisions: dict[tuple[str, str], ColumnEntry]) -> int:
    now = dt.datetime.now().replace(microsecond=0)
    n = 0
    for (table, col), e in decisions.items():
        at = e.decided_at
        if at is not None and at.tzinfo is not None:  # kept in UTC, without a zone
            at = at.astimezone(dt.UTC).replace(tzinfo=None)
        cur = ws.con.execute(
            "UPDATE column_map SET category = ?, activity = ?, subject_key = ?, date_role = ?, status = ?, updated_at = ?, "
            "decided_by = ?, decided_at = ? WHERE table_name = ? AND column_name = ? RETURNING 1",
            [e.category, e.activity, e.subject_key, e.date_role, e.status, now, e.decided_by, at, table, col],
        )
        n += len(cur.fetchall())
    return n


def apply_mapping(ws: Workspace, path: str | Path) -> int:
    """Apply the decisions of a mapping file to ``column_map``; return how many columns changed."""
    n = _apply(ws, _decisions(read_mapping(path)))
    refresh_special_hits(ws)
    return n


def sync_mapping(ws: Workspace, mapping_path: str | Path) -> MappingDiff:
    """Merge the mapping file and the workspace's ``column_map``, then write the file back.

    Decisions in the file win over suggestions in the workspace; the workspace's current
    suggestions replace the file's ``suggested`` entries; new and disappeared columns are
    reported.
    """
    path = Path(mapping_path)
    diff = MappingDiff(path)
    if path.exists():
        mapping = read_mapping(path)
    else:
        mapping, diff.created = Mapping(version=VERSION), True
    before = free_text_columns(ws)
    decisions = _decisions(mapping)
    rows = _rows(ws)
    applied = {k: e for k, e in decisions.items() if k in rows}
    diff.decided = _apply(ws, applied)
    diff.edited = [k for k, e in decisions.items() if k in rows and mapping.tables[k[0]].columns[k[1]].status == "suggested"]
    # An entry the analyst put back to `suggested` releases a decision kept in the workspace.
    for table, te in mapping.tables.items():
        for col in te.columns:
            if (table, col) in rows and (table, col) not in decisions and rows[(table, col)]["status"] in DECIDED:
                ws.con.execute("UPDATE column_map SET status = 'suggested', decided_by = NULL, decided_at = NULL "
                               "WHERE table_name = ? AND column_name = ?",
                               [table, col])
    rows = _rows(ws)
    if free_text_columns(ws) != before:
        refresh_special_hits(ws)

    out: dict[str, dict] = {}
    for (table, col), row in rows.items():
        t = out.setdefault(table, {"source": row["source"], "columns": {}})
        old = mapping.tables.get(table).columns.get(col) if table in mapping.tables else None
        if old is None:
            diff.new.append((table, col))
        kept = old is not None and row["status"] in DECIDED
        entry = _entry(row, old.evidence if kept else None)
        if kept:  # who decided, and when, stay with the decision (a hand-made one: dated at its first sync)
            when = old.decided_at or (applied[(table, col)].decided_at if (table, col) in applied else None)
            entry = entry.model_copy(update={"decided_by": old.decided_by, "decided_at": when})
        t["columns"][col] = entry
    for table, te in mapping.tables.items():
        for col, e in te.columns.items():
            if (table, col) not in rows:
                diff.disappeared.append((table, col))
                out.setdefault(table, {"source": te.source, "columns": {}})["columns"][col] = e
    merged = Mapping(version=VERSION, tables={t: TableEntry(**v) for t, v in sorted(out.items())})
    write_mapping_file(merged, path)
    if diff.created:
        diff.new = []  # a first run: everything is new, nothing to report
    return diff


def write_mapping_file(mapping: Mapping, path: str | Path) -> None:
    data = mapping.model_dump(mode="json", exclude_none=False)
    data["version"] = VERSION
    for te in data["tables"].values():
        for e in te["columns"].values():
            for k in ("decided_by", "decided_at"):
                if e.get(k) is None:
                    e.pop(k, None)
            ev = e.get("evidence")
            if ev is not None:
                e["evidence"] = {k: v for k, v in ev.items() if v not in (None, [])}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: a form's save stays well under a second
    text = HEADER + yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
    Path(path).write_text(text, encoding="utf-8")


def write_mapping(ws: Workspace, path: str | Path) -> Path:
    """Write the workspace's ``column_map`` as a mapping file (no merge; see ``sync_mapping``)."""
    rows = _rows(ws)
    out: dict[str, dict] = {}
    for (table, col), row in rows.items():
        out.setdefault(table, {"source": row["source"], "columns": {}})["columns"][col] = _entry(row)
    write_mapping_file(Mapping(version=VERSION, tables={t: TableEntry(**v) for t, v in sorted(out.items())}), path)
    return Path(path)


# The last mapping file a form saved, as written: the next save need not parse and validate it
# again (0.15 s for 300 columns) when the file on disk is still that one.
_READ_CACHE: dict[Path, tuple[tuple, Mapping]] = {}


def _signature(path: Path) -> tuple:
    st = path.stat()
    return st.st_mtime_ns, st.st_size, st.st_ino


def _read_cached(path: Path) -> Mapping:
    hit = _READ_CACHE.get(path.resolve())
    if hit is not None and hit[0] == _signature(path):
        return hit[1]
    _READ_CACHE.pop(path.resolve(), None)
    return read_mapping(path)


def record_decisions(ws: Workspace, mapping_path: str | Path, decisions: dict[tuple[str, str], dict]) -> int:
    """Write a few decisions to the mapping file and apply them to ``column_map``, without
    merging the whole workspace again (the review form's save).

    ``decisions``: {(table, column): {"status", "category", "subject_key", "date_role",
    "decided_by", "decided_at"}}. The file must list the columns (``sync_mapping`` first
    otherwise; done here when one is missing). Returns the number of columns changed in the
    workspace. The free-text scan is refreshed only when the set of free-text columns changed.
    """
    path = Path(mapping_path)
    if not path.exists():
        sync_mapping(ws, path)
    mapping = _read_cached(path)
    if any(t not in mapping.tables or c not in mapping.tables[t].columns for t, c in decisions):
        sync_mapping(ws, path)
        mapping = _read_cached(path)
    changed: dict[tuple[str, str], ColumnEntry] = {}
    try:
        for (table, column), d in decisions.items():
            entry = mapping.tables[table].columns[column].model_copy(update=d)
            entry = ColumnEntry.model_validate(entry.model_dump())  # the same rules as a file written by hand
            mapping.tables[table].columns[column] = changed[(table, column)] = entry
        write_mapping_file(mapping, path)
        _READ_CACHE[path.resolve()] = (_signature(path), mapping)
    except BaseException:
        _READ_CACHE.pop(path.resolve(), None)
        raise
    before = free_text_columns(ws)
    n = _apply(ws, changed)
    if free_text_columns(ws) != before:
        refresh_special_hits(ws)
    return n


def validate_mapping(data, file: str | Path = "<mapping>") -> Mapping:
    """Validate already-parsed mapping data (for tests and notebooks)."""
    return validate(data, Mapping, file)


__all__ = [
    "ColumnEntry", "Evidence", "Mapping", "MappingDiff", "SpecError", "SpecIssue", "TableEntry",
    "apply_mapping", "read_mapping", "record_decisions", "sync_mapping", "validate_mapping", "write_mapping", "write_mapping_file",
]
