"""Shared building blocks of the sample-estate generator.

Everything here is deterministic: randomness comes from the seeded ``random.Random`` and
``Faker`` held by :class:`Ctx`, and every date is computed from :data:`SAMPLE_AS_OF`
(the clock is never read).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

SAMPLE_AS_OF = date(2026, 11, 27)
"""The audit date the sample's known findings are computed for."""

PAST_AS_OF = date(2023, 7, 11)
"""The past audit date at which the retention cases (``Tally.cases``) are also asserted."""

FIXED_DT = datetime(2026, 11, 20, 9, 0, 0)
"""Timestamp stamped into XLSX properties and zip entries (export day of the estate)."""

ORG_DOMAIN = "inter-interim.example.fr"
RESERVED_DOMAINS = ("example.fr", "example.com", "example.org")
SIREN = "123456782"  # fictitious, valid Luhn

# Services of the HR file and the policy role each one maps to.
SERVICE_ROLE = {
    "Direction": "direction",
    "Commercial": "sales",
    "Recrutement": "recruitment",
    "Secrétariat": "secretariat",
    "Comptabilité": "accounting",
    "Achats": "purchasing",
    "Opérations": "operations",
}
CANDIDATE_ROLES = {"direction", "recruitment", "secretariat"}  # policy §5

# Retention rules (policy), in years.
RETENTION_YEARS = {
    "prospects": 3,
    "client_contacts": 5,
    "client_datasets": 5,  # default when the contract sets none
    "client_web_apps": 5,
    "candidates": 2,
    "partners": 5,
    "potential_supplier": 3,
    "active_supplier": 5,
    "accounting_document": 10,
    "newsletters": 3,
}

TRICKY_FIRST = [
    "Jean-François", "Marie-Hélène", "Anaïs", "Zoé", "Loïc", "Gaëlle", "Hélène", "Chloé",
    "Noémie", "Jérôme", "François", "Ségolène", "Aurélien", "Clémence", "Maëlys", "Bérénice",
    "Aïcha", "Fatoumata", "Mamadou", "Björn", "Éloïse", "Anne-Sophie", "Jean-Noël", "Mélanie",
]
TRICKY_LAST = [
    "Lefèvre-Dupont", "Müller", "N'Diaye", "D'Almeida", "Le Goff", "Bénard", "Çelik",
    "Da Silva", "O'Neill", "De La Fontaine", "Lemaître", "Gaëtan-Roux", "Pérez", "Lévêque",
    "Mbappé-Kouassi", "L'Hôte", "Ngô", "Dubœuf", "Schröder", "Saint-Hilaire",
]

# ARCEP numbers reserved for fiction (never attributed).
FICTION_PREFIXES = ["01 99 00", "02 61 91", "03 53 01", "04 65 71", "05 36 49", "09 77 40"]
FICTION_MOBILE = ["06 39 98", "07 00 11"]


# --------------------------------------------------------------------------- dates

def add_years(d: date, years: int) -> date:
    """Calendar years by date arithmetic; 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    return value


def retention_outcome(last_activity: Iterable, creation, years: int, as_of: date = SAMPLE_AS_OF) -> str:
    """``breach`` / ``ok`` / ``unverifiable`` with the check's semantics.

    Reference date = the greatest last-activity date, else the creation date.
    """
    dates = [as_date(d) for d in last_activity if d is not None]
    ref = max(dates) if dates else as_date(creation)
    if ref is None:
        return "unverifiable"
    return "breach" if as_of > add_years(ref, years) else "ok"


def contract_outcome(contract, years: int | None, as_of: date = SAMPLE_AS_OF) -> str:
    """Retention counted from a client contract's end: ongoing = ok, unknown = unverifiable."""
    if contract is None:
        return "unverifiable"
    if contract.end is None:
        return "ok"
    return "breach" if as_of > add_years(contract.end, years) else "ok"


def fr_date(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


# --------------------------------------------------------------------------- context

@dataclass
class Tally:
    """Expected findings, counted while the records are built."""

    findings: Counter = field(default_factory=Counter)  # (check, activity, source) -> n
    records: Counter = field(default_factory=Counter)  # source -> rows that load
    files: dict = field(default_factory=dict)  # relative path -> rows written
    # retention cases: records whose verdict is written in the README at the audit date and at
    # PAST_AS_OF (status, or "absent": the record did not exist yet)
    cases: list = field(default_factory=list)
    # the record names of the people present in several systems (``people.py``): who -> source -> record
    people: dict = field(default_factory=dict)

    def person(self, who: str, source: str, record: str) -> None:
        self.people.setdefault(who, {})[source] = record

    def case(self, source: str, match: dict | None, today: str, past: str, why: str) -> None:
        """``match``: {column: value} picking the record(s) in the source's table; None: all of them."""
        self.cases.append({"source": source, "match": match, "today": today, "past": past, "why": why})

    def add(self, check: str, activity: str, source: str, n: int = 1) -> None:
        self.findings[(check, activity, source)] += n

    def retention(self, outcome: str, activity: str, source: str) -> None:
        # register both keys so a zero is reported too
        self.findings[("retention.breach", activity, source)] += outcome == "breach"
        self.findings[("retention.unverifiable", activity, source)] += outcome == "unverifiable"


@dataclass
class Person:
    first: str
    last: str
    sex: str  # "1" male, "2" female
    birth: date

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Ctx:
    """Seeded randomness, the output folder and the running tally."""

    def __init__(self, out: Path, scale: int, seed: int):
        self.out = Path(out)
        self.scale = scale
        self.seed = seed
        self.rng = Random(seed)
        try:
            from faker import Faker  # the generator's own dependency: pip install "rgpd-audit[sample]"
        except ImportError:
            raise ImportError("the sample generator needs Faker: pip install 'rgpd-audit[sample]'") from None
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.tally = Tally()
        self.as_of = SAMPLE_AS_OF
        self._used_emails: set[str] = set()

    # ---- files
    def path(self, rel: str) -> Path:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def wrote(self, rel: str, rows: int) -> None:
        self.tally.files[rel] = rows

    # ---- random helpers
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def moment(self, d: date, start_hour: int = 8, end_hour: int = 19) -> datetime:
        return datetime(d.year, d.month, d.day, self.rng.randrange(start_hour, end_hour),
                        self.rng.randrange(60), self.rng.randrange(60))

    # ---- identities
    def person(self, min_age: int = 18, max_age: int = 64) -> Person:
        sex = "2" if self.chance(0.5) else "1"
        if self.chance(0.25):
            first = self.pick(TRICKY_FIRST)
        else:
            first = self.fake.first_name_female() if sex == "2" else self.fake.first_name_male()
        last = self.pick(TRICKY_LAST) if self.chance(0.25) else self.fake.last_name()
        birth = self.day_between(add_years(self.as_of, -max_age), add_years(self.as_of, -min_age))
        return Person(first, last, sex, birth)

    def email(self, person: Person | None, domain: str, pattern: str | None = None) -> str:
        if person is None:
            local = slug(self.fake.word())
        else:
            f, l_ = slug(person.first), slug(person.last)
            pattern = pattern or self.pick(["f.l", "f.l", "fl", "f_l", "il", "f.l.n"])
            local = {"f.l": f"{f}.{l_}", "fl": f"{f}{l_}", "f_l": f"{f}_{l_}",
                     "il": f"{f[0]}{l_}", "f.l.n": f"{f}.{l_}{self.rng.randrange(1, 99)}"}[pattern]
        addr = f"{local}@{domain}"
        n = 2
        while addr in self._used_emails and self.scale == 1:
            addr = f"{local}{n}@{domain}"
            n += 1
        if self.scale == 1:
            self._used_emails.add(addr)
        return addr

    def personal_domain(self) -> str:
        return self.pick(["example.fr", "example.com", "example.org", "mail.example.fr",
                          "orange.example.fr", "free.example.fr"])

    def phone(self, mobile: bool | None = None, style: str | None = None) -> str:
        if mobile is None:
            mobile = self.chance(0.6)
        prefix = self.pick(FICTION_MOBILE if mobile else FICTION_PREFIXES)
        digits = (prefix.replace(" ", "") + f"{self.rng.randrange(10000):04d}")
        style = style or self.pick(["spaced", "spaced", "spaced", "intl", "compact", "dots", "intl0"])
        pairs = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
        if style == "spaced":
            return pairs
        if style == "compact":
            return digits
        if style == "dots":
            return pairs.replace(" ", ".")
        if style == "intl0":
            return f"+33 (0){digits[1]} " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))
        return f"+33 {digits[1]} " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))

    def nir(self, p: Person, spaced: bool | None = None) -> str:
        dept = self.rng.randrange(1, 96)
        if dept == 20:
            dept = 21
        body = (f"{p.sex}{p.birth.year % 100:02d}{p.birth.month:02d}{dept:02d}"
                f"{self.rng.randrange(1, 990):03d}{self.rng.randrange(1, 999):03d}")
        key = 97 - int(body) % 97
        if spaced is None:
            spaced = self.chance(0.5)
        if spaced:
            return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"
        return f"{body}{key:02d}"

    def iban(self) -> str:
        bank, branch = f"{self.rng.randrange(10000, 99999)}", f"{self.rng.randrange(100000):05d}"
        account = f"{self.rng.randrange(10**10, 10**11)}"
        rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank}{branch}{account}{rib_key:02d}"
        check = 98 - int(bban + "152700") % 97
        raw = f"FR{check:02d}{bban}"
        return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))

    def siren(self) -> str:
        return luhn_complete(f"{self.rng.randrange(10**7, 10**8)}")

    def siret(self, siren: str | None = None) -> str:
        siren = siren or self.siren()
        return luhn_complete(f"{siren}{self.rng.randrange(10000):04d}")

    def company(self) -> str:
        return self.fake.company().replace(";", ",")


# --------------------------------------------------------------------------- formats

def slug(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower().replace(" ", "-") if c.isalnum() or c == "-")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if luhn_valid(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


def vat_number(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def fr_amount(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


class CsvOut:
    """A streaming CSV writer that counts rows (header excluded)."""

    def __init__(self, ctx: Ctx, rel: str, header: list[str], *, encoding="utf-8", delimiter=",",
                 lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL):
        self.ctx, self.rel = ctx, rel
        self.fh = open(ctx.path(rel), "w", encoding=encoding, newline="")
        self.w = csv.writer(self.fh, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
        self.w.writerow(header)
        self.rows = 0

    def row(self, values: list) -> None:
        self.w.writerow(["" if v is None else v for v in values])
        self.rows += 1

    def raw(self, line: str) -> None:
        """A hand-made line (used for the malformed rows)."""
        self.fh.write(line)
        self.rows += 1

    def close(self) -> None:
        self.fh.close()
        self.ctx.wrote(self.rel, self.rows)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps and attributes (byte-identical output)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = fix_core_xml(content)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_DT.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, content)
    return buf.getvalue()


def fix_core_xml(content: bytes) -> bytes:
    import re

    stamp = FIXED_DT.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", content)


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            zi = zipfile.ZipInfo(name, date_time=FIXED_DT.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, content)
