"""The identifier guard: e-mails, phones and NIRs are found and masked; chart data is not."""

from __future__ import annotations

import pytest

from rgpd_audit.report.guard import IdentifierLeak, assert_no_identifiers, find_identifiers, redact
from tests.test_report_fixtures import EMAILS, NIRS, PHONES


@pytest.mark.parametrize("value", EMAILS + PHONES + NIRS + ["0033 6 12 34 56 78", "+44 20 7946 0958", NIRS[0].replace(" ", "")])
def test_identifiers_found_and_masked(value):
    text = f"<td>{value}</td>"
    assert find_identifiers(text), value
    assert not find_identifiers(redact(text))
    with pytest.raises(IdentifierLeak) as exc:
        assert_no_identifiers(text, "index.html")
    assert value not in str(exc.value)  # the error names kinds, never the value


@pytest.mark.parametrize("text", [
    '"bdata":"AAAAAAAA8D8AAAAAAAAAQA06123456789AAAA"',   # base64 chart data
    "x: [0.0612345678, 1.0612345678]",                    # decimals
    "P-CE1698F65F", "run 2026-11-27, 930 findings, 3911 jours",
    "1 84 12 75 115 042 39",                              # NIR-shaped, wrong key
    "recrutement/suivi-candidats.xlsx!Archives 2019-2021#100",
])
def test_no_false_positive(text):
    assert find_identifiers(text) == []
    assert_no_identifiers(text, "x")
