"""Formats ``dropbox_members``, ``dropbox_activity``, ``dropbox_sharing``: team admin reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.workspace import Workspace
from tests.conftest import dict_rows

MEMBERS = (
    "First name,Last name,Email address,Role,Status,Usage,Space limit,Join date,Invite date,Groups,Two-step verification\r\n"
    "Zoé,Lefèvre,Zoe.Lefevre@Inter-Interim.example.fr,Team admin,Active,12.5 GB,Team,2016-05-02,2016-04-30,"
    "\"Tout le monde; Direction\",On\r\n"
    "Marc,Durand,marc.durand@inter-interim.example.fr,Member,Suspended,0.4 GB,Team,03/02/2021,01/02/2021,Recrutement,Off\r\n"
    "Paul,Martin,paul@inter-interim.example.fr,Member,Active,1.0 GB,Team,31/31/2021,,Achats,Off\r\n"
    "Trop,De,champs@example.com,Member,Active,1 GB,Team,2020-01-01,2020-01-01,X,Off,extra\r\n"
)
ACTIVITY = (
    "timestamp,member,member_email,event_type,category,access_method,ip_address,country,city,"
    "involve_non_team_members,participants,context,assets,other_info\r\n"
    "2026-11-20T08:15:00Z,Zoé Lefèvre,zoe@inter-interim.example.fr,file_download,files,Web,192.0.2.1,FR,Paris,False,,"
    "Team member,/Recrutement/CV/2024/CV_A.pdf,{}\r\n"
    "2026-11-19T10:00:00+02:00,Marc Durand,marc@inter-interim.example.fr,shared_content_add,sharing,Web,192.0.2.2,FR,"
    "Lyon,True,contact@interim-plus.example.com,Team member,/Recrutement/CV/2024/CV_B.pdf,\"{\"\"access_level\"\": \"\"Can view\"\"}\"\r\n"
    "2026-11-18 07:00:00,Paul Martin,paul@inter-interim.example.fr,login_success,logins,Desktop client,198.51.100.3,FR,"
    "Créteil,False,,Team member,,{}\r\n"
)
SHARING = (
    "Item type,Size,Path,Access level,Password/expiry,Shared by,Shared on,Shared with,Viewed/edited\r\n"
    "File,120 KB,/Recrutement/CV/2024/CV_B.pdf,Can view,,marc@inter-interim.example.fr,2024-06-03,"
    "contact@Interim-Plus.example.com,Viewed\r\n"
    "File,300 KB,/Recrutement/CV/2024/CV_C.pdf,Can view,,marc@inter-interim.example.fr,2024-06-04,"
    "contact@interim-plus.example.com; sourcing@talents-co.example.com,Not viewed\r\n"
    "Folder,14.2 MB,/Recrutement/Vivier,Can view,Expires 2025-06-30,zoe@inter-interim.example.fr,12/03/2025,"
    "Équipe RH,Viewed\r\n"
)


def _manifest(sources: list[tuple[str, str, str]]) -> str:
    out = [
        "version: 1",
        "name: test estate",
        "organisation: {name: INTER INTERIM, domains: [inter-interim.example.fr]}",
        "sources:",
    ]
    for name, fmt, path in sources:
        out += [
            f"  - name: {name}",
            f"    format: {fmt}",
            f"    path: \"{path}\"",
            "    activities: [candidates]",
            "    use: access",
            "    hosting: {provider: Dropbox, country: US}",
        ]
    return "\n".join(out) + "\n"


def _load(tmp_path: Path, files: dict[str, bytes | str], sources: list[tuple[str, str, str]]):
    for rel, content in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    man = tmp_path / "manifest.yaml"
    man.write_text(_manifest(sources), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    return ws, load_estate(ws, load_manifest(man))


@pytest.fixture
def estate(tmp_path):
    ws, report = _load(
        tmp_path,
        {"dropbox/membres.csv": MEMBERS, "dropbox/activite.csv": ACTIVITY, "dropbox/partages-externes.csv": SHARING},
        [
            ("dbx_members", "dropbox_members", "dropbox/membres.csv"),
            ("dbx_activity", "dropbox_activity", "dropbox/activite.csv"),
            ("dbx_sharing", "dropbox_sharing", "dropbox/partages-externes.csv"),
        ],
    )
    yield ws, report
    ws.close()


def test_members(estate):
    ws, report = estate
    assert report.failed == []
    rows = dict_rows(ws, "SELECT * FROM raw.dbx_members ORDER BY _row")
    assert list(rows[0])[:3] == ["_file_id", "_row", "_activity"]
    assert [c for c in rows[0] if not c.startswith("_")] == [
        "first_name", "last_name", "email", "role", "status", "usage", "space_limit", "join_date", "invite_date",
        "groups", "two_step_verification", "email_domain",
    ]
    zoe, marc = rows
    assert zoe["email"] == "Zoe.Lefevre@Inter-Interim.example.fr" and zoe["email_domain"] == "inter-interim.example.fr"
    assert zoe["join_date"] == dt.datetime(2016, 5, 2) and zoe["groups"] == "Tout le monde; Direction"
    assert marc["join_date"] == dt.datetime(2021, 2, 3)  # French dd/mm/yyyy
    f = ws.con.execute("SELECT rows_read, rows_loaded, rows_rejected FROM load_files WHERE source = 'dbx_members'").fetchone()
    assert f == (4, 2, 2)
    rejects = ws.con.execute("SELECT line, record, field, reason FROM load_rejects WHERE source = 'dbx_members' ORDER BY coalesce(line, 0)").fetchall()
    assert rejects[0][1] == 3 and rejects[0][2] == "join_date" and "31/31/2021" in rejects[0][3]
    assert rejects[1][0] == 5 and "too many" in rejects[1][3]


def test_activity(estate):
    ws, _ = estate
    rows = dict_rows(ws, "SELECT * FROM raw.dbx_activity ORDER BY _row")
    assert [r["timestamp"] for r in rows] == [
        dt.datetime(2026, 11, 20, 8, 15),
        dt.datetime(2026, 11, 19, 8, 0),  # +02:00 brought to UTC
        dt.datetime(2026, 11, 18, 7, 0),
    ]
    assert rows[1]["event_type"] == "shared_content_add" and rows[1]["member_email_domain"] == "inter-interim.example.fr"
    assert rows[1]["other_info"] == '{"access_level": "Can view"}'
    assert ws.con.execute("SELECT count(*) FROM load_rejects WHERE source = 'dbx_activity'").fetchone()[0] == 0


def test_sharing(estate):
    ws, _ = estate
    rows = dict_rows(ws, "SELECT path, shared_with, shared_with_domain, shared_on, password_expiry, viewed_edited FROM raw.dbx_sharing ORDER BY _row")
    assert [r["shared_with_domain"] for r in rows] == [
        "interim-plus.example.com",
        "interim-plus.example.com; talents-co.example.com",
        None,
    ]
    assert rows[2]["shared_on"] == dt.datetime(2025, 3, 12) and rows[2]["password_expiry"] == "Expires 2025-06-30"
    assert rows[0]["viewed_edited"] == "Viewed"


def test_header_variants(tmp_path):
    members = "\ufeffPrénom;Nom;E-mail;Rôle;Statut;Joined;Invited\r\nLéa;Roux;lea@ext.example.com;Member;Active;2023-01-05;\r\n"
    sharing = "Type,Item path,Access,Shared by,When,With whom\r\nFile,/a.pdf,Can edit,x@y.fr,2024-01-02 10:00:00,<Bob@Partner.example.org>\r\n"
    activity = "Timestamp,Member,Member email,Event type\r\n2024-01-02T03:04:05.250Z,Léa,lea@ext.example.com,login_success\r\n"
    ws, report = _load(
        tmp_path,
        {"m.csv": members.encode("utf-8"), "s.csv": sharing, "a.csv": activity},
        [("m", "dropbox_members", "m.csv"), ("s", "dropbox_sharing", "s.csv"), ("a", "dropbox_activity", "a.csv")],
    )
    with ws:
        assert report.failed == []
        assert ws.con.execute("SELECT first_name, last_name, email, role, status, join_date, invite_date FROM raw.m").fetchall() == [
            ("Léa", "Roux", "lea@ext.example.com", "Member", "Active", dt.datetime(2023, 1, 5), None)
        ]
        assert ws.con.execute("SELECT item_type, path, access_level, shared_on, shared_with_domain FROM raw.s").fetchall() == [
            ("File", "/a.pdf", "Can edit", dt.datetime(2024, 1, 2, 10), "partner.example.org")
        ]
        assert ws.con.execute("SELECT timestamp, member_email, event_type FROM raw.a").fetchall() == [
            (dt.datetime(2024, 1, 2, 3, 4, 5, 250000), "lea@ext.example.com", "login_success")
        ]


@pytest.mark.parametrize(
    "fmt, header, missing",
    [
        ("dropbox_members", "First name,Last name,Role\r\nA,B,Member\r\n", "email"),
        ("dropbox_activity", "timestamp,member,category\r\n2024-01-01T00:00:00Z,A,files\r\n", "event_type"),
        ("dropbox_sharing", "Item type,Path,Shared by\r\nFile,/a,x@y.fr\r\n", "shared_with"),
    ],
)
def test_essential_column_missing_refuses_file(tmp_path, fmt, header, missing):
    ws, report = _load(tmp_path, {"r.csv": header}, [("r", fmt, "r.csv")])
    with ws:
        assert [s.name for s in report.failed] == ["r"]
        err = report.failed[0].error
        assert "r.csv" in err and missing in err
        assert ws.tables("raw") == []


def test_header_only_and_empty(tmp_path):
    ws, report = _load(
        tmp_path,
        {"h.csv": "Path,Shared with\r\n", "e.csv": ""},
        [("h", "dropbox_sharing", "h.csv"), ("e", "dropbox_members", "e.csv")],
    )
    with ws:
        assert report.failed == []
        assert ws.con.execute("SELECT source, status, rows_read FROM load_files ORDER BY source").fetchall() == [
            ("e", "empty", 0), ("h", "empty", 0)
        ]
