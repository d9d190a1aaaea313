"""What the law keeps of one record found for an erasure request, and why.

Three reasons, each applied field by field by the erasure plan (:mod:`.erase`):

- **holds** (``rgpd_audit/data/holds.yaml``, GDPR Art. 17(3)(b) and (e)): a hold concerns a
  record by its source's record kind, a capability of its loader, its use or the record's
  status; its end is its period counted from the record's own date of the hold's event
  (closing of the financial year, departure…), or — for a third-party account — from the
  closing of the year of the last entry referring to it. ``fields: account`` keeps the account
  but not its contact's details, which no accounting text requires;
- **claims** the analyst declares (:mod:`.claims`, Art. 17(3)(e)), until the end they give;
- **the suppression list**: a record whose ``opt_out`` date (unsubscription, objection) is on
  or before the audit date, or any record of a mailing list when the request itself objects,
  keeps its minimal data (address, date, channel) to honour the opt-out.

A hold ends on its last lawful day (:mod:`rgpd_audit.dates`): the data goes the day after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..dates import deadline, is_overdue
from ..holds import Hold, hold, holds, suppression_list
from ..ingest.loaded import LoadedSource
from ..sql import quote_ident
from ..workspace import Workspace
from .claims import Claim
from .query import PersonQuery

DATE_FORMATS = ("%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def as_date(value) -> dt.date | None:
    """A cell as a date: DATE and TIMESTAMP values, ISO text, or the usual French forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class AppliedHold:
    """A hold as it applies to one record: its end, or why it has none."""

    hold: Hold
    until: dt.date | None
    # dated: the end is known; pending: the event has not happened (still employed, the
    # financial year not closed, a claim in progress); unknown: no column of the source gives
    # its date; no_entries: a third-party account no loaded entry refers to
    state: str
    claim: Claim | None = None

    def active(self, as_of: dt.date) -> bool:
        if self.state == "no_entries":
            return False
        return self.until is None or not is_overdue(self.until, as_of)

    def covers(self, field: str, contact_fields: frozenset[str]) -> bool:
        return self.hold.fields == "all" or field not in contact_fields

    def to_dict(self, as_of: dt.date) -> dict:
        return {"hold": self.hold.id, "kind": self.hold.kind, "until": self.until.isoformat() if self.until else None,
                "state": self.state, "active": self.active(as_of), "claim": self.claim.id if self.claim else None}


@dataclass
class RecordFacts:
    """What keeps a record's fields: its holds, its contact fields (a third-party account's),
    and the fields of its suppression-list entry (None: no opt-out)."""

    holds: list[AppliedHold]
    contact_fields: frozenset[str]
    suppression: frozenset[str] | None
    opt_out: dt.date | None
    objection: bool


def record_status(src: LoadedSource, row: dict) -> str | None:
    """The record's status as the manifest maps it (``options.status``), or None."""
    st = src.options.get("status")
    if not st or st.get("column") not in row:
        return None
    value = str(row.get(st["column"]) or "").strip().lower()
    return next((v for k, v in st["values"].items() if k.strip().lower() == value), None)


def _concerns(h: Hold, src: LoadedSource, status: str | None) -> bool:
    scope = h.applies_to
    if scope is None:
        return False
    return bool(
        (src.record_kind and src.record_kind in scope.record_kinds)
        or any(src.has_capability(c) for c in scope.capabilities)
        or src.use in scope.uses
        or (status and status in scope.statuses)
    )


def _own_dates(src: LoadedSource, table: str, row: dict, roles) -> tuple[list[str], list[dt.date]]:
    by_role = src.date_roles(table)
    cols = [c for r in roles for c in by_role.get(r, [])]
    return cols, [d for d in (as_date(row.get(c)) for c in cols) if d]


def _ledger_close(ws: Workspace, sources: list[LoadedSource], account: str, roles, as_of: dt.date) -> tuple[int, dt.date | None]:
    """(entries referring to ``account`` up to ``as_of``, the latest date of ``roles`` among them)."""
    n, latest = 0, None
    for s in sources:
        t = s.capability("ledger")
        if t is None:
            continue
        cols = [c for r in roles for c in s.date_roles(t.name).get(r, [])]
        close = "greatest(" + ", ".join(f"TRY_CAST({quote_ident(c)} AS DATE)" for c in cols) + ")" if cols else "NULL::DATE"
        k, d = ws.con.execute(
            f"SELECT count(*), max({close}) FROM raw.{quote_ident(t.name)} "
            f"WHERE trim(CAST({quote_ident(t.col('third_party'))} AS VARCHAR)) = ? "
            f"AND coalesce(TRY_CAST({quote_ident(t.col('date'))} AS DATE) <= ?, true)",
            [account.strip(), as_of],
        ).fetchone()
        n += k
        if d is not None and (latest is None or d > latest):
            latest = d
    return n, latest


def _apply(h: Hold, ws: Workspace, src: LoadedSource, table: str, row: dict, sources: list[LoadedSource], as_of: dt.date) -> AppliedHold:
    period = h.duration
    if h.dated_by == "ledger_entries":
        tpm = src.capability("third_party_master")
        account = row.get(tpm.col("account")) if tpm and tpm.name == table else None
        if not account or not str(account).strip():
            return AppliedHold(h, None, "no_entries")
        n, close = _ledger_close(ws, sources, str(account), h.from_, as_of)
        if n == 0:
            return AppliedHold(h, None, "no_entries")
        if close is None or close > as_of:  # entries of a year not closed on the audit date
            return AppliedHold(h, None, "pending" if close else "unknown")
        return AppliedHold(h, deadline(close, period), "dated")
    cols, dates = _own_dates(src, table, row, h.from_)
    if not cols:
        return AppliedHold(h, None, "unknown")
    if not dates:
        return AppliedHold(h, None, "pending")
    return AppliedHold(h, deadline(max(dates), period) if period else None, "dated")


def _subject_columns(src: LoadedSource, table: str, kinds: tuple[str, ...]) -> set[str]:
    subject = src.options.get("subject") or {}
    out = set()
    for kind in kinds:
        v = subject.get(kind)
        for name in [v] if isinstance(v, str) else list(v or []):
            col = src.resolve_column(name, table)
            if col:
                out.add(col)
    return out


def record_facts(
    ws: Workspace, src: LoadedSource, table: str, row: dict, *, sources: list[LoadedSource], as_of: dt.date,
    query: PersonQuery, subject_ref: str, claims: tuple[Claim, ...] = (), objection: bool = False,
) -> RecordFacts:
    """The holds, contact fields and suppression-list fields of one record as of ``as_of``."""
    status = record_status(src, row)
    applied = [_apply(h, ws, src, table, row, sources, as_of) for h in holds() if _concerns(h, src, status)]
    for c in claims:
        if c.covers(src.name) and c.concerns(ws, query, subject_ref):
            applied.append(AppliedHold(hold("legal_claim"), c.until, "dated" if c.until else "pending", claim=c))
    contact: set[str] = set()
    tpm = src.capability("third_party_master")
    if tpm and tpm.name == table:
        contact = {tpm.col(r) for r in tpm.facts.get("contact_roles", ()) if tpm.col(r)}
        contact |= _subject_columns(src, table, ("email", "phone", "name"))
        # the account's number and name are what the entries refer to, even when the third
        # party is a person (an individual client): they stay with the account
        contact -= {tpm.col("account"), tpm.col("label")}
    ml = src.capability("mailing_list")
    ml = ml if ml and ml.name == table else None
    opt_cols, opt_dates = _own_dates(src, table, row, ("opt_out",))
    opted = max((d for d in opt_dates if d <= as_of), default=None)
    suppression = None
    if opted is not None or (objection and ml is not None):
        fields = set(opt_cols) | _subject_columns(src, table, ("email",))
        if ml is not None:
            fields |= {ml.col(r) for r in suppression_list().roles if ml.col(r)}
        suppression = frozenset(fields)
    return RecordFacts(applied, frozenset(contact), suppression, opted, objection and opted is None and suppression is not None)
