"""Generic XLSX workbooks: every sheet (or a named one), cells as the user typed them."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

SRC = """
- name: suivi
  format: xlsx
  path: "{path}"
  activities: [candidates]
  hosting: {{provider: INTER INTERIM, country: FR}}
{options}
"""


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        sh = wb.create_sheet(title)
        for row in rows:
            sh.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _files(ws):
    return ws.con.execute(
        "SELECT entry, rows_read, rows_loaded, rows_rejected, status, warnings FROM load_files WHERE source = 'suivi' ORDER BY entry"
    ).fetchall()


def test_cells_become_the_text_the_user_typed(load_tiny):
    book = _workbook({
        "Candidats": [
            [None, None],  # a blank first row: the header is the first row with text
            ["Nom", "Entretien", "Note", "Actif", "Code postal", "Salaire"],
            ["Martin", dt.datetime(2024, 3, 5), 4.0, True, 75011, 2150.5],
            ["Durand", dt.datetime(2024, 3, 6, 14, 30), 3.5, False, "06000", None],
            [None, None, None, None, None, None],  # Excel's trailing blank rows are not records
        ]
    })
    ws, report = load_tiny(SRC.format(path="suivi.xlsx", options=""), {"suivi.xlsx": book})
    assert not report.failed
    assert _files(ws) == [("Candidats", 2, 2, 0, "loaded", [])]
    rows = ws.con.execute(
        'SELECT _row, "Nom", "Entretien", "Note", "Actif", "Code postal", "Salaire" FROM raw.suivi ORDER BY _row'
    ).fetchall()
    # _row is the sheet's own row number: a blank row 1, the header on row 2
    assert rows == [
        (3, "Martin", "2024-03-05", "4", "true", "75011", "2150.5"),
        (4, "Durand", "2024-03-06 14:30:00", "3.5", "false", "06000", None),
    ]


def test_every_sheet_is_a_unit_of_provenance_or_the_named_one(load_tiny, tmp_path):
    book = _workbook({"2024": [["Nom"], ["A"], ["B"]], "Archives": [["Nom"], ["C"]], "Vide": []})
    ws, report = load_tiny(SRC.format(path="suivi.xlsx", options=""), {"suivi.xlsx": book})
    assert not report.failed
    got = {e: (read, status) for e, read, _, _, status, _ in _files(ws)}
    assert got == {"2024": (2, "loaded"), "Archives": (1, "loaded"), "Vide": (0, "empty")}
    assert ws.con.execute("SELECT count(*) FROM raw.suivi").fetchone()[0] == 3


def test_named_sheet_only_and_unknown_sheet_named(load_tiny, tmp_path):
    book = _workbook({"2024": [["Nom"], ["A"]], "Archives": [["Nom"], ["C"]]})
    options = "  options: {sheet: Archives}"
    ws, report = load_tiny(SRC.format(path="suivi.xlsx", options=options), {"suivi.xlsx": book})
    assert [e for e, *_ in _files(ws)] == ["Archives"]
    ws.close()
    (tmp_path / "ws" / "workspace.duckdb").unlink()
    _, report = load_tiny(SRC.format(path="suivi.xlsx", options="  options: {sheet: Nope}"), {"suivi.xlsx": book})
    (failed,) = report.failed
    assert "suivi.xlsx" in failed.error and "no sheet named 'Nope'" in failed.error and "Archives" in failed.error


def test_not_a_workbook_names_the_file(load_tiny):
    _, report = load_tiny(SRC.format(path="suivi.xlsx", options=""), {"suivi.xlsx": b"PK\x03\x04 not really a zip"})
    (failed,) = report.failed
    assert failed.error == "suivi.xlsx: this is not an Excel workbook (.xlsx): it is a truncated or damaged zip archive"


def test_data_starting_in_column_b_keeps_column_a(load_tiny):
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Feuil1"
    sh["B2"], sh["C2"] = "Nom", "Ville"
    sh["B3"], sh["C3"] = "Martin", "Lyon"
    buf = io.BytesIO()
    wb.save(buf)
    ws, report = load_tiny(SRC.format(path="suivi.xlsx", options=""), {"suivi.xlsx": buf.getvalue()})
    assert not report.failed
    cols = [r[0] for r in ws.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'suivi' ORDER BY column_index").fetchall()]
    # after _file_id, _row, _activity: column A too, unnamed (named after its letter), as when the sheet was read from A1
    assert cols[3:] == ["column_A", "Nom", "Ville"]
    assert ws.con.execute('SELECT _row, column_A, "Nom", "Ville" FROM raw.suivi').fetchall() == [(3, None, "Martin", "Lyon")]


def test_records_sent_in_batches_keep_their_numbers(load_tiny, monkeypatch):
    from rgpd_audit.ingest.loaders import xlsx

    monkeypatch.setattr(xlsx, "BATCH_ROWS", 3)
    rows = [["Nom"]] + [[f"n{i}"] for i in range(7)] + [[None], ["n7"]]
    book = _workbook({"S": rows, "Vide": [["Nom"]]})
    ws, report = load_tiny(SRC.format(path="suivi.xlsx", options=""), {"suivi.xlsx": book})
    assert not report.failed
    assert [(e, r) for e, r, *_ in _files(ws)] == [("S", 8), ("Vide", 0)]
    got = ws.con.execute('SELECT _row, "Nom" FROM raw.suivi ORDER BY _row').fetchall()
    # rows 2..8, the blank row 9 is no record and shifts nothing: n7 is row 10
    assert got == [(i + 2, f"n{i}") for i in range(7)] + [(10, "n7")]
