"""vCard address books (``.vcf``): 3.0 (RFC 2426), 4.0 (RFC 6350), and tolerated 2.1.

Google Takeout's ``All Contacts.vcf`` and phone exports. Lines are unfolded (RFC 6350
§3.2), group prefixes (``item1.EMAIL``) and parameters understood, vCard 2.1
``QUOTED-PRINTABLE`` values (with soft line breaks and ``CHARSET``) decoded, and text
escapes (``\\,`` ``\\;`` ``\\n``) undone. One row per card; multiple values are joined with
`` ::: `` as in Google's CSV export.

A card without its required properties (3.0: N and FN; 4.0: FN; 2.1: N; every version:
VERSION) or without ``END:VCARD`` is rejected with the line of its ``BEGIN:VCARD``.
Signature: a ``BEGIN:VCARD`` line in the first 64 KB.
"""

from __future__ import annotations

import quopri
from pathlib import Path

from .base import FileResult, LoadContext, Loader, Part, Reject
from .registry import export_format
from .signature import describe, refuse_unless_recognised, text_of, within

COLUMNS = [
    "fn", "family_name", "given_name", "org", "title", "emails", "email", "phones", "phone",
    "addresses", "birthday", "note", "categories", "rev", "uid", "version",
]
MULTI = " ::: "
REV_FORMATS = [
    "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y%m%dT%H%M%S", "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d", "%Y%m%d",
]
REQUIRED = {"2.1": ("N",), "3.0": ("N", "FN"), "4.0": ("FN",)}
RAW_MAX = 2000


def _decode_line(b: bytes) -> tuple[str, bool]:
    """A physical line as text: UTF-8, else Windows-1252 (returns whether it fell back)."""
    try:
        return b.decode("utf-8"), False
    except UnicodeDecodeError:
        return b.decode("cp1252", errors="replace"), True


def logical_lines(path: Path):
    """Yield ``(line_number, text, fallback_used)`` of unfolded content lines, streaming."""
    cur: str | None = None
    cur_no = 0
    fallback = False
    with open(path, "rb") as fh:
        for no, b in enumerate(fh, 1):
            if no == 1 and b.startswith(b"\xef\xbb\xbf"):
                b = b[3:]
            b = b.rstrip(b"\r\n")
            if cur is not None and _qp_soft_break(cur) and b.strip().upper() not in (b"END:VCARD", b"BEGIN:VCARD"):
                # before folding: the line after a soft break is taken verbatim
                text, fb = _decode_line(b)
                cur = cur + "\n" + text  # kept for quopri: "=\n" is a soft line break
                fallback |= fb
                continue
            if cur is not None and b[:1] in (b" ", b"\t"):
                text, fb = _decode_line(b[1:])
                cur += text
                fallback |= fb
                continue
            if cur is not None:
                yield cur_no, cur, fallback
            cur, fb = _decode_line(b)
            cur_no, fallback = no, fb
    if cur is not None:
        yield cur_no, cur, fallback


def _qp_soft_break(line: str) -> bool:
    """vCard 2.1: a quoted-printable value ending with ``=`` continues on the next line."""
    if not line.endswith("="):
        return False
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def split_content_line(line: str) -> tuple[str | None, str, dict[str, list[str]], str]:
    """``[group.]NAME;param=a,b;BARE:value`` -> (group, NAME, params, value)."""
    in_quote = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_quote = not in_quote
        elif ch == ":" and not in_quote:
            head, value = line[:i], line[i + 1:]
            break
    else:
        raise ValueError("no ':' in content line")
    pieces = _split_unquoted(head, ";")
    name = pieces[0].strip()
    group = None
    if "." in name:
        group, name = name.rsplit(".", 1)
    params: dict[str, list[str]] = {}
    for p in pieces[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            vals = [x.strip().strip('"') for x in _split_unquoted(v, ",")]
            params.setdefault(k.strip().upper(), []).extend(vals)
        elif p.strip():  # vCard 2.1 bare parameter: TYPE value or ENCODING
            bare = p.strip().upper()
            key = "ENCODING" if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B") else "TYPE"
            params.setdefault(key, []).append(bare)
    return group, name.upper(), params, value


def _split_unquoted(s: str, sep: str) -> list[str]:
    out, cur, q = [], [], False
    for ch in s:
        if ch == '"':
            q = not q
        if ch == sep and not q:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def split_escaped(value: str, sep: str) -> list[str]:
    """Split on ``sep`` not preceded by a backslash, then undo the text escapes."""
    parts, cur, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            cur.append(value[i:i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [unescape(p) for p in parts]


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _decode_value(value: str, params: dict[str, list[str]]) -> str:
    enc = [e.upper() for e in params.get("ENCODING", [])]
    if "QUOTED-PRINTABLE" in enc:
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return raw.decode("cp1252", errors="replace")
    return value


class _Card:
    def __init__(self, line: int, record: int):
        self.line, self.record = line, record
        self.props: list[tuple[str, dict, str]] = []
        self.raw: list[str] = []

    def first(self, name: str) -> str | None:
        return next((v for n, _, v in self.props if n == name), None)

    def all(self, name: str) -> list[tuple[dict, str]]:
        return [(p, v) for n, p, v in self.props if n == name]


def _text(v: str | None) -> str | None:
    if v is None:
        return None
    v = v.strip()
    return v or None


def card_row(card: _Card) -> list[str | None]:
    def one(name):
        v = card.first(name)
        return _text(unescape(v)) if v is not None else None

    n = split_escaped(card.first("N") or "", ";")
    org = card.first("ORG")
    org_text = ", ".join(x.strip() for x in split_escaped(org, ";") if x.strip()) if org else None
    emails = [e for _, v in card.all("EMAIL") if (e := _text(unescape(v)))]
    phones = []
    for _, v in card.all("TEL"):
        t = _text(unescape(v))
        if t and t.lower().startswith("tel:"):
            t = t[4:]
        if t:
            phones.append(t)
    addresses = []
    for _, v in card.all("ADR"):
        comps = [c.strip() for c in split_escaped(v, ";")]
        text = ", ".join(c.replace("\n", ", ") for c in comps if c)
        if text:
            addresses.append(text)
    categories = [c.strip() for _, v in card.all("CATEGORIES") for c in split_escaped(v, ",") if c.strip()]
    return [
        one("FN"), _text(n[0]) if n else None, _text(n[1]) if len(n) > 1 else None, _text(org_text), one("TITLE"),
        MULTI.join(emails) or None, emails[0] if emails else None,
        MULTI.join(phones) or None, phones[0] if phones else None,
        MULTI.join(addresses) or None, one("BDAY"), one("NOTE"), MULTI.join(categories) or None,
        one("REV"), one("UID"), one("VERSION"),
    ]


def _problem(card: _Card) -> str | None:
    version = (card.first("VERSION") or "").strip()
    if not version:
        return "card without VERSION"
    required = REQUIRED.get(version, ("FN",))
    missing = [p for p in required if not (card.first(p) or "").strip(" ;")]
    if missing:
        return f"vCard {version} card without required {' and '.join(missing)}"
    return None


@export_format
class VcardLoader(Loader):
    name = "vcard"
    date_roles = {"rev": "record_change"}  # REV: when the card last changed, not a contact
    title = "vCard address book (.vcf, vCard 3.0 / 4.0, Google Takeout All Contacts.vcf)"
    kind = "a vCard address book"
    version = "1"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        text = text_of(head)
        if text is None:
            return f"it is {describe(head)}"
        if not text.strip() or any(ln.strip().upper() == "BEGIN:VCARD" for ln in text.splitlines()):
            return None
        return f"no BEGIN:VCARD line{within(head)} (it is {describe(head)})"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        rows: list[list[str | None]] = []
        nums: list[int] = []
        rejects: list[Reject] = []
        warnings: list[str] = []
        stray = bad_lines = 0
        fallback_any = False
        card: _Card | None = None
        record = 0

        def finish(c: _Card) -> None:
            problem = _problem(c)
            if problem:
                rejects.append(Reject(problem, line=c.line, record=c.record, raw="\n".join(c.raw)[:RAW_MAX]))
            else:
                rows.append(card_row(c))
                nums.append(c.record)

        for no, line, fb in logical_lines(path):
            fallback_any |= fb
            upper = line.strip().upper()
            if upper == "BEGIN:VCARD":
                if card is not None:
                    rejects.append(Reject("card without END:VCARD", line=card.line, record=card.record,
                                          raw="\n".join(card.raw)[:RAW_MAX]))
                record += 1
                card = _Card(no, record)
                card.raw.append(line)
                continue
            if card is None:
                if line.strip():
                    stray += 1
                continue
            card.raw.append(line)
            if upper == "END:VCARD":
                finish(card)
                card = None
                continue
            if not line.strip():
                continue
            try:
                _, name, params, value = split_content_line(line)
            except ValueError:
                bad_lines += 1
                continue
            card.props.append((name, params, _decode_value(value, params)))
        if card is not None:
            rejects.append(Reject("card without END:VCARD (end of file)", line=card.line, record=card.record,
                                  raw="\n".join(card.raw)[:RAW_MAX]))
        if stray:
            warnings.append(f"{display}: {stray} line(s) outside BEGIN:VCARD/END:VCARD ignored")
        if bad_lines:
            warnings.append(f"{display}: {bad_lines} line(s) inside cards without 'NAME:value' shape ignored")
        if record == 0:
            warnings.append(f"{display}: no vCard in the file")
        table = ctx.stage_rows("vcard", COLUMNS, rows, nums)
        part = Part(table, record, rejects=rejects, dates={"rev": REV_FORMATS})
        return [FileResult([part], encoding="utf-8" if not fallback_any else "utf-8+cp1252", dialect={"format": "vcard"},
                           warnings=warnings, status="loaded" if record else "empty")]
