"""Retention on tiny inline estates: the deadline day, leap days, fallbacks, contracts."""

from __future__ import annotations

import datetime as dt

from rgpd_audit.checks.findings import Query
from rgpd_audit.checks.registry import CheckContext
from rgpd_audit.checks.retention import retention_status_sql
from rgpd_audit.checks.runner import run_checks
from rgpd_audit.policy import load_policy

POLICY = load_policy()

CANDS = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, dates: {dernier_contact: last_activity, candidature: creation}}
"""


def statuses(ws, as_of, select: str, policy=None):
    """Rows of ``select`` over every assessed record (``{rel}``: the retention status relation)."""
    ctx = CheckContext(ws, policy or POLICY, as_of)
    q = Query()
    sql = select.format(rel=f"({retention_status_sql(ctx, q)})")
    return ws.con.execute(sql, q.values(sql)).fetchall()


def status(ws, as_of):
    return {r[0]: r[1:] for r in statuses(
        ws, as_of, "SELECT record_key, status, reference_date::VARCHAR, deadline::VARCHAR, basis, days_overdue FROM {rel}")}


def test_candidates_two_years_deadline_day_leap_day_and_fallback(load_tiny):
    data = (
        "id;dernier_contact;candidature\n"
        "on_deadline;27/11/2024;\n"      # deadline 2026-11-27 = as_of: not a breach
        "day_after;26/11/2024;\n"        # deadline 2026-11-26: 1 day overdue
        "leap;29/02/2024;\n"             # + 2 years = 2026-02-28
        "fallback;;15/01/2020\n"         # no activity date: creation, said so
        "nodate;;\n"                     # nothing usable
    )
    ws, _ = load_tiny(CANDS, {"cands.csv": data})
    st = status(ws, dt.date(2026, 11, 27))
    assert st["on_deadline"][0] == "ok" and st["on_deadline"][2] == "2026-11-27"
    assert st["day_after"][0] == "breach" and st["day_after"][4] == 1
    assert st["leap"][2] == "2026-02-28" and st["leap"][0] == "breach"
    assert st["fallback"][3] == "creation" and st["fallback"][2] == "2022-01-15"
    assert st["nodate"][0] == "unverifiable"
    run = run_checks(ws, POLICY, dt.date(2026, 11, 27), only=["retention.breach", "retention.unverifiable"])
    assert run.counts == {"retention.breach": {"error": 3}, "retention.unverifiable": {"warning": 1}}
    detail = ws.con.execute("SELECT detail_fr FROM findings WHERE record_key = 'fallback'").fetchone()[0]
    assert "date de création, faute de date d'activité" in detail


def test_greatest_of_several_activity_dates(load_tiny):
    src = CANDS.replace("{dernier_contact: last_activity, candidature: creation}", "{a: last_activity, b: last_activity}")
    ws, _ = load_tiny(src, {"cands.csv": "id,a,b\nx,01/01/2020,01/06/2025\n"})
    assert status(ws, dt.date(2026, 11, 27))["x"][:3] == ("ok", "2025-06-01", "2027-06-01")


CONTRACTS = """
- name: contracts
  format: csv
  path: contrats.csv
  activities: []
  use: contracts
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: code, retention_column: duree, dates: {fin: contract_end}}
- name: ds_a
  format: csv
  path: a.csv
  activities: [client_datasets]
  hosting: {provider: OVH SAS, country: FR}
  options: {client: A, record_kind: dataset}
- name: ds_b
  format: csv
  path: b.csv
  activities: [client_datasets]
  hosting: {provider: OVH SAS, country: FR}
  options: {client: B, record_kind: dataset}
- name: ds_c
  format: csv
  path: c.csv
  activities: [client_datasets]
  hosting: {provider: OVH SAS, country: FR}
  options: {client: C, record_kind: dataset}
- name: ds_x
  format: csv
  path: x.csv
  activities: [client_datasets]
  hosting: {provider: OVH SAS, country: FR}
  options: {client: UNKNOWN, record_kind: dataset}
"""


def test_client_datasets_contract_duration_default_ongoing_and_unknown(load_tiny):
    files = {
        "contrats.csv": "code;fin;duree\nA;31/03/2022;2\nB;30/06/2019;\nC;;3\n",
        "a.csv": "n\n1\n", "b.csv": "n\n1\n", "c.csv": "n\n1\n", "x.csv": "n\n1\n",
    }
    ws, _ = load_tiny(CONTRACTS, files)
    rows = dict(statuses(ws, dt.date(2024, 6, 1), "SELECT source, status || '/' || coalesce(deadline::VARCHAR, '-') FROM {rel}"))
    assert rows["ds_a"] == "breach/2024-03-31"  # the contract's own 2 years, not the 5-year default
    assert rows["ds_b"] == "ok/2024-06-30"  # no duration in the contract: default 5 years
    assert rows["ds_c"].startswith("ongoing")
    assert rows["ds_x"].startswith("unverifiable")


SUPPLIERS = """
- name: tiers
  format: csv
  path: tiers.csv
  activities: [suppliers]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: CT_Num, dates: {modif: last_activity}}
- name: fec
  format: fec
  path: "123456782FEC*.txt"
  activities: [suppliers]
  hosting: {provider: INTER INTERIM, country: FR}
"""

FEC_HEAD = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n"


def fec_line(date, acct, aux):
    return f"HA\tAchats\t1\t{date}\t{acct}\tFournisseurs\t{aux}\t{aux}\tF1\t{date}\tFacture\t0,00\t10,00\t\t\t{date}\t\t\n"


def test_suppliers_active_potential_and_accounting_documents(load_tiny):
    files = {
        "tiers.csv": "CT_Num;modif\nF1;01/01/2024\nF2;01/01/2020\nF3;01/01/2024\n",
        "123456782FEC20141231.txt": FEC_HEAD + fec_line("20140301", "40100000", "F1"),
        "123456782FEC20201231.txt": FEC_HEAD + fec_line("20200301", "40100000", "F3"),
    }
    ws, _ = load_tiny(SUPPLIERS, files)
    rows = {(r[0], r[1]): r[2:] for r in statuses(
        ws, dt.date(2026, 11, 27), "SELECT source, record_key, record_kind, status, deadline::VARCHAR FROM {rel}")}
    assert rows[("tiers", "F1")] == ("active_supplier", "breach", "2019-03-01")  # last purchase 2014 + 5 years
    assert rows[("tiers", "F2")] == ("potential_supplier", "breach", "2023-01-01")  # no purchase: 3 years
    assert rows[("tiers", "F3")] == ("active_supplier", "breach", "2025-03-01")
    fec = [v for k, v in rows.items() if k[0] == "fec"]
    assert sorted(fec) == [("accounting_document", "breach", "2024-12-31"), ("accounting_document", "ok", "2030-12-31")]
