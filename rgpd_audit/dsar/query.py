"""Who the request is about: the identifiers given by the analyst, normalised once.

The query is normalised in Python (e-mail lower-cased and trimmed, phone to E.164 with
``phonenumbers``, region FR) and compared in SQL against normalised forms of the stored
values; names are normalised by the same SQL macro on both sides (``dsar_name_key``).
Identifiers never go to logs: only :attr:`PersonQuery.subject_ref` (a pseudonym) may.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers

from ..errors import RgpdAuditError
from ..workspace import Workspace

EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")

# Civil titles dropped from names before comparison ("Mme Lætitia Œillet").
TITLES = ("m", "mr", "mme", "mlle", "melle", "mrs", "ms", "miss", "dr", "pr", "me", "madame", "monsieur", "mademoiselle")

# A name's key: accents stripped, ligatures expanded, apostrophes removed (N'Diaye = Ndiaye),
# every other separator (hyphen, space, dot) splits words, titles dropped, words sorted
# (first/last order does not matter; Jean-François = Jean François).
NAME_KEY_MACRO = (
    "CREATE OR REPLACE TEMP MACRO dsar_name_key(v) AS "
    "nullif(array_to_string(list_sort(list_filter(string_split(regexp_replace(regexp_replace("
    "strip_accents(replace(replace(replace(replace(replace(lower(CAST(v AS VARCHAR)), 'œ', 'oe'), 'æ', 'ae'), 'ß', 'ss'), 'ø', 'o'), 'ł', 'l')), "
    "'[''’`´ʼ]', '', 'g'), '[^a-z0-9]+', ' ', 'g'), ' '), "
    "x -> x <> '' AND NOT list_contains(" + "[" + ", ".join(f"'{t}'" for t in TITLES) + "], x))), ' '), '')"
)


class DsarError(RgpdAuditError):
    """A data-subject request cannot be processed as asked (bad identifier, unknown request…)."""


@dataclass(frozen=True)
class Phone:
    e164: str  # +33612345678
    country_code: int
    national: str  # national significant number, 612345678

    @property
    def digits(self) -> str:
        return self.e164.lstrip("+")


def normalise_email(value: str) -> str:
    """Lower case, trimmed; dots in the local part are kept (one provider's folding rule is not a company domain's)."""
    v = value.strip().lower()
    if v.startswith("mailto:"):
        v = v[len("mailto:"):]
    if not EMAIL_RE.match(v):
        raise DsarError(f"{value!r} is not an e-mail address")
    return v


def normalise_phone(value: str, region: str = "FR") -> Phone:
    """E.164 with ``phonenumbers`` (region FR for numbers written without a country code)."""
    try:
        num = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise DsarError(f"phone number not understood: {exc}") from None
    if not phonenumbers.is_possible_number(num):
        raise DsarError("phone number not understood: not a possible number")
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, num.country_code, str(num.national_number))


def parse_birth_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise DsarError(f"{value!r} is not a birth date (YYYY-MM-DD or DD/MM/YYYY)")


@dataclass(frozen=True)
class PersonQuery:
    """The person a request is about. Build with :meth:`make`, which validates and normalises."""

    email: str | None = None
    phone: Phone | None = None
    name: str | None = None
    birth_date: dt.date | None = None

    @classmethod
    def make(
        cls,
        email: str | None = None,
        phone: str | None = None,
        name: str | None = None,
        birth_date: str | dt.date | None = None,
    ) -> PersonQuery:
        q = cls(
            normalise_email(email) if email else None,
            normalise_phone(phone) if phone else None,
            " ".join(name.split()) if name and name.strip() else None,
            parse_birth_date(birth_date),
        )
        if not (q.email or q.phone or q.name):
            raise DsarError("give at least an e-mail, a phone number or a name")
        if q.birth_date and not q.name:
            raise DsarError("a birth date is only used together with a name (--name)")
        return q

    def subject_ref(self, ws: Workspace) -> str:
        """The pseudonym of the person (of the e-mail, else the phone, else the name)."""
        return ws.pseudonym(self.email or (self.phone.e164 if self.phone else None) or self.name)  # type: ignore[return-value]

    def name_key(self, ws: Workspace) -> str | None:
        if not self.name:
            return None
        install_macros(ws)
        return ws.con.execute("SELECT dsar_name_key(?)", [self.name]).fetchone()[0]


def install_macros(ws: Workspace) -> None:
    ws.con.execute(NAME_KEY_MACRO)
