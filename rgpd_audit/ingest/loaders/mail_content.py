"""What is written inside a message: its body parts and attachments, scanned, never kept.

``scan_message(msg, skip_emails)`` walks a parsed message: each body part (text/plain, and
text/html when no plain alternative exists) is decoded in its declared charset, each
attachment's text read by :mod:`rgpd_audit.ingest.content` (PDF, DOCX, ODT, plain text;
images "not scanned"), within a time budget per message. It returns one row per part
(what it was, whether it was scanned, why not) and one row per hit of the content scanner
(:func:`rgpd_audit.detect.scan.scan_text`): category, detector, masked evidence and offset
in the part's text. The text itself is dropped, unless ``keep_text`` (an encrypted
workspace only, checked by the caller).
"""

from __future__ import annotations

import time
from email.message import EmailMessage

from ...detect.scan import scan_text
from ..content import Extracted, extract, html_text

PART_COLUMNS = ["message_id", "part", "filename", "content_type", "kind", "status", "reason", "chars", "text"]
HIT_COLUMNS = ["message_id", "part", "category", "detector", "special", "evidence", "offset"]
MESSAGE_SECONDS = 60.0  # scanning time of one message; later parts are "not scanned"


def _body_part(part, ctype: str) -> Extracted:
    kind = "html" if ctype == "text/html" else "text"
    charset = part.get_content_charset()
    try:
        raw = part.get_payload(decode=True) or b""
    except Exception as exc:  # noqa: BLE001 - undecodable transfer encoding
        return Extracted(kind, "rejected", reason=f"undecodable transfer encoding ({type(exc).__name__})")
    if charset:
        try:
            text = raw.decode(charset)
        except LookupError:
            return Extracted(kind, "rejected", reason=f"unknown charset {charset[:40]!r}")
        except UnicodeDecodeError:
            return Extracted(kind, "rejected", reason=f"bytes not valid in the declared charset {charset[:40]!r}")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    if kind == "html":
        text = html_text(text)
    return Extracted(kind, "scanned", text)


def _leaves(msg: EmailMessage):
    """(number, part, is_attachment) of the parts to scan; an HTML alternative of a plain
    text part is left out (the same words twice)."""
    n = 0

    def walk(part, in_alternative_with_plain: bool):
        nonlocal n
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            subs = part.get_payload()
            plain = ctype == "multipart/alternative" and any(s.get_content_type() == "text/plain" for s in subs)
            for sub in subs:
                yield from walk(sub, plain)
            return
        n += 1
        attached = part.get_content_disposition() == "attachment" or bool(part.get_filename()) or ctype == "message/rfc822"
        if not attached and ctype == "text/html" and in_alternative_with_plain:
            return
        yield n, part, attached

    yield from walk(msg, False)


def message_texts(msg: EmailMessage):
    """(part label, file name, content type, :class:`Extracted`) of each part of a message, read
    within the message's time budget."""
    t0 = time.monotonic()
    for n, part, attached in _leaves(msg):
        ctype = part.get_content_type()
        filename = part.get_filename() if attached else None
        label = f"{n}:{'attachment' if attached else 'body'}"
        if time.monotonic() - t0 > MESSAGE_SECONDS:
            ex = Extracted("other", "not_scanned", reason=f"message scanning time over {MESSAGE_SECONDS:.0f} s")
        elif attached:
            if ctype == "message/rfc822":
                inner = part.get_payload()
                try:
                    data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
                except Exception:  # noqa: BLE001
                    data = b""
                ex = extract(data, filename or "message.eml", "text/plain")
            else:
                try:
                    data = part.get_payload(decode=True) or b""
                except Exception as exc:  # noqa: BLE001 - undecodable transfer encoding
                    ex = Extracted("other", "rejected", reason=f"undecodable transfer encoding ({type(exc).__name__})")
                else:
                    ex = extract(data, filename, ctype, part.get_content_charset())
        elif ctype in ("text/plain", "text/html"):
            ex = _body_part(part, ctype)
        else:
            ex = Extracted("other", "not_scanned", reason=f"body part of type {ctype}")
        yield label, filename, ctype, ex


def scan_message(msg: EmailMessage, mid: str | None, skip_emails, keep_text: bool = False):
    """(part rows, hit rows) of one message."""
    parts: list[list] = []
    hits: list[list] = []
    try:
        for label, filename, ctype, ex in message_texts(msg):
            reason = ex.reason if not ex.truncated else "text cut at the scanning budget"
            parts.append([mid, label, filename, ctype, ex.kind, ex.status, reason, str(len(ex.text)),
                          ex.text if keep_text and ex.text else None])
            for h in scan_text(ex.text, skip_emails=skip_emails):
                hits.append([mid, label, h.category, h.detector, "true" if h.special else "false", h.evidence, str(h.offset)])
    except Exception as exc:  # noqa: BLE001 - a structure the walk cannot follow: the rest of the message is one rejected part
        parts.append([mid, f"{len(parts) + 1}:rest", None, None, "other", "rejected",
                      f"message structure not readable ({type(exc).__name__})", "0", None])
    return parts, hits
