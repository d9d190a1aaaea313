"""The last line of defence: no raw identifier may leave in a report.

``find_identifiers(text)`` returns every e-mail address, phone number or French social
security number (NIR, checked with its key) found in a text; ``redact(text)`` masks them;
``assert_no_identifiers(text, what)`` raises :class:`IdentifierLeak` if any is found. The
patterns refuse to match inside longer words or numbers (base64 chart data, decimals).
"""

from __future__ import annotations

import re

from ..errors import RgpdAuditError

EMAIL_RE = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
PHONE_RES = (
    # French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033612345678
    re.compile(r"(?<![\w.,/+=-])(?:\+33[\s.-]?|0033[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\w])"),
    # any international number: +CC followed by 8 to 13 digits, separators allowed
    re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[\s.-]?\d){8,13}(?![\w])"),
)
NIR_RE = re.compile(
    r"(?<![\w.,/+=-])([12])[\s.]?(\d{2})[\s.]?(0[1-9]|1[0-2]|[2-9]\d)[\s.]?(\d{2}|2[AB])[\s.]?(\d{3})[\s.]?(\d{3})[\s.]?(\d{2})(?![\w])"
)
MASK = "[masqué]"


class IdentifierLeak(RgpdAuditError):
    """A report would contain a raw personal identifier."""


def _nir_valid(m: re.Match) -> bool:
    digits = "".join(m.groups()[:-1]).replace("2A", "19").replace("2B", "18")
    try:
        return 97 - int(digits) % 97 == int(m.group(7))
    except ValueError:
        return False


def find_identifiers(text: str) -> list[tuple[str, str]]:
    """Every (kind, excerpt) that looks like an e-mail, a phone number or a NIR."""
    found = [("e-mail", m.group(0)) for m in EMAIL_RE.finditer(text)]
    for rx in PHONE_RES:
        found += [("phone", m.group(0)) for m in rx.finditer(text)]
    found += [("NIR", m.group(0)) for m in NIR_RE.finditer(text) if _nir_valid(m)]
    return found


def redact(text):
    """Mask identifiers in a free text (details, record keys) before it reaches a report.

    Anything that is not a string (None, NaN, numbers) is returned unchanged."""
    if not isinstance(text, str):
        return text
    text = EMAIL_RE.sub(MASK, text)
    for rx in PHONE_RES:
        text = rx.sub(MASK, text)
    return NIR_RE.sub(lambda m: MASK if _nir_valid(m) else m.group(0), text)


def assert_no_identifiers(text: str, what: str) -> None:
    """Raise :class:`IdentifierLeak` naming the kinds found (never the values themselves)."""
    found = find_identifiers(text)
    if found:
        kinds = sorted({k for k, _ in found})
        raise IdentifierLeak(
            f"{what}: refusing to write a report containing {len(found)} raw identifier(s) ({', '.join(kinds)})"
        )
