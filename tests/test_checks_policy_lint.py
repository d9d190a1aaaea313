"""Policy lint: each rule fires on the text that triggers it and on nothing else; a clean policy
(tests/data/clean_policy.yaml, written after the CNIL's model notice) triggers none."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from rgpd_audit.checks.policy_lint import KINDS
from rgpd_audit.checks.registry import CheckContext, all_checks
from rgpd_audit.policy import Policy, load_policy
from rgpd_audit.spec import validate

CLEAN = yaml.safe_load((Path(__file__).parent / "data" / "clean_policy.yaml").read_text(encoding="utf-8"))
AS_OF = dt.date(2026, 11, 27)


def lint(policy: Policy | dict, as_of=AS_OF) -> dict[str, list]:
    if isinstance(policy, dict):
        policy = validate(policy, Policy, "<test>")
    out: dict[str, list] = {}
    for f in all_checks()["policy.lint"].func(CheckContext(None, policy, as_of)):
        out.setdefault(f.check_id, []).append(f)
    return out


@pytest.mark.parametrize("as_of", [dt.date(2019, 6, 1), dt.date(2021, 1, 1), AS_OF])
def test_clean_policy_triggers_none(as_of):
    assert lint(CLEAN, as_of) == {}


def _activity(d, aid):
    return next(a for a in d["activities"] if a["id"] == aid)


def _m_invalid_mechanism(d):
    d["hosting"][1]["claimed_transfer_mechanism"] = "privacy_shield"


def _m_safeguard_missing(d):
    d["hosting"][1]["claimed_transfer_mechanism"] = "none"


def _m_hosting_without_purpose(d):
    d["hosting"][1]["activities"] = []


def _m_role(d):
    _activity(d, "clients")["controller_role"] = "controller_on_behalf_of_client"


def _m_processor_contract(d):
    _activity(d, "clients")["controller_role"] = "processor"


def _m_purpose(d):
    _activity(d, "clients")["purposes"][0]["fr"] = "prestations d'impression"


def _m_leftover(d):
    d["rights"]["contact"]["clause"]["quote"] += " Nos adhérents peuvent aussi nous écrire."


def _m_association(d):
    _activity(d, "prospects")["legal_bases"][0]["holder"] = "intérêt de l'association"


def _m_b2c(d):
    _activity(d, "prospects")["data_subjects"] = [{"fr": "particuliers inscrits à notre lettre", "en": "individuals"}]


def _m_alternatives(d):
    a = _activity(d, "clients")
    quote = {"section": "§2", "quote": "Ce traitement repose sur le contrat ou sur notre intérêt légitime."}
    a["legal_bases"] = [{"basis": "contract", "clause": quote},
                        {"basis": "legitimate_interest", "holder": "gestion", "holder_party": "organisation", "clause": quote}]


def _m_subject_li(d):
    _activity(d, "prospects")["legal_bases"][0].update(holder="intérêt du prospect", holder_party="data_subject")


def _m_beyond_guidance(d):
    _activity(d, "prospects")["retention"][0]["duration"] = "5y"


def _m_candidates(d):
    a = _activity(d, "recrutement")
    a["retention"] = a["retention"][1:]


def _m_objection(d):
    q = "Vous disposez d'un droit d'accès et du droit d'opposition au traitement pour des motifs légitimes."
    for g in d["rights"]["granted"]:
        if g["right"] != "complaint":
            g["clause"] = {"section": "§6", "quote": q}


def _m_post_mortem(d):
    q = "Vous pouvez introduire une réclamation auprès de la CNIL."
    for g in d["rights"]["granted"]:
        if g["right"] == "complaint":
            g["clause"] = {"section": "§6", "quote": q}
    d["rights"]["supervisory_authority"]["clause"] = {"section": "§6", "quote": q}


def _m_controller(d):
    d["organisation"]["contacts"] = []


def _m_rights_domain(d):
    d["rights"]["contact"]["email"] = "rgpd@autre-groupe.example.fr"


def _m_dpo(d):
    d["rights"]["dpo"] = None


def _m_recipients(d):
    d["rights"]["recipients"] = [{"name": {"fr": "avocats", "en": "lawyers"}, "kind": "third_party",
                                  "clause": {"section": "§6", "quote": "Nos avocats peuvent en recevoir communication."}}]


def _m_core(d):
    d["organisation"]["sector"] = "temporary_work_agency"


MUTATIONS = {
    "policy.invalid_transfer_mechanism": _m_invalid_mechanism,
    "policy.transfer_safeguard_missing": _m_safeguard_missing,
    "policy.hosting_without_purpose": _m_hosting_without_purpose,
    "policy.role_contradiction": _m_role,
    "policy.processor_contract_missing": _m_processor_contract,
    "policy.purpose_mismatch": _m_purpose,
    "policy.template_leftover": _m_leftover,
    "policy.association_basis": _m_association,
    "policy.b2c_marketing_legitimate_interest": _m_b2c,
    "policy.alternative_legal_bases": _m_alternatives,
    "policy.data_subject_legitimate_interest": _m_subject_li,
    "policy.retention_beyond_guidance": _m_beyond_guidance,
    "policy.candidate_retention_undistinguished": _m_candidates,
    "policy.objection_conditional": _m_objection,
    "policy.post_mortem_directives_missing": _m_post_mortem,
    "policy.controller_identity_missing": _m_controller,
    "policy.rights_contact_domain": _m_rights_domain,
    "policy.no_dpo_contact": _m_dpo,
    "policy.recipient_retention": _m_recipients,
    "policy.core_processing_missing": _m_core,
}


def test_every_rule_has_a_test():
    assert set(MUTATIONS) == {k.id for k in KINDS}


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_each_rule_fires_on_its_text(kind):
    d = copy.deepcopy(CLEAN)
    MUTATIONS[kind](d)
    found = lint(d)
    assert kind in found, found.keys()
    extra = set(found) - {kind} - {"policy.role_contradiction", "policy.processor_contract_missing"}
    assert not extra, extra  # the change triggers its own rule (a role change may bring its companion)
    f = found[kind][0]
    assert f.clause and f.detail_fr and f.detail_en and ("art." in (f.detail_fr + f.clause).lower() or "cnil" in f.detail_fr.lower())


def test_the_bundled_policy_as_a_lawyer_reads_it():
    found = lint(load_policy())
    assert {"policy.transfer_safeguard_missing", "policy.invalid_transfer_mechanism", "policy.objection_conditional",
            "policy.post_mortem_directives_missing", "policy.controller_identity_missing", "policy.core_processing_missing",
            "policy.data_subject_legitimate_interest", "policy.alternative_legal_bases", "policy.template_leftover",
            "policy.candidate_retention_undistinguished", "policy.hosting_without_purpose"} <= set(found)
    # §9 as written: Privacy Shield claimed for Dropbox only; Gmail with no safeguard stated
    assert [f.record_key for f in found["policy.invalid_transfer_mechanism"]] == ["dropbox"]
    assert [f.record_key for f in found["policy.transfer_safeguard_missing"]] == ["gmail"]
    # "adhérents" wherever it stands: §8 (subjects), §9 (hosting), §10 (recipients)
    assert {f.record_key for f in found["policy.template_leftover"]} == {"§8", "§9", "§10"}
    # §5's two years are within CNIL guidance for a talent pool: not "beyond guidance"
    assert "candidates" not in {f.activity for f in found.get("policy.retention_beyond_guidance", [])}
    cand = found["policy.candidate_retention_undistinguished"][0]
    assert "3 mois" in cand.detail_fr and "vivier" in cand.detail_fr
    assert {f.activity for f in found["policy.data_subject_legitimate_interest"]} == {"candidates", "newsletters"}


def test_privacy_shield_claim_judged_at_the_date():
    before, after = lint(load_policy(), dt.date(2020, 7, 15)), lint(load_policy(), dt.date(2020, 7, 16))
    assert "policy.invalid_transfer_mechanism" not in before
    assert [f.record_key for f in after["policy.invalid_transfer_mechanism"]] == ["dropbox"]
    assert "C-311/18" in after["policy.invalid_transfer_mechanism"][0].detail_fr
