"""The erasure plan, field by field: what the law keeps (holds as data, with their source and
end), what a suppression list keeps, what is erased or pseudonymised, and whom to notify."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.dsar import PersonQuery, erase_plan, load_claims, write_plan
from rgpd_audit.errors import SpecError
from rgpd_audit.holds import hold, holds
from rgpd_audit.policy import load_policy
from tests.dsar_estate import EMAIL, FILES, SOURCES

AS_OF = dt.date(2026, 11, 27)


def _plan(ws, as_of=AS_OF, **kw):
    claims = kw.pop("claims", ())
    objection = kw.pop("objection", False)
    return erase_plan(ws, load_policy(), PersonQuery.make(**(kw or {"email": EMAIL})), as_of=as_of, claims=claims, objection=objection)


def _by(plan, source, record=None):
    """{field: item} of one record."""
    return {i.field: i for i in plan.items if i.source == source and (record is None or i.record == record)}


# --- the tiny estate of the other DSAR tests -----------------------------------------------------


def test_accounting_vouchers_kept_field_by_field_with_their_hold(dsar_ws):
    plan = _plan(dsar_ws)
    f1, f2 = _by(plan, "factures", "#1"), _by(plan, "factures", "#2")
    assert set(f1) == {"Numero", "Client", "Email", "Montant", "Cloture"}
    assert {(i.action, i.keep_reason, i.hold, i.hold_kind, i.keep_until) for i in f1.values()} == {
        ("keep", "hold", "accounting_records", "accounting", dt.date(2034, 12, 31))}  # closed 31/12/2024 + 10 years
    assert "17(3)(b)" in f1["Email"].legal_ref and "L123-22" in f1["Email"].legal_ref
    assert "jusqu'au 31/12/2034" in f1["Email"].reason_fr and "until 2034-12-31" in f1["Email"].reason_en
    # closed 31/12/2012: its ten years ended on 31/12/2022
    assert {(i.action, i.keep_until) for i in f2.values()} == {("erase", dt.date(2022, 12, 31))}
    assert "échue le 31/12/2022" in f2["Email"].reason_fr


def test_candidates_mail_and_documents_are_in_the_plan(dsar_ws):
    plan = _plan(dsar_ws)
    cand = _by(plan, "candidats", "C1")
    assert {"Nom", "Prénom", "E-mail", "Téléphone", "Naissance", "Commentaire"} <= set(cand)
    assert {i.action for i in cand.values()} == {"erase"} and "Ref" in cand  # the key is no identifier: erased with the rest
    mails = [i for i in plan.items if i.source == "gmail"]
    # m2 is found in the message and among its recipients: one unit, the whole message
    assert sorted((i.record, i.unit, i.field, i.action) for i in mails) == [
        ("<m1@exemple.fr>", "message", "*", "erase"), ("<m2@exemple.fr>", "message", "*", "erase")]
    assert all(i.table == "gmail" for i in mails)
    docs = [i for i in plan.items if i.source == "partages"]
    assert [(i.unit, i.field, i.action) for i in docs] == [("document", "path", "erase")]
    assert "supprimer le document" in docs[0].reason_fr


def test_as_of_decides_when_the_duty_ends(dsar_ws):
    plan = _plan(dsar_ws, as_of=dt.date(2020, 6, 1))
    assert {i.action for i in plan.items if i.source == "factures"} == {"keep"}


def test_recipients_to_notify_and_files(dsar_ws, tmp_path):
    plan = _plan(dsar_ws)
    policy = load_policy()
    expected = {r.name.fr for a in ("candidates", "client_contacts") for r in policy.activity(a).recipients if r.kind != "internal"}
    assert {r["name_fr"] for r in plan.recipients} == expected and expected
    paths = write_plan(plan, tmp_path)
    md = paths[0].read_text(encoding="utf-8")
    assert "## À conserver (art. 17(3), liste d’opposition) (1 enregistrement(s), 5 champ(s))" in md
    assert "Numero, Client, Email, Montant, Cloture" in md  # one line per record, action and reason
    assert "Destinataires à informer (art. 19)" in md
    data = json.loads(paths[2].read_text(encoding="utf-8"))
    assert data["version"] == 2 and data["summary"]["keep"] == 5 and data["records"]["keep"] == 1 and data["as_of"] == "2026-11-27"
    kept = [i for i in data["items"] if i["action"] == "keep"]
    assert {i["hold"] for i in kept} == {"accounting_records"} and {i["keep_until"] for i in kept} == {"2034-12-31"}
    assert kept[0]["holds"] == [{"hold": "accounting_records", "kind": "accounting", "until": "2034-12-31", "state": "dated",
                                 "active": True, "claim": None}]
    for p in paths:  # the person is named by the pseudonym only
        assert EMAIL not in p.read_text(encoding="utf-8").lower()
    en = write_plan(plan, tmp_path / "en", "en")[0].read_text(encoding="utf-8")
    assert "## To keep (Art. 17(3), suppression list)" in en and "Accounting duty — accounting books and vouchers" in en


def test_weak_matches_are_to_check(dsar_ws):
    plan = _plan(dsar_ws, name="Aïssa N'Diaye")
    assert plan.items and {(i.action, i.field, i.unit) for i in plan.items} == {("review", "*", "record")}


# --- holds, suppression lists, claims, pseudonyms ----------------------------------------------

FEC_COLS = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
            "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
            "ValidDate", "Montantdevise", "Idevise"]


def _fec(*rows):
    return "\t".join(FEC_COLS) + "\r\n" + "".join("\t".join(r) + "\r\n" for r in rows)


def _line(date, compte, aux, auxlib, debit, credit):
    return ["HA", "Achats", "1", date, compte, "x", aux, auxlib, "F1", date, "Facture", debit, credit, "", "", date, "", ""]


MORE = """
- name: tiers
  format: sage_tiers
  path: tiers.csv
  activities: [suppliers]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";", key: CT_Num, subject: {email: CT_EMail, phone: CT_Telephone, name: [CT_Contact]}}
- name: compta
  format: fec
  path: "*FEC*.txt"
  activities: [suppliers]
  hosting: {provider: INTER INTERIM, country: FR}
- name: lettre
  format: mailchimp
  path: unsubscribed_members.csv
  activities: [newsletters]
  hosting: {provider: Intuit Mailchimp, country: US}
  options: {subject: {email: Email Address, name: [First Name, Last Name]}}
- name: brevo
  format: brevo
  path: brevo.csv
  activities: [newsletters]
  hosting: {provider: Brevo, country: FR}
  options: {key: CONTACT ID, subject: {email: EMAIL}}
- name: optin
  format: csv
  path: optin.csv
  activities: [prospects]
  hosting: {provider: OVH SAS, country: FR}
  options: {key: Email, subject: {email: Email}}
- name: personnel
  format: csv
  path: personnel.csv
  activities: []
  use: staff
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: Matricule, subject: {email: E-mail}, dates: {Sortie: departure}}
- name: recrues
  format: csv
  path: recrues.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {subject: {email: E-mail}, status: {column: Statut, values: {Embauché: hired, Refusé: rejected}}}
"""
MORE_FILES = {
    # the supplier FNDIAYE has entries of FY 2023 and 2024; FVIDE none; she is the contact of both
    "tiers.csv": ("CT_Num;CT_Intitule;CT_Type;CT_Contact;CT_Telephone;CT_EMail;CT_Adresse\n"
                  "FNDIAYE;Ndiaye Conseil SARL;1;Aïssa N'Diaye;01 99 00 12 34;aissa.ndiaye@exemple.fr;3 rue du Port\n"
                  "FVIDE;Vide SAS;1;Aïssa N'Diaye;;aissa.ndiaye@exemple.fr;\n"),
    "123456782FEC20231231.txt": _fec(_line("20230310", "40100000", "FNDIAYE", "Ndiaye Conseil SARL", "0,00", "120,00")),
    "123456782FEC20241231.txt": _fec(_line("20240510", "40100000", "FNDIAYE", "Ndiaye Conseil SARL", "0,00", "80,00")),
    "unsubscribed_members.csv": ("Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME,"
                                 "UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,LEID\n"
                                 "Aissa.Ndiaye@exemple.fr,Aïssa,N'Diaye,2,2023-06-01 18:03:11,2023-06-01 18:05:40,"
                                 "2025-02-14 08:30:00,Vœux 2025,d4e5f6a7b8,NORMAL,187600001\n"),
    "brevo.csv": "CONTACT ID;EMAIL;LASTNAME;FIRSTNAME;ADDED_TIME;MODIFIED_TIME\n7;aissa.ndiaye@exemple.fr;NDIAYE;Aïssa;15-05-2024;\n",
    "optin.csv": "Email,Source,Date\naissa.ndiaye@exemple.fr,salon,2025-01-10\n",
    "personnel.csv": ("Matricule,Nom,E-mail,Sortie\nM1,Marchand,yanis.marchand@exemple.fr,15/03/2024\n"
                      "M2,Ndiaye,awa.ndiaye@exemple.fr,\n"),
    "recrues.csv": "Nom,E-mail,Statut\nMarchand,yanis.marchand@exemple.fr,Embauché\nNdiaye,aissa.ndiaye@exemple.fr,Refusé\n",
}


@pytest.fixture
def erase_ws(load_tiny):
    ws, report = load_tiny(SOURCES + MORE, {**FILES, **MORE_FILES})
    assert not report.failed, [s.error for s in report.failed]
    return ws


def test_a_supplier_contact_is_erased_while_the_account_stays_for_its_entries(erase_ws):
    plan = _plan(erase_ws)
    t = _by(plan, "tiers", "FNDIAYE")
    assert {f for f, i in t.items() if i.action == "erase"} == {"CT_Contact", "CT_Telephone", "CT_EMail"}
    assert "ni livre ni pièce comptable" in t["CT_EMail"].reason_fr and "L123-22" in t["CT_EMail"].legal_ref
    kept = {f: i for f, i in t.items() if i.action == "keep"}
    assert set(kept) == {"CT_Num", "CT_Intitule", "CT_Type", "CT_Adresse"}  # tiers_type (made by the loader) is no field
    # the account's last entry is of FY 2024: ten years from its close
    assert {(i.hold, i.keep_until) for i in kept.values()} == {("accounting_accounts", dt.date(2034, 12, 31))}
    assert "Date de référence inconnue" not in " ".join(i.reason_fr for i in plan.items)
    # an account no entry refers to: the contact goes, the account is to check in the books
    v = _by(plan, "tiers", "FVIDE")
    assert v["CT_EMail"].action == "erase" and v["CT_Num"].action == "review" and "aucune écriture" in v["CT_Num"].reason_fr
    # as of a date before its 2024 entry, the account is kept from the 2023 close only
    early = _by(_plan(erase_ws, as_of=dt.date(2024, 3, 1)), "tiers", "FNDIAYE")
    assert early["CT_Num"].keep_until == dt.date(2033, 12, 31)


def test_an_unsubscribed_address_stays_on_the_suppression_list(erase_ws):
    m = _by(_plan(erase_ws), "lettre")
    kept = {f for f, i in m.items() if i.action == "keep"}
    assert kept == {"Email Address", "UNSUB_TIME", "UNSUB_CAMPAIGN_ID"}
    assert {m[f].keep_reason for f in kept} == {"opt_out"} and all(m[f].keep_until is None for f in kept)
    assert "14/02/2025" in m["Email Address"].reason_fr and "21(3)" in m["Email Address"].legal_ref
    assert {f for f, i in m.items() if i.action == "erase"} == {"First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME",
                                                                 "CONFIRM_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_REASON", "LEID"}
    # before the unsubscription, no opt-out yet: everything goes
    assert {i.action for i in _by(_plan(erase_ws, as_of=dt.date(2025, 1, 1)), "lettre").values()} == {"erase"}


def test_an_objection_keeps_the_address_on_each_mailing_list(erase_ws):
    assert {i.action for i in _by(_plan(erase_ws), "brevo").values()} == {"erase"}
    b = _by(_plan(erase_ws, objection=True, email=EMAIL), "brevo")
    assert {f for f, i in b.items() if i.action == "keep"} == {"EMAIL"} and b["EMAIL"].keep_reason == "opt_out"
    assert "Opposition reçue" in b["EMAIL"].reason_fr and "27/11/2026" in b["EMAIL"].reason_fr
    assert {i.action for i in _by(_plan(erase_ws, objection=True, email=EMAIL), "candidats").values()} == {"erase"}  # no mailing list


def test_a_key_that_identifies_the_person_is_pseudonymised(erase_ws):
    plan = _plan(erase_ws)
    o = _by(plan, "optin")
    assert o["Email"].action == "pseudonymise" and plan.subject_ref in o["Email"].reason_fr
    assert o["Source"].action == o["Date"].action == "erase"


def test_staff_and_hired_people_are_kept_for_the_labour_law_periods(erase_ws):
    plan = _plan(erase_ws, email="yanis.marchand@exemple.fr")
    staff = _by(plan, "personnel")
    # departure 15/03/2024: register and discrimination claims 5 years, wages 3, performance 2, termination 1
    assert {(i.action, i.keep_until) for i in staff.values()} == {("keep", dt.date(2029, 3, 15))}
    applied = {h["hold"]: (h["until"], h["active"]) for h in staff["Nom"].holds}
    assert applied == {"staff_register": ("2029-03-15", True), "employment_performance": ("2026-03-15", False),
                       "employment_termination": ("2025-03-15", False), "wages": ("2027-03-15", True),
                       "discrimination": ("2029-03-15", True)}
    assert staff["Nom"].hold in ("staff_register", "discrimination") and "17(3)" in staff["Nom"].legal_ref
    # the hired candidate's file: the claims run from an end of contract this source does not give
    hired = _by(plan, "recrues")
    assert {(i.action, i.hold, i.keep_until) for i in hired.values()} == {("keep", "discrimination", None)}
    assert "absente de cette source" in hired["Nom"].reason_fr
    # a rejected candidate is no employee: no labour-law hold
    assert {i.action for i in _by(_plan(erase_ws), "recrues").values()} == {"erase"}
    # still employed (no departure yet): the period has not started
    awa = _by(_plan(erase_ws, email="awa.ndiaye@exemple.fr"), "personnel")
    assert {(i.action, i.keep_until) for i in awa.values()} == {("keep", None)} and "pas commencé" in awa["Nom"].reason_fr
    # after the last of them, the record goes
    late = _by(_plan(erase_ws, as_of=dt.date(2029, 3, 16), email="yanis.marchand@exemple.fr"), "personnel")
    assert {i.action for i in late.values()} == {"erase"}


CLAIMS = """\
version: 1
claims:
  - id: CPH-2026-014
    description: "Contentieux prud'homal : requalification"
    opened: 2026-03-02
    until: 2027-06-30
    people:
      - email: Aissa.Ndiaye@Exemple.fr
    sources: [candidats, gmail]
"""


def test_a_legal_claim_in_progress_keeps_the_records_it_names(erase_ws, tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(CLAIMS, encoding="utf-8")
    claims = load_claims(path)
    plan = _plan(erase_ws, claims=claims)
    cand = _by(plan, "candidats", "C1")
    assert {(i.action, i.hold_kind, i.keep_until) for i in cand.values()} == {("keep", "legal_claim", dt.date(2027, 6, 30))}
    assert "CPH-2026-014" in cand["Nom"].reason_fr and "17(3)(e)" in cand["Nom"].legal_ref
    assert {i.action for i in plan.items if i.source == "gmail"} == {"keep"}
    assert {i.action for i in _by(plan, "partages").values()} == {"erase"}  # not named by the claim
    after = _plan(erase_ws, claims=claims, as_of=dt.date(2027, 7, 1))
    assert {i.action for i in _by(after, "candidats", "C1").values()} == {"erase"}
    # another person is not concerned
    assert {i.action for i in _by(_plan(erase_ws, claims=claims, email="yanis.marchand@exemple.fr"), "recrues").values()} == {"keep"}
    assert not _by(_plan(erase_ws, claims=claims, email="yanis.marchand@exemple.fr"), "candidats")


def test_a_claims_file_is_validated(tmp_path):
    bad = tmp_path / "claims.yaml"
    bad.write_text("version: 2\nclaims:\n  - id: X\n    opened: 2026-01-01\n    until: 2025-01-01\n    people: [{email: pas-une-adresse}]\n"
                   "    colour: red\n", encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        load_claims(bad)
    text = str(exc.value)
    assert "version" in text and "claims[0].description" in text and "claims[0].colour" in text and "people[0].email" in text


def test_erase_plan_command_with_claims_and_objection(erase_ws, tmp_path):
    path = str(erase_ws.path)
    erase_ws.close()
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS, encoding="utf-8")
    run = CliRunner().invoke
    res = run(main, ["dsar", "erase-plan", "--workspace", path, "--email", EMAIL, "--out", str(tmp_path / "p"),
                     "--as-of", "2026-11-27", "--claims", str(claims), "--objection", "--lang", "en"])
    assert res.exit_code == 0, res.output
    data = json.loads(next((tmp_path / "p").glob("*.json")).read_text(encoding="utf-8"))
    by = {(i["source"], i["field"]): i for i in data["items"]}
    assert by[("candidats", "Nom")]["hold"] == "legal_claim" and by[("brevo", "EMAIL")]["keep_reason"] == "opt_out"
    held = sum(1 for i in data["items"] if i["keep_reason"] == "hold")
    opted = sum(1 for i in data["items"] if i["keep_reason"] == "opt_out")
    assert f"keep {held + opted} (hold {held}, opt-out {opted})" in res.output and EMAIL not in res.output.lower()
    md = next((tmp_path / "p").glob("*.md")).read_text(encoding="utf-8")
    assert "Legal claim in progress 'CPH-2026-014'" in md
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nclaims: [{id: X}]\n", encoding="utf-8")
    res = run(main, ["dsar", "erase-plan", "--workspace", path, "--email", EMAIL, "--out", str(tmp_path / "q"), "--claims", str(bad)])
    assert res.exit_code == 2 and "claims[0].description" in res.output


def test_holds_are_data_with_their_source():
    ids = {h.id for h in holds()}
    assert {"accounting_records", "accounting_accounts", "payslips", "staff_register", "employment_performance",
            "employment_termination", "wages", "discrimination", "legal_claim"} == ids
    for h in holds():
        assert h.source and h.gdpr in ("17(3)(b)", "17(3)(e)")
        assert (h.period is None) == (h.kind == "legal_claim") and (h.applies_to is None) == (h.kind == "legal_claim")
    assert (hold("employment_termination").duration.total_months, hold("wages").duration.years,
            hold("discrimination").duration.years, hold("employment_performance").duration.years) == (12, 3, 5, 2)
    assert hold("accounting_accounts").fields == "account" and hold("accounting_accounts").dated_by == "ledger_entries"


def test_an_individual_clients_account_keeps_its_name_with_its_entries(load_tiny):
    """A third party that is a person: the account's name is her name, and it stays with the
    entries referring to it; her e-mail in the record is contact data, erased."""
    sources = MORE.split("- name: lettre")[0].replace("name: [CT_Contact]", "name: [CT_Intitule]")
    files = {"tiers.csv": "CT_Num;CT_Intitule;CT_Type;CT_EMail\nCNDIAYE;Aïssa N'Diaye;0;aissa.ndiaye@exemple.fr\n",
             "123456782FEC20251231.txt": _fec(_line("20250610", "41100000", "CNDIAYE", "Aïssa N'Diaye", "60,00", "0,00"))}
    ws, report = load_tiny(sources, files)
    assert not report.failed
    t = _by(_plan(ws), "tiers", "CNDIAYE")
    assert {f: i.action for f, i in t.items()} == {"CT_Num": "keep", "CT_Intitule": "keep", "CT_Type": "keep", "CT_EMail": "erase"}
    assert t["CT_Intitule"].keep_until == dt.date(2035, 12, 31)
