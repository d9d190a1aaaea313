"""The report's numbers, durations, dates and risk score, as a reader gets them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from rgpd_audit.report import catalogue, risk
from rgpd_audit.report.labels import fmt_date, fmt_duration, fmt_int


@pytest.mark.parametrize("days,fr,en", [
    (3911, "10 ans et 8 mois", "10 years and 8 months"),
    (365, "1 an", "1 year"),
    (400, "1 an et 1 mois", "1 year and 1 month"),
    (61, "2 mois", "2 months"),
    (12, "12 jours", "12 days"),
    (1, "1 jour", "1 day"),
])
def test_durations_in_years_and_months(days, fr, en):
    assert fmt_duration(days, "fr") == fr and fmt_duration(days, "en") == en


def test_numbers_and_dates():
    assert fmt_int(1393, "fr") == "1\u202f393" and fmt_int(1393, "en") == "1,393" and fmt_int(12, "fr") == "12"
    assert fmt_date(dt.date(2026, 11, 27), "fr") == "27/11/2026" and fmt_date("2026-11-27", "en") == "2026-11-27"


def _activity(subjects=("candidats",), categories=("user.name",)):
    return SimpleNamespace(data_subjects=[SimpleNamespace(fr=s, en=None) for s in subjects], data_categories=list(categories))


def test_sensitivity_classes():
    assert risk.sensitivity_of("forbidden_data.candidate_identifier", "error", None) == "special"
    assert risk.sensitivity_of("special_category.free_text", "error", _activity()) == "special"
    assert risk.sensitivity_of("retention.breach", "error", _activity(("élèves mineurs",))) == "minors"
    assert risk.sensitivity_of("retention.breach", "error", _activity(categories=("user.health",))) == "sensitive_records"
    nir = "user.government_id.national_identification_number"
    assert risk.sensitivity_of("retention.breach", "error", _activity(categories=(nir,))) == "sensitive_records"
    assert risk.sensitivity_of("retention.breach", "error", _activity()) == "ordinary"


def test_risk_beats_count():
    """98 NIR outrank 1 393 ordinary records kept 10 years too long; a warning never outranks
    the same serious finding; a longer delay weighs more, up to 5 years."""
    nir = risk.score("error", "special", 98, None).value
    old = risk.score("error", "ordinary", 1393, 3911).value
    assert nir > old
    assert risk.score("warning", "ordinary", 10, None).value < risk.score("error", "ordinary", 10, None).value
    assert risk.score("error", "ordinary", 10, 400).value < risk.score("error", "ordinary", 10, 1500).value
    assert risk.score("error", "ordinary", 10, 5 * 366).value == risk.score("error", "ordinary", 10, 9 * 366).value


def test_every_kind_of_finding_has_words_and_an_action():
    for cid, c in catalogue.checks().items():
        assert c.fr and c.en and c.fr != cid, cid
        a = catalogue.action(cid)
        assert all(a.do) and all(a.who), cid
    assert catalogue.reject_reason("too_many_fields", "fr") == "nombre de champs excessif"
    assert catalogue.category("user.health", "fr") == "Données de santé"
    assert catalogue.legal_reference("RGPD art. 9 ; décret 2019-341", "en") == "GDPR art. 9; Decree 2019-341"


@pytest.mark.parametrize("audits,kind", [(1, "bar"), (2, "bar"), (3, "scatter"), (5, "scatter")])
def test_trend_reads_on_the_first_audits(audits, kind):
    """One or two audits: grouped bars with their values written (a line needs three points)."""
    import pandas as pd

    from rgpd_audit.report.charts import trend_lines

    df = pd.DataFrame({"as_of": pd.date_range("2024-11-27", periods=audits, freq="365D"), "run_id": range(audits),
                       "error": [1200 + i for i in range(audits)], "warning": 10, "info": 1, "total": 0})
    fig = trend_lines(df, "fr")
    assert {t.type for t in fig.data} == {kind}
    assert fig.layout.separators == ",\u202f"  # « 1 200 »
    assert list(fig.data[0].x)[0] == "27/11/2024"
