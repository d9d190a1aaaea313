"""Findings are built one way: named columns, bound values, declared kinds and severities."""

from __future__ import annotations

import datetime as dt

import pytest

from rgpd_audit.checks import registry
from rgpd_audit.checks.findings import FINDING_COLUMNS, Query
from rgpd_audit.checks.registry import all_checks, check, finding_kinds
from rgpd_audit.checks.runner import CheckFailed, run_checks
from rgpd_audit.errors import RgpdAuditError
from rgpd_audit.policy import load_policy

CANDS = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: "O'Neil Hosting", country: FR}
  options: {key: id, dates: {dernier_contact: last_activity}}
"""
DATA = "id;dernier_contact\nold;01/01/2015\nnodate;\n"


def test_query_names_every_column_and_binds_values(load_tiny):
    ws, _ = load_tiny(CANDS, {"cands.csv": DATA})
    q = Query()
    hostile = "x'); DROP TABLE findings; --"
    q.add("retention.breach", source=q.bind(hostile), record_key="'r1'", detail_fr="'fr'", detail_en="'en'",
          finding_key=q.bind("k"), from_="(SELECT 1)")
    assert hostile not in q.sql  # the value travels as a parameter
    cur = ws.con.execute(q.sql, q.values())
    row = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    assert list(row) == list(FINDING_COLUMNS)
    assert row["check_id"] == "retention.breach" and row["severity"] == "error"  # the declared default
    assert row["source"] == hostile and row["activity"] is None and row["deadline"] is None
    # parameters a query did not end up using are not passed to DuckDB
    q.bind("unused")
    assert "p99" not in q.values() and len(q.values()) == len(q.params) - 1


def test_query_refuses_unknown_or_missing_columns():
    with pytest.raises(ValueError, match="not finding columns"):
        Query().add("retention.breach", colour="'red'", record_key="1", detail_fr="1", detail_en="1", finding_key="1", from_="t")
    with pytest.raises(ValueError, match="needs finding_key"):
        Query().add("retention.breach", record_key="1", detail_fr="1", detail_en="1", from_="t")
    with pytest.raises(ValueError, match="declared by no check"):
        Query().add("no.such", record_key="1", detail_fr="1", detail_en="1", finding_key="1", from_="t")


def test_every_check_declares_its_kinds_and_severities():
    kinds = finding_kinds()
    assert kinds["retention.breach"].severity == "error"
    assert kinds["transfer.third_country"].allowed == ("info", "error")
    assert kinds["transfer.undeclared_system"].title_fr  # emitted by transfer.third_country, with its own title
    assert {k.id for k in all_checks()["policy.lint"].kinds} >= {"policy.role_contradiction", "policy.no_dpo_contact"}
    for k in kinds.values():
        assert k.severity in k.allowed and k.title_fr and k.title_en


@pytest.fixture
def rogue_check():
    """A check writing a severity its kind does not allow (removed after the test)."""

    @check("test.rogue", title_fr="t", title_en="t", theme="other", severity="info")
    def rogue(ctx):
        return Query().add("test.rogue", severity="'error'", record_key="'r'", detail_fr="'d'", detail_en="'d'",
                           finding_key="'k'", from_="(SELECT 1)")

    yield "test.rogue"
    registry._REGISTRY.pop("test.rogue")


def test_a_severity_outside_the_declared_set_fails_the_check(load_tiny, rogue_check):
    ws, _ = load_tiny(CANDS, {"cands.csv": DATA})
    with pytest.raises(CheckFailed, match="test.rogue.*severity 'error', not one of info"):
        run_checks(ws, load_policy(), dt.date(2026, 11, 27), only=[rogue_check])


def test_policy_overrides_a_kind_severity(load_tiny):
    ws, _ = load_tiny(CANDS, {"cands.csv": DATA})
    policy = load_policy()
    as_of = dt.date(2026, 11, 27)
    run = run_checks(ws, policy, as_of, only=["retention.unverifiable"])
    assert run.counts == {"retention.unverifiable": {"warning": 1}}
    strict = policy.model_copy(update={"severities": {"retention.unverifiable": "error"}})
    run = run_checks(ws, strict, as_of, only=["retention.unverifiable"])
    assert run.counts == {"retention.unverifiable": {"error": 1}}
    wrong = policy.model_copy(update={"severities": {"retention.unverifyable": "error"}})
    with pytest.raises(RgpdAuditError, match="unknown finding kind.*retention.unverifyable"):
        run_checks(ws, wrong, as_of)


def test_policy_file_accepts_severities_and_refuses_unknown_levels(tmp_path):
    from rgpd_audit.errors import SpecError
    from rgpd_audit.resources import bundled_policy

    text = bundled_policy().read_text(encoding="utf-8")
    ok = tmp_path / "ok.yaml"
    ok.write_text(text + "\nseverities:\n  retention.unverifiable: error\n", encoding="utf-8")
    assert load_policy(ok).severities == {"retention.unverifiable": "error"}
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "\nseverities:\n  retention.unverifiable: fatal\n", encoding="utf-8")
    with pytest.raises(SpecError, match="severities.retention.unverifiable"):
        load_policy(bad)


def test_override_of_a_row_decided_severity_moves_the_default_only(load_tiny):
    src = """
- name: box
  format: csv
  path: box.csv
  activities: [candidates]
  hosting: {provider: "Dropbox, Inc.", country: US}
- name: other
  format: csv
  path: other.csv
  activities: [candidates]
  hosting: {provider: Unknown Cloud, country: US}
"""
    ws, _ = load_tiny(src, {"box.csv": "a\n1\n", "other.csv": "a\n1\n"})
    policy = load_policy()
    as_of = dt.date(2020, 1, 1)  # Privacy Shield (claimed for Dropbox) still valid: info; no mechanism: error
    assert run_checks(ws, policy, as_of, only=["transfer.third_country"]).counts["transfer.third_country"] == {"info": 1, "error": 1}
    softer = policy.model_copy(update={"severities": {"transfer.third_country": "warning"}})
    assert run_checks(ws, softer, as_of, only=["transfer.third_country"]).counts["transfer.third_country"] == {"info": 1, "warning": 1}
