"""Google Contacts and Outlook.com address-book CSV exports."""

from __future__ import annotations

import csv
import io

SRC = """
- name: book
  format: {fmt}
  path: "{path}"
  activities: [partners]
  hosting: {{provider: {provider}, country: {country}}}
"""

GOOGLE_HEAD = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
    "Phone 1 - Label", "Phone 1 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
]  # fmt: skip

OUTLOOK_HEAD = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi", "Surname Yomi",
    "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone", "Home Phone 2", "Business Phone",
    "Business Phone 2", "Mobile Phone", "Car Phone", "Other Phone", "Primary Phone", "Pager", "Business Fax",
    "Home Fax", "Other Fax", "Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone", "IMAddress",
    "Job Title", "Department", "Company", "Office Location", "Manager's Name", "Assistant's Name",
    "Assistant's Phone", "Company Yomi", "Business Street", "Business City", "Business State",
    "Business Postal Code", "Business Country/Region", "Home Street", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Personal Web Page", "Spouse", "Schools", "Hobby", "Location", "Web Page", "Birthday", "Anniversary", "Notes",
]  # fmt: skip


def src(fmt, path="contacts.csv"):
    provider, country = ("Google Ireland Ltd", "IE") if fmt == "google_contacts" else ("Microsoft Ireland", "IE")
    return SRC.format(fmt=fmt, path=path, provider=provider, country=country)


def to_csv(head, rows, bom=True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for r in rows:
        w.writerow([r.get(c, "") for c in head] if isinstance(r, dict) else r)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def file_row(ws):
    return ws.con.execute(
        "SELECT encoding, dialect->>'delimiter', rows_read, rows_loaded, rows_rejected, status, warnings FROM load_files"
    ).fetchone()


def test_google_contacts_bom_multi_values_multiline_notes(load_tiny):
    rows = [
        {
            "First Name": "Marie", "Last Name": "Durand", "Birthday": "1985-04-12",
            "Notes": "Rencontrée au salon\nRappeler en mars", "Labels": "* myContacts ::: Clients",
            "E-mail 1 - Label": "* Work ::: Home", "E-mail 1 - Value": "marie@acme.fr ::: marie.durand@example.fr",
            "Phone 1 - Label": "Mobile", "Phone 1 - Value": "+33 6 12 34 56 78",
        },
        {"First Name": "Luc", "Birthday": " --04-12", "E-mail 1 - Value": "luc@example.fr", "Labels": "* myContacts"},
        {"First Name": '=HYPERLINK("http://x","y")', "E-mail 1 - Value": "x@example.fr"},
    ]  # fmt: skip
    ws, report = load_tiny(src("google_contacts"), {"contacts.csv": to_csv(GOOGLE_HEAD, rows)})
    assert not report.failed
    enc, delim, read, loaded, rejected, status, _ = file_row(ws)
    assert (enc, delim, read, loaded, rejected, status) == ("utf-8-sig", ",", 3, 3, 0, "loaded")
    got = ws.con.execute('SELECT "First Name", "E-mail 1 - Value", Notes, Birthday, Labels FROM raw.book ORDER BY _row').fetchall()
    assert got == [
        ("Marie", "marie@acme.fr ::: marie.durand@example.fr", "Rencontrée au salon\nRappeler en mars", "1985-04-12", "* myContacts ::: Clients"),
        ("Luc", "luc@example.fr", None, " --04-12", "* myContacts"),  # no year: kept as text, not rejected
        ('=HYPERLINK("http://x","y")', "x@example.fr", None, None, None),
    ]
    assert ws.con.execute("SELECT typeof(Birthday) FROM raw.book LIMIT 1").fetchone()[0] == "VARCHAR"


def test_google_contacts_ragged_row_rejected_with_line(load_tiny):
    data = to_csv(GOOGLE_HEAD, [{"First Name": "A", "E-mail 1 - Value": "a@example.fr"}, ["B", "", "Court"]])
    ws, _ = load_tiny(src("google_contacts"), {"contacts.csv": data})
    assert file_row(ws)[2:5] == (2, 1, 1)
    (line, reason, raw), = ws.con.execute("SELECT line, reason, raw FROM load_rejects").fetchall()
    assert line == 3 and "wrong number of fields" in reason and raw.strip().startswith("B,,Court")  # DuckDB keeps the LF of the CRLF before


def test_google_phone_only_book_accepted_with_warning(load_tiny):
    head = [c for c in GOOGLE_HEAD if not c.startswith("E-mail")]
    ws, report = load_tiny(src("google_contacts"), {"contacts.csv": to_csv(head, [{"First Name": "A", "Phone 1 - Value": "0612"}])})
    assert not report.failed
    assert "no E-mail N - Value column" in file_row(ws)[6][0]


def test_google_wrong_header_refused(load_tiny):
    _, report = load_tiny(src("google_contacts"), {"contacts.csv": to_csv(["Name", "Email"], [["A", "a@example.fr"]])})
    (failed,) = report.failed
    assert failed.error.startswith("contacts.csv: this is not a Google Contacts export: no First Name")


def test_outlook_61_columns_birthday_zero_kept(load_tiny):
    assert len(OUTLOOK_HEAD) == 61
    rows = [
        {"First Name": "Anne", "Last Name": "Roy", "E-mail Address": "anne@example.fr", "Mobile Phone": "06 11 22 33 44", "Birthday": "0/0/00"},
        {"First Name": "Paul", "E-mail 2 Address": "paul@example.fr", "Birthday": "5/14/1979", "Notes": 'dit "bonjour",\nà revoir'},
    ]  # fmt: skip
    ws, report = load_tiny(src("outlook_csv"), {"contacts.csv": to_csv(OUTLOOK_HEAD, rows, bom=False)})
    assert not report.failed
    enc, delim, read, loaded, rejected, status, _ = file_row(ws)
    assert (enc, delim, read, loaded, rejected, status) == ("utf-8", ",", 2, 2, 0, "loaded")
    got = ws.con.execute('SELECT "E-mail Address", "E-mail 2 Address", "Mobile Phone", Birthday, Notes FROM raw.book ORDER BY _row').fetchall()
    assert got == [
        ("anne@example.fr", None, "06 11 22 33 44", "0/0/00", None),
        (None, "paul@example.fr", None, "5/14/1979", 'dit "bonjour",\nà revoir'),
    ]


def test_outlook_cp1252_semicolon(load_tiny):
    data = "First Name;Last Name;E-mail Address;Notes\r\nHélène;Lefèvre;h@example.fr;Coût 5 €\r\n".encode("cp1252")
    ws, _ = load_tiny(src("outlook_csv"), {"contacts.csv": data})
    assert file_row(ws)[:2] == ("cp1252", ";")
    assert ws.con.execute("SELECT \"First Name\", Notes FROM raw.book").fetchone() == ("Hélène", "Coût 5 €")


def test_outlook_without_email_column_refused(load_tiny):
    _, report = load_tiny(src("outlook_csv"), {"contacts.csv": "First Name,Last Name\nA,B\n"})
    (failed,) = report.failed
    assert "contacts.csv" in failed.error and "E-mail Address" in failed.error


def test_empty_and_header_only(load_tiny):
    ws, report = load_tiny(
        src("outlook_csv", "c*.csv"), {"c1.csv": b"", "c2.csv": to_csv(OUTLOOK_HEAD, [], bom=False)}
    )
    assert not report.failed
    got = ws.con.execute("SELECT path, rows_read, status, warnings FROM load_files ORDER BY path").fetchall()
    assert [(p, n, s) for p, n, s, _ in got] == [("c1.csv", 0, "empty"), ("c2.csv", 0, "empty")]
    assert "empty file" in got[0][3][0] and "header only" in got[1][3][0]
