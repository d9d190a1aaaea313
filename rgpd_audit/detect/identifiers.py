"""Personal identifiers: what an e-mail address, a phone number, a French social security
number (NIR, its key checked with python-stdnum's ``fr.nir``) or an IBAN (mod 97, stdnum)
is, one value at a time (``is_*``) or written inside a text (``find_identifiers``), and how
each is masked.

One module for the whole package: the classifier's value validators
(``mapping/classify/values.py``), the content scanner of mail bodies, attachments, documents
and free-text cells (``detect/scan.py``) and the report's identifier guard
(``report/guard.py``) all know an identifier from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from stdnum import iban as _iban
from stdnum.fr import nir as _nir

_SEP = re.compile(r"[\s.\-/]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24}$")
_NAMED_EMAIL = re.compile(r"^(?:\"?[^\"<>]*\"?\s*)?<([^<>]+)>$")
_PHONE_SHAPE = re.compile(r"^(\(?\+|00)?[\d\s().\-/]{8,22}$")
_SPACE = re.compile(r"\s")
_NON_DIGIT = re.compile(r"\D")
_LIST_SEP = re.compile(r"[,;]\s*")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


@lru_cache(maxsize=16)  # asked for by several validators in turn, for the same value
def digits(value: str) -> str:
    return _SEP.sub("", value)


def is_nir(value: str) -> bool:
    d = digits(value).upper()
    return len(d) == 15 and _nir.is_valid(d)


def is_iban(value: str) -> bool:
    d = _SPACE.sub("", value).upper()
    return bool(_IBAN_SHAPE.match(d)) and _iban.is_valid(d)


def _email_of(value: str) -> str:
    m = _NAMED_EMAIL.match(value.strip())
    return m.group(1).strip() if m else value.strip()


def is_email(value: str) -> bool:
    """An address, ``Name <address>``, or a list of them separated by , or ;."""
    parts = [p for p in _LIST_SEP.split(value) if p.strip()]
    return bool(parts) and all(_EMAIL.match(_email_of(p)) for p in parts)


def is_phone(value: str) -> bool:
    """A French or international number written as one: 0X XX XX XX XX, 06/12/34/56/78, +33…,
    +33 (0)6…, (+33) 6…, 0033…."""
    v = value.strip()
    if not _PHONE_SHAPE.match(v):
        return False
    d = _NON_DIGIT.sub("", v)
    if v.startswith("(+"):
        v = "+" + v[2:].replace(")", " ", 1)
    international = v.startswith("+") or v.startswith("00")
    if not international and not (len(d) == 10 and d.startswith("0")) and not (len(d) == 11 and d.startswith("33")):
        return False
    try:
        num = phonenumbers.parse(("+" + d) if (not international and d.startswith("33")) else v, "FR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(num)


def mask_email(value: str) -> str:
    addr = _email_of(re.split(r"[,;]\s*", value.strip())[0])
    if "@" not in addr:
        return mask_text(value)
    local, _, domain = addr.rpartition("@")
    labels = domain.split(".")
    return f"{local[:1]}***@{labels[0][:1]}***.{labels[-1]}"


def mask_nir(value: str) -> str:
    d = digits(value).upper()
    if len(d) < 13:
        return mask_digits(value)
    key = d[13:15] if len(d) >= 15 else "**"
    return f"{d[0]} {d[1:3]} ** ** *** *** {key}"


def mask_iban(value: str) -> str:
    d = re.sub(r"\s", "", value).upper()
    return f"{d[:4]} **** **** {d[-3:]}"


def mask_phone(value: str) -> str:
    d = re.sub(r"\D", "", value)
    if value.strip().startswith("+"):
        return f"+{d[:3]} ** ** ** {d[-2:]}"
    return f"{d[:2]} ** ** ** {d[-2:]}"


def mask_digits(value: str) -> str:
    d = re.sub(r"\D", "", value)
    return (d[:3] + "*" * max(len(d) - 3, 0)) if d else mask_text(value)


def mask_text(value: str) -> str:
    v = value.strip()
    return f"{v[:1]}*** ({len(v)} chars)" if len(v) > 12 else f"{v[:1]}***"


# -- identifiers inside a free text ---------------------------------------------------------
#
# A shape cuts out candidates, the validator of their kind decides. The boundaries keep a
# candidate from starting or ending inside a word, a longer number, a decimal, a path or
# base64 data (``0.0612345678``, ``…AAAA+33612345678AAAA``, ``01/02/2019-03/04/2020``).

_TSEP = r"[ \u00a0.\-/]"                              # one separator between digit groups
_LEFT = r"(?<![\w.,/+=%-])"
_RIGHT = r"(?![\w]|[.,/\-]\d)"
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# 06 12 34 56 78, 06.12.34.56.78, 06/12/34/56/78, 0612345678
_PHONE_FR_IN_TEXT = re.compile(_LEFT + rf"0[1-9](?:{_TSEP}?\d{{2}}){{4}}" + _RIGHT)
# +33 6 12 34 56 78, +33 (0)6 12 34 56 78, (+33) 6 12 34 56 78, 0033 6 12 34 56 78, +1 (415) 555-0100:
# the longest run of digit groups; shortened group by group until the numbering plan accepts it
_PHONE_INTL_IN_TEXT = re.compile(
    r"(?<![\w+/=%])(?:\(\+[1-9]\d{0,2}\)|\+[1-9]\d{0,2}|00[1-9]\d{0,2})"
    rf"(?:{_TSEP}?\(0\))?(?:{_TSEP}?(?:\d|\(\d{{1,4}}\)))+" + r"(?![\w])"
)
# 1 85 05 78 006 084 91, 1-85-05-78-006-084-91, 185057800608491, 2A/2B Corsica
_NIR_IN_TEXT = re.compile(
    _LEFT + rf"[1-478]{_TSEP}?\d{{2}}{_TSEP}?\d{{2}}{_TSEP}?(?:\d{{2}}|2[ABab]){_TSEP}?\d{{3}}{_TSEP}?\d{{3}}{_TSEP}?\d{{2}}"
    + _RIGHT
)
# FR76 3000 6000 0112 3456 7890 189 (groups of four, or none)
_IBAN_IN_TEXT = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")
_PHONE_GROUP_END = re.compile(r"\d(?=\D|$)|\)(?=\D|$)")


@dataclass(frozen=True)
class Identifier:
    """An identifier found in a text: its kind (``email``, ``phone``, ``nir``, ``iban``, as in
    :data:`KINDS`) and where it is (``text[start:end]``)."""

    kind: str
    start: int
    end: int


def _intl_phone(text: str, m: re.Match) -> tuple[int, int] | None:
    """The longest prefix of an international candidate (ending after a digit group) that is
    a phone number."""
    token = m.group(0)
    ends = sorted({e.end() for e in _PHONE_GROUP_END.finditer(token)}, reverse=True)
    for end in ends:
        cut = token[:end]
        n = len(_NON_DIGIT.sub("", cut))
        if n < 8:
            break
        if n <= 15 and is_phone(cut) and not _RIGHT_CONTINUES.match(text, m.start() + end):
            return m.start(), m.start() + end
    return None


_RIGHT_CONTINUES = re.compile(r"[.,/\-]\d|\w")


def find_identifiers(text: str) -> list[Identifier]:
    """Every e-mail, phone number, NIR (with a valid key) and IBAN (valid mod 97) written in
    ``text``, in order; overlapping finds are merged (the first kind named wins)."""
    found: list[Identifier] = []
    found += [Identifier("email", m.start(), m.end()) for m in _EMAIL_IN_TEXT.finditer(text) if is_email(m.group(0))]
    found += [Identifier("nir", m.start(), m.end()) for m in _NIR_IN_TEXT.finditer(text) if is_nir(m.group(0))]
    found += [Identifier("iban", m.start(), m.end()) for m in _IBAN_IN_TEXT.finditer(text) if is_iban(m.group(0))]
    found += [Identifier("phone", m.start(), m.end()) for m in _PHONE_FR_IN_TEXT.finditer(text) if is_phone(m.group(0))]
    for m in _PHONE_INTL_IN_TEXT.finditer(text):
        span = _intl_phone(text, m)
        if span:
            found.append(Identifier("phone", *span))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Identifier] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            if f.end > last.end:
                merged[-1] = Identifier(last.kind, last.start, f.end)
            continue
        merged.append(f)
    return merged


def mask_identifiers(text: str, mask: str | Callable[[Identifier, str], str]) -> str:
    """``text`` with every identifier :func:`find_identifiers` finds replaced by ``mask`` (a
    string, or a function of the identifier and its text)."""
    out, pos = [], 0
    for f in find_identifiers(text):
        out.append(text[pos:f.start])
        out.append(mask if isinstance(mask, str) else mask(f, text[f.start:f.end]))
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
