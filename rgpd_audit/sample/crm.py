"""HubSpot CRM contacts export (§1 prospects, §2 client contacts)."""

from __future__ import annotations

import zlib
from datetime import date, datetime

from .common import RETENTION_YEARS, CsvOut, Ctx, contract_outcome, retention_outcome, slug
from .people import CRM_ROW

REL = "crm/hubspot-crm-exports-all-contacts-2026-11-20.csv"
SOURCE = "crm_contacts"
EXPORT_DAY = date(2026, 11, 20)
HEADER = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner",
          "Primary Associated Company ID", "Last Activity Date", "Lead Status",
          "Marketing contact status", "Create Date", "Associated Company", "Job Title",
          "Lifecycle Stage", "Code client", "Notes"]
STAGE_ACTIVITY = {"lead": "prospects", "subscriber": "prospects", "opportunity": "prospects",
                  "customer": "client_contacts"}

JOBS = ["Responsable RH", "DRH", "Directeur d'exploitation", "Chef d'atelier", "Gérante",
        "Responsable logistique", "Assistante RH", "Directeur de site", "Responsable paie",
        "Office manager", "Chargée de recrutement", "Responsable production"]
CLEAN_NOTES = [
    "Rappeler en janvier pour le planning des pics d'activité.",
    "Intéressé par une offre caristes CACES 3 ; devis envoyé le {d}.",
    "Demande de tarifs pour des préparateurs de commandes.\nBudget serré, voir avec la direction.",
    "Rencontré au salon Préventica.\nA un prestataire actuel, \"pas satisfait\".",
    "Souhaite un interlocuteur unique ; préfère être contacté par mail.",
    "Besoin ponctuel : 2 soudeurs TIG pour 3 semaines.",
    "Contrat cadre à renégocier.\nPoint trimestriel avec le DAF.",
    "",
    "",
]
SPECIAL_NOTES = [  # special-category mentions (Art. 9 / Art. 10)
    "En arrêt maladie jusqu'à fin mars (dépression), rappeler sa collègue.",
    "Enceinte, part en congé maternité en juin ; voir avec son remplaçant.",
    "Délégué syndical CGT dans son entreprise : prudence sur les sujets RH.",
    "Reconnu travailleur handicapé (RQTH), éviter les RDV en étage sans ascenseur.",
    "A eu un cancer l'an dernier, ne pas insister sur les déplacements.",
]


def write_crm(ctx: Ctx, contracts: dict, staff: list) -> None:
    owners = [s.person.full for s in staff if s.service in ("Commercial", "Direction") and not s.end]
    client_codes = list(contracts)
    total = 400 * ctx.scale
    fixed_last = [datetime(2023, 11, 27, 10, 5), datetime(2023, 11, 26, 16, 40),
                  datetime(2020, 2, 29, 11, 0)]  # boundary cases: ok, breach, breach (29 Feb)
    t = ctx.tally
    with CsvOut(ctx, REL, HEADER) as out:
        for i in range(total):
            p = ctx.person(24, 63)
            stage = ctx.pick(["lead"] * 9 + ["subscriber"] * 2 + ["opportunity"] * 2 + ["customer"] * 7)
            if i < len(fixed_last):
                stage = "lead"
            activity = STAGE_ACTIVITY[stage]
            code = ""
            if activity == "client_contacts":
                code = ctx.pick(client_codes)
                contract = contracts[code]
                company, domain = contract.name, contract.domain
                if ctx.chance(0.02):
                    code, contract = "", None  # customer never linked to its client code
                created_day = ctx.day_between(max(contract.start if contract else date(2015, 1, 1),
                                                  date(2015, 1, 1)), EXPORT_DAY)
            else:
                company = ctx.company()
                domain = f"{slug(company.split()[0].replace(',', ''))}.{ctx.pick(['example.fr', 'example.com'])}"
                created_day = ctx.day_between(date(2015, 1, 1), EXPORT_DAY)
            created = ctx.moment(created_day)
            last = None
            if i < len(fixed_last):
                last = fixed_last[i]
                created = min(created, last)
            elif ctx.chance(0.85):
                last = ctx.moment(ctx.day_between(created_day, EXPORT_DAY))
                if last < created:
                    last = created
            special = ctx.chance(0.04)
            note = ctx.pick(SPECIAL_NOTES) if special else ctx.pick(CLEAN_NOTES)
            note = note.format(d=created_day.strftime("%d/%m/%Y"))
            if activity == "client_contacts":
                outcome = contract_outcome(contract, RETENTION_YEARS["client_contacts"])
            else:
                outcome = retention_outcome([last], created, RETENTION_YEARS["prospects"])
            t.retention(outcome, activity, SOURCE)
            if special:
                t.add("special_category.free_text", activity, SOURCE)
            cid = 9_800_000_000 + zlib.crc32(company.encode()) % 100_000_000
            out.row([
                str(51_000_000_001 + i * 51), p.first, p.last,
                ctx.email(p, domain) if ctx.chance(0.97) else "",
                ctx.phone(mobile=ctx.chance(0.4)) if ctx.chance(0.8) else "",
                ctx.pick(owners) if ctx.chance(0.9) else "",
                str(cid), last.strftime("%Y-%m-%d %H:%M") if last else "",
                ctx.pick(["NEW", "OPEN", "IN_PROGRESS", "CONNECTED", "UNQUALIFIED", ""]),
                ctx.pick(["Marketing contact", "Non-marketing contact"]),
                created.strftime("%Y-%m-%d %H:%M"), company, ctx.pick(JOBS), stage, code, note,
            ])
            t.records[SOURCE] += 1
        # a case of issue 18: created 2019, last activity 2024; on 11/07/2023 the export cannot
        # tell the last activity then (creation + 3 years is past): not assessable at that date
        rid = str(51_000_000_001 + total * 51)
        out.row([rid, "Gaëlle", "Perrin", "gaelle.perrin@perrin-conseil.example.fr", "", "", "9812345678",
                 "2024-02-01 14:30", "OPEN", "Marketing contact", "2019-05-01 09:00", "Perrin Conseil",
                 "Gérante", "lead", "", ""])
        t.records[SOURCE] += 1
        t.retention("ok", "prospects", SOURCE)
        t.case(SOURCE, {"Record ID": rid}, "ok", "unverifiable",
               "created 01/05/2019, last activity 01/02/2024: ok today (until 01/02/2027); on 11/07/2023 the export only "
               "holds a later activity date, and creation + 3 years is past: not assessable then, never compliant")
        # the person of docs/dsar.md (people.py), a prospect at a partner, under her work address only
        rid = str(51_000_000_001 + (total + 1) * 51)
        c = CRM_ROW
        out.row([rid, c["first"], c["last_name"], c["email"], c["phone"], "", "9800424242", c["last_activity"], "OPEN",
                 "Marketing contact", c["created"], c["company"], c["job"], "lead", "", ""])
        t.records[SOURCE] += 1
        t.retention("ok", "prospects", SOURCE)  # last activity 02/10/2025: 3 years end on 02/10/2028
        t.person("aissa", SOURCE, rid)
