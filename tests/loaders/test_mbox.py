"""Format ``gmail_mbox``: Google Takeout mailbox, metadata only."""

from __future__ import annotations

import hashlib
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.workspace import Workspace

MBOX_REL = "Takeout/Mail/All mail Including Spam and Trash.mbox"
CV = b"%PDF-1.4\nCV Zoe Lefevre - zoe@example.com\n%%EOF\n"
MANIFEST = """\
version: 1
name: test estate
organisation: {{name: INTER INTERIM, domains: [inter-interim.example.fr]}}
sources:
  - name: gmail
    format: gmail_mbox
    path: "{path}"
    activities: [candidates]
    hosting: {{provider: Google LLC, country: US}}
"""


def _msg(thrid, labels, frm, to, subject, date, *, cc=None, mid, attach=None, body="Bonjour,\n"):
    m = EmailMessage()
    m["X-GM-THRID"] = thrid
    m["X-Gmail-Labels"] = labels
    m["Date"] = date
    m["Message-ID"] = mid
    m["Subject"] = subject
    m["From"] = frm
    m["To"] = to
    if cc:
        m["Cc"] = cc
    m.set_content(body)
    if attach:
        m.add_attachment(attach[1], maintype="application", subtype="pdf", filename=attach[0])
    return m


def _from_line(thrid: str, when: str) -> str:
    return f"{thrid}@xxx {when}"


def write_mbox(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.mbox(str(path), create=True)
    msgs = [
        (_msg("1781000000000000001", "Candidatures,Inbox,Opened", "Zoé Lefèvre <Zoe.Lefevre@Example.com>",
              "Recrutement <recrutement@inter-interim.example.fr>", "Candidature cariste - Zoé Lefèvre",
              "Wed, 06 Mar 2024 11:15:32 +0100", mid="<a1@mail.gmail.com>", attach=("CV_Zoé_Lefèvre.pdf", CV),
              body="Bonjour,\nFrom my side, here is my CV.\n"),
         "Wed Mar 06 10:15:32 +0000 2024"),
        (_msg("1781000000000000001", "Candidatures,Sent", "Recrutement <recrutement@inter-interim.example.fr>",
              "contact@interim-plus.example.com, \"Léa B.\" <lea@partner.example.org>", "TR: Candidature cariste",
              "Fri, 08 Mar 2024 09:00:00 +0100", cc="Boss <BOSS@inter-interim.example.fr>",
              mid="<a2@mail.gmail.com>", attach=("CV_Zoé_Lefèvre.pdf", CV)),
         "Fri Mar 08 08:00:00 +0000 2024"),
    ]
    for m, when in msgs:
        mm = mailbox.mboxMessage(m)
        mm.set_from(_from_line(m["X-GM-THRID"], when))
        box.add(mm)
    box.flush()
    box.close()
    with open(path, "ab") as fh:
        # a message with RFC 2047 headers written by hand, without a Date header
        fh.write(
            b"\nFrom 1781000000000000002@xxx Sat Mar 09 12:00:00 +0000 2024\n"
            b"X-GM-THRID: 1781000000000000002\n"
            b"X-Gmail-Labels: =?UTF-8?Q?Cl=C3=A9ients?=,Inbox\n"
            b"Message-ID: <a3@mail.example.com>\n"
            b"From: =?UTF-8?Q?J=C3=A9r=C3=B4me_Dupr=C3=A9?= <jerome@client.example.fr>\n"
            b"To: recrutement@inter-interim.example.fr\n"
            b"Bcc: hidden@example.net\n"
            b"Subject: =?ISO-8859-1?Q?Besoin_int=E9rimaires?=\n"
            b"\n"
            b"Corps du message.\n"
            # a broken message: no header at all
            b"\nFrom 1781000000000000003@xxx Sun Mar 10 12:00:00 +0000 2024\n"
            b"this is not a header line\n"
            b"nor is this one\n"
        )


def _load(tmp_path: Path):
    write_mbox(tmp_path / MBOX_REL)
    man = tmp_path / "manifest.yaml"
    man.write_text(MANIFEST.format(path=MBOX_REL), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    report = load_estate(ws, load_manifest(man))
    return ws, report


@pytest.fixture
def loaded(tmp_path):
    ws, report = _load(tmp_path)
    yield ws, report
    ws.close()


def test_messages_table(loaded):
    ws, report = loaded
    assert report.failed == []
    assert ws.tables("raw") == ["gmail", "gmail__attachments", "gmail__content_hits", "gmail__contents", "gmail__recipients"]
    rows = ws.con.execute(
        "SELECT _row, message_id, thread_id, labels, date, from_address, from_name, subject, attachment_count, _activity "
        "FROM raw.gmail ORDER BY _row"
    ).fetchall()
    assert [r[0] for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first[1] == "<a1@mail.gmail.com>"
    assert first[2] == "1781000000000000001"
    assert first[3] == "Candidatures,Inbox,Opened"
    assert str(first[4]) == "2024-03-06 10:15:32"  # UTC, typed as a timestamp
    assert first[5:8] == ("zoe.lefevre@example.com", "Zoé Lefèvre", "Candidature cariste - Zoé Lefèvre")
    assert first[8] == "1" and first[9] == "candidates"
    third = rows[2]
    assert third[3] == "Cléients,Inbox"
    assert third[5:8] == ("jerome@client.example.fr", "Jérôme Dupré", "Besoin intérimaires")
    assert str(third[4]) == "2024-03-09 12:00:00"  # no Date header: the From line's date


def test_no_body_is_stored(loaded):
    ws, _ = loaded
    cols = [r[0] for r in ws.con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'gmail'").fetchall()]
    assert not any("body" in c for c in cols)
    dump = str(ws.con.execute("SELECT * FROM raw.gmail").fetchall()) + str(ws.con.execute("SELECT * FROM raw.gmail__attachments").fetchall())
    assert "From my side" not in dump and "CV Zoe Lefevre" not in dump


def test_recipients(loaded):
    ws, _ = loaded
    rows = ws.con.execute("SELECT _row, message_id, kind, address, name, domain FROM raw.gmail__recipients ORDER BY _row, kind, address").fetchall()
    assert rows == [
        (1, "<a1@mail.gmail.com>", "to", "recrutement@inter-interim.example.fr", "Recrutement", "inter-interim.example.fr"),
        (2, "<a2@mail.gmail.com>", "cc", "boss@inter-interim.example.fr", "Boss", "inter-interim.example.fr"),
        (2, "<a2@mail.gmail.com>", "to", "contact@interim-plus.example.com", None, "interim-plus.example.com"),
        (2, "<a2@mail.gmail.com>", "to", "lea@partner.example.org", "Léa B.", "partner.example.org"),
        (3, "<a3@mail.example.com>", "bcc", "hidden@example.net", None, "example.net"),
        (3, "<a3@mail.example.com>", "to", "recrutement@inter-interim.example.fr", None, "inter-interim.example.fr"),
    ]


def test_attachments_hash_not_content(loaded):
    ws, _ = loaded
    rows = ws.con.execute("SELECT _row, message_id, filename, content_type, size_bytes, sha256 FROM raw.gmail__attachments ORDER BY _row").fetchall()
    digest = hashlib.sha256(CV).hexdigest()
    assert rows == [
        (1, "<a1@mail.gmail.com>", "CV_Zoé_Lefèvre.pdf", "application/pdf", str(len(CV)), digest),
        (2, "<a2@mail.gmail.com>", "CV_Zoé_Lefèvre.pdf", "application/pdf", str(len(CV)), digest),
    ]


def test_rejects_and_counts(loaded):
    ws, report = loaded
    f = ws.con.execute("SELECT rows_read, rows_loaded, rows_rejected, status, loader, warnings FROM load_files").fetchall()
    assert len(f) == 1
    read, ok, rej, status, loader, warnings = f[0]
    # 4 messages + 6 recipients + 2 attachments + 5 parts read by the content scanner (3 bodies,
    # 2 attachments: not PDFs, rejected with their reason), no hit
    assert (read, ok, rej, status, loader) == (17, 16, 1, "loaded", "gmail_mbox")
    assert any("From ' line" in w for w in warnings)
    rejects = ws.con.execute("SELECT line, record, reason, reason_code, raw FROM load_rejects").fetchall()
    assert len(rejects) == 1
    line, record, reason, code, raw = rejects[0]
    data = (ws.path.parent / MBOX_REL).read_bytes()
    lines = data.split(b"\n")
    assert lines[line - 1].startswith(b"From 1781000000000000003@xxx")
    offset = int(reason.split("message at byte ", 1)[1].split(":")[0])
    assert data[offset:].startswith(b"From 1781000000000000003@xxx")
    assert record == 4 and code == "not_a_record" and "no header line" in reason
    # its text is the From line, never the message
    assert raw.startswith("From 1781000000000000003@xxx") and "not a header" not in raw


def test_offsets_point_at_from_lines(loaded, tmp_path):
    ws, _ = loaded
    data = (tmp_path / MBOX_REL).read_bytes()
    for (off,) in ws.con.execute("SELECT mbox_offset FROM raw.gmail").fetchall():
        assert data[int(off):int(off) + 5] == b"From "


def test_unparseable_date_is_rejected_with_reason(tmp_path):
    p = tmp_path / MBOX_REL
    p.parent.mkdir(parents=True)
    p.write_bytes(
        b"From nobody\n"  # no date on the From line either
        b"Message-ID: <x@y>\nDate: the day after tomorrow\nFrom: a@b.example\nSubject: hi\n\nbody\n"
    )
    man = tmp_path / "manifest.yaml"
    man.write_text(MANIFEST.format(path=MBOX_REL), encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(man))
        assert report.failed == []
        assert ws.con.execute("SELECT count(*) FROM raw.gmail").fetchone()[0] == 0
        reason = ws.con.execute("SELECT reason FROM load_rejects").fetchone()[0]
        assert "date" in reason and "the day after tomorrow" in reason


def test_empty_mailbox(tmp_path):
    p = tmp_path / MBOX_REL
    p.parent.mkdir(parents=True)
    p.write_bytes(b"")
    man = tmp_path / "manifest.yaml"
    man.write_text(MANIFEST.format(path=MBOX_REL), encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(man))
        assert report.failed == []
        assert ws.con.execute("SELECT status, rows_read FROM load_files").fetchone() == ("empty", 0)


def test_header_or_message_that_cannot_be_read_at_all_is_a_reject_naming_it(tmp_path, monkeypatch):
    from rgpd_audit.ingest.loaders import mbox

    real_addresses, real_attachments = mbox._addresses, mbox._attachments

    def addresses(msg, name):
        if name == "From" and "header" in (msg.get("Subject") or ""):
            raise mbox._HeaderError("From", ValueError("cannot parse"))
        return real_addresses(msg, name)

    def attachments(msg):
        if "record" in (msg.get("Subject") or ""):
            raise RuntimeError("walk failed")
        return real_attachments(msg)

    monkeypatch.setattr(mbox, "_addresses", addresses)
    monkeypatch.setattr(mbox, "_attachments", attachments)
    p = tmp_path / MBOX_REL
    p.parent.mkdir(parents=True)
    msgs = [(f"From {i}@xxx Wed Mar 06 10:15:32 +0000 2024\nMessage-ID: <{i}@x>\nFrom: a@b.example\nSubject: {s}\n\n"
             f"Secret body {i}\n\n").encode() for i, s in enumerate(["ok", "bad header", "bad record", "ok"])]
    p.write_bytes(b"".join(msgs))
    man = tmp_path / "manifest.yaml"
    man.write_text(MANIFEST.format(path=MBOX_REL), encoding="utf-8")
    with Workspace(tmp_path / "ws") as ws:
        report = load_estate(ws, load_manifest(man))
        assert report.failed == []
        assert ws.con.execute("SELECT _row FROM raw.gmail ORDER BY 1").fetchall() == [(1,), (4,)]
        rejects = ws.con.execute("SELECT line, record, field, reason_code, reason, raw FROM load_rejects ORDER BY record").fetchall()
        offsets = [sum(len(m) for m in msgs[:i]) for i in (1, 2)]
        lines = [b"".join(msgs[:i]).count(b"\n") + 1 for i in (1, 2)]
        assert [r[:4] for r in rejects] == [(lines[0], 2, "From", "unreadable_header"), (lines[1], 3, None, "unreadable_record")]
        assert rejects[0][4] == f"message at byte {offsets[0]}: From header unreadable (ValueError)"
        assert rejects[1][4] == f"message at byte {offsets[1]}: unreadable message (RuntimeError)"
        assert [r[5] for r in rejects] == ["From 1@xxx Wed Mar 06 10:15:32 +0000 2024", "From 2@xxx Wed Mar 06 10:15:32 +0000 2024"]
        assert "Secret" not in str(rejects)


def test_safe_text_gives_valid_utf8():
    from rgpd_audit.ingest.loaders.mbox import safe_text

    raw = b"Jos\xc3\xa9 \xe9t\xe9 \x00".decode("ascii", "surrogateescape")
    text, fixed = safe_text(raw)
    assert fixed and text == "José été \ufffd"
    text.encode("utf-8")
    assert safe_text("plain") == ("plain", False) and safe_text("Zoé") == ("Zoé", False)
    assert safe_text("lone \ud800 surrogate")[0] == "lone \ufffd surrogate"
