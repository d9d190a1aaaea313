"""The request register: Art. 12(3) deadlines, extensions, and the requests.overdue check."""

from __future__ import annotations

import datetime as dt

import pytest

from rgpd_audit.checks import CheckContext, all_checks
from rgpd_audit.dsar import DsarError, close_request, extend_request, extended_deadline, list_requests, register_request, response_deadline
from rgpd_audit.policy import load_policy
from rgpd_audit.workspace import Workspace

D = dt.date


@pytest.mark.parametrize(
    "received, due",
    [
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year
        (D(2026, 4, 30), D(2026, 5, 30)),
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 12, 15), D(2027, 1, 15)),
    ],
)
def test_one_month_deadline(received, due):
    assert response_deadline(received) == due


def test_extension_is_one_month_and_two_more_counted_from_receipt():
    assert extended_deadline(D(2026, 1, 15)) == D(2026, 4, 15)  # 3 months in all
    assert extended_deadline(D(2026, 1, 31)) == D(2026, 4, 30)  # not 28 February + 2 months = 28 April
    assert extended_deadline(D(2025, 10, 31)) == D(2026, 1, 31)  # not 30 November + 2 months = 30 January


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws") as w:
        yield w


def test_register_extend_close(ws):
    r = register_request(ws, received=D(2026, 1, 15), type="access", email=" A.B@Example.fr", channel="e-mail")
    assert r.deadline == D(2026, 2, 15) and r.status == "open"
    assert r.subject_ref == ws.pseudonym("a.b@example.fr")
    stored = ws.con.execute("SELECT * FROM dsar_requests").fetchall()
    assert "a.b@example.fr" not in repr(stored).lower()
    with pytest.raises(DsarError, match="reason"):
        extend_request(ws, r.id, reason=" ", on=D(2026, 2, 1))
    r = extend_request(ws, r.id, reason="12 systèmes à interroger", on=D(2026, 2, 15))
    assert r.extended and r.extended_deadline == D(2026, 4, 15) and r.due == D(2026, 4, 15)
    with pytest.raises(DsarError, match="already extended"):
        extend_request(ws, r.id, reason="encore", on=D(2026, 2, 15))
    r = close_request(ws, r.id, answered=D(2026, 3, 1))
    assert (r.status, r.answered) == ("answered", D(2026, 3, 1))
    with pytest.raises(DsarError):
        close_request(ws, r.id, answered=D(2026, 3, 2))


def test_extension_refused_after_the_first_month(ws):
    r = register_request(ws, received=D(2026, 1, 31), type="erasure", email="x@example.fr")
    with pytest.raises(DsarError, match="within the first month"):
        extend_request(ws, r.id, reason="complexe", on=D(2026, 3, 1))
    assert not list_requests(ws)[0].extended


def test_bad_type_and_unknown_id(ws):
    with pytest.raises(DsarError):
        register_request(ws, received=D(2026, 1, 1), type="deletion", email="x@example.fr")
    with pytest.raises(DsarError, match="no request #99"):
        close_request(ws, 99, answered=D(2026, 1, 2))


def _run(ws, as_of):
    ctx = CheckContext(ws, load_policy(), as_of)
    q = all_checks()["requests.overdue"].func(ctx)
    cur = ws.con.execute(f"SELECT * FROM ({q.sql}) ORDER BY record_key", q.values())
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def test_overdue_check_as_of(ws):
    r1 = register_request(ws, received=D(2026, 1, 31), type="access", email="x@example.fr")  # due 28 Feb
    r2 = register_request(ws, received=D(2026, 2, 10), type="erasure", email="y@example.fr")  # due 10 Mar
    close_request(ws, r2.id, answered=D(2026, 3, 5))
    assert _run(ws, D(2026, 2, 1)) == []  # nothing due within 7 days
    soon = _run(ws, D(2026, 2, 23))
    assert [(f["record_key"], f["severity"]) for f in soon] == [(f"DSAR-{r1.id}", "warning")]
    late = _run(ws, D(2026, 3, 3))
    assert [(f["record_key"], f["severity"], f["days_overdue"]) for f in late] == [
        (f"DSAR-{r1.id}", "error", 3),
        (f"DSAR-{r2.id}", "warning", None),  # still open on 3 March, answered on the 5th
    ]
    assert late[0]["deadline"] == D(2026, 2, 28) and late[0]["subject_ref"] == r1.subject_ref
    assert "dépassée de 3 jour(s)" in late[0]["detail_fr"]
    assert _run(ws, D(2026, 1, 20)) == []  # before receipt
    extend_request(ws, r1.id, reason="complexe", on=D(2026, 2, 20))
    assert [f["severity"] for f in _run(ws, D(2026, 3, 3)) if f["record_key"] == f"DSAR-{r1.id}"] == []


def test_extensions_recorded_the_old_way_are_recomputed_on_upgrade(tmp_path):
    """Workspace schema 6: an extended deadline stored as first deadline + 2 months (28/04 for a
    request of 31/01) becomes receipt + 3 months (30/04)."""
    with Workspace(tmp_path / "ws") as ws:
        r = register_request(ws, received=D(2026, 1, 31), type="access", email="x@example.fr")
        extend_request(ws, r.id, reason="complexe", on=D(2026, 2, 10))
        ws.con.execute("UPDATE dsar_requests SET extended_deadline = DATE '2026-04-28'")
        ws.set_setting("schema_version", "5")
    with Workspace(tmp_path / "ws", create=False) as ws:
        assert ws.schema_version >= 6
        assert list_requests(ws)[0].extended_deadline == D(2026, 4, 30)
