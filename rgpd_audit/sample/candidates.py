"""The recruiting spreadsheet (§5 candidates), XLSX with two sheets."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .common import FIXED_DT, RETENTION_YEARS, Ctx, Person, normalise_zip, retention_outcome
from .people import AISSA_EMAIL, CANDIDATE_ROW

REL = "recrutement/suivi-candidats.xlsx"
SOURCE = "candidates"
HIRED = "Embauché"
HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Date de naissance", "Lieu de naissance",
          "N° sécurité sociale", "Adresse", "Code postal", "Ville", "Poste visé",
          "Date de candidature", "Source", "Dernier contact", "Statut", "Commentaires"]
STATUSES = ["Nouveau", "À recontacter", "Entretien planifié", "Refusé", "Refusé", "Vivier",
            "Vivier", "Désisté", HIRED]
JOBS = ["Cariste CACES 1-3-5", "Préparateur de commandes", "Soudeur TIG", "Agent de production",
        "Manutentionnaire", "Assistante administrative", "Comptable", "Chauffeur PL",
        "Électricien bâtiment", "Opérateur de ligne", "Aide-soignante", "Maçon VRD"]
SOURCES = ["Indeed", "Site web", "Candidature spontanée", "France Travail", "Cooptation",
           "Welcome to the Jungle", "LinkedIn"]
CLEAN_COMMENTS = [
    "Bon profil, disponible immédiatement.",
    "CACES à jour.\nPermis B, véhiculé.",
    "Entretien tel. le {d} : motivé, mais prétentions salariales élevées ; à revoir.",
    "Ne répond pas au téléphone.\nRelancé par mail.",
    "Expérience de 5 ans en entrepôt (Geodis, \"préparation vocale\").",
    "Souhaite uniquement des missions de nuit.",
    "Profil junior ; à proposer pour la mission logistique.\nRéférences OK.",
    "",
    "",
    "",
]
SPECIAL_COMMENTS = [  # special-category data that must not be collected at recruitment
    "Enceinte de 4 mois, à recontacter après son congé maternité.",
    "RQTH (problème de dos), pas de port de charges lourdes.",
    "A signalé un casier judiciaire (vol, 2017) lors de l'entretien.",
    "Ancien délégué syndical CGT chez son précédent employeur.",
    "Diabétique, demande des pauses régulières.\nÀ voir avec le client.",
    "Sort d'un arrêt maladie de 6 mois (burn-out).",
]
# Cases of issue 18, at the end of the first sheet: (row, verdict at the audit date, at
# PAST_AS_OF, why)
CASES = [
    (["MARCHAND", "Yanis", "yanis.marchand@example.fr", "06 39 98 41 07", None, None, None, None, None, None,
      "Cariste CACES 1-3-5", date(2021, 2, 1), "Indeed", date(2021, 3, 15), HIRED, "Embauché le 15/03/2021."],
     "no_section", "no_section",
     "hired (`Embauché`): a personnel file now, outside §5 (not a §5 breach); no section of the policy covers staff"),
    (["FONTAINE", "Léa", "lea.fontaine@example.org", "07 00 11 52 18", None, None, None, None, None, None,
      "Comptable", date(2025, 5, 10), "Site web", date(2025, 6, 2), "Refusé", "Profil junior."],
     "ok", "absent",
     "rejected, applied 10/05/2025, last contact 02/06/2025: within 2 years today; did not exist on 11/07/2023"),
]
REJECTED_DATE = "31/02/2021"  # impossible date: the loader must reject this row


@dataclass
class Candidate:
    person: Person
    email: str
    applied: date
    job: str


def _date_cell(ws, d: date | None, as_text: bool):
    if d is None:
        return None
    if as_text:
        return d.strftime("%d/%m/%Y")
    c = WriteOnlyCell(ws, value=d)
    c.number_format = "dd/mm/yyyy"
    return c


def write_candidates(ctx: Ctx, keep: int = 40) -> list[Candidate]:
    """Write the spreadsheet; return the first ``keep`` candidates (for Gmail and Dropbox)."""
    wb = Workbook(write_only=True)
    wb.properties.creator = "Secrétariat INTER INTERIM"
    wb.properties.created = wb.properties.modified = FIXED_DT
    t = ctx.tally
    kept: list[Candidate] = []
    sheets = [("Candidats", 250 * ctx.scale, date(2021, 6, 1), date(2026, 11, 20)),
              ("Archives 2019-2021", 100 * ctx.scale, date(2019, 1, 2), date(2021, 12, 31))]
    bold = Font(bold=True)
    for title, count, first, last in sheets:
        ws = wb.create_sheet(title)
        header = []
        for h in HEADER:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            header.append(c)
        ws.append(header)
        for i in range(count):
            p = ctx.person(18, 60)
            email = ctx.email(p, ctx.personal_domain())
            status = ctx.pick(STATUSES)
            applied = ctx.day_between(first, last)
            contact = None
            if ctx.chance(0.8):
                horizon = min(date(2026, 11, 20), date(applied.year + 2, 12, 31) if title.startswith("Arch") else date(2026, 11, 20))
                contact = ctx.day_between(applied, horizon)
            if ctx.chance(0.03):
                applied = contact = None  # no usable date at all
            hired = status == HIRED
            nir = ctx.nir(p) if ctx.chance(0.8 if hired else 0.12) else None
            birthplace = ctx.fake.city() if ctx.chance(0.2) else None
            special = ctx.chance(0.06)
            comment = ctx.pick(SPECIAL_COMMENTS) if special else ctx.pick(CLEAN_COMMENTS)
            comment = comment.format(d=(contact or applied or first).strftime("%d/%m/%Y"))
            text_dates = ctx.chance(0.05)
            rejected = title.startswith("Arch") and i == 7
            job = ctx.pick(JOBS)
            row = [p.last.upper() if ctx.chance(0.5) else p.last, p.first, email,
                   ctx.phone(mobile=True) if ctx.chance(0.95) else None,
                   _date_cell(ws, p.birth, text_dates) if ctx.chance(0.6) else None,
                   birthplace, nir,
                   ctx.fake.street_address() if ctx.chance(0.5) else None,
                   ctx.fake.postcode() if ctx.chance(0.6) else None,
                   ctx.fake.city() if ctx.chance(0.7) else None,
                   job, _date_cell(ws, applied, text_dates), ctx.pick(SOURCES),
                   _date_cell(ws, contact, text_dates), status, comment or None]
            if rejected:
                row[5] = row[6] = None
                row[13] = REJECTED_DATE
                row[15] = "Relancée par téléphone."
                t.add("load.rejected_rows", SOURCE, SOURCE)
            elif hired:  # a personnel file now: no longer §5, and no section of the policy covers it
                t.findings[("retention.no_section", SOURCE, SOURCE)] = 1
                t.records[SOURCE] += 1
            else:
                t.retention(retention_outcome([contact], applied, RETENTION_YEARS["candidates"]),
                            SOURCE, SOURCE)
            if not rejected:
                if special:
                    t.add("special_category.free_text", SOURCE, SOURCE)
                if not hired and (nir or birthplace):
                    t.add("forbidden_data.candidate_identifier", SOURCE, SOURCE)
                if not hired:
                    t.records[SOURCE] += 1
                if len(kept) < keep and applied and title == "Candidats":
                    kept.append(Candidate(p, email, applied, job))
            ws.append(row)
        if title == "Candidats":
            for n, (row, today, past, why) in enumerate(CASES, start=count + 1):
                ws.append([_date_cell(ws, v, False) if isinstance(v, date) else v for v in row])
                t.records[SOURCE] += 1
                if today == "no_section":
                    t.findings[("retention.no_section", SOURCE, SOURCE)] = 1
                else:
                    t.retention(today, SOURCE, SOURCE)
                t.case(SOURCE, {"E-mail": row[2]}, today, past, why)
                if row[1] == "Yanis":
                    t.person("yanis", SOURCE, f"{title}#{n + 1}")  # a workbook's record is named by its sheet row
            # the person of docs/dsar.md (people.py), present in several systems
            ws.append([_date_cell(ws, v, False) if isinstance(v, date) else v for v in CANDIDATE_ROW])
            t.records[SOURCE] += 1
            t.retention("breach", SOURCE, SOURCE)
            t.case(SOURCE, {"E-mail": AISSA_EMAIL}, "breach", "absent",
                   "rejected, applied 04/03/2024, last contact 20/03/2024: its 2 years ended on 20/03/2026; did not exist "
                   "on 11/07/2023 (the person of docs/dsar.md, also in the mailbox, Mailchimp, the partner book and the CRM)")
            t.person("aissa", SOURCE, f"{title}#{count + len(CASES) + 2}")  # its sheet row (the header is row 1)
    buf = io.BytesIO()
    wb.save(buf)
    ctx.path(REL).write_bytes(normalise_zip(buf.getvalue()))
    ctx.wrote(REL, t.records[SOURCE] + t.findings[("load.rejected_rows", SOURCE, SOURCE)])
    return kept
