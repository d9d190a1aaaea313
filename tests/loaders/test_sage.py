"""Sage 100 third parties (F_COMPTET): cp1252, semicolon, tiers_type derived from CT_Type."""

from __future__ import annotations

SRC = """
- name: tiers
  format: sage_tiers
  path: "{path}"
  activities: [client_contacts, suppliers]
  hosting: {{provider: INTER INTERIM, country: FR}}
  options: {opts}
"""

HEAD = (
    "CT_Num;CT_Intitule;CT_Type;CG_NumPrinc;CT_Contact;CT_Adresse;CT_Complement;CT_CodePostal;CT_Ville;CT_Pays;"
    "CT_Siret;CT_Ape;CT_Identifiant;CT_Telephone;CT_EMail;CT_Site;CT_Sommeil\r\n"
)


def src(path="F_COMPTET.csv", opts="{}"):
    return SRC.format(path=path, opts=opts)


def file_row(ws):
    return ws.con.execute(
        "SELECT encoding, dialect->>'delimiter', rows_read, rows_loaded, rows_rejected, status, warnings FROM load_files"
    ).fetchone()


def test_cp1252_tiers_type_and_split(load_tiny):
    data = (
        HEAD
        + "CDUPONT;Dupont & Fils;0;4110000;Jean Dupont;3 rue de l’Église;;75011;Paris;France;12345678900011;4711D;;01 02 03 04 05;jd@dupont.fr;;0\r\n"
        + 'FOFFICE;"Office; Dépôt ""Central""";1;4010000;;;;69000;Lyon;France;;;;;;;0\r\n'
        + "SMARTIN;Martin Salarié;2;4210000;;;;;;;;;;;;;1\r\n"
        + "COURT;Trop court;0\r\n"
        + 'CFORM;"=HYPERLINK(""http://x"",""y"")";0;4110000;;"Bât. A\r\n2e étage";;;;;;;;;;;0\r\n'
    ).encode("cp1252")
    opts = "{split_by: {column: tiers_type, values: {client: client_contacts, supplier: suppliers}}}"
    ws, report = load_tiny(src(opts=opts), {"F_COMPTET.csv": data})
    assert not report.failed
    enc, delim, read, loaded, rejected, status, warnings = file_row(ws)
    assert (enc, delim, read, loaded, rejected, status) == ("cp1252", ";", 5, 4, 1, "loaded")
    rows = ws.con.execute("SELECT CT_Num, CT_Intitule, CT_Adresse, tiers_type, _activity FROM raw.tiers ORDER BY CT_Num").fetchall()
    assert rows == [
        ("CDUPONT", "Dupont & Fils", "3 rue de l’Église", "client", "client_contacts"),
        ("CFORM", '=HYPERLINK("http://x","y")', "Bât. A\r\n2e étage", "client", "client_contacts"),
        ("FOFFICE", 'Office; Dépôt "Central"', None, "supplier", "suppliers"),
        ("SMARTIN", "Martin Salarié", None, "other", None),
    ]
    # the employee is kept (never dropped) and the unmapped split value is reported
    assert any("not mapped to an activity" in w and "'other'" in w for w in warnings)
    (line, reason), = ws.con.execute("SELECT line, reason FROM load_rejects").fetchall()
    assert line == 5 and "wrong number of fields" in reason


def test_missing_required_column_named(load_tiny):
    _, report = load_tiny(src(), {"F_COMPTET.csv": "CT_Num;CT_Type\r\nC1;0\r\n"})
    (failed,) = report.failed
    assert failed.error == "F_COMPTET.csv: this is not a Sage F_COMPTET export: no CT_Intitule column"


def test_without_ct_type_warns(load_tiny):
    ws, _ = load_tiny(src(), {"F_COMPTET.csv": "CT_Num;CT_Intitule;CT_EMail\r\nC1;Client Un;c1@example.fr\r\n"})
    assert ws.con.execute("SELECT tiers_type FROM raw.tiers").fetchall() == [(None,)]
    assert "no CT_Type column" in file_row(ws)[6][0]


def test_empty_and_header_only(load_tiny):
    ws, report = load_tiny(src("F_*.csv"), {"F_a.csv": b"", "F_b.csv": HEAD.encode("cp1252")})
    assert not report.failed
    got = ws.con.execute("SELECT path, rows_read, rows_loaded, status FROM load_files ORDER BY path").fetchall()
    assert got == [("F_a.csv", 0, 0, "empty"), ("F_b.csv", 0, 0, "empty")]
    assert "tiers_type" in [r[0] for r in ws.con.execute("DESCRIBE raw.tiers").fetchall()]
