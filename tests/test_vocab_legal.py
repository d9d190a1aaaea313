"""The closed lists (vocab) and the dated legal facts (legal): one place each."""

from __future__ import annotations

import datetime as dt

import pytest

from rgpd_audit import vocab
from rgpd_audit.legal import eea_members, is_eea, judge
from rgpd_audit.vocab import EVENTS, UnknownTerm, country_name


def test_every_vocabulary_has_both_labels():
    lists = [v for v in vars(vocab).values() if isinstance(v, vocab.Vocabulary)]
    assert len(lists) >= 15
    for v in lists:
        assert v.ids and len(set(v.ids)) == len(v.ids), v.name
        for term in v.values():
            assert term.fr.strip() and term.en.strip(), (v.name, term.id)


def test_unknown_term_is_an_error_with_a_suggestion():
    with pytest.raises(UnknownTerm, match="did you mean 'last_activity'"):
        EVENTS.label("last_activty")
    assert EVENTS.label("creation", "en") == "creation"


def test_date_roles_include_every_retention_event():
    assert set(vocab.EVENTS) <= set(vocab.DATE_ROLES)


def test_eea_membership_is_dated_data():
    assert len(eea_members()) == 30
    assert is_eea("FR") and is_eea("NO") and is_eea("LI") and is_eea("IS")
    assert not is_eea("US") and not is_eea("CH") and not is_eea("GB") and not is_eea(None)
    # Croatia joined on 2013-07-01
    assert not is_eea("HR", dt.date(2013, 6, 30)) and is_eea("HR", dt.date(2013, 7, 1))
    assert judge("none", dt.date(2013, 6, 30), country="HR").mechanism == "none"
    assert judge("none", dt.date(2013, 7, 1), country="HR").mechanism == "eea"


def test_country_names():
    assert country_name("US") == "États-Unis" and country_name("US", "en") == "United States"
    assert country_name("DE") == "Allemagne" and country_name("XX") == "XX" and country_name(None) == "Pays inconnu"
