"""Policy lint and transfers, judged at the audit date."""

from __future__ import annotations

import datetime as dt
import io

from rgpd_audit.checks.registry import CheckContext, all_checks
from rgpd_audit.checks.runner import export_findings, run_checks
from rgpd_audit.legal import judge
from rgpd_audit.policy import load_policy

POLICY = load_policy()


def lint(as_of):
    findings = all_checks()["policy.lint"].func(CheckContext(None, POLICY, as_of))
    return {f.check_id for f in findings}, findings


def test_privacy_shield_valid_in_2020_invalid_in_2021():
    ids_2020, _ = lint(dt.date(2020, 1, 1))
    ids_2021, found = lint(dt.date(2021, 1, 1))
    assert "policy.invalid_transfer_mechanism" not in ids_2020
    assert "policy.invalid_transfer_mechanism" in ids_2021
    bad = [f for f in found if f.check_id == "policy.invalid_transfer_mechanism"]
    assert {f.record_key for f in bad} == {"gmail", "dropbox"}
    assert all("C-311/18" in f.detail_fr and f.clause.startswith("§9") for f in bad)


def test_mechanism_table_dates():
    assert judge("privacy_shield", dt.date(2020, 7, 15), country="US").valid
    assert not judge("privacy_shield", dt.date(2020, 7, 16), country="US").valid
    assert not judge("dpf", dt.date(2023, 7, 9), country="US", provider="Google LLC").valid
    assert judge("dpf", dt.date(2024, 1, 1), country="US", provider="Google LLC").valid
    assert not judge("dpf", dt.date(2024, 1, 1), country="US", provider="Dropbox, Inc.").valid
    assert judge("none", dt.date(2024, 1, 1), country="DE").valid  # EEA: no transfer
    assert judge("none", dt.date(2022, 1, 1), country="GB").valid  # adequacy from 28/06/2021
    assert not judge("none", dt.date(2021, 1, 1), country="GB").valid


def test_policy_lint_finds_the_texts_weaknesses():
    ids, found = lint(dt.date(2026, 11, 27))
    assert {
        "policy.role_contradiction", "policy.purpose_mismatch", "policy.association_basis",
        "policy.b2c_marketing_legitimate_interest", "policy.rights_contact_domain", "policy.no_dpo_contact",
        "policy.recipient_retention", "policy.retention_beyond_guidance",
    } <= ids
    role = [f for f in found if f.check_id == "policy.role_contradiction"]
    assert [f.activity for f in role] == ["client_web_apps"]
    mismatch = {f.activity for f in found if f.check_id == "policy.purpose_mismatch"}
    assert {"client_datasets", "client_web_apps"} <= mismatch


ESTATE = """
- name: gmail
  format: csv
  path: g.csv
  activities: [candidates]
  hosting: {provider: Google LLC, country: US}
  options: {subject: {email: email}}
- name: chimp
  format: csv
  path: m.csv
  activities: [newsletters]
  hosting: {provider: Intuit Mailchimp, country: US}
  options: {subject: {email: email}}
- name: ovh
  format: csv
  path: o.csv
  activities: [partners]
  hosting: {provider: OVH SAS, country: FR}
"""


def test_transfers_undeclared_and_mechanism_and_csv_safety(load_tiny, tmp_path):
    ws, _ = load_tiny(ESTATE, {
        "g.csv": "email,note\na@example.fr,=cmd|' /C calc'!A0\nb@example.fr,x\n",
        "m.csv": "email\nc@example.com\n", "o.csv": "x\n1\n",
    })
    run = run_checks(ws, POLICY, dt.date(2026, 11, 27), only=["transfer.third_country"])
    rows = ws.con.execute("SELECT check_id, severity, source, detail_fr FROM findings WHERE run_id = ? ORDER BY ALL", [run.run_id]).fetchall()
    assert ("transfer.undeclared_system", "error", "chimp") in {r[:3] for r in rows}
    gmail = [r for r in rows if r[0] == "transfer.third_country" and r[2] == "gmail"][0]
    assert gmail[1] == "error" and "2 enregistrements, 2 personnes" in gmail[3] and "Privacy Shield" in gmail[3]
    assert not any(r[2] == "ovh" for r in rows)
    # CSV export neutralises formula-looking values
    ws.con.execute("UPDATE findings SET detail_fr = '=HYPERLINK(1)' WHERE run_id = ? AND source = 'gmail'", [run.run_id])
    csv_path, pq = export_findings(ws, run.run_id, tmp_path / "out")
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in text and pq.exists()
    # both files hold the run's findings in the same, sorted order
    import csv

    keys_csv = [r["finding_key"] for r in csv.DictReader(io.StringIO(text))]
    keys_pq = [r[0] for r in ws.con.execute(f"SELECT finding_key FROM read_parquet('{pq}')").fetchall()]
    expected = [r[0] for r in ws.con.execute(
        "SELECT finding_key FROM findings WHERE run_id = ? ORDER BY severity DESC, check_id, activity, source, record_key",
        [run.run_id]).fetchall()]
    assert keys_csv == keys_pq == expected and len(expected) == len(rows)
