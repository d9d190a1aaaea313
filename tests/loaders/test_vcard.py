"""Format ``vcard``: .vcf address books, vCard 3.0 / 4.0 (and tolerated 2.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.workspace import Workspace
from tests.conftest import dict_rows

VCF_REL = "Takeout/Contacts/All Contacts/All Contacts.vcf"
MANIFEST = """\
version: 1
name: test estate
organisation: {{name: INTER INTERIM, domains: [inter-interim.example.fr]}}
sources:
  - name: contacts
    format: vcard
    path: "{path}"
    activities: [client_contacts]
    hosting: {{provider: Google LLC, country: US}}
"""

# lines: numbered in comments, rejects point at BEGIN lines
CARDS = [
    # 1: Google Takeout style vCard 3.0, folded NOTE, grouped e-mails, escapes
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Zoé Lefèvre",
    "N:Lefèvre;Zoé;;;",
    "EMAIL;TYPE=INTERNET;TYPE=HOME:zoe.lefevre@example.com",
    "item1.EMAIL;TYPE=INTERNET:zoe@work.example.fr",
    "item1.X-ABLabel:Travail",
    "TEL;TYPE=CELL:+33 6 12 34 56 78",
    "ADR;TYPE=HOME:;;12 rue de la Paix;Paris;;75002;France",
    "ORG:Batiplus\\, SARL;Achats",
    "TITLE:Acheteuse",
    "BDAY:1985-04-15",
    "NOTE:Rencontrée au salon\\nà Lyon\\; rappeler en ",
    " mars.",
    "CATEGORIES:myContacts,starred",
    "REV:20240102T101500Z",
    "END:VCARD",
    # 18: vCard 4.0, only FN required, tel URI, quoted param
    "BEGIN:VCARD",
    "VERSION:4.0",
    "FN:Jérôme Dupré",
    'TEL;VALUE=uri;TYPE="work,voice":tel:+33-1-23-45-67-89',
    "EMAIL;PREF=1:jerome@client.example.fr",
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
    "REV:2023-05-12T09:14:26Z",
    "END:VCARD",
    # 26: vCard 3.0 without N: rejected
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Sans Nom",
    "EMAIL:sans.nom@example.com",
    "END:VCARD",
    # 31: no END:VCARD before the next BEGIN: rejected
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Coupé",
    "N:Coupé;;;;",
    # 35: vCard 2.1 quoted-printable with charset and soft line break
    "BEGIN:VCARD",
    "VERSION:2.1",
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Fran=C3=A7ois;L=C3=A9a;;;",
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:L=C3=A9a Fran=C3=A7ois, responsable=",
    " achats",
    "TEL;CELL;PREF:0612345678",
    "END:VCARD",
    # 42: vCard 4.0 with a bad REV date: rejected by the engine with its reason
    "BEGIN:VCARD",
    "VERSION:4.0",
    "FN:Date Fausse",
    "REV:last tuesday",
    "END:VCARD",
]


def _load(tmp_path: Path, text: str, crlf: bool = True):
    p = tmp_path / VCF_REL
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.replace("\n", "\r\n").encode("utf-8") if crlf else text.encode("utf-8"))
    man = tmp_path / "manifest.yaml"
    man.write_text(MANIFEST.format(path=VCF_REL), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    return ws, load_estate(ws, load_manifest(man))


@pytest.fixture
def loaded(tmp_path):
    ws, report = _load(tmp_path, "\n".join(CARDS) + "\n")
    yield ws, report
    ws.close()


def test_cards_loaded(loaded):
    ws, report = loaded
    assert report.failed == []
    rows = dict_rows(ws, "SELECT * FROM raw.contacts ORDER BY _row")
    assert [r["_row"] for r in rows] == [1, 2, 5]
    zoe, jerome, lea = rows
    assert zoe["fn"] == "Zoé Lefèvre"
    assert (zoe["family_name"], zoe["given_name"]) == ("Lefèvre", "Zoé")
    assert zoe["emails"] == "zoe.lefevre@example.com ::: zoe@work.example.fr"
    assert zoe["email"] == "zoe.lefevre@example.com"
    assert zoe["phone"] == "+33 6 12 34 56 78"
    assert zoe["addresses"] == "12 rue de la Paix, Paris, 75002, France"
    assert zoe["org"] == "Batiplus, SARL, Achats"
    assert zoe["title"] == "Acheteuse"
    assert zoe["birthday"] == "1985-04-15"
    assert zoe["note"] == "Rencontrée au salon\nà Lyon; rappeler en mars."
    assert zoe["categories"] == "myContacts ::: starred"
    assert str(zoe["rev"]) == "2024-01-02 10:15:00"
    assert zoe["version"] == "3.0" and zoe["_activity"] == "client_contacts"
    assert jerome["fn"] == "Jérôme Dupré" and jerome["family_name"] is None
    assert jerome["phone"] == "+33-1-23-45-67-89"
    assert jerome["email"] == "jerome@client.example.fr"
    assert jerome["uid"] == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert str(jerome["rev"]) == "2023-05-12 09:14:26"
    assert (lea["family_name"], lea["given_name"]) == ("François", "Léa")
    assert lea["fn"] == "Léa François, responsable achats"
    assert lea["phone"] == "0612345678" and lea["version"] == "2.1"


def test_rejects_point_at_begin_lines(loaded):
    ws, _ = loaded
    f = ws.con.execute("SELECT rows_read, rows_loaded, rows_rejected, status FROM load_files").fetchone()
    assert f == (6, 3, 3, "loaded")
    rejects = ws.con.execute("SELECT line, record, reason FROM load_rejects ORDER BY record").fetchall()
    assert [(line, rec) for line, rec, _ in rejects[:2]] == [(26, 3), (31, 4)]
    assert "without required N" in rejects[0][2]
    assert "END:VCARD" in rejects[1][2]
    assert rejects[2][1] == 6 and "rev" in rejects[2][2] and "last tuesday" in rejects[2][2]
    for line, _, _ in rejects[:2]:
        assert CARDS[line - 1] == "BEGIN:VCARD"


def test_unterminated_last_card_and_lf_endings(tmp_path):
    text = "BEGIN:VCARD\nVERSION:4.0\nFN:Un\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Deux\n"
    ws, report = _load(tmp_path, text, crlf=False)
    with ws:
        assert report.failed == []
        assert ws.con.execute("SELECT fn FROM raw.contacts").fetchall() == [("Un",)]
        assert ws.con.execute("SELECT line, reason FROM load_rejects").fetchall() == [
            (5, "card without END:VCARD (end of file)")
        ]


def test_missing_version_and_utf8_bom(tmp_path):
    text = "\ufeffBEGIN:VCARD\nFN:Sans version\nN:Version;Sans;;;\nEND:VCARD\n"
    ws, report = _load(tmp_path, text)
    with ws:
        assert ws.con.execute("SELECT line, reason FROM load_rejects").fetchall() == [(1, "card without VERSION")]
        assert ws.con.execute("SELECT rows_read, rows_rejected FROM load_files").fetchone() == (1, 1)


def test_empty_file(tmp_path):
    ws, report = _load(tmp_path, "")
    with ws:
        assert report.failed == []
        assert ws.con.execute("SELECT status, rows_read FROM load_files").fetchone() == ("empty", 0)
