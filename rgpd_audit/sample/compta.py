"""Accounting: Sage 100 third parties (F_COMPTET) and FEC files (§7 suppliers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .common import (
    RETENTION_YEARS,
    SIREN,
    CsvOut,
    Ctx,
    add_years,
    contract_outcome,
    fr_amount,
    fr_date,
    luhn_complete,
    retention_outcome,
    slug,
    vat_number,
)

SAGE_REL = "compta/tiers-sage.csv"
FEC_DIR = "compta/fec"
FEC_YEARS = range(2014, 2026)
SAGE_HEADER = ["CT_Num", "CT_Intitule", "CT_Type", "CG_NumPrinc", "CT_Contact", "CT_Adresse",
               "CT_Complement", "CT_CodePostal", "CT_Ville", "CT_Pays", "CT_Siret", "CT_Ape",
               "CT_Identifiant", "CT_Telephone", "CT_EMail", "CT_Site", "CT_Sommeil",
               "CT_DateCreate", "cbModification"]
FEC_COLS = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
            "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
            "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise"]
FEC_COLS_SENS = FEC_COLS[:11] + ["Montant", "Sens"] + FEC_COLS[13:]
EXPENSES = [("606400", "Fournitures administratives"), ("613200", "Locations immobilières"),
            ("622600", "Honoraires"), ("626000", "Frais postaux et télécom"),
            ("615600", "Maintenance"), ("623600", "Catalogues et imprimés")]
JOURNALS = {"HA": "Journal des achats", "VE": "Journal des ventes", "BQ": "Banque"}
# The case of issue 18: a supplier's last invoice (15/10/2021) paid months later (10/03/2022);
# the last purchase is the invoice, not the payment.
LATE_PAID = ("FLENOI99", "Transports Lenoir SARL", date(2021, 10, 15), date(2022, 3, 10), 1180.80)


@dataclass
class Supplier:
    code: str
    name: str
    expense: tuple
    years: tuple | None  # (first, last) purchase years; None = potential supplier


def _plan_suppliers(ctx: Ctx) -> list[Supplier]:
    plans = ([(ctx.rng.randrange(2014, 2022), 2025) for _ in range(16)] +      # active
             [(2014, ctx.rng.randrange(2014, 2021)) for _ in range(8)] +       # inactive > 5 years
             [(2019, 2021)] + [None] * 12)                                     # potential
    out = []
    for i, years in enumerate(plans, start=1):
        name = ctx.company().replace("œ", "oe")
        out.append(Supplier(f"F{slug(name.split()[0])[:6].upper()}{i:02d}", name, ctx.pick(EXPENSES), years))
    return out


def _client_label(c) -> str:
    return c.name.replace("œ", "oe")


def write_fec(ctx: Ctx, suppliers: list[Supplier], contracts: dict) -> dict[str, date]:
    """Write one FEC per financial year; return each supplier's last invoice date (credit on 401)."""
    t = ctx.tally
    last_401: dict[str, date] = {}
    total = 0
    for year in FEC_YEARS:
        close = date(year, 12, 31)
        rel = f"{FEC_DIR}/{SIREN}FEC{close:%Y%m%d}.txt"
        sens = year == 2017
        sep = "|" if year <= 2016 else "\t"
        enc = "iso-8859-15" if year <= 2019 else "cp1252"
        entries = []  # (journal, date, lines)
        buyers = [s for s in suppliers if s.years and s.years[0] <= year <= s.years[1]]
        clients = [c for c in contracts.values()
                   if c.start <= close and (c.end is None or c.end >= date(year, 1, 1))]
        seq = {"HA": 0, "VE": 0, "BQ": 0}
        let = 0
        for kind, n in (("HA", 20 * ctx.scale), ("VE", 15 * ctx.scale)):
            parties = buyers if kind == "HA" else clients
            if not parties:
                continue
            for _ in range(n):
                p = ctx.pick(parties)
                d = ctx.day_between(date(year, 1, 2), date(year, 12, 20))
                ht = round(ctx.rng.uniform(80, 4000 if kind == "HA" else 25000), 2)
                tva = round(ht * 0.2, 2)
                ttc = round(ht + tva, 2)
                let += 1
                code = f"{chr(65 + (let // 26) % 26)}{chr(65 + let % 26)}{let // 676 or ''}"
                paid = min(d + timedelta(days=ctx.pick([15, 30, 30, 45, 60])), close)
                lettered = paid < close
                if kind == "HA":
                    aux, lib = p.code, p.name
                    piece = f"F{year}-{ctx.rng.randrange(1, 9999):04d}"
                    entries.append(("HA", d, piece, f"Facture {lib}", [
                        (p.expense[0], p.expense[1], "", "", ht, 0, "", None),
                        ("445660", "TVA déductible", "", "", tva, 0, "", None),
                        ("401000", "Fournisseurs", aux, lib, 0, ttc, code if lettered else "", paid if lettered else None)]))
                    if lettered:
                        entries.append(("BQ", paid, piece, f"Règlement {lib}", [
                            ("401000", "Fournisseurs", aux, lib, ttc, 0, code, paid),
                            ("512000", "Banque", "", "", 0, ttc, "", None)]))
                else:
                    aux, lib = p.code, _client_label(p)
                    piece = f"FA{year}{ctx.rng.randrange(1, 99999):05d}"
                    entries.append(("VE", d, piece, f"Facture {piece} {lib}", [
                        ("411000", "Clients", aux, lib, ttc, 0, code if lettered else "", paid if lettered else None),
                        ("706000", "Prestations de services", "", "", 0, ht, "", None),
                        ("445710", "TVA collectée", "", "", 0, tva, "", None)]))
                    if lettered:
                        entries.append(("BQ", paid, piece, f"Encaissement {lib}", [
                            ("512000", "Banque", "", "", ttc, 0, "", None),
                            ("411000", "Clients", aux, lib, 0, ttc, code, paid)]))
        code, name, invoiced, paid, ttc = LATE_PAID
        if year == invoiced.year:
            ht = round(ttc / 1.2, 2)
            entries.append(("HA", invoiced, "F2021-7781", f"Facture {name}", [
                ("622600", "Honoraires", "", "", ht, 0, "", None),
                ("445660", "TVA déductible", "", "", round(ttc - ht, 2), 0, "", None),
                ("401000", "Fournisseurs", code, name, 0, ttc, "ZZ", paid)]))
        if year == paid.year:
            entries.append(("BQ", paid, "F2021-7781", f"Règlement {name}", [
                ("401000", "Fournisseurs", code, name, ttc, 0, "ZZ", paid),
                ("512000", "Banque", "", "", 0, ttc, "", None)]))
        entries.sort(key=lambda e: (e[0], e[1]))
        lines = 0
        with open(ctx.path(rel), "w", encoding=enc, newline="") as fh:
            fh.write(sep.join(FEC_COLS_SENS if sens else FEC_COLS) + "\r\n")
            for journal, d, piece, label, rows in entries:
                seq[journal] += 1
                num = f"{journal}{seq[journal]:06d}"
                valid = min(d + timedelta(days=ctx.rng.randrange(0, 20)), close + timedelta(days=60))
                for compte, clib, aux, alib, debit, credit, lt, dlet in rows:
                    if compte == "401000" and credit:  # an invoice (its payment debits the account)
                        last_401[aux] = max(last_401.get(aux, d), d)
                    amounts = ([fr_amount(debit or credit), "D" if debit else "C"] if sens
                               else [fr_amount(debit), fr_amount(credit)])
                    fields = [journal, JOURNALS[journal], num, f"{d:%Y%m%d}", compte, clib, aux, alib,
                              piece, f"{d:%Y%m%d}", label, *amounts, lt,
                              f"{dlet:%Y%m%d}" if dlet else "", f"{valid:%Y%m%d}", "", ""]
                    fh.write(sep.join(fields) + "\r\n")
                    lines += 1
        outcome = "breach" if ctx.as_of > add_years(close, RETENTION_YEARS["accounting_document"]) else "ok"
        t.findings[("retention.breach", "suppliers", "fec")] += lines if outcome == "breach" else 0
        t.findings[("retention.unverifiable", "suppliers", "fec")] += 0
        ctx.wrote(rel, lines)
        total += lines
    t.records["fec"] = total
    return last_401


def write_sage(ctx: Ctx, suppliers: list[Supplier], last_401: dict, contracts: dict) -> None:
    t = ctx.tally
    client_codes = sorted(ctx.rng.sample(sorted(contracts), 20)) + ["CLI0005", "CLI0008"]
    no_dates = 2  # potential suppliers imported from the old software without any date
    with CsvOut(ctx, SAGE_REL, SAGE_HEADER, encoding="cp1252", delimiter=";") as out:
        rows = [(s.code, s, 1) for s in suppliers] + [(c, contracts.get(c), 0) for c in client_codes]
        for code, obj, typ in sorted(rows, key=lambda r: (r[2], r[0])):
            contact = ctx.person(25, 64)
            if typ == 1:
                name, domain = obj.name, f"{slug(obj.name.split()[0])}.example.com"
            elif obj is not None:
                name, domain = obj.name, obj.domain
            else:
                name = ctx.company()
                domain = f"{slug(name.split()[0])}.example.fr"
            siren = ctx.siren()
            created = ctx.day_between(date(2012, 1, 1), date(2026, 10, 1))
            modified = ctx.day_between(created, date(2026, 11, 20)) if ctx.chance(0.7) else None
            if typ == 1 and obj.years is None and no_dates > 0:
                no_dates -= 1
                created = modified = None  # imported from the old software without dates
            out.row([code, name, typ, "401000" if typ else "411000", contact.full,
                     ctx.fake.street_address(), "", ctx.fake.postcode(), ctx.fake.city(), "France",
                     ctx.siret(siren), ctx.pick(["4941A", "7022Z", "6202A", "4669B", "8121Z"]),
                     vat_number(siren), ctx.phone(mobile=False, style="spaced"),
                     ctx.email(contact, domain) if ctx.chance(0.9) else "",
                     f"www.{domain}", "1" if typ == 1 and obj.years and obj.years[1] < 2021 else "0",
                     fr_date(created), fr_date(modified)])
            t.records["sage_tiers"] += 1
            if typ == 0:
                t.retention(contract_outcome(obj, RETENTION_YEARS["client_contacts"]),
                            "client_contacts", "sage_tiers")
            elif code in last_401:
                # active supplier: 5 years after the last entry on its 401 account
                t.retention(retention_outcome([last_401[code]], None, RETENTION_YEARS["active_supplier"]),
                            "suppliers", "sage_tiers")
            else:  # cbModification is a change to the record: 3 years from the creation
                t.retention(retention_outcome([], created, RETENTION_YEARS["potential_supplier"]),
                            "suppliers", "sage_tiers")
        code, name, invoiced, paid, _ = LATE_PAID
        siren = luhn_complete("51234987")
        out.row([code, name, 1, "401000", "Martine Lenoir", "12 rue des Tanneurs", "", "59000", "Lille", "France",
                 luhn_complete(siren + "0001"), "4941A", vat_number(siren), "03 53 01 12 34",
                 "martine.lenoir@lenoir.example.com", "www.lenoir.example.com", "0",
                 fr_date(date(2020, 5, 4)), fr_date(date(2026, 9, 1))])
        t.records["sage_tiers"] += 1
        t.retention(retention_outcome([last_401[code]], None, RETENTION_YEARS["active_supplier"]), "suppliers", "sage_tiers")
        t.person("martine", "sage_tiers", code)
        t.case("sage_tiers", {"CT_Num": code}, "breach", "ok",
               "last invoice 15/10/2021 (FEC 2021, journal HA), paid 10/03/2022 (FEC 2022, journal BQ): 5 years from "
               "the invoice end on 15/10/2026; `cbModification` 01/09/2026 restarts nothing")


def write_compta(ctx: Ctx, contracts: dict) -> None:
    suppliers = _plan_suppliers(ctx)
    last_401 = write_fec(ctx, suppliers, contracts)
    write_sage(ctx, suppliers, last_401, contracts)
