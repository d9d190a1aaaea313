"""Address books (§6 partners): Google Contacts CSV and a vCard file."""

from __future__ import annotations

from datetime import date

from .common import RETENTION_YEARS, CsvOut, Ctx, retention_outcome
from .people import GOOGLE_ROW

GOOGLE_REL = "annuaire/contacts-google.csv"
VCARD_REL = "annuaire/partenaires.vcf"
GOOGLE_HEADER = (
    ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
     "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
     "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
     "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
     "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value",
     "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
     "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
     "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value",
     "Custom Field 1 - Label", "Custom Field 1 - Value"])
ORGS = ["France Travail Agence Paris 11", "Mission Locale Est", "CCI Paris Île-de-France",
        "Prism'emploi", "Cabinet Talents & Co", "Agence Intérim Plus", "AFPA Champs-sur-Marne",
        "Pôle formation UIMM", "GEIQ BTP 93", "Cap Emploi 75"]
TITLES = ["Conseillère entreprises", "Chargé de relations entreprises", "Directrice", "Consultant",
          "Responsable partenariats", "Formateur CACES"]
NOTES = ["Partenaire historique.\nRencontre annuelle en septembre.", "Envoie des candidats BTP.",
         "Contact via le forum emploi 2022 ; très réactive.", "", "",
         "Convention de partenariat signée.\nÀ relancer pour le job dating."]


def _partner(ctx: Ctx):
    p = ctx.person(26, 64)
    org = ctx.pick(ORGS)
    domain = "".join(ch for ch in org.lower().split()[0] if ch.isascii() and ch.isalnum()) + \
        f".{ctx.pick(['example.org', 'example.fr', 'example.com'])}"
    return p, org, domain


def write_google(ctx: Ctx) -> None:
    t = ctx.tally
    with CsvOut(ctx, GOOGLE_REL, GOOGLE_HEADER, encoding="utf-8-sig") as out:
        for _ in range(60):
            p, org, domain = _partner(ctx)
            emails = [ctx.email(p, domain)]
            if ctx.chance(0.2):
                emails.append(ctx.email(p, ctx.personal_domain()))
            phones = [ctx.phone(mobile=True)] + ([ctx.phone(mobile=False)] if ctx.chance(0.4) else [])
            last = ctx.day_between(date(2015, 1, 1), date(2026, 11, 15)) if ctx.chance(0.85) else None
            street, city, cp = ctx.fake.street_address(), ctx.fake.city(), ctx.fake.postcode()
            has_addr = ctx.chance(0.5)
            labels = "* myContacts ::: Partenaires" if ctx.chance(0.8) else "* myContacts"
            out.row([p.first, "", p.last, "", "", "", "", "", "", "", org, ctx.pick(TITLES), "",
                     "", ctx.pick(NOTES), "", labels,
                     "* Work", emails[0], "Home" if len(emails) > 1 else "", emails[1] if len(emails) > 1 else "",
                     "Mobile", phones[0] if len(phones) == 1 else " ::: ".join(phones),
                     "", "",
                     "Work" if has_addr else "", f"{street}\n{cp} {city}\nFR" if has_addr else "",
                     street if has_addr else "", city if has_addr else "", "", "",
                     cp if has_addr else "", "FR" if has_addr else "", "",
                     "", "",
                     "Dernier contact" if last else "", last.strftime("%d/%m/%Y") if last else ""])
            t.records["partners_google"] += 1
            t.retention(retention_outcome([last], None, RETENTION_YEARS["partners"]), "partners",
                        "partners_google")
        # the person of docs/dsar.md (people.py): work and home addresses, last contact 02/10/2025
        g = GOOGLE_ROW
        out.row([g["first"], "", g["last_name"], "", "", "", "", "", "", "", g["org"], g["title"], "", "", "", "",
                 "* myContacts ::: Partenaires", "* Work", g["emails"][0], "Home", g["emails"][1], "Mobile", g["phone"],
                 "", "", "", "", "", "", "", "", "", "", "", "", "", "Dernier contact", g["last_contact"]])
        t.records["partners_google"] += 1
        t.retention("ok", "partners", "partners_google")
        t.person("aissa", "partners_google", f"#{out.rows}")


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def write_vcard(ctx: Ctx) -> None:
    t = ctx.tally
    n = 0
    with open(ctx.path(VCARD_REL), "w", encoding="utf-8", newline="") as fh:
        for i in range(30):
            p, org, domain = _partner(ctx)
            v4 = i % 6 == 5
            rev = ctx.moment(ctx.day_between(date(2014, 6, 1), date(2026, 11, 10))) if ctx.chance(0.8) else None
            lines = ["BEGIN:VCARD", f"VERSION:{'4.0' if v4 else '3.0'}",
                     f"N:{_esc(p.last)};{_esc(p.first)};;;", f"FN:{_esc(p.full)}",
                     f"ORG:{_esc(org)}", f"TITLE:{_esc(ctx.pick(TITLES))}"]
            lines.append(f"EMAIL;TYPE=work:{ctx.email(p, domain)}" if v4 else
                         f"EMAIL;TYPE=INTERNET;TYPE=WORK:{ctx.email(p, domain)}")
            tel = ctx.phone(mobile=True, style="intl")
            lines.append(f"TEL;TYPE=cell:{tel}" if v4 else f"TEL;TYPE=CELL:{tel}")
            note = ctx.pick(NOTES)
            if note:
                lines.append(f"NOTE:{_esc(note)}")
            if rev:
                lines.append(f"REV:{rev:%Y%m%dT%H%M%SZ}" if v4 else f"REV:{rev:%Y-%m-%dT%H:%M:%SZ}")
            lines.append("END:VCARD")
            fh.write("\r\n".join(lines) + "\r\n")
            n += 1
            # REV is when the card last changed (an edit, a sync), not a contact with the partner:
            # an address book without any contact date cannot be assessed
            t.retention("unverifiable", "partners", "partners_vcard")
    t.records["partners_vcard"] = n
    t.case("partners_vcard", None, "unverifiable", "unverifiable",
           "every card: `REV` is the card's last change, not a contact; no other date")
    ctx.wrote(VCARD_REL, n)
