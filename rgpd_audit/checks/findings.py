"""The shape of a finding, and the one way checks build them.

A finding is a row of the ``findings`` table (:data:`FINDING_COLUMNS`). A check builds its
findings either in SQL, through a :class:`Query` whose :meth:`Query.add` names every column
and binds every value (like a dbt test returning its failing rows), or in Python as
:class:`Finding` objects. Either way the runner adds the run and the audit date, applies the
policy's severity overrides and checks that each finding is of a kind its check declared,
with a severity that kind allows.

A finding's key (``finding_key``) is its identity across audits (new / resolved / still
open): it holds what identifies the problem (check, activity, source, record, rule), never
a wording or a verdict that a later release may phrase or judge differently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

# column -> SQL type, in the order of the findings table (after run_id and as_of)
COLUMN_TYPES: dict[str, str] = {
    "check_id": "VARCHAR",
    "severity": "VARCHAR",
    "activity": "VARCHAR",
    "source": "VARCHAR",
    "record_key": "VARCHAR",
    "subject_ref": "VARCHAR",
    "reference_date": "DATE",
    "deadline": "DATE",
    "days_overdue": "INTEGER",
    "clause": "VARCHAR",
    "detail_fr": "VARCHAR",
    "detail_en": "VARCHAR",
    "finding_key": "VARCHAR",
}
FINDING_COLUMNS: tuple[str, ...] = tuple(COLUMN_TYPES)
REQUIRED = ("record_key", "detail_fr", "detail_en", "finding_key")
_PLACEHOLDER = re.compile(r"\$(p\d+)\b")


@dataclass(frozen=True)
class FindingKind:
    """A kind of finding a check emits: its id (the findings' ``check_id``), default severity,
    the severities its rows may take (when the severity depends on the row), and its title."""

    id: str
    severity: str
    title_fr: str
    title_en: str
    severities: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.severities or (self.severity,)


@dataclass
class Finding:
    """A finding built in Python (checks that are not SQL over the loaded data)."""

    check_id: str
    severity: str | None  # None: the kind's declared severity
    detail_fr: str
    detail_en: str
    activity: str | None = None
    source: str | None = None
    record_key: str | None = None
    subject_ref: str | None = None
    reference_date: dt.date | None = None
    deadline: dt.date | None = None
    days_overdue: int | None = None
    clause: str | None = None
    finding_key: str | None = None

    def __post_init__(self) -> None:
        if self.severity is None:
            self.severity = _default_severity(self.check_id)

    def row(self) -> list:
        key = self.finding_key or "|".join(
            str(x) for x in (self.check_id, self.activity, self.source, self.record_key) if x is not None
        )
        return [getattr(self, c) for c in FINDING_COLUMNS[:-1]] + [key]


@dataclass
class Query:
    """SQL producing findings, with its values bound as named parameters (``$p0``, ``$p1``…).

    ``add`` appends one SELECT (one kind of finding, from one relation); the query is their
    ``UNION ALL``. Values go through :meth:`bind`; identifiers through
    :func:`rgpd_audit.sql.quote_ident`.
    """

    parts: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)  # the kinds of finding added

    def bind(self, value: Any) -> str:
        """A placeholder for ``value`` (str, int, date, list of str…)."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def add(self, kind: str, *, from_: str, severity: str | None = None, **columns: str | None) -> Query:
        """One SELECT of findings of ``kind`` over ``from_`` (the text after ``FROM``).

        Each keyword is the SQL expression of a column of :data:`FINDING_COLUMNS`; missing
        ones are NULL. ``severity`` (an SQL expression) is for kinds whose severity depends on
        the row; by default the kind's declared severity is bound.
        """
        unknown = set(columns) - set(FINDING_COLUMNS)
        if unknown or "check_id" in columns:
            raise ValueError(f"not finding columns: {sorted(unknown | ({'check_id'} & set(columns)))}")
        missing = [c for c in REQUIRED if not columns.get(c)]
        if missing:
            raise ValueError(f"{kind}: the finding needs {', '.join(missing)}")
        if severity is None:
            severity = self.bind(_default_severity(kind))
        self.kinds.append(kind)
        exprs = {"check_id": self.bind(kind), "severity": severity, **columns}
        items = ", ".join(
            f"CAST({exprs[c]} AS {t}) AS {c}" if exprs.get(c) is not None else f"NULL::{t} AS {c}"
            for c, t in COLUMN_TYPES.items()
        )
        self.parts.append(f"SELECT {items} FROM {from_}")
        return self

    @property
    def sql(self) -> str:
        return " UNION ALL ".join(f"({p})" for p in self.parts)

    def values(self, sql: str | None = None) -> dict[str, Any]:
        """The bound values ``sql`` (default: the query's) refers to: DuckDB refuses extra ones,
        and a check may bind a value for a part it did not add in the end."""
        used = set(_PLACEHOLDER.findall(self.sql if sql is None else sql))
        return {k: v for k, v in self.params.items() if k in used}

    def __bool__(self) -> bool:
        return bool(self.parts)


def _default_severity(kind: str) -> str:
    from .registry import finding_kinds  # the registry imports this module

    try:
        return finding_kinds()[kind].severity
    except KeyError:
        raise ValueError(f"finding kind {kind!r} is declared by no check") from None
