"""HubSpot (CSV and XLSX) and Brevo contact exports."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

SRC = """
- name: {name}
  format: {fmt}
  path: "{path}"
  activities: [prospects]
  hosting: {{provider: {provider}, country: {country}}}
"""

HS_HEAD = (
    "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Primary Associated Company ID,"
    "Last Activity Date,Lead Status,Marketing contact status,Create Date,Associated Company\n"
)


def hubspot(path="hubspot-crm-exports-all-contacts-2025-11-03.csv"):
    return SRC.format(name="crm", fmt="hubspot", path=path, provider="HubSpot Inc.", country="US")


def brevo(path="contacts.csv"):
    return SRC.format(name="emailing", fmt="brevo", path=path, provider="Sendinblue SAS", country="FR")


def file_row(ws, source):
    return ws.con.execute(
        "SELECT entry, encoding, dialect->>'delimiter', rows_read, rows_loaded, rows_rejected, status, warnings "
        "FROM load_files WHERE source = ?",
        [source],
    ).fetchone()


def test_hubspot_default_view_dates_typed(load_tiny):
    data = (
        HS_HEAD
        + "101,Marie,Durand,marie@example.fr,+33612345678,Jean Martin,9001,2025-10-01 14:05,OPEN,Marketing contact,2023-01-15 09:30,ACME\n"
        + '102,Luc,"Petit, Jr",luc@example.fr,,,,,,Non-marketing contact,2024-02-29 08:00:59,\n'
        + "103,Zoé,Roy,zoe@example.fr,,,,2021-02-31 10:00,,,2022-05-05,\n"
        + '104,"=HYPERLINK(""http://x"",""y"")",X,x@example.fr,,,,,,,2025-01-01T10:00:00.000Z,\n'
    )
    ws, report = load_tiny(hubspot(), {"hubspot-crm-exports-all-contacts-2025-11-03.csv": data})
    assert not report.failed
    entry, enc, delim, read, loaded, rejected, status, _ = file_row(ws, "crm")
    assert (entry, enc, delim, read, loaded, rejected, status) == (None, "utf-8", ",", 4, 3, 1, "loaded")
    rows = ws.con.execute(
        'SELECT "Record ID", "First Name", "Last Name", "Create Date"::VARCHAR, "Last Activity Date"::VARCHAR FROM raw.crm ORDER BY 1'
    ).fetchall()
    assert rows == [
        ("101", "Marie", "Durand", "2023-01-15 09:30:00", "2025-10-01 14:05:00"),
        ("102", "Luc", "Petit, Jr", "2024-02-29 08:00:59", None),
        ("104", '=HYPERLINK("http://x","y")', "X", "2025-01-01 10:00:00", None),
    ]
    assert ws.con.execute("SELECT typeof(\"Create Date\"), typeof(\"Record ID\") FROM raw.crm LIMIT 1").fetchone() == (
        "TIMESTAMP",
        "VARCHAR",
    )
    (rec, field, reason), = ws.con.execute("SELECT record, field, reason FROM load_rejects").fetchall()
    assert field == "Last Activity Date" and "not a valid date 2021-02-31 10:00" in reason and rec == 3


def test_hubspot_all_properties_every_date_column(load_tiny):
    head = "Associated Company,Became a Customer Date,Create Date,Email,First Name,Last Modified Date,Legal basis for processing contact's data,Lifecycle Stage,Record ID\n"
    row = '"ACME",2024-03-01 10:00,2023-01-01 08:00,a@example.fr,Anne,2025-06-01 12:00:00,Legitimate interest – prospect/lead,customer,1\n'
    ws, _ = load_tiny(hubspot("all.csv"), {"all.csv": head + row})
    got = ws.con.execute(
        'SELECT typeof("Became a Customer Date"), typeof("Last Modified Date"), "Lifecycle Stage", '
        "\"Legal basis for processing contact's data\" FROM raw.crm"
    ).fetchone()
    assert got == ("TIMESTAMP", "TIMESTAMP", "customer", "Legitimate interest – prospect/lead")


def test_hubspot_xlsx(load_tiny):
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Contacts"
    sh.append(["Record ID", "First Name", "Email", "Create Date", "Last Activity Date"])
    sh.append([101, "Marie", "marie@example.fr", dt.datetime(2023, 1, 15, 9, 30), None])
    sh.append([102, "Luc", "luc@example.fr", "2024-02-29 08:00", dt.datetime(2025, 1, 2, 3, 4, 5)])
    buf = io.BytesIO()
    wb.save(buf)
    ws, report = load_tiny(hubspot("contacts.xlsx"), {"contacts.xlsx": buf.getvalue()})
    assert not report.failed
    entry, _, _, read, loaded, rejected, status, _ = file_row(ws, "crm")
    assert (entry, read, loaded, rejected, status) == ("Contacts", 2, 2, 0, "loaded")
    rows = ws.con.execute('SELECT "Record ID", "Create Date"::VARCHAR, "Last Activity Date"::VARCHAR FROM raw.crm ORDER BY 1').fetchall()
    assert rows == [("101", "2023-01-15 09:30:00", None), ("102", "2024-02-29 08:00:00", "2025-01-02 03:04:05")]


def test_hubspot_without_email_column_refused(load_tiny):
    _, report = load_tiny(hubspot("x.csv"), {"x.csv": "Record ID,First Name\n1,A\n"})
    (failed,) = report.failed
    assert "x.csv" in failed.error and "no Email column" in failed.error


def test_hubspot_empty_and_header_only(load_tiny):
    ws, report = load_tiny(hubspot("h*.csv"), {"h1.csv": b"", "h2.csv": HS_HEAD})
    assert not report.failed
    got = ws.con.execute("SELECT path, rows_read, status FROM load_files ORDER BY path").fetchall()
    assert got == [("h1.csv", 0, "empty"), ("h2.csv", 0, "empty")]


def test_brevo_cp1252_semicolon_dates(load_tiny):
    data = (
        "CONTACT ID;EMAIL;LASTNAME;FIRSTNAME;WHATSAPP;SMS;DOUBLE_OPT-IN;OPT_IN;LANDLINE_NUMBER;EXT_ID;"
        "CONTACT_TIMEZONE;JOB_TITLE;LINKEDIN;ADDED_TIME;MODIFIED_TIME\r\n"
        "1;helene@example.fr;Lefèvre;Hélène;;33612345678;Yes;Yes;;;Europe/Paris;Responsable RH;;05-03-2021;12-10-2024 14:03:22\r\n"
        '2;noel@example.fr;N’Guessan;Noël;;;No;;;;Europe/Paris;"Chargé d’affaires; « grands comptes »";;31-02-2021;01-01-2022\r\n'
        "3;court@example.fr;Trop;Court\r\n"
        '4;multi@example.fr;Ligne;"Deux\r\nlignes";;;;;;;;=1+1;;01-06-2020;02-06-2020 10:00\r\n'
    ).encode("cp1252")
    ws, report = load_tiny(brevo(), {"contacts.csv": data})
    assert not report.failed
    _, enc, delim, read, loaded, rejected, status, _ = file_row(ws, "emailing")
    assert (enc, delim, read, loaded, rejected, status) == ("cp1252", ";", 4, 2, 2, "loaded")
    rows = ws.con.execute(
        "SELECT EMAIL, LASTNAME, FIRSTNAME, JOB_TITLE, ADDED_TIME::VARCHAR, MODIFIED_TIME::VARCHAR FROM raw.emailing ORDER BY _row"
    ).fetchall()
    assert rows == [
        ("helene@example.fr", "Lefèvre", "Hélène", "Responsable RH", "2021-03-05 00:00:00", "2024-10-12 14:03:22"),
        ("multi@example.fr", "Ligne", "Deux\r\nlignes", "=1+1", "2020-06-01 00:00:00", "2020-06-02 10:00:00"),
    ]
    rej = ws.con.execute("SELECT line, record, field, reason, reason_code FROM load_rejects ORDER BY record").fetchall()
    assert rej[0][:3] == (3, 2, "ADDED_TIME") and "not a valid date 31-02-2021" in rej[0][3] and rej[0][4] == "bad_date"
    assert rej[1][:2] == (4, 3) and "wrong number of fields" in rej[1][3] and rej[1][4] == "too_few_fields"


def test_brevo_utf8(load_tiny):
    data = "EMAIL;NOM;ADDED_TIME;MODIFIED_TIME\nchloe@example.fr;Çhloé;01-01-2024;02-01-2024\n"
    ws, _ = load_tiny(brevo(), {"contacts.csv": data})
    assert file_row(ws, "emailing")[1] == "utf-8"
    assert ws.con.execute("SELECT NOM FROM raw.emailing").fetchone()[0] == "Çhloé"


def test_brevo_without_email_column_refused(load_tiny):
    _, report = load_tiny(brevo(), {"contacts.csv": "CONTACT ID;NOM;ADDED_TIME\n1;A;01-01-2024\n"})
    (failed,) = report.failed
    assert failed.error == "contacts.csv: this is not a Brevo contacts export: no EMAIL column"
