"""The erasure plan keeps accounting records (Art. 17(3)) and names who to notify (Art. 19)."""

from __future__ import annotations

import datetime as dt
import json

from rgpd_audit.dsar import PersonQuery, erase_plan, write_plan
from rgpd_audit.policy import load_policy
from tests.dsar_estate import EMAIL


def _plan(ws, as_of=dt.date(2026, 11, 27), **kw):
    return erase_plan(ws, load_policy(), PersonQuery.make(**(kw or {"email": EMAIL})), as_of=as_of)


def test_accounting_records_kept_with_reason(dsar_ws):
    plan = _plan(dsar_ws)
    fact = {i.record: i for i in plan.items if i.source == "factures"}
    assert fact["#1"].action == "keep"
    assert "17(3)" in fact["#1"].legal_ref and "L123-22" in fact["#1"].legal_ref
    assert fact["#1"].keep_until == dt.date(2034, 12, 31)  # the policy rule: 10 years after the close
    assert fact["#2"].action == "erase" and fact["#2"].keep_until == dt.date(2022, 12, 31)  # period over
    assert {i.action for i in plan.items if i.source in ("candidats", "gmail", "partages")} == {"erase"}


def test_as_of_decides_when_the_duty_ends(dsar_ws):
    plan = _plan(dsar_ws, as_of=dt.date(2020, 6, 1))
    fact = {i.record: i.action for i in plan.items if i.source == "factures"}
    assert fact == {"#1": "keep", "#2": "keep"}


def test_recipients_to_notify_and_files(dsar_ws, tmp_path):
    plan = _plan(dsar_ws)
    policy = load_policy()
    expected = {r.name.fr for a in ("candidates", "client_contacts") for r in policy.activity(a).recipients if r.kind != "internal"}
    assert {r["name_fr"] for r in plan.recipients} == expected and expected
    paths = write_plan(plan, tmp_path)
    md = paths[0].read_text(encoding="utf-8")
    assert "À conserver (art. 17(3))" in md and "Destinataires à informer (art. 19)" in md
    data = json.loads(paths[2].read_text(encoding="utf-8"))
    assert data["summary"]["keep"] == 1 and data["as_of"] == "2026-11-27"
    assert EMAIL not in md and EMAIL not in paths[1].read_text(encoding="utf-8")


def test_weak_matches_are_to_check(dsar_ws):
    plan = _plan(dsar_ws, name="Aïssa N'Diaye")
    assert plan.items and {i.action for i in plan.items} == {"review"}
