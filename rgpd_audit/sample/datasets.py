"""Clients' datasets (§3) and the web application's registrations (§4)."""

from __future__ import annotations

import json
from datetime import date

from .common import RETENTION_YEARS, CsvOut, Ctx, contract_outcome, fr_amount, fr_date

PAYROLL_REL = "clients/missions/CLI0042_salaries_paie_2019.csv"
CUSTOMERS_REL = "clients/missions/CLI0031_fichier_clients_2018.csv"
STAFF_REL = "clients/missions/CLI0057_salaries_2025.csv"
WEBAPP_REL = "clients/webapp/inscriptions-evenements.ndjson"
PAYROLL_HEADER = ["Matricule", "Nom", "Prénom", "NIR", "IBAN", "Salaire brut", "Date d'entrée", "Emploi"]
CUSTOMERS_HEADER = ["Civilité", "Nom", "Prénom", "Adresse", "CP", "Ville", "Téléphone", "Email",
                    "Date dernier achat"]
EMPLOIS = ["Opérateur de production", "Cariste", "Agent d'entretien", "Technicien de maintenance",
           "Assistante de direction", "Magasinier", "Conducteur de ligne"]


def _years(contract) -> int:
    return contract.years if contract and contract.years else RETENTION_YEARS["client_datasets"]


def _payroll(ctx: Ctx, rel: str, source: str, contract, n: int, malformed_at: int | None) -> None:
    t = ctx.tally
    with CsvOut(ctx, rel, PAYROLL_HEADER, encoding="cp1252", delimiter=";") as out:
        for i in range(n):
            if i == malformed_at:  # a ';' inside an unquoted name: one field too many
                bad = ctx.person(25, 50)
                out.raw(f"{i + 1:05d};{bad.last.upper()}; {ctx.pick(['Marie', 'Jean'])};{bad.first};"
                        f"{ctx.nir(bad)};;1850,00;01/02/2017;Cariste\r\n")
                t.add("load.rejected_rows", "client_datasets", source)
            p = ctx.person(19, 63)
            out.row([f"{i + 1:05d}" if malformed_at is None or i < malformed_at else f"{i + 2:05d}",
                     p.last.upper(), p.first, ctx.nir(p), ctx.iban() if ctx.chance(0.95) else "",
                     fr_amount(ctx.rng.uniform(1766.92, 5200)),
                     fr_date(ctx.day_between(date(2005, 1, 1), date(2024, 12, 1))), ctx.pick(EMPLOIS)])
            t.retention(contract_outcome(contract, _years(contract)), "client_datasets", source)
            t.records[source] += 1


def write_datasets(ctx: Ctx, contracts: dict) -> None:
    t = ctx.tally
    _payroll(ctx, PAYROLL_REL, "dataset_cli0042_paie", contracts["CLI0042"], 90 * ctx.scale, 17)
    ctx.tally.case("dataset_cli0042_paie", None, "breach", "ok",
                   "contract CLI0042 ended 31/03/2022 and sets « 24 » in a column counting months: deadline "
                   "31/03/2024 (read as years, it would be 2046)")
    _payroll(ctx, STAFF_REL, "dataset_cli0057_salaries", contracts["CLI0057"], 60 * ctx.scale, None)
    source, contract = "dataset_cli0031_clients", contracts["CLI0031"]
    with CsvOut(ctx, CUSTOMERS_REL, CUSTOMERS_HEADER, encoding="cp1252", delimiter=";") as out:
        for _ in range(120 * ctx.scale):
            p = ctx.person(20, 85)
            out.row(["Mme" if p.sex == "2" else "M.", p.last, p.first, ctx.fake.street_address(),
                     ctx.fake.postcode(), ctx.fake.city(), ctx.phone() if ctx.chance(0.6) else "",
                     ctx.email(p, ctx.personal_domain()) if ctx.chance(0.7) else "",
                     fr_date(ctx.day_between(date(2012, 1, 1), date(2018, 5, 31)))])
            t.retention(contract_outcome(contract, _years(contract)), "client_datasets", source)
            t.records[source] += 1
    # web application: one platform, several clients' events; client code per row
    source = "webapp_inscriptions"
    n = 0
    with open(ctx.path(WEBAPP_REL), "w", encoding="utf-8", newline="") as fh:
        for i in range(150 * ctx.scale):
            code = None if i in (11, 57, 98) else ("CLI0088" if ctx.chance(0.3) else "CLI0107")
            c = contracts.get(code) if code else None
            start = c.start if c else date(2018, 1, 1)
            end = c.end or date(2026, 11, 19) if c else date(2026, 11, 19)
            created = ctx.moment(ctx.day_between(start, end), 0, 24)
            last_login = ctx.moment(ctx.day_between(created.date(), end), 0, 24) if ctx.chance(0.8) else None
            p = ctx.person(20, 70)
            rec = {"id": 10001 + i, "client_code": code, "email": ctx.email(p, ctx.personal_domain()),
                   "first_name": p.first, "last_name": p.last,
                   "phone": ctx.phone(mobile=True, style="intl") if ctx.chance(0.6) else None,
                   "company": ctx.company() if ctx.chance(0.5) else None,
                   "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "last_login_at": last_login.strftime("%Y-%m-%dT%H:%M:%SZ") if last_login else None,
                   "consent_marketing": ctx.chance(0.4)}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            t.retention(contract_outcome(c, _years(c)), "client_web_apps", source)
            n += 1
    t.records[source] = n
    ctx.wrote(WEBAPP_REL, n)
