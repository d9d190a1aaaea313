"""FEC: both separators, the legal and the usual encodings, both amount layouts, rejects."""

from __future__ import annotations

SIREN = "732829320"  # a valid SIREN (Luhn)
COLS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
]

SRC = """
- name: compta
  format: fec
  path: "{path}"
  activities: [suppliers, client_contacts, accounting]
  hosting: {{provider: Cegid, country: FR}}
  options: {opts}
"""
SPLIT = '{split_by: {column: CompteNum, values: {"401*": suppliers, "411*": client_contacts}, default: accounting}}'


def src(path, opts=SPLIT):
    return SRC.format(path=path, opts=opts)


def line(sep, *values):
    return sep.join(values) + "\r\n"


def entry(journal, num, date, compte, lib, aux="", auxlib="", debit="0,00", credit="0,00", ecriture_lib="Facture"):
    return [journal, "Achats" if journal == "HA" else "Ventes", num, date, compte, lib, aux, auxlib, f"F{num}", date,
            ecriture_lib, debit, credit, "", "", date, "", ""]


def fec_text(sep, rows, header=COLS):
    return line(sep, *header) + "".join(line(sep, *r) for r in rows)


def files_row(ws):
    return ws.con.execute(
        "SELECT path, encoding, dialect->>'delimiter', dialect->>'variant', rows_read, rows_loaded, rows_rejected, status, warnings "
        "FROM load_files WHERE source = 'compta'"
    ).fetchone()


def rejects(ws):
    return ws.con.execute("SELECT line, record, field, reason, raw FROM load_rejects ORDER BY coalesce(line, 0), record").fetchall()


def test_tab_iso_8859_15_with_rejects(load_tiny):
    name = f"{SIREN}FEC20211231.txt"
    rows = [
        entry("HA", "1", "20210115", "60700000", "Achats de marchandises", debit="1234,56"),
        entry("HA", "1", "20210115", "40100000", "Fournisseurs œuvres d'art €", "F0001", "Dupont Cœur SARL", credit="1234,56"),
        entry("VE", "2", "20210220", "41100000", "Clients", "C0042", "Mme Lætitia Œillet", debit="600,00"),
        entry("VE", "2", "20210220", "70600000", "Prestations", credit="600,00"),
        ["VE", "Ventes", "3", "20210301", "51200000"],  # ragged: 5 fields
        entry("VE", "4", "20210228", "41100000", "Clients", "C0043", "M. Faux", debit="10,00")[:3]
        + ["20210231"] + entry("VE", "4", "20210228", "41100000", "Clients", "C0043", "M. Faux", debit="10,00")[4:],  # impossible date
        entry("HA", "5", "20210305", "40100000", "Fournisseurs", "F0002", "Martin", credit="12,3,4"),  # bad amount
    ]
    data = fec_text("\t", rows).encode("iso-8859-15")
    ws, report = load_tiny(src(name), {name: data})
    assert not report.failed, report.failed
    path, enc, delim, variant, read, loaded, rejected, status, warnings = files_row(ws)
    assert (path, enc, delim, variant, status) == (name, "iso-8859-15", "\t", "Debit/Credit", "loaded")
    assert (read, loaded, rejected) == (7, 4, 3)
    assert warnings == []

    got = ws.con.execute(
        "SELECT _row, CompteNum, CompteLib, CompAuxLib, Debit, Credit, EcritureDate::DATE::VARCHAR, DateLet, "
        "siren, fiscal_year_close::DATE::VARCHAR, tiers_type, _activity FROM raw.compta ORDER BY _row"
    ).fetchall()
    assert [r[1] for r in got] == ["60700000", "40100000", "41100000", "70600000"]
    assert got[1][2] == "Fournisseurs œuvres d'art €" and got[1][3] == "Dupont Cœur SARL"
    assert got[2][3] == "Mme Lætitia Œillet"
    assert [str(r[4]) for r in got] == ["1234.56", "0.00", "600.00", "0.00"]
    assert got[0][6] == "2021-01-15" and got[0][7] is None  # DateLet empty -> NULL, not a reject
    assert {(r[8], r[9]) for r in got} == {(SIREN, "2021-12-31")}
    assert [r[10] for r in got] == [None, "supplier", "client", None]
    assert [r[11] for r in got] == ["accounting", "suppliers", "client_contacts", "accounting"]
    # the typed columns are typed, the derived ones are text
    types = dict(ws.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = 'compta'"
    ).fetchall())
    assert types["Debit"].startswith("DECIMAL") and types["EcritureDate"] == "TIMESTAMP"
    assert types["fiscal_year_close"] == "TIMESTAMP" and types["siren"] == "VARCHAR" and types["tiers_type"] == "VARCHAR"

    rej = rejects(ws)
    assert len(rej) == 3
    ragged = [r for r in rej if r[2] is None]
    # its text is kept, escaped: the tabs as \t
    assert ragged[0][0] == 6 and "wrong number of fields" in ragged[0][3] and ragged[0][4].strip().startswith("VE\\tVentes\\t3")
    by_field = {r[2]: r for r in rej if r[2]}
    assert by_field["EcritureDate"][3] == "EcritureDate: not a valid date 20210231"
    assert by_field["Credit"][3] == "Credit: not a valid amount 12,3,4"
    assert '"CompAuxLib":"Martin"' in by_field["Credit"][4]


def test_record_numbers_survive_a_ragged_line(load_tiny):
    name = f"{SIREN}FEC20211231.txt"
    rows = [
        entry("HA", "1", "20210115", "60700000", "Achats", debit="1,00"),
        ["VE", "Ventes", "3"],  # ragged: record 2
        entry("VE", "4", "20210110", "41100000", "Clients", debit="12,3,4"),  # record 3
    ]
    ws, _ = load_tiny(src(name), {name: fec_text("\t", rows).encode("ascii")})
    # (physical line, record number, field): one line per record here, the header on line 1
    assert [r[:3] for r in rejects(ws)] == [(3, 2, None), (4, 3, "Debit")]


def test_pipe_windows_1252_with_curly_apostrophe(load_tiny):
    name = f"{SIREN}FEC20220630.txt"
    rows = [
        entry("HA", "1", "20220110", "40100000", "Fournisseurs", "F0001", "L’Atelier d’Œuvres", credit="99,90",
              ecriture_lib="Facture n° 12 – réglée 10 €"),
        entry("HA", "1", "20220110", "62260000", "Honoraires", debit="99,90"),
    ]
    data = fec_text("|", rows).encode("cp1252")
    ws, report = load_tiny(src(name), {name: data})
    assert not report.failed, report.failed
    _, enc, delim, _, read, loaded, rejected, status, _ = files_row(ws)
    assert (enc, delim, read, loaded, rejected, status) == ("cp1252", "|", 2, 2, 0, "loaded")
    first = ws.con.execute(
        "SELECT CompAuxLib, EcritureLib, Credit, fiscal_year_close::DATE::VARCHAR, tiers_type FROM raw.compta WHERE _row = 1"
    ).fetchone()
    assert first[:2] == ("L’Atelier d’Œuvres", "Facture n° 12 – réglée 10 €")
    assert str(first[2]) == "99.90" and first[3:] == ("2022-06-30", "supplier")


def test_montant_sens_variant_gets_debit_and_credit(load_tiny):
    header = COLS[:11] + ["Montant", "Sens"] + COLS[13:]
    def ms(row, montant, sens):
        return row[:11] + [montant, sens] + row[13:]
    rows = [
        ms(entry("VE", "1", "20231005", "41100000", "Clients", "C1", "Durand"), "120,00", "D"),
        ms(entry("VE", "1", "20231005", "70600000", "Ventes"), "120,00", "C"),
        ms(entry("VE", "2", "20231006", "70600000", "Ventes"), "5,00", "X"),  # neither D nor C
    ]
    name = f"{SIREN}FEC20231231.txt"
    ws, report = load_tiny(src(name), {name: fec_text("\t", rows, header).encode("ascii")})
    assert not report.failed, report.failed
    _, enc, _, variant, read, loaded, rejected, _, _ = files_row(ws)
    assert (enc, variant, read, loaded, rejected) == ("utf-8", "Montant/Sens", 3, 2, 1)
    got = ws.con.execute("SELECT Montant, Sens, Debit, Credit, tiers_type FROM raw.compta ORDER BY _row").fetchall()
    assert [tuple(str(v) for v in r[:4]) for r in got] == [("120.00", "D", "120.00", "0.00"), ("120.00", "C", "0.00", "120.00")]
    (rej,) = rejects(ws)
    assert rej[1:3] == (3, "Sens") and "D or C" in rej[3]
    # downstream SQL is the same for both layouts
    assert ws.con.execute("SELECT sum(Debit) - sum(Credit) FROM raw.compta").fetchone()[0] == 0


def test_utf8_bom_lower_case_header_and_trailing_separator(load_tiny):
    header = [c.upper() for c in COLS] + [""]
    rows = [entry("HA", "1", "20240105", "40100000", "Fournisseurs", "F1", "Éts Müller") + [""]]
    name = f"{SIREN}FEC20241231.txt"
    ws, report = load_tiny(src(name), {name: b"\xef\xbb\xbf" + fec_text("\t", rows, header).encode("utf-8")})
    assert not report.failed, report.failed
    _, enc, _, _, read, loaded, _, _, _ = files_row(ws)
    assert (enc, read, loaded) == ("utf-8-sig", 1, 1)
    cols = [r[0] for r in ws.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = 'compta' ORDER BY column_index"
    ).fetchall()]
    assert cols == ["_file_id", "_row", "_activity", *COLS, "siren", "fiscal_year_close", "tiers_type"]
    assert ws.con.execute("SELECT CompAuxLib FROM raw.compta").fetchone()[0] == "Éts Müller"


def test_encoding_hint_wins_over_detection(load_tiny):
    # 0xBD is œ in ISO 8859-15 (the default guess) but ½ in Windows-1252
    name = f"{SIREN}FEC20211231.txt"
    rows = [entry("HA", "1", "20210115", "60700000", "Achats ½ tarif", debit="1,00")]
    data = fec_text("\t", rows).encode("cp1252")
    ws, _ = load_tiny(src(name, "{encoding: cp1252}"), {name: data})
    assert ws.con.execute("SELECT CompteLib FROM raw.compta").fetchone()[0] == "Achats ½ tarif"
    assert files_row(ws)[1] == "cp1252"


def test_file_name_not_following_the_rule_is_warned(load_tiny):
    rows = [entry("HA", "1", "20210115", "40100000", "Fournisseurs", "F1", "X", credit="1,00")]
    ws, report = load_tiny(src("export_compta.txt"), {"export_compta.txt": fec_text("\t", rows).encode("ascii")})
    assert not report.failed
    warnings = files_row(ws)[-1]
    assert any("<SIREN>FEC<AAAAMMJJ>" in w for w in warnings)
    assert ws.con.execute("SELECT siren, fiscal_year_close FROM raw.compta").fetchone() == (None, None)


def test_not_a_fec_file_fails_the_source(load_tiny):
    data = "Nom;Prénom;Email\r\nDupont;Jean;j@x.fr\r\n".encode()
    name = f"{SIREN}FEC20211231.txt"
    ws, report = load_tiny(src(name), {name: data})
    (failed,) = report.failed
    assert "not a FEC file: missing columns JournalCode" in failed.error and name in failed.error
    assert ws.tables("raw") == []


def test_header_only_is_empty(load_tiny):
    name = f"{SIREN}FEC20211231.txt"
    ws, report = load_tiny(src(name), {name: fec_text("\t", []).encode("ascii")})
    assert not report.failed
    assert files_row(ws)[4:8] == (0, 0, 0, "empty")


def test_field_starting_with_a_double_quote(load_tiny):
    name = f"{SIREN}FEC20211231.txt"
    rows = [
        entry("HA", "1", "20210115", "40100000", "Fournisseurs", "F1", '"Le Petit" SARL', credit="1,00"),
        entry("HA", "1", "20210115", "60700000", "Achats", debit="1,00"),
    ]
    ws, report = load_tiny(src(name), {name: fec_text("\t", rows).encode("ascii")})
    assert not report.failed, report.failed
    assert ws.con.execute("SELECT CompAuxLib FROM raw.compta WHERE _row = 1").fetchone()[0] == '"Le Petit" SARL'


def test_both_layouts_in_one_source_across_years(load_tiny):
    """Debit/Credit and Montant/Sens files of one source land in one table (this crashed
    DuckDB 1.5.5 when the table was altered and appended to inside the load transaction)."""
    header = COLS[:11] + ["Montant", "Sens"] + COLS[13:]
    ms_rows = [entry("VE", "1", "20231005", "41100000", "Clients", "C1", "Durand")[:11] + ["7,00", "D"] + [""] * 5]
    dc_rows = [entry("HA", "1", "20220110", "40100000", "Fournisseurs", "F1", "Martin", credit="9,90")]
    files = {
        f"{SIREN}FEC20221231.txt": fec_text("\t", dc_rows).encode("ascii"),
        f"{SIREN}FEC20231231.txt": fec_text("\t", ms_rows, header).encode("ascii"),
    }
    ws, report = load_tiny(src(f"{SIREN}FEC*.txt"), files)
    assert not report.failed, report.failed
    got = ws.con.execute(
        "SELECT fiscal_year_close::DATE::VARCHAR, Debit::VARCHAR, Credit::VARCHAR, Sens FROM raw.compta ORDER BY 1"
    ).fetchall()
    assert got == [("2022-12-31", "0.00", "9.90", None), ("2023-12-31", "7.00", "0.00", "D")]
