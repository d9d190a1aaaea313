"""The policy model: a minimal valid policy, and every kind of invalid file with its message."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml

from rgpd_audit.errors import SpecError
from rgpd_audit.policy import Duration, Policy, UnknownPolicyItem, categories, load_policy

Q = "A sentence quoted from the policy, long enough."


def clause(section: str = "§1") -> dict:
    return {"section": section, "quote": Q}


MINIMAL: dict = {
    "version": 1,
    "language": "fr",
    "source": {"title": "Politique"},
    "organisation": {"name": "ACME"},
    "activities": [
        {
            "id": "prospects",
            "section": "§1",
            "title": {"fr": "Prospects", "en": "Prospects"},
            "clause": clause(),
            "controller_role": "controller",
            "purposes": [{"fr": "prospection"}],
            "purposes_clause": clause(),
            "data_subjects": [{"fr": "prospects", "en": "prospects"}],
            "data_categories": ["user.name", "user.contact.email"],
            "categories_clause": clause(),
            "legal_bases": [{"basis": "consent", "clause": clause()}],
            "access_roles": ["direction", "sales"],
            "access_clause": clause(),
            "retention": [
                {
                    "id": "prospect_contact",
                    "applies_to": "contact",
                    "counted_from": "last_activity",
                    "duration": "3y",
                    "clause": clause(),
                }
            ],
        }
    ],
    "hosting": [
        {
            "id": "cloud",
            "name": {"fr": "Cloud"},
            "provider": "Cloud Inc.",
            "country": "US",
            "kind": "cloud_service",
            "claimed_transfer_mechanism": "dpf",
            "clause": clause("§2"),
        }
    ],
    "rights": {
        "granted": [{"right": "access", "clause": clause("§3")}],
        "contact": {"email": "dpo@acme.example", "clause": clause("§3")},
        "supervisory_authority": {"name": "CNIL", "website": "www.cnil.fr", "clause": clause("§3")},
    },
}


def write(tmp_path, data, name="policy.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def issues(tmp_path, data) -> list[tuple[str, str]]:
    path = write(tmp_path, data)
    with pytest.raises(SpecError) as info:
        load_policy(path)
    assert all(i.file == str(path) for i in info.value.issues)
    return [(i.location, i.message) for i in info.value.issues]


def mutated(fn) -> dict:
    data = copy.deepcopy(MINIMAL)
    fn(data)
    return data


def test_minimal_policy_loads(tmp_path):
    policy = load_policy(write(tmp_path, MINIMAL))
    assert isinstance(policy, Policy)
    act = policy.activity("prospects")
    rule = act.retention[0]
    assert rule.duration == Duration(years=3)
    assert rule.duration_source == "fixed"
    assert rule.effective_duration.years == 3
    assert policy.hosting_by_id("cloud").country == "US"
    assert policy.rights.has("access") and not policy.rights.has("erasure")
    assert policy.rights.dpo is None
    assert [p for p, _ in policy.clauses()][:2] == ["activities[0].clause", "activities[0].purposes_clause"]


def test_lookup_of_unknown_ids_raises(tmp_path):
    policy = load_policy(write(tmp_path, MINIMAL))
    with pytest.raises(UnknownPolicyItem, match="no activity 'nope'.*known: prospects"):
        policy.activity("nope")
    with pytest.raises(KeyError):
        policy.hosting_by_id("nope")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3y", Duration(years=3)), ("6m", Duration(months=6)), ("90d", Duration(days=90)),
     ("1y6m", Duration(years=1, months=6)), ({"years": 10}, Duration(years=10))],
)
def test_duration_shorthand_is_normalised(text, expected):
    assert Duration.model_validate(text) == expected


def test_duration_str_and_add_to():
    assert str(Duration.model_validate("1y6m")) == "1y6m"
    assert Duration(years=1).add_to(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert Duration(months=1).add_to(dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)
    assert Duration(days=90).add_to(dt.date(2025, 1, 1)) == dt.date(2025, 4, 1)


def test_bad_duration_string(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(duration="3 ans"))
    assert issues(tmp_path, data) == [
        ("activities[0].retention[0].duration", "'3 ans' is not a duration; write 3y, 6m, 90d or years: 3")
    ]


def test_negative_and_empty_duration(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(duration={"years": -1}))
    assert issues(tmp_path, data) == [
        ("activities[0].retention[0].duration.years", "Input should be greater than or equal to 0")
    ]
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(duration={}))
    assert issues(tmp_path, data) == [
        ("activities[0].retention[0].duration", "give at least one of years, months, days")
    ]


def test_unknown_key(tmp_path):
    data = mutated(lambda d: d["activities"][0].update(retntion=[]))
    assert issues(tmp_path, data) == [("activities[0].retntion", "unknown key")]


def test_missing_version(tmp_path):
    data = mutated(lambda d: d.pop("version"))
    assert issues(tmp_path, data) == [("version", "required key is missing")]


def test_wrong_version(tmp_path):
    data = mutated(lambda d: d.update(version=2))
    assert issues(tmp_path, data) == [("version", "Input should be 1")]


def test_unknown_role(tmp_path):
    data = mutated(lambda d: d["activities"][0]["access_roles"].append("marketing"))
    [(loc, msg)] = issues(tmp_path, data)
    assert loc == "activities[0].access_roles[2]"
    assert msg.startswith("Input should be 'direction', 'sales', 'recruitment'")
    assert msg.endswith("'operations' or 'external_staff'")


def test_unknown_legal_basis(tmp_path):
    data = mutated(lambda d: d["activities"][0]["legal_bases"][0].update(basis="interet_legitime"))
    [(loc, msg)] = issues(tmp_path, data)
    assert loc == "activities[0].legal_bases[0].basis"
    assert msg == (
        "Input should be 'consent', 'contract', 'legal_obligation', 'vital_interest', "
        "'public_task' or 'legitimate_interest'"
    )


def test_unknown_event(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(counted_from="last_login"))
    [(loc, msg)] = issues(tmp_path, data)
    assert loc == "activities[0].retention[0].counted_from"
    assert msg == (
        "Input should be 'last_activity', 'contract_end', 'last_purchase', 'creation' or 'fiscal_year_close'"
    )


def test_contract_rule_without_default(tmp_path):
    def fn(d):
        rule = d["activities"][0]["retention"][0]
        rule.pop("duration")
        rule["duration_source"] = "contract"

    assert issues(tmp_path, mutated(fn)) == [
        ("activities[0].retention[0].default", "required when duration_source is 'contract'")
    ]


def test_contract_rule_with_default_is_valid(tmp_path):
    def fn(d):
        rule = d["activities"][0]["retention"][0]
        rule.pop("duration")
        rule.update(duration_source="contract", default="5y", counted_from="contract_end")

    rule = load_policy(write(tmp_path, mutated(fn))).activity("prospects").retention[0]
    assert rule.duration is None
    assert rule.default == Duration(years=5)
    assert rule.effective_duration == Duration(years=5)


def test_contract_rule_with_fixed_duration_is_rejected(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(duration_source="contract", default="5y"))
    assert issues(tmp_path, data) == [
        (
            "activities[0].retention[0].duration",
            "must be empty when duration_source is 'contract'; put the fallback in default",
        )
    ]


def test_fixed_rule_without_duration(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].pop("duration"))
    assert issues(tmp_path, data) == [
        ("activities[0].retention[0].duration", "required when duration_source is 'fixed'")
    ]


def test_fixed_rule_with_default(tmp_path):
    data = mutated(lambda d: d["activities"][0]["retention"][0].update(default="5y"))
    assert issues(tmp_path, data) == [
        ("activities[0].retention[0].default", "only allowed when duration_source is 'contract'")
    ]


def test_duplicate_activity_id(tmp_path):
    def fn(d):
        second = copy.deepcopy(d["activities"][0])
        d["activities"] += [second, copy.deepcopy(second) | {"id": "other"}]

    assert issues(tmp_path, mutated(fn)) == [
        ("activities", "duplicate activity id 'prospects' at activities[0].id and activities[1].id")
    ]


def test_duplicate_retention_rule_id(tmp_path):
    def fn(d):
        rules = d["activities"][0]["retention"]
        rules.append(copy.deepcopy(rules[0]))

    assert issues(tmp_path, mutated(fn)) == [
        (
            "activities[0].retention",
            "duplicate retention rule id 'prospect_contact' at retention[0].id and retention[1].id",
        )
    ]


def test_unknown_category(tmp_path):
    data = mutated(lambda d: d["activities"][0]["data_categories"].append("user.contact.emial"))
    assert issues(tmp_path, data) == [
        ("activities[0].data_categories[2]", "unknown data category 'user.contact.emial'; did you mean 'user.contact.email'?")
    ]


def test_bad_ids_sections_countries(tmp_path):
    def fn(d):
        d["activities"][0]["id"] = "Prospects"
        d["activities"][0]["section"] = "1"
        d["hosting"][0]["country"] = "USA"
        d["rights"]["contact"]["email"] = "not-an-email"

    assert issues(tmp_path, mutated(fn)) == [
        ("activities[0].id", "'Prospects' is not a snake_case id (a-z, 0-9, _)"),
        ("activities[0].section", "'1' is not a section like §5"),
        ("hosting[0].country", "'USA' is not an ISO 3166 alpha-2 country code like FR"),
        ("rights.contact.email", "'not-an-email' is not an e-mail address"),
    ]


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nactivities:\n  - id: prospects\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_policy(path)
    [issue] = info.value.issues
    assert issue.file == str(path)
    assert issue.location.startswith("line 5, column 1")
    assert issue.message.startswith("YAML syntax error:")


def test_missing_and_empty_file(tmp_path):
    with pytest.raises(SpecError, match="file not found"):
        load_policy(tmp_path / "nope.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(SpecError, match="file is empty"):
        load_policy(tmp_path / "empty.yaml")


def test_several_errors_reported_at_once(tmp_path):
    def fn(d):
        d.pop("version")
        d["activities"][0]["retntion"] = []
        d["activities"][0]["access_roles"] = ["marketing"]
        d["activities"][0]["retention"][0]["counted_from"] = "never"
        d["hosting"][0]["claimed_transfer_mechanism"] = "safe_harbor"

    found = issues(tmp_path, mutated(fn))
    assert [loc for loc, _ in found] == [
        "version",
        "activities[0].access_roles[0]",
        "activities[0].retention[0].counted_from",
        "activities[0].retntion",
        "hosting[0].claimed_transfer_mechanism",
    ]
    path = write(tmp_path, mutated(fn))
    with pytest.raises(SpecError) as info:
        load_policy(path)
    assert str(info.value).startswith(f"5 errors in {path}\n  - {path}: version: required key is missing")


def test_category_catalogue():
    cats = categories()
    assert cats["user.contact.email"].fideslang
    assert not cats["user.x_rgpd.cv"].fideslang
    assert cats["user.x_rgpd.cv"].en == "CV (résumé)"
    special = {name for name, c in cats.items() if c.special}
    assert {"user.health", "user.criminal_history", "user.demographic.union_membership",
            "user.demographic.religious_belief", "user.demographic.political_opinion",
            "user.demographic.race_ethnicity", "user.demographic.sexual_orientation",
            "user.biometrics", "user.health.genetic"} <= special
    assert "user.contact.email" not in special
    assert all(name.startswith("user.") for name in cats)


def test_docs_describe_every_vocabulary_value_and_category():
    from pathlib import Path
    from typing import get_args

    from rgpd_audit.policy import model

    doc = (Path(__file__).resolve().parents[1] / "docs" / "policy.md").read_text(encoding="utf-8")
    vocabularies = [
        model.Role, model.Event, model.RecordKind, model.LegalBasisKind, model.HolderParty,
        model.ControllerRole, model.RecipientKind, model.HostingKind, model.TransferMechanism,
        model.Right, model.DurationSource,
    ]
    missing = [v for vocab in vocabularies for v in get_args(vocab) if f"`{v}`" not in doc]
    missing += [name for name in categories() if f"`{name}`" not in doc]
    assert missing == []
