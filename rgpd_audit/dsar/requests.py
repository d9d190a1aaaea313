"""The register of data-subject requests, and the deadline arithmetic of GDPR Art. 12(3).

A request is answered within one month of receipt: the same day number of the next month,
or the last day of that month when the day does not exist (31 January -> 28/29 February,
30 April -> 30 May). The deadline may be extended by two further months, with a reason,
provided the person is told within the first month: one month + two months, both counted
from receipt (three months from receipt: 31 January -> 30 April, not 28 February + 2 months
= 28 April). Each deadline is the last day to answer (the one date rule, :mod:`rgpd_audit.dates`).
The register stores a pseudonym of the person (``subject_ref``), never the e-mail.
Dates are parameters: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from ..dates import Period, deadline
from ..workspace import Workspace
from .query import DsarError, normalise_email

RequestType = Literal["access", "rectification", "erasure", "restriction", "portability", "objection"]
REQUEST_TYPES: tuple[str, ...] = get_args(RequestType)
STATUSES = ("open", "answered", "refused")
ONE_MONTH = Period(months=1)
EXTENSION = Period(months=2)
CLAUSE = "RGPD art. 12(3)"


def response_deadline(received: dt.date) -> dt.date:
    """One month from receipt (31 Jan -> 28/29 Feb; 30 Apr -> 30 May): the last day to answer."""
    return deadline(received, ONE_MONTH)


def extended_deadline(received: dt.date) -> dt.date:
    """The extended deadline: one month plus two further months, counted from **receipt**
    (31 Jan -> 30 Apr; 31 Oct -> 31 Jan), never two months added to the first deadline."""
    return deadline(received, Period(months=ONE_MONTH.total_months + EXTENSION.total_months))


@dataclass
class Request:
    id: int
    received: dt.date
    type: str
    subject_ref: str
    channel: str | None
    deadline: dt.date
    extended: bool
    extension_reason: str | None
    extended_deadline: dt.date | None
    status: str
    answered: dt.date | None
    notes: str | None

    @property
    def due(self) -> dt.date:
        """The deadline in force (extended or not)."""
        return self.extended_deadline or self.deadline

    def days_left(self, as_of: dt.date) -> int:
        return (self.due - as_of).days


_COLS = "id, received, type, subject_ref, channel, deadline, extended, extension_reason, extended_deadline, status, answered, notes"


def get_request(ws: Workspace, request_id: int) -> Request:
    row = ws.con.execute(f"SELECT {_COLS} FROM dsar_requests WHERE id = ?", [request_id]).fetchone()
    if row is None:
        raise DsarError(f"no request #{request_id} in the register")
    return Request(*row)


def register_request(
    ws: Workspace,
    *,
    received: dt.date,
    type: str,
    email: str,
    channel: str | None = None,
    notes: str | None = None,
) -> Request:
    """Record a request; its deadline is one month from ``received``."""
    if type not in REQUEST_TYPES:
        raise DsarError(f"unknown request type {type!r}; known: {', '.join(REQUEST_TYPES)}")
    ref = ws.pseudonym(normalise_email(email))
    rid = ws.con.execute("SELECT nextval('dsar_request_seq')").fetchone()[0]
    ws.con.execute(
        "INSERT INTO dsar_requests (id, received, type, subject_ref, channel, deadline, status, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
        [rid, received, type, ref, channel, response_deadline(received), notes],
    )
    return get_request(ws, rid)


def extend_request(ws: Workspace, request_id: int, *, reason: str, on: dt.date) -> Request:
    """Extend by two months; ``on`` is the date the person is told (must be within the first month)."""
    req = get_request(ws, request_id)
    if not reason or not reason.strip():
        raise DsarError("an extension needs a reason (Art. 12(3): complexity or number of requests)")
    if req.status != "open":
        raise DsarError(f"request #{request_id} is {req.status}: it cannot be extended")
    if req.extended:
        raise DsarError(f"request #{request_id} is already extended (to {req.extended_deadline})")
    if on < req.received:
        raise DsarError(f"request #{request_id}: extension dated {on} is before receipt ({req.received})")
    if on > req.deadline:
        raise DsarError(
            f"request #{request_id}: too late to extend on {on}: the person must be told within the first month "
            f"(by {req.deadline}, {CLAUSE})"
        )
    ws.con.execute(
        "UPDATE dsar_requests SET extended = true, extension_reason = ?, extended_deadline = ? WHERE id = ?",
        [reason.strip(), extended_deadline(req.received), request_id],
    )
    return get_request(ws, request_id)


def close_request(ws: Workspace, request_id: int, *, answered: dt.date, status: str = "answered", notes: str | None = None) -> Request:
    """Mark a request answered (or refused) on ``answered``."""
    if status not in ("answered", "refused"):
        raise DsarError("a request is closed as 'answered' or 'refused'")
    req = get_request(ws, request_id)
    if req.status != "open":
        raise DsarError(f"request #{request_id} is already {req.status} (on {req.answered})")
    if answered < req.received:
        raise DsarError(f"request #{request_id}: answer dated {answered} is before receipt ({req.received})")
    ws.con.execute(
        "UPDATE dsar_requests SET status = ?, answered = ?, notes = coalesce(?, notes) WHERE id = ?",
        [status, answered, notes, request_id],
    )
    return get_request(ws, request_id)


def list_requests(ws: Workspace, *, status: str | None = None) -> list[Request]:
    q = f"SELECT {_COLS} FROM dsar_requests"
    params: list = []
    if status:
        q += " WHERE status = ?"
        params.append(status)
    return [Request(*r) for r in ws.con.execute(q + " ORDER BY received, id", params).fetchall()]


def requests_frame(ws: Workspace, as_of: dt.date | None = None):
    """The register as a DataFrame; with ``as_of``, the days left before the deadline in force."""
    import pandas as pd

    rows = []
    for r in list_requests(ws):
        d = {k: getattr(r, k) for k in _COLS.split(", ")}
        d["due"] = r.due
        if as_of is not None:
            d["days_left"] = r.days_left(as_of) if r.status == "open" else None
        rows.append(d)
    return pd.DataFrame(rows)
