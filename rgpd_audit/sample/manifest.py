"""The sample estate's source manifest, as data (rendered to ``manifest.yaml``)."""

from __future__ import annotations

import yaml

OWN = {"provider": "INTER INTERIM", "country": "FR"}
OVH = {"provider": "OVH SAS", "country": "FR"}
GOOGLE = {"provider": "Google LLC", "country": "US"}
DROPBOX = {"provider": "Dropbox, Inc.", "country": "US"}
HUBSPOT = {"provider": "HubSpot, Inc.", "country": "DE"}  # portal on HubSpot's EU data centre
MAILCHIMP = {"provider": "Intuit Mailchimp (The Rocket Science Group LLC)", "country": "US"}
BREVO = {"provider": "Sendinblue SAS (Brevo)", "country": "FR"}
# Providers §9 does not name: (provider, activity or "-", sources, severity). Mailchimp is in the
# US; HubSpot hosts in Frankfurt but is reached from the US (a transfer); Brevo is French.
UNDECLARED = [
    ("mailchimp", "newsletters", "newsletter_mailchimp", "error"),
    ("hubspot", "-", "crm_contacts", "error"),
    ("brevo", "newsletters", "newsletter_brevo", "warning"),
]

# Transfers, one finding per provider and activity, judged on the facts (the provider register
# rgpd_audit/data/providers.yaml) at five dates: the day before Schrems II, the day after, the
# day before the DPF, the day after, and the sample's audit date.
TRANSFER_DATES = ["2020-07-15", "2020-07-17", "2023-07-09", "2023-07-11", "2026-11-27"]
TRANSFERS = [
    # provider, activity, sources, severities at the five dates, why
    ("google", "candidates", "gmail_recrutement", ["info", "error", "error", "error", "info"],
     "Privacy Shield until 16/07/2020; then Google's standard contractual clauses with no transfer impact "
     "assessment on file; from 01/09/2023 Google LLC on the DPF list (to verify)"),
    ("google", "partners", "partners_google", ["info", "error", "error", "error", "info"], "as above"),
    ("dropbox", "candidates", "dropbox_activity, dropbox_documents, dropbox_sharing", ["info", "error", "error", "error", "error"],
     "Privacy Shield until 16/07/2020; no safeguard known until its 2021 clauses (at the latest 27/12/2022), "
     "then clauses without an impact assessment; Dropbox's DPF listing not confirmed"),
    ("dropbox", "-", "dropbox_activity, dropbox_members, dropbox_sharing", ["info", "error", "error", "error", "error"],
     "as above: the member list and the documents of no activity"),
    ("hubspot", "prospects", "crm_contacts", ["error", "error", "error", "info", "info"],
     "hosted in Frankfurt, reached by HubSpot, Inc. from the US; no safeguard known before its 2021 clauses, "
     "then clauses without an impact assessment; DPF from 10/07/2023 (to verify)"),
    ("hubspot", "client_contacts", "crm_contacts", ["error", "error", "error", "info", "info"], "as above"),
    ("mailchimp", "newsletters", "newsletter_mailchimp", ["info", "error", "error", "info", "info"],
     "Privacy Shield until 16/07/2020; none known until its 2021 clauses, then clauses without an impact "
     "assessment; DPF from 10/07/2023 (to verify)"),
]

FR_CSV = {"encoding": "cp1252", "delimiter": ";", "date_format": "%d/%m/%Y"}


def _dataset(name, title, path, client, key, subject):
    return {"name": name, "title": title, "format": "csv", "path": path,
            "activities": ["client_datasets"], "hosting": OVH,
            "options": {**FR_CSV, "key": key, "subject": subject, "client": client,
                        "record_kind": "dataset"}}


SOURCES = [
    {"name": "crm_contacts", "title": "CRM HubSpot — contacts", "format": "hubspot",
     "path": "crm/hubspot-crm-exports-all-contacts-*.csv",
     "activities": ["prospects", "client_contacts"], "hosting": HUBSPOT,
     "options": {"encoding": "utf-8", "delimiter": ",", "date_format": "%Y-%m-%d %H:%M",
                 "key": "Record ID",
                 "subject": {"email": "Email", "phone": "Phone Number", "name": ["First Name", "Last Name"]},
                 "dates": {"Last Activity Date": "last_activity", "Create Date": "creation"},
                 "split_by": {"column": "Lifecycle Stage",
                              "values": {"lead": "prospects", "subscriber": "prospects",
                                         "opportunity": "prospects", "customer": "client_contacts"}},
                 "client_column": "Code client"}},
    {"name": "client_contracts", "title": "Contrats clients", "format": "csv",
     "path": "clients/contrats-clients.csv", "activities": [], "use": "contracts", "hosting": OWN,
     "options": {**FR_CSV, "key": "Code client",
                 "retention_column": "Conservation des données (mois après fin)",
                 "dates": {"Date début": "contract_start", "Date fin": "contract_end"}}},
    {"name": "candidates", "title": "Suivi des candidats (tableur)", "format": "xlsx",
     "path": "recrutement/suivi-candidats.xlsx", "activities": ["candidates"], "hosting": OWN,
     "options": {"date_format": "%d/%m/%Y",
                 "subject": {"email": "E-mail", "phone": "Téléphone", "name": ["Nom", "Prénom"],
                             "birth_date": "Date de naissance"},
                 "dates": {"Dernier contact": "last_activity", "Date de candidature": "creation"},
                 "status": {"column": "Statut",
                            "values": {"Nouveau": "in_progress", "À recontacter": "in_progress",
                                       "Entretien planifié": "in_progress", "Refusé": "rejected",
                                       "Vivier": "talent_pool", "Désisté": "withdrawn", "Embauché": "hired"}}}},
    {"name": "gmail_recrutement", "title": "Gmail — boîte recrutement@", "format": "gmail_mbox",
     "path": "gmail/Takeout/Mail/All mail Including Spam and Trash.mbox",
     "activities": ["candidates"], "hosting": GOOGLE},
    {"name": "dropbox_members", "title": "Dropbox — membres de l'équipe", "format": "dropbox_members",
     "path": "dropbox/membres.csv", "activities": [], "use": "access", "hosting": DROPBOX,
     "options": {"date_format": "%Y-%m-%d",
                 "subject": {"email": "email", "name": ["first_name", "last_name"]}}},
    {"name": "dropbox_activity", "title": "Dropbox — journal d'activité", "format": "dropbox_activity",
     "path": "dropbox/activite.csv", "activities": ["candidates"], "use": "access", "hosting": DROPBOX,
     "options": {"subject": {"email": "member_email"},
                 "split_by": {"column": "assets", "values": {"/Recrutement/*": "candidates"}}}},
    {"name": "dropbox_sharing", "title": "Dropbox — partages", "format": "dropbox_sharing",
     "path": "dropbox/partages-externes.csv", "activities": ["candidates"], "use": "access",
     "hosting": DROPBOX, "options": {"date_format": "%Y-%m-%d",
                                     "split_by": {"column": "path", "values": {"/Recrutement/*": "candidates"}}}},
    {"name": "dropbox_documents", "title": "Dropbox — dossier Documents exporté (CV, entretiens)",
     "format": "documents", "path": "dropbox/Documents.zip", "activities": ["candidates"], "hosting": DROPBOX,
     "options": {"split_by": {"column": "path", "values": {"/Recrutement/*": "candidates"}}}},
    _dataset("dataset_cli0042_paie", "Mission CLI0042 — fichier salariés (paie 2019)",
             "clients/missions/CLI0042_salaries_paie_2019.csv", "CLI0042", "Matricule",
             {"name": ["Nom", "Prénom"]}),
    _dataset("dataset_cli0031_clients", "Mission CLI0031 — fichier clients (routage 2018)",
             "clients/missions/CLI0031_fichier_clients_2018.csv", "CLI0031", None,
             {"email": "Email", "phone": "Téléphone", "name": ["Nom", "Prénom"]}),
    _dataset("dataset_cli0057_salaries", "Mission CLI0057 — fichier salariés 2025",
             "clients/missions/CLI0057_salaries_2025.csv", "CLI0057", "Matricule",
             {"name": ["Nom", "Prénom"]}),
    {"name": "webapp_inscriptions", "title": "Application web — inscriptions aux événements clients",
     "format": "ndjson", "path": "clients/webapp/inscriptions-evenements.ndjson",
     "activities": ["client_web_apps"], "hosting": OVH,
     "options": {"key": "id", "client_column": "client_code", "record_kind": "dataset",
                 "subject": {"email": "email", "phone": "phone", "name": ["first_name", "last_name"]}}},
    {"name": "partners_google", "title": "Google Contacts — partenaires", "format": "google_contacts",
     "path": "annuaire/contacts-google.csv", "activities": ["partners"], "hosting": GOOGLE,
     "options": {"encoding": "utf-8-sig", "date_format": "%d/%m/%Y",
                 "subject": {"email": "E-mail 1 - Value", "phone": "Phone 1 - Value",
                             "name": ["First Name", "Last Name"]},
                 "dates": {"Custom Field 1 - Value": "last_activity"}}},
    {"name": "partners_vcard", "title": "Carnet d'adresses Outlook — partenaires (vCard)",
     "format": "vcard", "path": "annuaire/partenaires.vcf", "activities": ["partners"], "hosting": OWN,
     "options": {"subject": {"email": "email", "phone": "phone", "name": ["fn"]},
                 "dates": {"rev": "record_change"}}},
    {"name": "sage_tiers", "title": "Sage 100 — tiers (F_COMPTET)", "format": "sage_tiers",
     "path": "compta/tiers-sage.csv", "activities": ["suppliers", "client_contacts"], "hosting": OWN,
     "options": {**FR_CSV, "key": "CT_Num",
                 "subject": {"email": "CT_EMail", "phone": "CT_Telephone", "name": ["CT_Contact"]},
                 "dates": {"cbModification": "record_change", "CT_DateCreate": "creation"},
                 "split_by": {"column": "CT_Type", "values": {"0": "client_contacts", "1": "suppliers"}},
                 "client_column": "CT_Num"}},
    {"name": "fec", "title": "FEC — fichiers des écritures comptables 2014-2025", "format": "fec",
     "path": "compta/fec/*FEC*.txt", "activities": ["suppliers"], "hosting": OWN,
     "options": {"encoding": "iso-8859-15", "date_format": "%Y%m%d",
                 "record_kind": "accounting_document"}},
    {"name": "newsletter_mailchimp", "title": "Mailchimp — audience (export)", "format": "mailchimp",
     "path": "newsletter/mailchimp-audience-export.zip", "activities": ["newsletters"],
     "hosting": MAILCHIMP,
     "options": {"date_format": "%Y-%m-%d %H:%M:%S",
                 "subject": {"email": "Email Address", "phone": "Phone Number",
                             "name": ["First Name", "Last Name"]},
                 "dates": {"OPTIN_TIME": "creation", "CONFIRM_TIME": "creation",
                           "LAST_CHANGED": "record_change", "CLEAN_TIME": "record_change",
                           "UNSUB_TIME": "opt_out"}}},
    {"name": "newsletter_brevo", "title": "Brevo — contacts", "format": "brevo",
     "path": "newsletter/brevo-contacts.csv", "activities": ["newsletters"], "hosting": BREVO,
     "options": {"encoding": "utf-8", "delimiter": ";", "date_format": "%d-%m-%Y", "key": "CONTACT ID",
                 "subject": {"email": "EMAIL", "phone": "SMS", "name": ["LASTNAME", "FIRSTNAME"]},
                 "dates": {"MODIFIED_TIME": "record_change", "ADDED_TIME": "creation"}}},
    {"name": "staff", "title": "Registre du personnel (RH)", "format": "csv", "path": "rh/personnel.csv",
     "activities": [], "use": "staff", "hosting": OWN,
     "options": {**FR_CSV, "key": "Matricule", "subject": {"email": "E-mail", "name": ["Nom", "Prénom"]},
                 "dates": {"Date d'entrée": "contract_start", "Date de sortie": "departure"}}},
]


def _clean(src: dict) -> dict:
    out = dict(src)
    if "options" in out:
        out["options"] = {k: v for k, v in out["options"].items() if v is not None}
    return out


def render() -> str:
    doc = {"version": 1, "name": "INTER INTERIM — estate de démonstration",
           "organisation": {"name": "INTER INTERIM", "domains": ["inter-interim.example.fr"],
                            "legal_form": "SAS", "siren": "123456782",
                            "address": "14 rue des Arts, 59800 Lille, France",
                            "contact": "rgpd@inter-interim.example.fr",
                            "representative": "Président de la SAS"},
           "sources": [_clean(s) for s in SOURCES]}
    head = ("# Source manifest of the sample estate. Generated by\n"
            "#   python -m rgpd_audit.sample.generator --out data/sample\n"
            "# Do not edit by hand: change rgpd_audit/sample/manifest.py and regenerate.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110,
                                 default_flow_style=None)
