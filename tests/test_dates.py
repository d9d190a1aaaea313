"""One date rule (rgpd_audit/dates.py): the deadline is the last lawful day, the same in Python
and in SQL, and retention, the erasure plan and the request log all follow it at month ends
(31 January, 29 February of a leap year, 30 April)."""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import pytest

from rgpd_audit.checks.findings import Query
from rgpd_audit.checks.registry import CheckContext
from rgpd_audit.checks.retention import retention_status_sql
from rgpd_audit.dates import Period, add_period, days_overdue, deadline, deadline_sql, is_overdue, overdue_sql
from rgpd_audit.dsar import PersonQuery, erase_plan, extended_deadline, register_request, response_deadline
from rgpd_audit.policy import Duration, load_policy

D = dt.date
MONTH_ENDS = [D(2026, 1, 31), D(2024, 2, 29), D(2026, 4, 30), D(2025, 10, 31), D(2024, 1, 31), D(2025, 12, 31),
              D(2026, 3, 31), D(2028, 2, 29), D(2027, 8, 31), D(2026, 11, 27)]
PERIODS = [Period(months=1), Period(months=2), Period(months=3), Period(months=12), Period(years=1), Period(years=2),
           Period(years=3), Period(years=5), Period(years=10), Period(days=90), Period(years=1, months=6),
           Period(months=1, days=1)]


@pytest.mark.parametrize(("start", "period", "last_day"), [
    (D(2026, 1, 31), Period(months=1), D(2026, 2, 28)),
    (D(2028, 1, 31), Period(months=1), D(2028, 2, 29)),  # leap year
    (D(2026, 4, 30), Period(months=1), D(2026, 5, 30)),
    (D(2026, 3, 31), Period(months=1), D(2026, 4, 30)),
    (D(2024, 2, 29), Period(years=1), D(2025, 2, 28)),
    (D(2024, 2, 29), Period(years=4), D(2028, 2, 29)),
    (D(2026, 1, 31), Period(months=3), D(2026, 4, 30)),
    (D(2025, 10, 31), Period(months=3), D(2026, 1, 31)),
    (D(2025, 1, 1), Period(days=90), D(2025, 4, 1)),
    (D(2026, 1, 31), Period(months=1, days=1), D(2026, 3, 1)),  # months first, then days
])
def test_the_rule(start, period, last_day):
    assert deadline(start, period) == add_period(start, period) == last_day
    assert not is_overdue(last_day, last_day) and days_overdue(last_day, last_day) is None  # lawful on the day
    assert is_overdue(last_day, last_day + dt.timedelta(days=1)) and days_overdue(last_day, last_day + dt.timedelta(days=1)) == 1


def test_period_text():
    assert Period.parse("10y") == Period(years=10) and Period.parse("1y6m") == Period(1, 6, 0) and Period.parse("12m").total_months == 12
    assert Period(years=1, months=6).words("fr") == "1 an et 6 mois" and Period(months=12).words("en") == "12 months"
    with pytest.raises(ValueError):
        Period.parse("ten years")


def test_sql_twins_agree_with_python():
    """The SQL deadline and the Python one, for every month end, leap day and period."""
    con = duckdb.connect()
    for start, p in itertools.product(MONTH_ENDS, PERIODS):
        sql = deadline_sql("$start", str(p.total_months), str(p.days))
        got = con.execute(f"SELECT {sql}", {"start": start}).fetchone()[0]
        assert got == deadline(start, p), (start, p)
        last = deadline(start, p)
        for as_of in (last - dt.timedelta(days=1), last, last + dt.timedelta(days=1)):
            assert con.execute(f"SELECT {overdue_sql('$d', '$a')}", {"d": last, "a": as_of}).fetchone()[0] == is_overdue(last, as_of)


def test_the_policy_duration_is_the_same_rule():
    for start, p in itertools.product(MONTH_ENDS, PERIODS):
        assert Duration(years=p.years, months=p.months, days=p.days).add_to(start) == deadline(start, p)


def test_the_sample_generator_counts_years_the_same_way():
    from rgpd_audit.sample.common import add_years

    for start, n in itertools.product(MONTH_ENDS, (1, 2, 3, 5, 10)):
        assert add_years(start, n) == deadline(start, Period(years=n))


# --- retention, the erasure plan and the request log, at month ends --------------------------

CANDS = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}, dates: {dernier_contact: last_activity}}
- name: factures
  format: csv
  path: factures.csv
  activities: [client_contacts]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: numero, subject: {email: email}, record_kind: accounting_document, dates: {cloture: fiscal_year_close}}
"""
# a candidate's last contact at a month end (2 years, §5) and an invoice of a year closing at a
# month end (10 years, Code de commerce L123-22)
ENDS = {"jan31": D(2024, 1, 31), "feb29": D(2024, 2, 29), "apr30": D(2024, 4, 30)}


@pytest.fixture
def month_end_ws(load_tiny):
    cands = "id,email,dernier_contact\n" + "".join(f"{k},{k}@example.fr,{d:%d/%m/%Y}\n" for k, d in ENDS.items())
    factures = "numero,email,cloture\n" + "".join(f"F-{k},{k}@example.fr,{d:%d/%m/%Y}\n" for k, d in ENDS.items())
    ws, report = load_tiny(CANDS, {"cands.csv": cands, "factures.csv": factures})
    assert not report.failed
    return ws


def _retention(ws, as_of):
    q = Query()
    sql = f"SELECT record_key, status, deadline FROM ({retention_status_sql(CheckContext(ws, load_policy(), as_of), q)}) WHERE source = 'cands'"
    return {k: (s, d) for k, s, d in ws.con.execute(sql, q.values(sql)).fetchall()}


@pytest.mark.parametrize("key", sorted(ENDS))
def test_retention_breach_only_the_day_after_the_deadline(month_end_ws, key):
    last = deadline(ENDS[key], Period(years=2))  # 2026-01-31, 2026-02-28, 2026-04-30
    assert _retention(month_end_ws, last)[key] == ("ok", last)
    assert _retention(month_end_ws, last + dt.timedelta(days=1))[key] == ("breach", last)


@pytest.mark.parametrize("key", sorted(ENDS))
def test_erasure_plan_keeps_on_the_last_day_and_erases_the_day_after(month_end_ws, key):
    last = deadline(ENDS[key], Period(years=10))  # 2034-01-31, 2034-02-28, 2034-04-30
    q = PersonQuery.make(email=f"{key}@example.fr")
    on_day = [i for i in erase_plan(month_end_ws, load_policy(), q, as_of=last).items if i.source == "factures"]
    after = [i for i in erase_plan(month_end_ws, load_policy(), q, as_of=last + dt.timedelta(days=1)).items if i.source == "factures"]
    assert on_day and {(i.action, i.keep_until) for i in on_day} == {("keep", last)}
    assert {(i.action, i.keep_until) for i in after} == {("erase", last)}
    # the candidate's record: no hold, erased at any date
    assert {i.action for i in erase_plan(month_end_ws, load_policy(), q, as_of=last).items if i.source == "cands"} == {"erase"}


@pytest.mark.parametrize(("received", "due", "extended"), [
    (D(2026, 1, 31), D(2026, 2, 28), D(2026, 4, 30)),
    (D(2028, 1, 31), D(2028, 2, 29), D(2028, 4, 30)),
    (D(2024, 2, 29), D(2024, 3, 29), D(2024, 5, 29)),
    (D(2026, 4, 30), D(2026, 5, 30), D(2026, 7, 30)),
    (D(2025, 10, 31), D(2025, 11, 30), D(2026, 1, 31)),
    (D(2025, 11, 30), D(2025, 12, 30), D(2026, 2, 28)),
])
def test_request_deadlines_from_receipt(received, due, extended):
    """Art. 12(3): one month from receipt; extended, one month + two months, both from receipt."""
    assert response_deadline(received) == due
    assert extended_deadline(received) == extended


@pytest.mark.parametrize("received", [D(2026, 1, 31), D(2028, 1, 31), D(2026, 4, 30)])
def test_request_overdue_only_the_day_after(month_end_ws, received):
    from rgpd_audit.checks import all_checks

    r = register_request(month_end_ws, received=received, type="access", email="x@example.fr")

    def severity(as_of):
        q = all_checks()["requests.overdue"].func(CheckContext(month_end_ws, load_policy(), as_of))
        rows = month_end_ws.con.execute(f"SELECT record_key, severity, days_overdue FROM ({q.sql})", q.values()).fetchall()
        return {k: (s, n) for k, s, n in rows}.get(f"DSAR-{r.id}")

    assert severity(r.deadline) == ("warning", None)
    assert severity(r.deadline + dt.timedelta(days=1)) == ("error", 1)
