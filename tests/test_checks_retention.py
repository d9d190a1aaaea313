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
  options: {key: code, retention_column: duree, retention_unit: years, dates: {fin: contract_end}}
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


# --------------------------------------------------------------------------- what starts the clock


def test_a_change_to_the_record_never_restarts_the_clock(load_tiny):
    """Opt-in 2018, bounced and re-synced in 2022: 3 years from the opt-in, not from the bounce
    (CNIL 2021-131; KASPR). A record with only a change date is not assessable."""
    src = """
- name: nl
  format: csv
  path: nl.csv
  activities: [newsletters]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, dates: {optin: last_activity, bounce: record_change, unsub: opt_out, added: creation}}
"""
    data = "id,optin,bounce,unsub,added\nbounced,2018-02-19,2022-06-19,,\nchanged_only,,2022-01-05,,\nunsubscribed,,,2026-01-05,2019-01-01\n"
    ws, _ = load_tiny(src, {"nl.csv": data})
    st = status(ws, dt.date(2023, 7, 11))
    assert st["bounced"][:3] == ("breach", "2018-02-19", "2021-02-19")
    assert st["changed_only"][0] == "unverifiable" and st["changed_only"][3] == "change_only"
    assert st["unsubscribed"][0] == "breach" and st["unsubscribed"][3] == "creation"  # an opt-out is no contact


def test_a_change_date_declared_as_contact_is_a_warning(load_tiny):
    src = """
- name: nl
  format: csv
  path: nl.csv
  activities: [newsletters]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, dates: {LAST_CHANGED: last_activity, Last Click: last_activity}}
"""
    ws, _ = load_tiny(src, {"nl.csv": "id,LAST_CHANGED,Last Click\na,2026-01-01,2025-01-01\n"})
    run = run_checks(ws, POLICY, dt.date(2026, 11, 27), only=["retention.change_date_as_contact"])
    rows = ws.con.execute("SELECT record_key, detail_fr FROM findings WHERE run_id = ?", [run.run_id]).fetchall()
    assert [r[0] for r in rows] == ["LAST_CHANGED"]  # the click is a contact from the person
    assert "record_change" in rows[0][1] and "modification de la fiche" in rows[0][1]


# --------------------------------------------------------------------------- as of a past date


def test_as_of_a_past_date_sees_only_what_was_true_then(load_tiny):
    data = (
        "id;dernier_contact;candidature\n"
        "later_contact;01/05/2024;01/01/2020\n"    # at 2023-07-11: contact unknown; creation + 2y < D
        "later_recent;01/05/2024;01/01/2022\n"    # at D: even the lower bound (creation) keeps it ok
        "created_after;01/09/2025;10/08/2025\n"   # did not exist at D
        "only_after;01/05/2024;\n"               # nothing dated before D
        "before;01/03/2021;01/01/2021\n"         # everything known at D: breach on 2023-03-01
    )
    ws, _ = load_tiny(CANDS, {"cands.csv": data})
    past = status(ws, dt.date(2023, 7, 11))
    assert "created_after" not in past
    assert past["later_contact"][0] == "unverifiable" and past["later_contact"][3] == "after_as_of"
    assert past["later_contact"][4] is None  # no days overdue: not a breach
    assert past["later_recent"][:3] == ("ok", "2022-01-01", "2024-01-01")
    assert past["only_after"][0] == "unverifiable" and past["only_after"][3] == "after_as_of"
    assert past["before"][:3] == ("breach", "2021-03-01", "2023-03-01")
    today = status(ws, dt.date(2026, 11, 27))
    assert today["created_after"][0] == "ok" and today["later_contact"][:2] == ("breach", "2024-05-01")
    run = run_checks(ws, POLICY, dt.date(2023, 7, 11), only=["retention.unverifiable"])
    detail = ws.con.execute("SELECT detail_fr FROM findings WHERE run_id = ? AND record_key = 'only_after'", [run.run_id]).fetchone()[0]
    assert "postérieures à la date de l'audit" in detail


def test_past_audit_ignores_later_invoices_and_counts_invoices_not_payments(load_tiny):
    def line(date, aux, debit, credit, journal="HA"):
        return f"{journal}\tJ\t1\t{date}\t40100000\tFournisseurs\t{aux}\t{aux}\tF1\t{date}\tX\t{debit}\t{credit}\t\t\t{date}\t\t\n"

    files = {
        "tiers.csv": "CT_Num;modif\nF1;01/01/2015\nF2;01/01/2015\n",
        # F1: invoice 2021-10-15, paid 2022-03-10 -> last purchase = the invoice
        "123456782FEC20211231.txt": FEC_HEAD + line("20211015", "F1", "0,00", "120,00"),
        "123456782FEC20221231.txt": FEC_HEAD + line("20220310", "F1", "120,00", "0,00", "BQ")
        # F2: invoice in 2016, another in 2024 (after a 2023 audit)
        + line("20240102", "F2", "0,00", "50,00"),
        "123456782FEC20161231.txt": FEC_HEAD + line("20160301", "F2", "0,00", "50,00"),
    }
    ws, _ = load_tiny(SUPPLIERS.replace("modif: last_activity", "modif: creation"), files)
    rows = {r[0]: r[1:] for r in statuses(
        ws, dt.date(2026, 11, 27), "SELECT record_key, status, reference_date::VARCHAR FROM {rel} WHERE source = 'tiers'")}
    assert rows["F1"] == ("breach", "2021-10-15")  # 5 years from the invoice: 2026-10-15, not the 2022 payment
    assert rows["F2"] == ("ok", "2024-01-02")
    past = {r[0]: r[1:] for r in statuses(
        ws, dt.date(2023, 7, 11), "SELECT record_key, status, reference_date::VARCHAR FROM {rel} WHERE source = 'tiers'")}
    assert past["F2"] == ("breach", "2016-03-01")  # the 2024 invoice did not exist yet
    fec = statuses(ws, dt.date(2023, 7, 11), "SELECT count(*) FROM {rel} WHERE source = 'fec'")
    assert fec == [(3,)]  # the 2024 entry was not written yet


# --------------------------------------------------------------------------- units and statuses


def test_contract_durations_in_months_cells_with_units_and_unreadable(load_tiny):
    src = CONTRACTS.replace("retention_column: duree, retention_unit: years", 'retention_column: "Conservation (mois après fin)"')
    files = {
        "contrats.csv": "code;fin;Conservation (mois après fin)\nA;31/03/2022;6\nB;30/06/2019;2 ans\nC;31/12/2023;deux ans\n",
        "a.csv": "n\n1\n", "b.csv": "n\n1\n", "c.csv": "n\n1\n", "x.csv": "n\n1\n",
    }
    ws, _ = load_tiny(src, files)
    rows = {r[0]: r[1:] for r in statuses(ws, dt.date(2024, 6, 1), "SELECT source, status, deadline::VARCHAR, basis, rule_fr FROM {rel}")}
    assert rows["ds_a"][:2] == ("breach", "2022-09-30") and "6 mois" in rows["ds_a"][3]  # 6 months, not 6 years
    assert rows["ds_b"][:2] == ("breach", "2021-06-30")  # the cell says "2 ans": its own unit wins
    assert rows["ds_c"][0] == "unverifiable" and rows["ds_c"][2] == "contract_duration_unreadable"


def test_contract_duration_unit_ambiguous_is_an_error(tmp_path):
    import pytest

    from rgpd_audit.errors import SpecError
    from rgpd_audit.ingest import load_manifest
    from tests.conftest import write_manifest

    (tmp_path / "contrats.csv").write_text("code;fin;duree\n", encoding="utf-8")
    for name in ("x.csv", "a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text("n\n", encoding="utf-8")
    src = CONTRACTS.replace("retention_column: duree, retention_unit: years", 'retention_column: "durée (mois ou années)"')
    with pytest.raises(SpecError) as e:
        load_manifest(write_manifest(tmp_path, src))
    assert "sources[0].options" in str(e.value) and "retention_unit" in str(e.value) and "months or years" in str(e.value)


STATUS_CANDS = CANDS.replace(
    "options: {key: id, dates: {dernier_contact: last_activity, candidature: creation}}",
    "options: {key: id, dates: {dernier_contact: last_activity, candidature: creation}, "
    "status: {column: Statut, values: {Nouveau: in_progress, Refusé: rejected, Vivier: talent_pool, Embauché: hired}}}",
)
STATUS_DATA = (
    "id;dernier_contact;candidature;Statut\n"
    "hired;01/03/2021;;Embauché\n"
    "hired2;01/03/2025;;EMBAUCHÉ \n"     # trimmed, case-insensitive
    "rejected;01/03/2021;;Refusé\n"
    "pool;01/03/2021;;Vivier\n"
    "odd;01/03/2021;;Stand-by\n"         # a value the manifest does not map
    "blank;01/03/2021;;\n"
)


def test_hired_people_leave_the_candidates_rule_and_unknown_statuses_are_reported(load_tiny):
    ws, _ = load_tiny(STATUS_CANDS, {"cands.csv": STATUS_DATA})
    st = status(ws, dt.date(2026, 11, 27))
    assert st["hired"][0] == "no_section" and st["hired2"][0] == "no_section"
    assert st["rejected"][0] == "breach" and st["pool"][0] == "breach"
    assert st["odd"][0] == "status_uncovered" and st["blank"][0] == "status_uncovered"
    run = run_checks(ws, POLICY, dt.date(2026, 11, 27))
    got = ws.con.execute(
        "SELECT check_id, record_key, detail_fr FROM findings WHERE run_id = ? AND check_id LIKE 'retention.%' ORDER BY ALL",
        [run.run_id]).fetchall()
    kinds = [(c, k) for c, k, _ in got]
    assert kinds == [("retention.breach", "pool"), ("retention.breach", "rejected"),
                     ("retention.no_section", "EMBAUCHÉ"), ("retention.no_section", "Embauché"),
                     ("retention.status_uncovered", ""), ("retention.status_uncovered", "Stand-by")]
    no_section = next(d for c, k, d in got if k == "Embauché")
    assert "1 fiche(s)" in no_section and "L3243-4" in no_section and "embauché (salarié ou intérimaire)" in no_section
    odd = next(d for c, k, d in got if k == "Stand-by")
    assert "non déclaré dans le manifeste" in odd and "options.status" in odd


def test_a_rule_for_some_statuses_only(load_tiny):
    """A policy distinguishing unsuccessful candidates (3 months) from the talent pool (2 years)."""
    data = POLICY.model_dump(mode="json", exclude_none=True)
    act = next(a for a in data["activities"] if a["id"] == "candidates")
    base = act["retention"][0]
    act["retention"] = [
        {**base, "id": "rejected", "duration": {"months": 3}, "statuses": ["rejected"]},
        {**base, "id": "pool", "statuses": ["talent_pool", "in_progress"]},
    ]
    from rgpd_audit.policy.model import Policy

    policy = Policy.model_validate(data)
    ws, _ = load_tiny(STATUS_CANDS, {"cands.csv": STATUS_DATA.replace("01/03/2021;;Refusé", "01/09/2026;;Refusé")
                                     .replace("01/03/2021;;Vivier", "01/09/2025;;Vivier")})
    rows = {r[0]: r[1:] for r in statuses(ws, dt.date(2026, 12, 15), "SELECT record_key, status, rule_id, deadline::VARCHAR FROM {rel}", policy)}
    assert rows["rejected"] == ("breach", "rejected", "2026-12-01")
    assert rows["pool"] == ("ok", "pool", "2027-09-01")
    assert rows["hired"][0] == "no_section" and rows["odd"][0] == "status_uncovered"
