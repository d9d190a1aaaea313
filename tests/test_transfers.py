"""Transfers judged on the facts (the provider register, the user's evidence) at a date; the
policy's claims judged apart; one finding per provider and activity."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from rgpd_audit.checks.runner import EXPORT_ORDER, export_findings, run_checks
from rgpd_audit.legal import Evidence, assess_transfer, judge, provider_register
from rgpd_audit.policy import load_policy

D = dt.date
POLICY = load_policy()

# (provider, hosting country, date, evidence) -> (transfer?, covered?, safeguard of the first destination)
TABLE = [
    ("Google LLC", "US", D(2020, 7, 15), None, True, True, "privacy_shield"),
    ("Google LLC", "US", D(2020, 7, 16), None, True, False, "scc_2010"),  # Schrems II: SCCs need a TIA
    ("Google LLC", "US", D(2020, 11, 1), Evidence(tia=D(2020, 10, 1)), True, True, "scc_2010"),
    ("Google LLC", "US", D(2022, 12, 27), None, True, False, "scc_2021"),  # the former clauses have expired
    ("Google LLC", "US", D(2023, 7, 10), None, True, False, "scc_2021"),  # DPF in force, Google listed later
    ("Google LLC", "US", D(2023, 9, 1), None, True, True, "dpf"),
    ("Gmail", "US", D(2026, 11, 27), None, True, True, "dpf"),  # an alias of the register
    ("Dropbox, Inc.", "US", D(2020, 7, 15), None, True, True, "privacy_shield"),
    ("Dropbox, Inc.", "US", D(2021, 1, 1), None, True, False, None),  # nothing known between the two
    ("Dropbox, Inc.", "US", D(2021, 1, 1), Evidence(scc_signed=D(2020, 12, 1), tia=D(2020, 12, 1)), True, True, "scc_2010"),
    ("Dropbox, Inc.", "US", D(2026, 11, 27), None, True, False, "scc_2021"),
    ("HubSpot, Inc.", "DE", D(2023, 7, 9), None, True, False, "scc_2021"),  # EU data centre, reached from the US
    ("HubSpot, Inc.", "DE", D(2026, 11, 27), None, True, True, "dpf"),
    ("Unknown Cloud", "US", D(2026, 11, 27), None, True, False, None),
    ("Unknown Cloud", "FR", D(2026, 11, 27), None, False, True, None),
    ("OVH SAS", "FR", D(2026, 11, 27), None, False, True, None),
    ("Sendinblue SAS (Brevo)", "FR", D(2026, 11, 27), None, False, True, None),
    ("Some UK host", "GB", D(2020, 12, 31), None, False, True, None),  # still in the EEA (transition period)
    ("Some UK host", "GB", D(2021, 3, 1), None, True, True, "adequacy"),  # the EU-UK agreement's interim provision
    ("Some UK host", "GB", D(2021, 7, 1), None, True, True, "adequacy"),
    ("Tokyo Host KK", "JP", D(2019, 1, 22), None, True, False, None),
    ("Tokyo Host KK", "JP", D(2019, 1, 23), None, True, True, "adequacy"),
]


@pytest.mark.parametrize("provider,country,on,ev,transfer,covered,safeguard", TABLE,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in TABLE])
def test_transfer_verdicts_at_each_boundary(provider, country, on, ev, transfer, covered, safeguard):
    v = assess_transfer(provider, country, on, evidence=ev)
    assert v.transfer == transfer
    if transfer:
        d = v.destinations[0]
        assert (v.covered, d.safeguard) == (covered, safeguard)
        if covered:
            assert d.label_fr and d.sources
        else:
            assert d.settle_fr and d.settle_en  # what evidence would settle it


def test_verdict_wording():
    dpf = assess_transfer("Google LLC", "US", D(2026, 11, 27)).destinations[0]
    assert "Data Privacy Framework" in dpf.label_fr and any("vérifier" in n for n in dpf.notes_fr)
    checked = assess_transfer("Google LLC", "US", D(2026, 11, 27), evidence=Evidence(dpf_checked=D(2026, 9, 1))).destinations[0]
    assert checked.notes_fr == []
    stale = assess_transfer("Google LLC", "US", D(2026, 11, 27), evidence=Evidence(dpf_checked=D(2025, 9, 1))).destinations[0]
    assert any("plus d'un an" in n for n in stale.notes_fr)
    unknown = assess_transfer("Unknown Cloud", "US", D(2026, 11, 27)).destinations[0]
    assert "non vérifiée" in unknown.label_fr and "not certified" not in unknown.label_en
    assert "DPF" in unknown.settle_fr and "providers.yaml" in unknown.settle_fr
    early = assess_transfer("Dropbox, Inc.", "US", D(2021, 1, 1)).destinations[0]
    assert "DPF" not in early.settle_fr  # not in force yet: only SCCs + TIA settle it
    hub = assess_transfer("HubSpot, Inc.", "DE", D(2026, 11, 27))
    assert [(d.entity, d.country) for d in hub.destinations] == [("HubSpot, Inc.", "US")]


def test_what_the_policy_claims_is_judged_apart():
    assert judge("privacy_shield", D(2020, 7, 15), country="US", provider="Dropbox, Inc.").valid
    assert not judge("privacy_shield", D(2020, 7, 16), country="US", provider="Dropbox, Inc.").valid
    assert not judge("dpf", D(2023, 7, 9), country="US", provider="Google LLC").valid
    assert judge("dpf", D(2024, 1, 1), country="US", provider="Google LLC").valid
    no_dpf = judge("dpf", D(2024, 1, 1), country="US", provider="Dropbox, Inc.")
    assert not no_dpf.valid and "registre" in no_dpf.reason_fr
    unknown = judge("dpf", D(2024, 1, 1), country="US", provider="Unknown Cloud")
    assert not unknown.valid and "non vérifiée" in unknown.reason_fr
    assert not judge("adequacy", D(2024, 1, 1), country="US").valid  # no adequacy of its own
    assert not judge("adequacy", D(2024, 1, 1), country="IN").valid
    assert judge("adequacy", D(2024, 1, 1), country="JP").valid
    assert judge("scc", D(2019, 6, 1), country="US").valid  # the former clauses, in force then
    assert judge("scc", D(2024, 1, 1), country="US").valid
    assert judge("none", D(2024, 1, 1), country="DE").valid  # EEA: no transfer
    assert judge("none", D(2022, 1, 1), country="GB").valid  # adequacy from 28/06/2021


def test_user_register_overrides(tmp_path):
    mine = tmp_path / "providers.yaml"
    mine.write_text(
        "version: 1\nproviders:\n  unknown:\n    name: Unknown Cloud\n    contracting_entity: {name: Unknown Cloud Inc., country: US}\n"
        "    recipients: [{entity: Unknown Cloud Inc., country: US}]\n"
        "    safeguards: [{kind: dpf, entity: Unknown Cloud Inc., from: 2024-02-01, checked: 2026-10-01, source: my check}]\n",
        encoding="utf-8")
    reg = provider_register(mine)
    assert {"google", "unknown"} <= set(reg.providers)
    v = assess_transfer("Unknown Cloud", "US", D(2026, 11, 27), register=reg)
    assert v.covered and v.destinations[0].safeguard == "dpf" and v.destinations[0].notes_fr == []


ESTATE = """
- name: gmail
  format: csv
  path: g.csv
  activities: [candidates]
  hosting: {provider: Google LLC, country: US}
  options: {subject: {email: email}}
- name: gmail_bis
  format: csv
  path: g2.csv
  activities: [candidates]
  hosting: {provider: Google LLC, country: US}
  options: {subject: {email: email}}
- name: chimp
  format: csv
  path: m.csv
  activities: [newsletters]
  hosting: {provider: Intuit Mailchimp, country: US}
  options: {subject: {email: email}}
- name: brevo
  format: csv
  path: b.csv
  activities: [newsletters]
  hosting: {provider: "Sendinblue SAS (Brevo)", country: FR}
- name: ovh
  format: csv
  path: o.csv
  activities: [partners]
  hosting: {provider: OVH SAS, country: FR}
"""


def test_one_finding_per_provider_and_activity_and_csv_safety(load_tiny, tmp_path):
    ws, _ = load_tiny(ESTATE, {
        "g.csv": "email,note\na@example.fr,=cmd|' /C calc'!A0\nb@example.fr,x\n", "g2.csv": "email\na@example.fr\n",
        "m.csv": "email\nc@example.com\n", "b.csv": "EMAIL\nd@example.com\n", "o.csv": "x\n1\n",
    })
    run = run_checks(ws, POLICY, D(2020, 7, 17), only=["transfer.third_country"])
    rows = {r[0]: r[1:] for r in ws.con.execute(
        "SELECT finding_key, severity, source, detail_fr FROM findings WHERE run_id = ?", [run.run_id]).fetchall()}
    google = rows["transfer.third_country|google|candidates"]  # two exports, one provider: one finding
    assert google[0] == "error" and google[1] == "gmail, gmail_bis" and "3 enregistrements, 2 personnes" in google[2]
    assert "analyse d'impact" in google[2]  # the evidence that would settle it
    assert rows["transfer.undeclared_system|mailchimp"][0] == "error"  # outside the EEA, not in §9
    assert rows["transfer.undeclared_system|brevo"][0] == "warning"  # in the EEA, not in §9 (« notamment »)
    assert not any("ovh" in k for k in rows)
    later = run_checks(ws, POLICY, D(2026, 11, 27), only=["transfer.third_country"])
    sev = dict(ws.con.execute("SELECT finding_key, severity FROM findings WHERE run_id = ?", [later.run_id]).fetchall())
    assert sev["transfer.third_country|google|candidates"] == "info"  # DPF listed since 2023-09-01
    # CSV export neutralises formula-looking values
    ws.con.execute("UPDATE findings SET detail_fr = '=HYPERLINK(1)' WHERE run_id = ? AND finding_key LIKE '%google%'", [later.run_id])
    csv_path, pq = export_findings(ws, later.run_id, tmp_path / "out")
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK(1)" in text and pq.exists()
    keys_csv = [r["finding_key"] for r in csv.DictReader(io.StringIO(text))]
    keys_pq = [r[0] for r in ws.con.execute(f"SELECT finding_key FROM read_parquet('{pq}')").fetchall()]
    expected = [r[0] for r in ws.con.execute(
        f"SELECT finding_key FROM findings WHERE run_id = ? ORDER BY {EXPORT_ORDER}", [later.run_id]).fetchall()]
    assert keys_csv == expected and sorted(keys_pq) == sorted(expected) and expected
    ranks = {"error": 0, "warning": 1, "info": 2}
    severities_csv = [ranks[r["severity"]] for r in csv.DictReader(io.StringIO(text))]
    severities_pq = [ranks[r[0]] for r in ws.con.execute(f"SELECT severity FROM read_parquet('{pq}')").fetchall()]
    assert severities_csv == sorted(severities_csv) and severities_pq == sorted(severities_pq)  # most severe first
    assert len(set(severities_csv)) > 1


def test_transfer_counts_read_back_on_the_same_inputs_and_counted_again_when_an_export_changes(load_tiny, tmp_path):
    """The records and people a provider holds do not depend on the audit date: counted once
    per workspace content (``check_memo``), read back next month, counted again after a reload."""
    from rgpd_audit.ingest import load_estate, load_manifest

    files = {"g.csv": "email,note\na@example.fr,x\nb@example.fr,x\n", "g2.csv": "email\na@example.fr\n",
             "m.csv": "email\nc@example.com\n", "b.csv": "EMAIL\nd@example.com\n", "o.csv": "x\n1\n"}
    ws, _ = load_tiny(ESTATE, files)
    only = ["transfer.third_country"]

    def kept() -> int:
        return ws.con.execute("SELECT count(*) FROM check_memo WHERE name = 'transfer.counts'").fetchone()[0]

    def google(run) -> str:
        return dict(ws.con.execute("SELECT finding_key, detail_fr FROM findings WHERE run_id = ?", [run.run_id]).fetchall())[
            "transfer.third_country|google|candidates"]

    first = run_checks(ws, POLICY, D(2026, 11, 27), only=only)
    assert kept() == 1 and "3 enregistrements, 2 personnes" in google(first)
    next_month = run_checks(ws, POLICY, D(2026, 12, 27), only=only)
    assert kept() == 1 and "3 enregistrements, 2 personnes" in google(next_month)  # read back, not counted again
    (tmp_path / "g.csv").write_text(files["g.csv"] + "e@example.fr,y\n", encoding="utf-8")
    load_estate(ws, load_manifest(tmp_path / "manifest.yaml"))
    later = run_checks(ws, POLICY, D(2026, 12, 27), only=only)
    assert kept() == 2 and "4 enregistrements, 3 personnes" in google(later)
    fresh = run_checks(ws, POLICY, D(2026, 12, 27), only=only, reuse_findings=False)
    assert kept() == 2 and google(fresh) == google(later)  # counted, and nothing kept


# --------------------------------------------------------------------------- the user's facts, end to end

USER_ESTATE = """
- name: cloud
  format: csv
  path: c.csv
  activities: [partners]
  hosting: {provider: Acme Cloud, country: US}
  options: {subject: {email: email}}
- name: box
  format: csv
  path: d.csv
  activities: [candidates]
  hosting:
    provider: Dropbox
    country: IE
    evidence: {scc_signed: 2021-09-01, scc_module: 3, tia: 2022-01-10, dpa_signed: 2021-09-01}
  options: {subject: {email: email}}
"""
ACME = (
    "version: 1\nproviders:\n  acme:\n    name: Acme Cloud\n    contracting_entity: {name: Acme Cloud Inc., country: US}\n"
    "    recipients: [{entity: Acme Cloud Inc., country: US, role: hosting}]\n"
    "    safeguards: [{kind: dpf, entity: Acme Cloud Inc., from: 2023-10-02, checked: 2026-06-01, source: list checked by the DPO}]\n"
)


def _verdicts(ws, on):
    run = run_checks(ws, POLICY, on, only=["transfer.third_country"])
    return {k: (sev, fr) for k, sev, fr in ws.con.execute(
        "SELECT finding_key, severity, detail_fr FROM findings WHERE run_id = ? AND check_id = 'transfer.third_country'",
        [run.run_id]).fetchall()}


def test_providers_yaml_next_to_the_manifest_and_hosting_evidence(load_tiny, tmp_path):
    """A provider the register does not know is unverified until the user's providers.yaml
    describes it; the user's signed SCCs and TIA (hosting.evidence) cover Dropbox from the TIA's
    date, not before — all kept in the workspace at load, judged at each date."""
    files = {"c.csv": "email\na@example.com\n", "d.csv": "email\nb@example.com\n"}
    ws, _ = load_tiny(USER_ESTATE, files)
    before = _verdicts(ws, D(2024, 1, 1))
    assert before["transfer.third_country|acmecloud|partners"][0] == "error"
    assert "fournisseur absent du registre" in before["transfer.third_country|acmecloud|partners"][1]
    assert before["transfer.third_country|dropbox|candidates"][0] == "info"  # SCC 2021 signed + TIA on file
    assert "analyse d'impact du 10/01/2022" in before["transfer.third_country|dropbox|candidates"][1]
    early = _verdicts(ws, D(2021, 12, 1))  # the SCCs were signed, the TIA not yet written
    assert early["transfer.third_country|dropbox|candidates"][0] == "error"
    assert "hosting.evidence.tia" in early["transfer.third_country|dropbox|candidates"][1]
    ws.close()

    (tmp_path / "providers.yaml").write_text(ACME, encoding="utf-8")
    from rgpd_audit.ingest import load_estate, load_manifest
    from rgpd_audit.workspace import Workspace

    with Workspace(tmp_path / "ws") as ws2:
        load_estate(ws2, load_manifest(tmp_path / "manifest.yaml"))  # files unchanged: the register is still read
        after = _verdicts(ws2, D(2024, 1, 1))
        assert after["transfer.third_country|acme|partners"][0] == "info"
        assert "Data Privacy Framework (Acme Cloud Inc." in after["transfer.third_country|acme|partners"][1]
        assert _verdicts(ws2, D(2023, 9, 1))["transfer.third_country|acme|partners"][0] == "error"  # before its listing


def test_user_files_are_validated_with_the_manifest(tmp_path):
    from rgpd_audit.errors import SpecError
    from rgpd_audit.ingest import load_manifest
    from tests.conftest import write_manifest

    (tmp_path / "c.csv").write_text("email\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("email\n", encoding="utf-8")
    (tmp_path / "providers.yaml").write_text(ACME.replace("kind: dpf", "kind: safe_harbor"), encoding="utf-8")
    bad = USER_ESTATE.replace("scc_module: 3", "scc_module: 7")
    with pytest.raises(SpecError) as e:
        load_manifest(write_manifest(tmp_path, bad))
    text = str(e.value)
    assert "sources[1].hosting.evidence.scc_module" in text
    (tmp_path / "manifest.yaml").unlink()
    with pytest.raises(SpecError) as e:
        load_manifest(write_manifest(tmp_path, USER_ESTATE))
    assert "providers.yaml" in str(e.value) and "safe_harbor" in str(e.value)
