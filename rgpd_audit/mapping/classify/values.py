"""Value validators and maskers: what a sample of a column's values really holds.

Each validator takes one non-empty string and says whether it is a valid value of its
kind, with the real check where one exists (NIR key, IBAN mod 97, SIRET/SIREN Luhn,
phone numbering plan). Each kind has a masker producing an example that shows the shape
of a value without revealing it (``j***@e***.fr``, ``1 85 ** ** *** *** 48``).

The identifiers (e-mail, phone, NIR, IBAN) and ``find_identifiers(text)`` live in
:mod:`rgpd_audit.detect.identifiers`, shared with the content scanner and the report's
identifier guard; they are imported here for the classifier's table of kinds.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.fr import siren as _siren
from stdnum.fr import siret as _siret

from ...detect.identifiers import (  # noqa: F401 - the classifier's validators and masks, shared
    Identifier,
    digits,
    find_identifiers,
    is_email,
    is_iban,
    is_nir,
    is_phone,
    mask_digits,
    mask_email,
    mask_iban,
    mask_identifiers,
    mask_nir,
    mask_phone,
    mask_text,
)

_SEP = re.compile(r"[\s.\-/]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$")
_NAMED_EMAIL = re.compile(r"^(?:\"?[^\"<>]*\"?\s*)?<([^<>]+)>$")
_PHONE_SHAPE = re.compile(r"^(\(?\+|00)?[\d\s().\-/]{8,22}$")
_DATE_SHAPE = re.compile(r"^\d{1,4}[/\-.]\d{1,2}[/\-.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?)?$")
# the validators run on every sampled value: their patterns are compiled once
_NIR_SHAPE = re.compile(r"[1-478][0-9]{4}[0-9AB][0-9]{7}([0-9]{2})?")
_SPACE = re.compile(r"\s")
_NON_DIGIT = re.compile(r"\D")
_LIST_SEP = re.compile(r"[,;]\s*")
_POSTAL = re.compile(r"\d{5}")
_IP_CHARS = re.compile(r"[0-9A-Fa-f:.]{3,45}")






def looks_like_nir(value: str) -> bool:
    """NIR shape without the key check (13 or 15 characters, sex digit first)."""
    d = digits(value).upper()
    return bool(_NIR_SHAPE.fullmatch(d))


_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")




def is_siret(value: str) -> bool:
    d = digits(value)
    return len(d) == 14 and d.isdigit() and _siret.is_valid(d)


def is_siren(value: str) -> bool:
    d = digits(value)
    return len(d) == 9 and d.isdigit() and _siren.is_valid(d)








_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_FR_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})")
_TIME = re.compile(r"^([ T](\d{1,2}):(\d{2})(:(\d{2})(\.\d+)?)?Z?)?$")


def is_date(value: str) -> bool:
    """A calendar date (ISO or day-first French), optionally with a time; checked, not guessed."""
    v = value.strip()
    if not _DATE_SHAPE.match(v):
        return False
    m = _ISO_DATE.match(v)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _FR_DATE.match(v)
        if not m:
            return False
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if len(m.group(3)) == 2:
            y += 2000 if y < 70 else 1900
    t = _TIME.match(v[m.end():])
    if t is None or (t.group(2) and (int(t.group(2)) > 23 or int(t.group(3)) > 59 or (t.group(5) and int(t.group(5)) > 59))):
        return False
    try:
        dt.date(y, mo, d)
    except ValueError:
        return False
    return True


def is_postal_code(value: str) -> bool:
    v = value.strip()
    if not _POSTAL.fullmatch(v):
        return False
    dep = int(v[:2])
    return (1 <= dep <= 95 or dep in (97, 98)) and v != "00000"


def is_ip(value: str) -> bool:
    v = value.strip()
    if not _IP_CHARS.fullmatch(v) or (":" not in v and v.count(".") != 3):
        return False
    try:
        ipaddress.ip_address(v)
        return True
    except ValueError:
        return False


def is_long_text(value: str) -> bool:
    return len(value) >= 40 and " " in value.strip()


# -- masking -------------------------------------------------------------------------












def mask_date(value: str) -> str:
    v = value.strip()
    m = re.search(r"\b(\d{4})\b", v)
    year = m.group(1) if m else "****"
    return f"{year}-**-**"


def mask_postal_code(value: str) -> str:
    return value.strip()[:2] + "***"


def mask_ip(value: str) -> str:
    v = value.strip()
    if ":" in v:
        return v.split(":")[0] + ":****"
    return ".".join(v.split(".")[:2]) + ".*.*"




@dataclass(frozen=True)
class Kind:
    name: str
    check: Callable[[str], bool]
    mask: Callable[[str], str]
    category: str | None   # category implied by the values
    threshold: float       # share of sampled values that must match
    strong: bool           # strong kinds beat a contradicting header


# In order of precedence: when two kinds match as well, the first wins (checksums first).
KINDS: list[Kind] = [
    Kind("nir", is_nir, mask_nir, "user.government_id.national_identification_number", 0.5, True),
    Kind("iban", is_iban, mask_iban, "user.financial.bank_account", 0.5, True),
    Kind("siret", is_siret, mask_digits, None, 0.7, True),
    Kind("siren", is_siren, mask_digits, None, 0.8, True),
    Kind("email", is_email, mask_email, "user.contact.email", 0.5, True),
    Kind("ip", is_ip, mask_ip, "user.device.ip_address", 0.7, True),
    Kind("phone", is_phone, mask_phone, "user.contact.phone_number", 0.7, True),
    Kind("date", is_date, mask_date, None, 0.8, True),
    Kind("postal_code", is_postal_code, mask_postal_code, "user.contact.address", 0.9, False),
]
KIND_BY_NAME = {k.name: k for k in KINDS}

MASKS: dict[str | None, Callable[[str], str]] = {k.name: k.mask for k in KINDS}


def mask(kind: str | None, value: str) -> str:
    """A masked example of a value of the given kind (never the raw value)."""
    return MASKS.get(kind, mask_text)(value)


def score(values: list[str]) -> dict[str, int]:
    """How many of the sampled values each kind's validator accepts (and how many look like
    a NIR, how many are long texts).

    Every count is the one running each validator on each value would give: a validator
    only runs on the values that pass a cheap test its acceptance implies (a value without
    ``@`` is no e-mail address, one whose digits are not 14 is no SIRET). The tests below
    are exact consequences of the validators, none a guess; ``tests/test_classify_score.py``
    checks them against the plain loop over every value and every kind.
    """
    nir = iban = siret = siren = email = ip = phone = date = postal_code = nir_shape = long_text = 0
    for v in values:
        # d: the value without spaces . - / (``digits``, cached for the validators that
        # ask for it again); ``upper()`` keeps the length of an ASCII string (of another
        # string it may lengthen it, never shorten it), and d is ASCII when v is
        d = digits(v)
        n = len(d)
        ascii = d.isascii()
        # NIR: 15 characters once upper-cased
        if (n == 15 if ascii else n <= 15) and is_nir(v):
            nir += 1
        # IBAN: v without spaces, upper-cased, is [A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}; ASCII, it
        # holds no . - / so it is d: 15 to 34 characters, two letters then two digits
        if (not ascii or (15 <= n <= 34 and d[:2].isalpha() and d[2:4].isdigit())) and is_iban(v):
            iban += 1
        if n == 14 and is_siret(v):
            siret += 1
        if n == 9 and is_siren(v):
            siren += 1
        if "@" in v and is_email(v):  # every address of the value has one
            email += 1
        if (":" in v or v.count(".") == 3) and is_ip(v):  # the validator's own test
            ip += 1
        # phone: the stripped value is 8 to 24 characters (a prefix +, (+ or 00, then 8 to 22),
        # and d keeps none of its spaces . - /
        if len(v) >= 8 and n <= 24 and is_phone(v):
            phone += 1
        # date: two of / - . between its numbers, which d drops
        if n <= len(v) - 2 and is_date(v):
            date += 1
        # postal code: five digits, with nothing but surrounding spaces
        if n == 5 and is_postal_code(v):
            postal_code += 1
        # NIR shape: 13 or 15 characters once upper-cased
        if (n in (13, 15) if ascii else n <= 15) and looks_like_nir(v):
            nir_shape += 1
        if len(v) >= 40 and is_long_text(v):
            long_text += 1
    counts = {"nir": nir, "iban": iban, "siret": siret, "siren": siren, "email": email, "ip": ip, "phone": phone,
              "date": date, "postal_code": postal_code}
    out = {k.name: counts[k.name] for k in KINDS}
    out["nir_shape"] = nir_shape
    out["long_text"] = long_text
    return out
