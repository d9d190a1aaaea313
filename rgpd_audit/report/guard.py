"""The last line of defence: no raw identifier may leave in a report.

``find_identifiers(text)`` returns every e-mail address, phone number, French social
security number (NIR, checked with its key) or IBAN (mod 97) found in a text;
``redact(text)`` masks them; ``assert_no_identifiers(text, what)`` raises
:class:`IdentifierLeak` if any is found. What an identifier looks like is known in one
place, :func:`rgpd_audit.detect.identifiers.find_identifiers`, shared with the classifier and
the content scanner: the validators the classifier runs on a column's values (phone numbering plan, NIR key, IBAN checksum), applied
to candidates cut out of the text by shapes that refuse to start or end inside longer words
or numbers (base64 chart data, decimals, dates, SIRET).
"""

from __future__ import annotations

import re

from ..detect import identifiers as _values
from ..errors import RgpdAuditError

MASK = "[masqué]"
LABELS = {"email": "e-mail", "phone": "phone", "nir": "NIR", "iban": "IBAN"}
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


class IdentifierLeak(RgpdAuditError):
    """A report would contain a raw personal identifier."""


def find_identifiers(text: str) -> list[tuple[str, str]]:
    """Every (kind, excerpt) that is an e-mail, a phone number, a NIR or an IBAN."""
    return [(LABELS[f.kind], text[f.start:f.end]) for f in _values.find_identifiers(text)]


def redact(text):
    """Mask identifiers in a free text (details, record keys, titles) before it reaches a report.

    Anything that is not a string (None, NaN, numbers) is returned unchanged."""
    if not isinstance(text, str):
        return text
    return _values.mask_identifiers(text, MASK)


def _where(text: str, start: int, end: int) -> str:
    """A little of the text around the first identifier, tags removed and identifiers masked:
    enough for the user to find where it comes from, never the identifier."""
    # masked over a wide window first, cut short after: no piece of an identifier is left
    before = _SPACES.sub(" ", _TAG.sub(" ", redact(text[max(0, start - 300):start])))[-50:]
    after = _SPACES.sub(" ", _TAG.sub(" ", redact(text[end:end + 300])))[:30]
    return f"…{before.lstrip()}{MASK}{after.rstrip()}…"


def assert_no_identifiers(text: str, what: str) -> None:
    """Raise :class:`IdentifierLeak` naming the kinds found and where the first one is (with
    every identifier masked), never the values themselves."""
    found = _values.find_identifiers(text)
    if found:
        kinds = sorted({LABELS[f.kind] for f in found})
        raise IdentifierLeak(
            f"{what}: refusing to write a report containing {len(found)} raw identifier(s) ({', '.join(kinds)}); "
            f"the first near {_where(text, found[0].start, found[0].end)!r}"
        )
