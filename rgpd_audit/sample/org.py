"""The company itself: staff (HR file) and client contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .common import ORG_DOMAIN, SERVICE_ROLE, CsvOut, Ctx, Person, fr_date, slug

STAFF_REL = "rh/personnel.csv"
CONTRACTS_REL = "clients/contrats-clients.csv"

STAFF_HEADER = ["Matricule", "Nom", "Prénom", "E-mail", "Service", "Fonction",
                "Date d'entrée", "Date de sortie"]
CONTRACTS_HEADER = ["Code client", "Raison sociale", "SIRET", "Date début", "Date fin",
                    "Conservation des données (mois après fin)"]

# service -> (headcount of current staff, job titles)
SERVICES = {
    "Direction": (3, ["Gérant", "Directrice d'agence", "Directeur administratif et financier"]),
    "Recrutement": (10, ["Chargée de recrutement", "Chargé de recrutement", "Responsable recrutement"]),
    "Commercial": (8, ["Commercial", "Chargée d'affaires", "Responsable grands comptes"]),
    "Secrétariat": (5, ["Assistante d'agence", "Secrétaire", "Assistant administratif"]),
    "Comptabilité": (4, ["Comptable", "Aide-comptable", "Gestionnaire paie"]),
    "Achats": (2, ["Acheteur", "Assistante achats"]),
    "Opérations": (8, ["Chargé de missions", "Coordinatrice intérimaires", "Responsable sécurité"]),
}


@dataclass
class Staff:
    matricule: str
    person: Person
    email: str
    service: str
    title: str
    start: date
    end: date | None
    tag: str = ""  # special role in the seeded findings

    @property
    def role(self) -> str:
        return SERVICE_ROLE[self.service]

    def departed(self, as_of: date) -> bool:
        return self.end is not None and self.end < as_of


@dataclass
class Contract:
    code: str
    name: str
    siret: str
    start: date
    end: date | None
    years: int | None  # contractual retention of the client's datasets
    domain: str


# Clients whose contracts matter for the seeded findings.
NAMED_CONTRACTS = {
    # code: (start, end, contractual years)
    "CLI0031": (date(2016, 3, 1), date(2019, 6, 30), None),   # dataset: default 5y -> breach
    "CLI0042": (date(2018, 9, 1), date(2022, 3, 31), 2),      # dataset: own 2y -> breach (5y would not)
    "CLI0057": (date(2024, 1, 15), None, None),               # dataset: ongoing
    "CLI0063": (date(2019, 5, 1), date(2022, 12, 31), None),  # ended, default 5y not over
    "CLI0088": (date(2017, 2, 1), date(2021, 9, 30), 3),      # web app: own 3y -> breach
    "CLI0107": (date(2022, 6, 1), None, 3),                   # web app: ongoing
}


def build_staff(ctx: Ctx) -> list[Staff]:
    staff: list[Staff] = []
    n = 0

    def add(service: str, start: date, end: date | None, tag: str = "") -> Staff:
        nonlocal n
        n += 1
        p = ctx.person(22, 62)
        email = f"{slug(p.first)}.{slug(p.last)}@{ORG_DOMAIN}"
        s = Staff(f"M{n:04d}", p, email, service, ctx.pick(SERVICES[service][1]), start, end, tag)
        staff.append(s)
        return s

    for service, (count, _) in SERVICES.items():
        for _ in range(count):
            add(service, ctx.day_between(date(2008, 1, 1), date(2025, 9, 1)), None)
    # seeded access findings
    add("Recrutement", date(2017, 4, 3), date(2024, 6, 30), "former_active")
    add("Commercial", date(2019, 9, 2), date(2025, 9, 15), "former_active")
    add("Recrutement", date(2015, 1, 5), date(2023, 3, 31), "former_suspended")
    add("Comptabilité", date(2020, 2, 3), date(2026, 12, 31), "leaving_soon")
    for service in ("Opérations", "Commercial", "Secrétariat", "Recrutement"):
        start = ctx.day_between(date(2010, 1, 1), date(2018, 1, 1))
        add(service, start, ctx.day_between(date(2019, 1, 1), date(2025, 12, 31)), "former")
    staff[SERVICES["Direction"][0] + SERVICES["Recrutement"][0]].tag = "unauthorised"  # 1st Commercial
    first_accounting = sum(c for s, (c, _) in SERVICES.items()
                           if s in ("Direction", "Recrutement", "Commercial", "Secrétariat"))
    staff[first_accounting].tag = "unauthorised"  # 1st Comptabilité
    return staff


def write_staff(ctx: Ctx, staff: list[Staff]) -> None:
    with CsvOut(ctx, STAFF_REL, STAFF_HEADER, encoding="cp1252", delimiter=";") as out:
        for s in sorted(staff, key=lambda s: (s.person.last, s.person.first)):
            out.row([s.matricule, s.person.last.upper(), s.person.first, s.email, s.service, s.title,
                     fr_date(s.start), fr_date(s.end)])
    ctx.tally.records["staff"] = len(staff)


def build_contracts(ctx: Ctx) -> dict[str, Contract]:
    contracts: dict[str, Contract] = {}
    codes = sorted(set(NAMED_CONTRACTS) | {f"CLI{n:04d}" for n in ctx.rng.sample(range(10, 130), 30)})
    for code in codes:
        name = ctx.company()
        if code in NAMED_CONTRACTS:
            start, end, years = NAMED_CONTRACTS[code]
        else:
            start = ctx.day_between(date(2012, 1, 1), date(2025, 6, 1))
            end = None if ctx.chance(0.45) else min(
                ctx.day_between(start.replace(year=start.year + 1), start.replace(year=start.year + 6)),
                date(2026, 10, 31))
            years = ctx.pick([None, None, None, 2, 3, 5, 10])
        domain = f"{slug(name.split()[0])}-{code[-3:]}.{ctx.pick(['example.fr', 'example.com'])}"
        contracts[code] = Contract(code, name, ctx.siret(), start, end, years, domain)
    return contracts


def write_contracts(ctx: Ctx, contracts: dict[str, Contract]) -> None:
    with CsvOut(ctx, CONTRACTS_REL, CONTRACTS_HEADER, encoding="cp1252", delimiter=";") as out:
        for c in contracts.values():
            out.row([c.code, c.name, c.siret, fr_date(c.start), fr_date(c.end),
                     "" if c.years is None else str(c.years * 12)])  # the column counts months
    ctx.tally.records["client_contracts"] = len(contracts)
