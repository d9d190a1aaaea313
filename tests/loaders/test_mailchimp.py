"""Mailchimp audience exports: the zip of per-status files, legacy layout, hostile entries."""

from __future__ import annotations

import io
import zipfile

SRC = """
- name: news
  format: mailchimp
  path: "{path}"
  activities: [newsletters]
  hosting: {{provider: Intuit Mailchimp, country: US}}
"""

SUB_HEAD = (
    "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
    "CONFIRM_TIME,CONFIRM_IP,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
)
UNSUB_HEAD = (
    "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
    "CONFIRM_TIME,CONFIRM_IP,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,"
    "UNSUB_REASON,UNSUB_REASON_OTHER,LEID,EUID,NOTES\n"
)
CLEAN_HEAD = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,GMTOFF,DSTOFF,"
    "TIMEZONE,CC,REGION,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID,NOTES\n"
)
LEGACY_HEAD = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,"
    "GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES\n"
)


def src(path="audience.zip"):
    return SRC.format(path=path)


def make_zip(entries: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)  # writestr keeps the name verbatim, even '../x' or '/x'
    return buf.getvalue()


def sub_row(email, optin="2021-03-04 10:11:12", changed="2023-05-06 07:08:09", notes="", tags=""):
    return (
        f'{email},Marie,Durand,"12 rue de la Paix, 75002 Paris",+33 6 12 34 56 78,04/12,2,{optin},,'
        f"{optin},192.0.2.1,1,0,Europe/Paris,FR,IDF,{changed},123,abc,{notes},{tags}\n"
    )


def unsub_row(email, when="2024-01-02 03:04:05"):
    return (
        f"{email},Luc,Petit,,,,1,2020-01-01 00:00:00,,2020-01-01 00:01:00,192.0.2.2,1,0,Europe/Paris,FR,IDF,"
        f"{when},Promo janvier,c1,NORMAL,,124,abd,\n"
    )


def files(ws):
    return ws.con.execute(
        "SELECT entry, status, encoding, rows_read, rows_loaded, rows_rejected, warnings FROM load_files "
        "WHERE source = 'news' ORDER BY entry"
    ).fetchall()


def test_zip_three_statuses_union_and_typed_dates(load_tiny):
    z = make_zip(
        {
            "subscribed_email_audience_export_1a2b3c.csv": SUB_HEAD
            + sub_row("marie@example.fr", tags='"""VIP"",""Salon 2023"""')
            + sub_row("paul@example.fr", notes='"Appelé le 3/5,\nrappeler"'),
            "unsubscribed_email_audience_export_1a2b3c.csv": UNSUB_HEAD + unsub_row("luc@example.fr"),
            "cleaned_email_audience_export_1a2b3c.csv": CLEAN_HEAD
            + "bad@example.fr,,,1,2019-01-01 00:00:00,,,,1,0,,FR,,2022-02-02 02:02:02,Relance,c9,125,abe,\n",
        }
    )
    ws, report = load_tiny(src(), {"audience.zip": z})
    assert not report.failed
    rows = ws.con.execute(
        'SELECT "Email Address", status, OPTIN_TIME::VARCHAR, LAST_CHANGED::VARCHAR, UNSUB_TIME::VARCHAR, CLEAN_TIME::VARCHAR, '
        'TAGS, NOTES, _activity FROM raw.news ORDER BY "Email Address"'
    ).fetchall()
    assert rows == [
        ("bad@example.fr", "cleaned", "2019-01-01 00:00:00", None, None, "2022-02-02 02:02:02", None, None, "newsletters"),
        ("luc@example.fr", "unsubscribed", "2020-01-01 00:00:00", None, "2024-01-02 03:04:05", None, None, None, "newsletters"),
        ("marie@example.fr", "subscribed", "2021-03-04 10:11:12", "2023-05-06 07:08:09", None, None, '"VIP","Salon 2023"', None, "newsletters"),
        ("paul@example.fr", "subscribed", "2021-03-04 10:11:12", "2023-05-06 07:08:09", None, None, None, "Appelé le 3/5,\nrappeler", "newsletters"),
    ]
    f = files(ws)
    assert [(e, s, enc, r, n, j) for e, s, enc, r, n, j, _ in f] == [
        ("cleaned_email_audience_export_1a2b3c.csv", "loaded", "utf-8", 1, 1, 0),
        ("subscribed_email_audience_export_1a2b3c.csv", "loaded", "utf-8", 2, 2, 0),
        ("unsubscribed_email_audience_export_1a2b3c.csv", "loaded", "utf-8", 1, 1, 0),
    ]
    # the address merge field with its comma survived, nothing typed beyond the declared dates
    assert ws.con.execute("SELECT Address FROM raw.news WHERE \"Email Address\" = 'marie@example.fr'").fetchone()[0] == (
        "12 rue de la Paix, 75002 Paris"
    )


def test_legacy_members_export_folder(load_tiny):
    z = make_zip(
        {
            "members_export_9f8e7d/": "",
            "members_export_9f8e7d/subscribed_members_export_9f8e7d.csv": LEGACY_HEAD
            + "old@example.fr,Anne,Roy,3,2015-06-01 12:00:00,,2015-06-01 12:05:00,198.51.100.7,48.85,2.35,1,0,,FR,,2016-01-01 00:00:00,1,a,\n",
            "members_export_9f8e7d/nonsubscribed_members_export_9f8e7d.csv": LEGACY_HEAD,
        }
    )
    ws, _ = load_tiny(src(), {"audience.zip": z})
    row = ws.con.execute("SELECT status, LATITUDE, LONGITUDE, LAST_CHANGED::VARCHAR FROM raw.news").fetchall()
    assert row == [("subscribed", "48.85", "2.35", "2016-01-01 00:00:00")]
    f = {e: (s, r) for e, s, _, r, _, _, _ in files(ws)}
    assert f == {
        "members_export_9f8e7d/nonsubscribed_members_export_9f8e7d.csv": ("empty", 0),
        "members_export_9f8e7d/subscribed_members_export_9f8e7d.csv": ("loaded", 1),
    }


def test_entry_escaping_the_folder_is_refused(load_tiny, tmp_path):
    z = make_zip(
        {
            "../evil.csv": SUB_HEAD + sub_row("evil@example.fr"),
            "/abs/subscribed_x.csv": SUB_HEAD + sub_row("abs@example.fr"),
            "subscribed_email_audience_export_ab.csv": SUB_HEAD + sub_row("ok@example.fr"),
        }
    )
    ws, report = load_tiny(src(), {"audience.zip": z})
    assert not report.failed
    assert ws.con.execute('SELECT "Email Address" FROM raw.news').fetchall() == [("ok@example.fr",)]
    f = {e: (s, r, n, w) for e, s, _, r, n, _, w in files(ws)}
    assert f["../evil.csv"][:3] == ("refused", 0, 0)
    assert "../evil.csv" in f["../evil.csv"][3][0] and "refused" in f["../evil.csv"][3][0]
    assert f["/abs/subscribed_x.csv"][:3] == ("refused", 0, 0)
    assert f["subscribed_email_audience_export_ab.csv"][0] == "loaded"
    # nothing extracted anywhere, inside or outside the workspace
    assert not list(tmp_path.parent.glob("evil.csv"))
    assert not [p for p in tmp_path.rglob("*.csv") if p.name != "audience.zip"]


def test_ragged_rows_and_impossible_dates_rejected_formula_kept(load_tiny):
    data = (
        SUB_HEAD
        + sub_row("a@example.fr", notes='"=HYPERLINK(""http://x"",""y"")"')
        + "short@example.fr,Too,Few\n"
        + sub_row("b@example.fr", changed="2021-02-31 10:00:00")
    )
    ws, _ = load_tiny(src("subscribed_email_audience_export_ff.csv"), {"subscribed_email_audience_export_ff.csv": data})
    (entry, status, enc, read, loaded, rejected, _), = files(ws)
    assert (entry, status, read, loaded, rejected) == (None, "loaded", 3, 1, 2)
    assert ws.con.execute("SELECT NOTES, status FROM raw.news").fetchone() == ('=HYPERLINK("http://x","y")', "subscribed")
    rej = ws.con.execute("SELECT line, record, field, reason FROM load_rejects ORDER BY line NULLS LAST, record").fetchall()
    assert rej[0][0] == 3 and "wrong number of fields" in rej[0][3]
    # record = _row, the number among the rows DuckDB accepted (2 here, the file's 3rd record): see report
    assert rej[1][1] is not None and rej[1][2] == "LAST_CHANGED" and "LAST_CHANGED: not a valid date 2021-02-31 10:00:00" in rej[1][3]


def test_plain_csv_without_status_in_name_is_loaded_with_warning(load_tiny):
    ws, _ = load_tiny(src("export.csv"), {"export.csv": SUB_HEAD + sub_row("x@example.fr")})
    assert ws.con.execute("SELECT status FROM raw.news").fetchall() == [(None,)]
    assert "does not tell the member status" in files(ws)[0][6][0]


def test_empty_and_header_only_entries(load_tiny):
    z = make_zip({"subscribed_a.csv": b"", "unsubscribed_a.csv": UNSUB_HEAD})
    ws, report = load_tiny(src(), {"audience.zip": z})
    assert not report.failed
    f = {e: (s, r) for e, s, _, r, _, _, _ in files(ws)}
    assert f == {"subscribed_a.csv": ("empty", 0), "unsubscribed_a.csv": ("empty", 0)}
    assert ws.con.execute("SELECT count(*) FROM raw.news").fetchone()[0] == 0


def test_not_a_mailchimp_file_names_the_entry(load_tiny):
    z = make_zip({"subscribed_a.csv": "email,name\na@example.fr,A\n"})
    _, report = load_tiny(src(), {"audience.zip": z})
    (failed,) = report.failed
    assert "audience.zip!subscribed_a.csv" in failed.error and "MEMBER_RATING" in failed.error


def test_mac_metadata_and_other_entries_recorded_not_loaded(load_tiny):
    z = make_zip({"__MACOSX/._subscribed_a.csv": b"\x00\x05\x16\x07", "readme.txt": "hi", "subscribed_a.csv": SUB_HEAD})
    ws, report = load_tiny(src(), {"audience.zip": z})
    assert not report.failed
    f = {e: s for e, s, *_ in files(ws)}
    assert f == {"__MACOSX/._subscribed_a.csv": "refused", "readme.txt": "refused", "subscribed_a.csv": "empty"}


def test_archive_beyond_its_budget_fails_naming_the_option(load_tiny):
    entry = "Email Address,MEMBER_RATING,OPTIN_TIME\n" + "a" * 700_000 + ",1,\n"
    z = make_zip({"subscribed_email_audience_export_abc.csv": entry, "cleaned_email_audience_export_abc.csv": entry})
    ws, report = load_tiny(SRC.format(path="audience.zip") + "  options: {max_unpacked_mb: 1}\n", {"audience.zip": z})
    ws.close()
    (failed,) = report.failed
    assert failed.error == (
        "audience.zip: zip archive unpacks to 1.3 MiB, more than the limit of 1.0 MiB (raise it with options.max_unpacked_mb)"
    )
    _, report = load_tiny(SRC.format(path="audience.zip") + "  options: {max_entries: 1}\n", {"audience.zip": z})
    (failed,) = report.failed
    assert failed.error == (
        "audience.zip: zip archive with 2 entries, more than the limit of 1 (raise it with options.max_entries)"
    )
