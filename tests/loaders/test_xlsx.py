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
    assert rows == [
        (1, "Martin", "2024-03-05", "4", "true", "75011", "2150.5"),
        (2, "Durand", "2024-03-06 14:30:00", "3.5", "false", "06000", None),
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
    assert "suivi.xlsx" in failed.error and "not a readable XLSX workbook" in failed.error


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
    # after _file_id, _row, _activity: column A too, unnamed, as when the sheet was read from A1
    assert cols[3:] == ["column0", "Nom", "Ville"]
    assert ws.con.execute('SELECT _row, column0, "Nom", "Ville" FROM raw.suivi').fetchall() == [(1, None, "Martin", "Lyon")]


def test_records_written_in_batches_keep_their_numbers(tmp_path):
    from rgpd_audit.ingest.loaders.xlsx import parse_workbook

    p = tmp_path / "b.xlsx"
    p.write_bytes(_workbook({"S": [["Nom"]] + [[f"n{i}"] for i in range(7)] + [[None]], "Vide": [["Nom"]]}))
    sheets = parse_workbook(str(p), None, str(tmp_path), batch_size=3)
    assert [(s["title"], s["columns"], s["rows"]) for s in sheets] == [("S", ["Nom"], 7), ("Vide", ["Nom"], 0)]
    import duckdb

    got = duckdb.sql(f"SELECT _row, \"Nom\" FROM read_parquet('{sheets[0]['file']}') ORDER BY _row").fetchall()
    assert got == [(i + 1, f"n{i}") for i in range(7)]
    assert parse_workbook(str(p), "Nope", str(tmp_path)).startswith("no sheet named 'Nope'")
