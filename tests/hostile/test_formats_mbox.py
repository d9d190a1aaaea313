"""Hostile mailboxes: one bad message never fails the mailbox; what cannot be read at all is a
reject that says where it is and which header failed, never with the message's body."""

from __future__ import annotations

import pytest

from tests.loaders.hostile_files import Estate

BODY = "Corps confidentiel: NIR 2840599123456 de Aïssa"


def message(n: int, frm: bytes = b"", subject: bytes = b"Candidature", extra: bytes = b"") -> bytes:
    frm = frm or f"Candidat {n} <candidat{n}@example.org>".encode()
    return (
        f"From 17810000000000000{n:02d}@xxx Wed Mar 06 10:15:32 +0000 2024\n".encode()
        + b"X-GM-THRID: 17810000000000000" + f"{n:02d}".encode() + b"\n"
        + b"Message-ID: <m" + str(n).encode() + b"@example.org>\n"
        + b"Date: Wed, 06 Mar 2024 11:15:32 +0100\n"
        + b"From: " + frm + b"\n"
        + b"To: recrutement@example.fr\n"
        + b"Subject: " + subject + b"\n" + extra
        + b"\n" + BODY.encode() + b"\n\n"
    )


@pytest.fixture
def estate(tmp_path):
    return Estate(tmp_path)


def test_undecodable_headers_never_fail_the_mailbox(estate):
    msgs = [message(n) for n in range(10)]
    msgs[3] = message(3, frm=b"Jos\x00\xff\xfe <jose.raw@example.org>")
    msgs[6] = message(6, frm=b"=?x-unknown-charset?q?Jos=E9?= <jose.charset@example.org>",
                      subject=b"=?x-unknown-charset?q?R=E9ponse?=")
    msgs[8] = message(8, subject=b"Nul \x00 et \xe9t\xe9 latin-1", extra=b"Cc: \xc3\xa9quipe <equipe@example.org>\n")
    estate.write({"Takeout/all.mbox": b"".join(msgs)})
    proc = estate.load(estate.source("gmail", "gmail_mbox", "Takeout/all.mbox"))
    assert proc.returncode == 0, proc.stderr
    line = b"".join(msgs[:3]).count(b"\n") + 1  # message 3's From line
    assert f"3 message(s) with header bytes that are not text in their charset (first at line {line})" in proc.stderr
    (row,) = estate.counts()
    assert row[2:5] == (31, 31, 0)  # 10 messages + 10 To + 1 Cc + 10 body parts read by the content scanner, nothing rejected
    got = dict(estate.query("SELECT _row, from_name || ' | ' || from_address || ' | ' || subject FROM raw.gmail"))
    assert got[4] == "Jos\ufffdÿþ | jose.raw@example.org | Candidature"
    assert got[7] == "José | jose.charset@example.org | Réponse"
    assert got[9] == "Candidat 8 | candidat8@example.org | Nul \ufffd et été latin-1"
    assert estate.query("SELECT name FROM raw.gmail__recipients WHERE kind = 'cc'") == [("équipe",)]
    estate.no_leak(["jose.raw@example.org", "jose.charset@example.org", "2840599123456", "candidat5@example.org"])


def test_a_message_that_cannot_be_read_is_a_reject_saying_where_never_its_body(estate):
    data = (
        b"Some notes pasted before the mailbox\n\n"
        + message(1)
        + b"From 1781000000000000099@xxx Wed Mar 06 10:15:32 +0000 2024\n"
        + b"this is no header line\n" + BODY.encode() + b"\n\n"
        + message(2)
    )
    estate.write({"Takeout/all.mbox": data})
    proc = estate.load(estate.source("gmail", "gmail_mbox", "Takeout/all.mbox"))
    assert proc.returncode == 0, proc.stderr
    (row,) = estate.counts()
    assert row[2:5] == (8, 6, 2)  # 4 messages (2 of them rejects) + 2 recipients + 2 body parts read
    rejects = estate.query("SELECT line, record, field, reason_code, reason, raw FROM load_rejects ORDER BY record")
    offset = data.index(b"From 1781000000000000099")
    line = data[:offset].count(b"\n") + 1
    assert [r[:4] for r in rejects] == [(1, 1, None, "not_a_record"), (line, 3, None, "not_a_record")]
    assert rejects[0][4] == "text before the first 'From ' line: not a message" and rejects[0][5] is None
    assert rejects[1][4] == f"message at byte {offset}: no header line, not a message"
    assert rejects[1][5] == "From 1781000000000000099@xxx Wed Mar 06 10:15:32 +0000 2024"
    for r in rejects:
        assert "Corps" not in (r[4] + (r[5] or "")) and "notes" not in (r[5] or "")
    assert estate.query("SELECT _row FROM raw.gmail ORDER BY _row") == [(2,), (4,)]
