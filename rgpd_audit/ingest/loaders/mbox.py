"""Gmail mailbox from Google Takeout (``All mail Including Spam and Trash.mbox``).

The file is streamed message by message (a ``From `` line starts each one); only metadata
is kept, never a body (data minimisation), and the hits of the content scanner in bodies and attachments: the headers that identify people, the Gmail
thread and labels, and for each attachment its name, type, size and SHA-256.

Entities: ``messages`` (the main table ``raw.<source>``), ``recipients`` (one row per
To / Cc / Bcc address), ``attachments``, ``contents`` (one row per body part or attachment:
scanned, not scanned — an image, a scan —, or rejected with its reason) and
``content_hits`` (what the content scanner found in them: category, detector, masked
evidence, offset; never the text: see ``mail_content.py``). A child row's ``_row`` is the record number of
its message, so ``(_file_id, _row)`` joins children to their message even without a
Message-ID.

One message never fails the mailbox. Header bytes that are not text in their declared charset
(raw 8-bit bytes, NUL, an unknown charset such as ``=?x-unknown-charset?q?Jos=E9?=``) are
decoded as UTF-8, else Windows-1252 (NUL and stray surrogates become U+FFFD), with a warning:
everything staged is valid UTF-8. A message is rejected only when it cannot be read at all:
``not_a_record`` (text before the first ``From `` line, a message without any header),
``unreadable_header`` (the header named in ``field``), ``unreadable_record`` (anything else);
the reject gives the line of its ``From `` line, its record number and its byte offset (in
the reason), and keeps the ``From `` line as its text, never the message's body.

Signature: a ``From `` line followed by a header line in the first 64 KB.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import re
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ...sql import quote_ident
from .base import Capability, FileResult, LoadContext, Loader, Part, Reject
from .mail_content import HIT_COLUMNS, PART_COLUMNS, message_texts, scan_message
from .registry import export_format
from .signature import describe, magic, refuse_unless_recognised, within

MESSAGE_COLUMNS = [
    "message_id", "thread_id", "labels", "date", "from_address", "from_name", "subject",
    "to", "cc", "bcc", "attachment_count", "size_bytes", "mbox_offset",
]
RECIPIENT_COLUMNS = ["message_id", "kind", "address", "name", "domain"]
ATTACHMENT_COLUMNS = ["message_id", "filename", "content_type", "size_bytes", "sha256"]
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
BATCH = 5000

_FROM_LINE = re.compile(rb"^From \S*\s.*\d{1,2}:\d{2}")
_FROM_STRICT = re.compile(
    rb"^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} "
    rb"+\d{1,2}:\d{2}(:\d{2})?( +[+-]\d{4})? +\d{4}\s*$"
)


def iter_mbox(path: Path):
    """Yield ``(line, offset, from_line, raw_bytes)`` for each message, streaming.

    A ``From `` line opens a message when it follows a blank line (or starts the file) and
    looks like an mbox separator, or when it has the exact ``From sender asctime`` shape.
    Body lines quoted as ``>From `` (mboxrd / mboxo) are unquoted one level.
    """
    cur: list[bytes] | None = None
    start_line = start_off = 0
    from_line = b""
    prev_blank = True
    offset = 0
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            here, offset = offset, offset + len(line)
            blank_before, prev_blank = prev_blank, not line.strip()
            if line.startswith(b"From ") and (
                (blank_before and _FROM_LINE.match(line)) or _FROM_STRICT.match(line) or cur is None
            ):
                if cur is not None:
                    yield start_line, start_off, from_line, _strip_separator(cur)
                cur, start_line, start_off, from_line = [], lineno, here, line.rstrip(b"\r\n")
            elif cur is not None:
                if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                    line = line[1:]
                cur.append(line)
            elif line.strip():
                # text before the first From line: keep it as a message of its own so it is counted
                cur, start_line, start_off, from_line = [line], lineno, here, b""
    if cur is not None:
        yield start_line, start_off, from_line, _strip_separator(cur)


def _strip_separator(lines: list[bytes]) -> bytes:
    """The blank line mbox writers add before the next ``From `` line is not part of the message."""
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    return b"".join(lines)


_BAD = re.compile("\x00+|[\ud800-\udfff]+")


def _fix_run(m: re.Match) -> str:
    run = m.group(0)
    if run[0] == "\x00":
        return "\ufffd" * len(run)
    # surrogateescape'd bytes (U+DC80–U+DCFF) back to bytes; any other lone surrogate is no text
    raw = bytes(ord(c) - 0xDC00 if 0xDC80 <= ord(c) <= 0xDCFF else 0x1A for c in run)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\x1a", "\ufffd")


def safe_text(value: str | None) -> tuple[str | None, bool]:
    """Text that encodes to UTF-8 (for pyarrow and DuckDB), and whether it had to be repaired:
    bytes the parser kept as surrogates are decoded as UTF-8, else Windows-1252; NUL and lone
    surrogates become U+FFFD."""
    if value is None or value.isascii() and "\x00" not in value:
        return value, False
    if not _BAD.search(value):
        return value, False
    return _BAD.sub(_fix_run, value), True


class _HeaderError(Exception):
    def __init__(self, name: str, exc: Exception):
        super().__init__(f"{type(exc).__name__}: {exc}")
        self.name, self.kind = name, type(exc).__name__


def _decode(value) -> str | None:
    """Header text with RFC 2047 words decoded (policy.default already does it; raw fallback)."""
    if value is None:
        return None
    s = str(value)
    if "=?" in s:
        try:
            s = str(make_header(decode_header(s)))
        except Exception:  # noqa: BLE001 - keep the raw text
            pass
    s = " ".join(s.split())
    return s or None


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header, tolerant of malformed values."""
    try:
        values = msg.get_all(name) or []
    except Exception:  # noqa: BLE001 - the header's model failed: its raw text
        values = _raw_values(msg, name)
    out: list[tuple[str, str]] = []
    for v in values:
        try:
            for a in v.addresses:
                addr = a.addr_spec if a.username or a.domain else ""
                out.append((a.display_name or "", addr))
            continue
        except Exception:  # noqa: BLE001 - malformed header: fall back to the lenient parser
            pass
        try:
            for disp, addr in email.utils.getaddresses([_decode(str(v)) or ""]):
                out.append((disp, addr))
        except Exception as exc:  # noqa: BLE001 - nothing of it can be read
            raise _HeaderError(name, exc) from None
    return [(_decode(d) or "", a.strip()) for d, a in out if a.strip() or d.strip()]


def _raw_values(msg: EmailMessage, name: str) -> list[str]:
    try:
        return [raw for k, raw in msg.raw_items() if k.lower() == name.lower()]
    except Exception as exc:  # noqa: BLE001
        raise _HeaderError(name, exc) from None


def _decode_words(raw: str) -> str:
    """RFC 2047 words decoded in their charset, else UTF-8, else Windows-1252 (an unknown or
    wrong charset loses no letter)."""
    out = []
    for data, charset in decode_header(raw):
        if isinstance(data, str):
            out.append(data)
            continue
        for cs in (charset, "utf-8", "cp1252"):
            try:
                out.append(data.decode(cs) if cs else data.decode("ascii"))
                break
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            out.append(data.decode("latin-1"))
    return "".join(out)


def _header(msg: EmailMessage, name: str) -> str | None:
    try:
        v = _decode(msg.get(name))
        if v is None or "\ufffd" not in v:
            return v
    except Exception:  # noqa: BLE001 - header the parser cannot model: use its raw text
        v = None
    raw = _raw_values(msg, name)
    if v is not None:  # a character the parser could not decode: the raw text, decoded more patiently
        try:
            again = _decode(_decode_words(raw[0]) if "=?" in raw[0] else safe_text(raw[0])[0]) if raw else None
        except Exception:  # noqa: BLE001
            again = None
        return again if again is not None and again.count("\ufffd") < v.count("\ufffd") else v
    raw = _raw_values(msg, name)
    try:
        return _decode(raw[0]) if raw else None
    except Exception as exc:  # noqa: BLE001
        raise _HeaderError(name, exc) from None


def _utc_text(d: dt.datetime) -> str:
    if d.tzinfo is not None:
        d = d.astimezone(dt.UTC).replace(tzinfo=None)
    return d.strftime(DATE_FORMAT)


def _from_line_date(from_line: bytes) -> dt.datetime | None:
    """Gmail's internal date, from ``From <id>@xxx Wed Mar 06 10:15:32 +0000 2024``."""
    parts = from_line.decode("ascii", "replace").split()
    for fmt, n in (("%a %b %d %H:%M:%S %z %Y", 6), ("%a %b %d %H:%M:%S %Y", 5)):
        if len(parts) >= 2 + n:
            try:
                return dt.datetime.strptime(" ".join(parts[2:2 + n]), fmt)
            except ValueError:
                continue
    return None


def _attachments(msg: EmailMessage) -> tuple[list[tuple[str | None, str, int, str]], int]:
    """(filename, content type, size, sha256) of every attachment, nested ones included, and
    the number of parts whose content could not be decoded (hashed as they are written)."""
    out = []
    raw_parts = 0

    def payload_bytes(part) -> bytes:
        nonlocal raw_parts
        try:
            return part.get_payload(decode=True) or b""
        except Exception:  # noqa: BLE001 - undecodable transfer encoding: the bytes as written
            raw_parts += 1
            p = part.get_payload()
            return p.encode("utf-8", "surrogateescape") if isinstance(p, str) else b""

    def walk(part):
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            try:
                data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
            except Exception:  # noqa: BLE001 - a nested message that cannot be written back
                data = payload_bytes(part)
            out.append((_decode(part.get_filename()), ctype, len(data), hashlib.sha256(data).hexdigest()))
            return
        if part.is_multipart():
            for sub in part.get_payload():
                walk(sub)
            return
        if part is msg:
            return
        filename = part.get_filename()
        if part.get_content_disposition() == "attachment" or filename:
            data = payload_bytes(part)
            out.append((_decode(filename), ctype, len(data), hashlib.sha256(data).hexdigest()))

    walk(msg)
    return out, raw_parts


class _Stager:
    """Rows written to one staging table in batches (memory stays bounded)."""

    def __init__(self, ctx: LoadContext, hint: str, columns: list[str]):
        self.ctx, self.hint, self.columns = ctx, hint, columns
        self.rows: list[list[str | None]] = []
        self.nums: list[int] = []
        self.table: str | None = None
        self.count = 0
        self.repaired = 0  # rows with a value that was not valid text

    def add(self, num: int, row: list[str | None]) -> None:
        """Add a row; returns nothing. Every value is made valid UTF-8 (``safe_text``)."""
        fixed = False
        for i, v in enumerate(row):
            if v is not None:
                row[i], f = safe_text(v)
                fixed |= f
        self.repaired += fixed
        self.rows.append(row)
        self.nums.append(num)
        self.count += 1
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> str:
        if self.table is None:
            self.table = self.ctx.stage_rows(self.hint, self.columns, self.rows, self.nums)
        elif self.rows:
            import pyarrow as pa  # imported on first use (see LoadContext.stage_rows)

            cols = {"_row": pa.array(self.nums, pa.int64())}
            for i, c in enumerate(self.columns):
                cols[c] = pa.array([r[i] for r in self.rows], pa.string())
            self.ctx.con.register("_arrow_batch", pa.table(cols))
            try:
                self.ctx.con.execute(f"INSERT INTO {quote_ident(self.table)} BY NAME SELECT * FROM _arrow_batch")
            finally:
                self.ctx.con.unregister("_arrow_batch")
        self.rows, self.nums = [], []
        return self.table


_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:")


def mbox_mismatch(head: bytes) -> str | None:
    """Why a file is not an mbox mailbox (None: a ``From `` line followed by a header line)."""
    if not head.strip():
        return None  # an empty mailbox
    what = magic(head)
    if what is not None:
        return f"it is {what}"
    lines = head.split(b"\n")
    prev_blank = True
    for i, line in enumerate(lines[:-1]):  # the last line may be cut
        line = line.rstrip(b"\r")
        if line.startswith(b"From ") and (i == 0 or (prev_blank and _FROM_LINE.match(line)) or _FROM_STRICT.match(line)):
            if _HEADER_LINE.match(lines[i + 1]):
                return None
        prev_blank = not line.strip()
    return f"no 'From ' line followed by a message header{within(head)} (it is {describe(head)})"


@export_format
class GmailMboxLoader(Loader):
    name = "gmail_mbox"
    # a message is a record created when sent, and a contact: both dated by its Date header
    date_roles = {"date": ("creation", "last_activity")}
    capabilities = (
        Capability("mail", {"message_id": "message_id", "date": "date", "sender": "from_address", "offset": "mbox_offset"},
                   optional=frozenset({"offset"})),
        # a child row's (_file_id, _row) is its message's
        Capability("mail_recipients", {"address": "address", "domain": "domain"}, entity="recipients"),
        Capability("mail_attachments", {"name": "filename"}, entity="attachments"),
        # what is written inside: one row per body part or attachment scanned, one per hit
        Capability("content_parts", {"status": "status", "kind": "kind", "part": "part"}, entity="contents"),
        # the parts' text, kept only with --keep-text (an encrypted workspace): DSAR reads it there
        Capability("content_texts", {"part": "part", "text": "text"}, entity="contents"),
        Capability("content_hits", {"part": "part", "category": "category", "detector": "detector",
                                    "evidence": "evidence", "offset": "offset", "special": "special"}, entity="content_hits"),
    )
    title = "Gmail mailbox from Google Takeout (.mbox): message metadata, recipients, attachments"
    kind = "an mbox mailbox"
    version = "1"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return mbox_mismatch(head)

    @classmethod
    def read_contents(cls, path: Path, offset: int | None) -> list[tuple[str, str]] | None:
        """The texts of the message whose ``From `` line is at ``offset``: read again, never stored."""
        if offset is None:
            return None
        with open(path, "rb") as fh:
            fh.seek(offset)
            lines = [fh.readline()]
            prev_blank = False
            for line in fh:
                if line.startswith(b"From ") and ((prev_blank and _FROM_LINE.match(line)) or _FROM_STRICT.match(line)):
                    break
                if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                    line = line[1:]
                lines.append(line)
                prev_blank = not line.strip()
        msg = BytesParser(policy=email.policy.default).parsebytes(_strip_separator(lines[1:]))
        return [(label, ex.text) for label, _f, _c, ex in message_texts(msg) if ex.text]

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        parser = BytesParser(policy=email.policy.default)
        messages = _Stager(ctx, "mbox_messages", MESSAGE_COLUMNS)
        recipients = _Stager(ctx, "mbox_recipients", RECIPIENT_COLUMNS)
        attachments = _Stager(ctx, "mbox_attachments", ATTACHMENT_COLUMNS)
        contents = _Stager(ctx, "mbox_contents", PART_COLUMNS)
        hits = _Stager(ctx, "mbox_content_hits", HIT_COLUMNS)
        keep_text = ctx.keep_text
        rejects: list[Reject] = []
        warnings: list[str] = []
        date_from_line = raw_parts = 0
        repaired: list[int] = []  # line of each message with header bytes that were not text
        num = 0
        for lineno, offset, from_line, raw in iter_mbox(path):
            num += 1
            head = safe_text(from_line.decode("utf-8", "surrogateescape")[:200])[0] or None
            where = f"message at byte {offset}"
            if not from_line:
                rejects.append(Reject("text before the first 'From ' line: not a message", line=lineno, record=num,
                                      code="not_a_record"))
                continue
            try:
                msg = parser.parsebytes(raw)
                if not msg.keys():
                    rejects.append(Reject(f"{where}: no header line, not a message", line=lineno, record=num, raw=head,
                                          code="not_a_record"))
                    continue
                row, recips, atts, used_from_line, undecoded = self._extract(msg, from_line, len(raw), offset)
                own = [row[4] or "", *(r[2] or "" for r in recips)]
                part_rows, hit_rows = scan_message(msg, row[0], own, keep_text)
            except _HeaderError as exc:  # the error's type only: its message may quote the header
                rejects.append(Reject(f"{where}: {exc.name} header unreadable ({exc.kind})", line=lineno, record=num,
                                      field=exc.name, raw=head, code="unreadable_header"))
                continue
            except Exception as exc:  # noqa: BLE001 - any message the stdlib cannot read is a reject
                rejects.append(Reject(f"{where}: unreadable message ({type(exc).__name__})", line=lineno,
                                      record=num, raw=head, code="unreadable_record"))
                continue
            date_from_line += used_from_line
            raw_parts += undecoded
            before = messages.repaired + recipients.repaired + attachments.repaired
            messages.add(num, row)
            for r in recips:
                recipients.add(num, r)
            for a in atts:
                attachments.add(num, a)
            for c in part_rows:
                contents.add(num, c)
            for h in hit_rows:
                hits.add(num, h)
            if messages.repaired + recipients.repaired + attachments.repaired > before:
                repaired.append(lineno)
        if date_from_line:
            warnings.append(
                f"{display}: {date_from_line} message(s) without a readable Date header: date taken from the mbox 'From ' line"
            )
        if repaired:
            warnings.append(
                f"{display}: {len(repaired)} message(s) with header bytes that are not text in their charset (first at line "
                f"{repaired[0]}): read as UTF-8 or Windows-1252, NUL as U+FFFD"
            )
        if raw_parts:
            warnings.append(f"{display}: {raw_parts} attachment(s) whose transfer encoding could not be decoded: size and sha256 "
                            "of their encoded text")
        if num == 0:
            warnings.append(f"{display}: empty mailbox, 0 messages")
        warnings += content_warnings(ctx, display, contents)
        main = Part(messages.flush(), messages.count + len(rejects), rejects=rejects, dates={"date": [DATE_FORMAT]})
        parts = [
            main,
            Part(recipients.flush(), recipients.count, entity="recipients"),
            Part(attachments.flush(), attachments.count, entity="attachments"),
            Part(contents.flush(), contents.count, entity="contents"),
            Part(hits.flush(), hits.count, entity="content_hits"),
        ]
        return [FileResult(parts, encoding="rfc5322", dialect={"format": "mbox"}, warnings=warnings,
                           status="loaded" if num else "empty")]

    @staticmethod
    def _extract(msg: EmailMessage, from_line: bytes, size: int, offset: int):
        mid = _header(msg, "Message-ID")
        senders = _addresses(msg, "From")
        from_name, from_addr = senders[0] if senders else (None, None)
        used_from_line = 0
        date_text = None
        raw_date = _header(msg, "Date")
        parsed = None
        if raw_date:
            try:
                parsed = email.utils.parsedate_to_datetime(raw_date)
            except (TypeError, ValueError, IndexError, OverflowError):
                parsed = None
        if parsed is None:
            parsed = _from_line_date(from_line)
            used_from_line = 1 if parsed is not None else 0
        if parsed is not None:
            date_text = _utc_text(parsed)  # naive = -0000 (unknown zone): taken as UTC
        elif raw_date:
            date_text = raw_date  # left as is: the engine rejects it with its reason
        recips = []
        shown = {}
        for kind in ("to", "cc", "bcc"):
            addrs = _addresses(msg, kind)
            shown[kind] = _header(msg, kind)
            for name, addr in addrs:
                addr_l = addr.lower() or None
                domain = addr_l.rsplit("@", 1)[1] if addr_l and "@" in addr_l else None
                recips.append([mid, kind, addr_l, name or None, domain])
        found, undecoded = _attachments(msg)
        atts = [[mid, f, ct, str(n), h] for f, ct, n, h in found]
        row = [
            mid, _header(msg, "X-GM-THRID"), _header(msg, "X-Gmail-Labels"), date_text,
            (from_addr or "").lower() or None, from_name or None, _header(msg, "Subject"),
            shown["to"], shown["cc"], shown["bcc"], str(len(atts)), str(size), str(offset),
        ]
        return row, recips, atts, used_from_line, undecoded


def content_warnings(ctx: LoadContext, display: str, contents: _Stager) -> list[str]:
    """How many parts were not scanned (images, scans, unread types) or rejected, by reason."""
    table = contents.flush()
    rows = ctx.con.execute(
        f"SELECT status, coalesce(reason, ''), count(*) FROM {quote_ident(table)} WHERE status <> 'scanned' "
        "GROUP BY ALL ORDER BY 3 DESC, 1, 2"
    ).fetchall()
    out = []
    for status, reason, n in rows:
        word = "rejected" if status == "rejected" else "not scanned"
        out.append(f"{display}: {n} message part(s) {word}: {reason}")
    return out
