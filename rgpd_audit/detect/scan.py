"""One scan of a text for personal data: identifiers and special-category terms.

``scan_text(text)`` returns :class:`ContentHit`s: the category (the policy's catalogue:
``user.government_id.national_identification_number``, ``user.health``…), the detector
(``nir``, ``iban``, ``phone``, ``email``, or the special term's name such as
``sick_leave``), the offset of the hit in the text and a masked evidence: an identifier
masked by its kind's masker (``1 90 ** ** *** *** 48``), a term with a few words around it,
every identifier and digit run in them masked. What is kept of a text is this, never the
text: the evidence can be shown to an analyst, it is not the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import identifiers as ids
from .special import find_special

# what each identifier kind is, in the category catalogue
IDENTIFIER_CATEGORIES = {
    "nir": "user.government_id.national_identification_number",
    "iban": "user.financial.bank_account",
    "phone": "user.contact.phone_number",
    "email": "user.contact.email",
}
MASKERS = {"nir": ids.mask_nir, "iban": ids.mask_iban, "phone": ids.mask_phone, "email": ids.mask_email}
_DIGITS = re.compile(r"\d[\d .()/-]{5,}\d|\d{3,}")
_SPACES = re.compile(r"\s+")
MAX_TEXT = 2_000_000  # characters of one text scanned (a longer text: its first MAX_TEXT, reported)


@dataclass(frozen=True)
class ContentHit:
    category: str
    detector: str
    offset: int
    evidence: str
    special: bool  # a special category (Art. 9/10) rather than an identifier
    end: int = 0   # where the hit ends in the text (``text[offset:end]``: never stored)


def _masked(text: str) -> str:
    text = ids.mask_identifiers(text, lambda f, v: MASKERS[f.kind](v))
    return _DIGITS.sub(lambda m: re.sub(r"\d", "*", m.group(0)), text)


def _excerpt(text: str, start: int, end: int, width: int = 40) -> str:
    """The hit with up to ``width`` characters each side, identifiers and digit runs masked."""
    a, b = max(0, start - width), min(len(text), end + width)
    # masked over a wider window first, so no piece of an identifier is left at the edges
    wide_a, wide_b = max(0, a - 40), min(len(text), b + 40)
    head = _masked(text[wide_a:start])[-(start - a):] if start > a else ""
    tail = _masked(text[end:wide_b])[: b - end] if b > end else ""
    body = (head + text[start:end] + tail)
    body = _SPACES.sub(" ", body).strip()
    return ("…" if a > 0 else "") + body + ("…" if b < len(text) else "")


def scan_text(text: str, *, skip_emails: Iterable[str] = (), identifiers: bool = True) -> list[ContentHit]:
    """Every identifier (``skip_emails``: addresses that are not a third person's, such as a
    message's own sender and recipients) and the first term of each special category."""
    if not text:
        return []
    text = text[:MAX_TEXT]
    skip = {e.lower() for e in skip_emails}
    out: list[ContentHit] = []
    if identifiers:
        for f in ids.find_identifiers(text):
            value = text[f.start:f.end]
            if f.kind == "email" and value.lower() in skip:
                continue
            out.append(ContentHit(IDENTIFIER_CATEGORIES[f.kind], f.kind, f.start, MASKERS[f.kind](value), False, f.end))
    for h in find_special(text):
        out.append(ContentHit(h.category, h.term, h.start, _excerpt(text, h.start, h.end), True, h.end))
    out.sort(key=lambda h: (h.offset, h.category))
    return out
