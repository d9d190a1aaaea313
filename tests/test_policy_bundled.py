"""The bundled INTER INTERIM policy encodes what the published text says."""

from __future__ import annotations

import pytest

from rgpd_audit.policy import Clause, Policy, categories, load_policy
from rgpd_audit.resources import bundled_policy


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def test_default_is_the_bundled_file(policy):
    assert bundled_policy().is_file()
    assert load_policy(bundled_policy()) == policy
    assert policy.version == 1
    assert policy.language == "fr"
    assert policy.organisation.name == "INTER INTERIM"


def test_eight_activities_with_ids_and_sections(policy):
    assert [(a.id, a.section) for a in policy.activities] == [
        ("prospects", "§1"),
        ("client_contacts", "§2"),
        ("client_datasets", "§3"),
        ("client_web_apps", "§4"),
        ("candidates", "§5"),
        ("partners", "§6"),
        ("suppliers", "§7"),
        ("newsletters", "§8"),
    ]
    for a in policy.activities:
        assert a.title.fr and a.title.en


def test_controller_roles_as_written(policy):
    roles = {a.id: a.controller_role for a in policy.activities}
    assert roles.pop("client_datasets") == "processor"
    assert roles.pop("client_web_apps") == "controller_on_behalf_of_client"
    assert set(roles.values()) == {"controller"}


# (activity, applies_to, counted_from, years, duration_source)
EXPECTED_RETENTION = [
    ("prospects", "contact", "last_activity", 3, "fixed"),
    ("client_contacts", "contact", "contract_end", 5, "fixed"),
    ("client_contacts", "accounting_document", "fiscal_year_close", 10, "fixed"),
    ("client_datasets", "dataset", "contract_end", 5, "contract"),
    ("client_web_apps", "dataset", "contract_end", 5, "contract"),
    ("candidates", "contact", "last_activity", 2, "fixed"),
    ("partners", "contact", "last_activity", 5, "fixed"),
    ("suppliers", "potential_supplier", "last_activity", 3, "fixed"),
    ("suppliers", "active_supplier", "last_purchase", 5, "fixed"),
    ("suppliers", "accounting_document", "fiscal_year_close", 10, "fixed"),
    ("newsletters", "contact", "last_activity", 3, "fixed"),
]


def test_every_stated_retention_period_is_encoded(policy):
    found = [
        (a.id, r.applies_to, r.counted_from, r.effective_duration.years, r.duration_source)
        for a, r in policy.retention_rules()
    ]
    assert found == EXPECTED_RETENTION
    for _, r in policy.retention_rules():
        assert (r.effective_duration.months, r.effective_duration.days) == (0, 0)
        if r.duration_source == "contract":
            assert r.duration is None and r.default is not None
        else:
            assert r.default is None


def test_retention_rule_ids_are_unique_policy_wide(policy):
    ids = [r.id for _, r in policy.retention_rules()]
    assert len(ids) == len(set(ids))


def test_hosting(policy):
    assert [h.id for h in policy.hosting] == ["own_premises", "ovh", "gmail", "dropbox"]
    # §9 as written: « (agrée Privacy Shield) » follows Dropbox only; Gmail has no safeguard stated
    for hid, provider, claimed in [("gmail", "Google LLC", "none"), ("dropbox", "Dropbox, Inc.", "privacy_shield")]:
        h = policy.hosting_by_id(hid)
        assert (h.provider, h.country, h.kind, h.claimed_transfer_mechanism) == (provider, "US", "cloud_service", claimed)
        assert "Dropbox® (agrée Privacy Shield)" in h.clause.quote
    ovh = policy.hosting_by_id("ovh")
    assert (ovh.provider, ovh.country, ovh.kind) == ("OVH SAS", "FR", "datacenter")
    assert policy.hosting_by_id("own_premises").kind == "on_premises"


def test_rights_and_contact(policy):
    r = policy.rights
    assert [g.right for g in r.granted] == [
        "access", "rectification", "restriction", "portability", "erasure", "objection",
        "withdraw_consent", "complaint",
    ]
    assert r.contact.email == "rgpd@medicoop-france.fr"
    assert r.contact.postal_address == "Service INFORMATIQUE, MEDICOOP FRANCE, 73-75 Rue de la Plaine 75020 PARIS"
    assert r.supervisory_authority.website == "www.cnil.fr"
    assert "CNIL" in r.supervisory_authority.name
    assert r.dpo is None
    assert [(x.name.fr, x.kind) for x in r.recipients] == [
        ("avocats externalisés", "third_party"),
        ("commissaires aux comptes externalisés", "third_party"),
        ("institutions", "public_authority"),
    ]


def test_legal_bases_keep_the_texts_wording(policy):
    holders = {(a.id, b.basis, b.holder) for a in policy.activities for b in a.legal_bases}
    assert ("prospects", "legitimate_interest", "prestataire paie") in holders
    assert ("client_datasets", "legitimate_interest", "client déléguant") in holders
    assert ("partners", "legitimate_interest", "association") in holders
    assert ("newsletters", "legitimate_interest", "personne concernée") in holders
    assert ("candidates", "legitimate_interest", "demandeur d’emploi") in holders
    assert {b.basis for b in policy.activity("client_contacts").legal_bases} == {
        "contract", "legitimate_interest", "legal_obligation",
    }


def test_access_roles(policy):
    assert policy.activity("candidates").access_roles == ["direction", "recruitment", "secretariat"]
    assert policy.activity("suppliers").access_roles == ["direction", "purchasing", "operations", "accounting"]
    assert "external_staff" in policy.activity("client_datasets").access_roles
    for a in policy.activities:
        assert a.access_roles[0] == "direction"


def test_categories_come_from_the_catalogue(policy):
    cats = categories()
    used = {c for a in policy.activities for c in a.data_categories}
    assert used <= set(cats)
    assert not any(cats[c].special for c in used)
    assert "user.x_rgpd.cv" in policy.activity("candidates").data_categories


def test_every_clause_is_quoted_and_in_its_section(policy):
    clauses = list(policy.clauses())
    assert len(clauses) > 60
    for path, c in clauses:
        assert isinstance(c, Clause)
        assert len(c.quote) >= 20, path
        assert c.quote == c.quote.strip(), path
        assert c.quote.endswith((".", "…")), path
    for i, a in enumerate(policy.activities):
        sections = {c.section for p, c in clauses if p.startswith(f"activities[{i}].")}
        assert sections == {a.section}, a.id
    assert {c.section for p, c in clauses if p.startswith("hosting")} == {"§9"}
    assert {c.section for p, c in clauses if p.startswith("rights")} == {"§10"}


def test_retention_clauses_state_the_duration(policy):
    for a, r in policy.retention_rules():
        assert f"{r.effective_duration.years} ans" in r.clause.quote, (a.id, r.id)
