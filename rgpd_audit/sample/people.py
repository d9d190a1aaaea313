"""People present in several systems of the sample, under spelling variants, and what
``rgpd-audit dsar find`` and ``dsar erase-plan`` must give for them (written in ``expected.yaml``
and the README, asserted by ``tests/test_sample_dsar.py``).

Their rows are fixed and appended after the random ones (no draw from the seeded generators:
the rest of the estate does not move).

- Aïssa N'Diaye (born 12/05/1990, mobile 06 39 98 27 14): applied for a job in March 2024 (the
  candidates sheet ``N'DIAYE`` / ``Aïssa``, her application and the answer in the recruiting
  mailbox as ``Aissa NDIAYE``), subscribed to the newsletter and unsubscribed on 14/02/2025
  (Mailchimp: ``Aissa.Ndiaye@example.fr``, ``N’Diaye`` with a typographic apostrophe), now a
  conseillère entreprises at Mission Locale Est: a partner in Google Contacts (``NDIAYE``, her
  work and home addresses, ``06.39.98.27.14``) and a prospect in the CRM (``Aissa Ndiaye``, work
  address ``a.ndiaye@…`` only, ``+33 (0)6 39 98 27 14``).
- Martine Lenoir: the contact of the supplier Transports Lenoir in Sage (``FLENOI99``, whose
  invoice of 2021 and payment of 2022 are in the FEC), subscribed to the Brevo newsletter as
  ``Martine.Lenoir@lenoir.example.com``.
- Yanis Marchand: a candidate hired as a temporary worker in 2021 (candidates sheet,
  ``Embauché``).
"""

from __future__ import annotations

from datetime import date, datetime

AS_OF = "2026-11-27"

AISSA_EMAIL = "aissa.ndiaye@example.fr"
AISSA_WORK = "a.ndiaye@mission-locale-est.example.org"
AISSA_PHONE = "06 39 98 27 14"
AISSA_BIRTH = date(1990, 5, 12)

# the candidates sheet ("Candidats"), after the cases of issue 18: rejected, last contact 20/03/2024
CANDIDATE_ROW = ["N'DIAYE", "Aïssa", AISSA_EMAIL, AISSA_PHONE, AISSA_BIRTH, None, None, None, "93100", "Montreuil",
                 "Assistante administrative", date(2024, 3, 4), "Site web", date(2024, 3, 20), "Refusé",
                 "Bon profil ; poste pourvu en interne."]

# the recruiting mailbox: her application (with her CV) and the answer
GMAIL_MESSAGES = [
    {"thread": "1790000000000000001", "labels": "Candidatures,Inbox,Opened", "from": ("Aissa NDIAYE", AISSA_EMAIL),
     "to": "mailbox", "subject": "Candidature Assistante administrative - Aïssa N'Diaye",
     "when": datetime(2024, 3, 4, 9, 12), "mid": "<CAaissa00000000000000000000000001@mail.gmail.com>",
     "body": ("Bonjour,\n\nJe vous adresse ma candidature pour le poste d'assistante administrative.\n"
              "Vous trouverez mon CV en pièce jointe.\n\nCordialement,\nAïssa N'Diaye\n06.39.98.27.14\n"),
     "attachment": "CV_Aissa_NDIAYE.pdf"},
    {"thread": "1790000000000000001", "labels": "Candidatures,Sent", "from": "mailbox", "to": ("Aissa NDIAYE", AISSA_EMAIL),
     "subject": "Re: Candidature Assistante administrative - Aïssa N'Diaye", "when": datetime(2024, 3, 20, 14, 30),
     "mid": "<CAaissa00000000000000000000000002@mail.gmail.com>",
     "body": "Bonjour,\n\nMerci pour votre candidature. Le poste a été pourvu en interne.\n\nINTER INTERIM\n",
     "attachment": None, "in_reply_to": "<CAaissa00000000000000000000000001@mail.gmail.com>"},
]

# Mailchimp, unsubscribed file: subscribed 01/06/2023, unsubscribed 14/02/2025 from the 2025 greetings
MAILCHIMP_ROW = ["Aissa.Ndiaye@example.fr", "Aïssa", "N’Diaye", "", "", "", 2,
                 "2023-06-01 18:03:11", "203.0.113.7", "2023-06-01 18:05:40", "203.0.113.7", "1", "2",
                 "Europe/Paris", "FR", "IDF", "2025-02-14 08:30:00", "Vœux 2025", "d4e5f6a7b8", "NORMAL", "",
                 "187600001", "00a155a0d1", "", ""]

# Google Contacts (partners): last contact 02/10/2025
GOOGLE_ROW = {"first": "Aïssa", "last_name": "NDIAYE", "org": "Mission Locale Est", "title": "Conseillère entreprises",
              "emails": [AISSA_WORK, AISSA_EMAIL], "phone": "06.39.98.27.14", "last_contact": "02/10/2025"}

# HubSpot (prospects): created 15/09/2025, last activity 02/10/2025
CRM_ROW = {"first": "Aissa", "last_name": "Ndiaye", "email": AISSA_WORK, "phone": "+33 (0)6 39 98 27 14",
           "last_activity": "2025-10-02 11:20", "created": "2025-09-15 10:00", "company": "Mission Locale Est",
           "job": "Conseillère entreprises"}

# Brevo: Martine Lenoir, added 15/05/2024
BREVO_MARTINE = {"email": "Martine.Lenoir@lenoir.example.com", "last_name": "LENOIR", "first": "Martine",
                 "added": "15-05-2024", "job": "Gérante"}

MAILBOX_TABLE = "gmail_recrutement"
MAILCHIMP_ENTRY = "unsubscribed_email_audience_export_4f2a9c81d3.csv"


def expected(records: dict) -> dict:
    """The ``dsar`` section of ``expected.yaml``; ``records`` holds the record names the writers
    gave the people's rows (``records["aissa"]["candidates"]`` = ``Candidats#253``…)."""
    a, m, y = records["aissa"], records["martine"], records["yanis"]
    mid1, mid2 = (g["mid"] for g in GMAIL_MESSAGES)
    full = {"email": AISSA_EMAIL, "phone": AISSA_PHONE, "name": "NDIAYE Aissa", "birth_date": AISSA_BIRTH.isoformat()}
    return {
        "as_of": AS_OF,
        "find": [
            {"who": "Aïssa N'Diaye", "args": {"email": AISSA_EMAIL},
             "why": "her personal address, in any case, in the candidates sheet, the mailbox (sender, recipient), "
                    "Mailchimp and the partner book; not the CRM, which only has her work address",
             "rows": [["candidates", "candidates", a["candidates"], "email"],
                      [MAILBOX_TABLE, MAILBOX_TABLE, mid1, "email"],
                      [MAILBOX_TABLE, MAILBOX_TABLE, mid2, "email"],
                      [MAILBOX_TABLE, f"{MAILBOX_TABLE}__recipients", mid2, "email"],
                      ["newsletter_mailchimp", "newsletter_mailchimp", a["newsletter_mailchimp"], "email"],
                      ["partners_google", "partners_google", a["partners_google"], "email"]]},
            {"who": "Aïssa N'Diaye", "args": full,
             "why": "the phone in three forms adds the CRM; her name in any spelling and order (N'DIAYE, NDIAYE, "
                    "Ndiaye, N’Diaye; Aïssa, Aissa) adds a reason where the record has no birth date, a strong one "
                    "with the same birth date in the candidates sheet",
             "rows": [["candidates", "candidates", a["candidates"], "email + phone + name+birth_date"],
                      ["crm_contacts", "crm_contacts", a["crm_contacts"], "phone + name"],
                      [MAILBOX_TABLE, MAILBOX_TABLE, mid1, "email + name"],
                      [MAILBOX_TABLE, MAILBOX_TABLE, mid2, "email"],
                      [MAILBOX_TABLE, f"{MAILBOX_TABLE}__recipients", mid2, "email + name"],
                      ["newsletter_mailchimp", "newsletter_mailchimp", a["newsletter_mailchimp"], "email + name"],
                      ["partners_google", "partners_google", a["partners_google"], "email + phone + name"]]},
            {"who": "Martine Lenoir", "args": {"email": "martine.lenoir@lenoir.example.com"},
             "why": "the supplier's contact in Sage, and a Brevo subscriber under another case",
             "rows": [["newsletter_brevo", "newsletter_brevo", m["newsletter_brevo"], "email"],
                      ["sage_tiers", "sage_tiers", m["sage_tiers"], "email"]]},
            {"who": "Yanis Marchand", "args": {"email": "yanis.marchand@example.fr"},
             "why": "a candidate hired as a temporary worker",
             "rows": [["candidates", "candidates", y["candidates"], "email"]]},
        ],
        "erase_plan": [
            {"who": "Aïssa N'Diaye", "args": {"email": AISSA_EMAIL, "phone": AISSA_PHONE},
             "rows": [
                 {"source": "candidates", "record": a["candidates"], "action": "erase", "fields": "all", "until": None,
                  "why": "a rejected candidate: no duty to keep"},
                 {"source": "crm_contacts", "record": a["crm_contacts"], "action": "erase", "fields": "all", "until": None,
                  "why": "a prospect: no duty to keep"},
                 {"source": MAILBOX_TABLE, "record": mid1, "action": "erase", "fields": "message", "until": None,
                  "why": "her application, with her CV: the whole message"},
                 {"source": MAILBOX_TABLE, "record": mid2, "action": "erase", "fields": "message", "until": None,
                  "why": "the answer to her (found as a recipient too): the whole message"},
                 {"source": "newsletter_mailchimp", "record": a["newsletter_mailchimp"], "action": "keep",
                  "fields": ["Email Address", "UNSUB_TIME", "UNSUB_CAMPAIGN_ID"], "until": None,
                  "why": "unsubscribed on 14/02/2025: the suppression list keeps the address, the date and the campaign"},
                 {"source": "newsletter_mailchimp", "record": a["newsletter_mailchimp"], "action": "erase",
                  "fields": "others", "until": None, "why": "the rest of the subscription (names, opt-in, IPs…)"},
                 {"source": "partners_google", "record": a["partners_google"], "action": "erase", "fields": "all",
                  "until": None, "why": "a partner contact: no duty to keep"},
             ]},
            {"who": "Martine Lenoir", "args": {"email": "martine.lenoir@lenoir.example.com"},
             "rows": [
                 {"source": "newsletter_brevo", "record": m["newsletter_brevo"], "action": "erase", "fields": "all",
                  "until": None, "why": "a subscriber, no opt-out recorded: no duty to keep"},
                 {"source": "sage_tiers", "record": m["sage_tiers"], "action": "erase",
                  "fields": ["CT_Contact", "CT_Telephone", "CT_EMail"], "until": None,
                  "why": "the contact's details are no accounting record (Code de commerce L123-22 keeps books and vouchers)"},
                 {"source": "sage_tiers", "record": m["sage_tiers"], "action": "keep", "fields": "others",
                  "until": "2032-12-31",
                  "why": "the supplier's account, referred to by entries of FY 2021 and 2022: 10 years from the close of 2022"},
             ]},
            {"who": "Yanis Marchand", "args": {"email": "yanis.marchand@example.fr"},
             "rows": [
                 {"source": "candidates", "record": y["candidates"], "action": "keep", "fields": "all", "until": None,
                  "why": "hired (`Embauché`): employment claims (Code du travail L1471-1, L3245-1, L1134-5) run from the "
                         "end of his contract, which no loaded source dates: kept, to check in the personnel file"},
             ]},
        ],
    }
