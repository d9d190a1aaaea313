"""No export's column reaches the engine's own, whatever the loader: renamed on the way in by
``read_delimited`` and ``LoadContext.stage_rows``, or by the engine for a table a loader
staged itself (Parquet); the mapping is kept with the file, with a warning."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from rgpd_audit.ingest.loaders.base import escape_raw, one_line_error, safe_column_names

SRC = """
- name: data
  format: {fmt}
  path: {path}
  activities: [candidates]
  hosting: {{provider: X, country: FR}}
  options: {opts}
"""


def _dialect(ws):
    return json.loads(ws.con.execute("SELECT dialect FROM load_files").fetchone()[0])


def test_safe_column_names():
    names, renamed = safe_column_names(["_row", "export_row", "__bad", "_File_Id", "_x", "a__b", "__"])
    assert names == ["export_row_2", "export_row", "export_bad", "export_File_Id", "_x", "a__b", "export_"]
    assert renamed == {"_row": "export_row_2", "__bad": "export_bad", "_File_Id": "export_File_Id", "__": "export_"}
    assert safe_column_names(["a", "b"]) == (["a", "b"], {})


def test_escape_raw():
    assert escape_raw('a\tb\r\nc\\d\x00\x85\u2028') == "a\\tb\\r\\nc\\\\d\\x00\\x85\\u2028"
    assert escape_raw('{"a":"\\n"}\x9d', backslash=False) == '{"a":"\\n"}\\x9d'
    assert escape_raw(None) is None


def test_one_line_error():
    exc = Exception("Conversion Error: Could not convert string 'Dupont' to INT64\n\nLINE 1: SELECT \"Nom\" FROM x")
    assert one_line_error(exc) == "Conversion Error: Could not convert string … to INT64"
    exc = Exception("Invalid Input Error: CSV Error on Line: 3 Original Line: Dupont;Jean\nPossible fixes")
    assert one_line_error(exc) == "Invalid Input Error: CSV Error on Line: 3"
    assert len(one_line_error(Exception("x" * 500))) == 200


def test_ndjson_keys_named_like_internal_columns(load_tiny):
    lines = [
        {"_row": "r1", "_file_id": "f1", "__problems": "takeover", "_activity": "a", "seen": "2024-01-02"},
        {"_row": "r2", "_file_id": "f2", "__problems": None, "_activity": "b", "seen": "2024-02-31"},
    ]
    data = "".join(json.dumps(x) + "\n" for x in lines)
    ws, report = load_tiny(SRC.format(fmt="ndjson", path="a.ndjson", opts="{dates: {seen: last_activity}}"), {"a.ndjson": data})
    assert not report.failed, report.failed[0].error
    rows = ws.con.execute("SELECT _row, _activity, export_row, export_file_id, export_problems, seen::DATE::VARCHAR FROM raw.data").fetchall()
    assert rows == [(1, "candidates", "r1", "f1", "takeover", "2024-01-02")]
    rej = ws.con.execute("SELECT record, field, reason_code FROM load_rejects").fetchall()
    assert rej == [(2, "seen", "bad_date")]
    assert _dialect(ws)["renamed_columns"] == {
        "_row": "export_row", "_file_id": "export_file_id", "__problems": "export_problems", "_activity": "export_activity"}
    assert any(w.startswith("a.ndjson: column(s) renamed") for w in report.warnings)


def test_parquet_columns_named_like_internal_columns(load_tiny, tmp_path):
    table = pa.table({"_file_id": ["x", "y"], "__bad": ["1", "2"], "_activity": ["p", "q"], "montant": ["12,50", "douze"]})
    pq.write_table(table, tmp_path / "a.parquet")
    ws, report = load_tiny(SRC.format(fmt="parquet", path="a.parquet", opts="{amounts: [montant]}"), {})
    assert not report.failed, report.failed[0].error
    rows = ws.con.execute("SELECT _row, export_file_id, export_bad, export_activity, montant::VARCHAR FROM raw.data").fetchall()
    assert rows == [(1, "x", "1", "p", "12.50")]
    assert ws.con.execute("SELECT record, field, reason_code FROM load_rejects").fetchall() == [(2, "montant", "bad_amount")]
    assert _dialect(ws)["renamed_columns"] == {"_file_id": "export_file_id", "__bad": "export_bad", "_activity": "export_activity"}


def test_manifest_dates_follow_a_renamed_column(load_tiny):
    ws, report = load_tiny(SRC.format(fmt="csv", path="a.csv", opts="{dates: {__t0: last_activity}}"),
                           {"a.csv": "id;__t0\n1;2024-01-02\n2;hier\n"})
    assert not report.failed and not [w for w in report.warnings if "found in no file" in w]
    assert ws.con.execute("SELECT id, export_t0::DATE::VARCHAR FROM raw.data").fetchall() == [("1", "2024-01-02")]
    assert ws.con.execute("SELECT field, reason_code FROM load_rejects").fetchall() == [("export_t0", "bad_date")]


def test_format_rules_are_format_rule_rejects(load_tiny):
    from tests.loaders.test_fec import SIREN

    name = f"{SIREN}FEC20211231.txt"
    header = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tMontant\tSens\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise"
    rows = [
        ["HA", "Achats", "1", "20210115", "60700000", "Achats", "", "", "P1", "20210115", "x", "1,00", "D", "", "", "20210115", "", ""],
        ["HA", "Achats", "2", "20210115", "60700000", "Achats", "", "", "P2", "20210115", "x", "1,00", "Z", "", "", "20210115", "", ""],
    ]
    data = header + "\r\n" + "".join("\t".join(r) + "\r\n" for r in rows)  # the Montant/Sens variant, by hand
    ws, report = load_tiny(SRC.format(fmt="fec", path=name, opts="{}"), {name: data.encode("ascii")})
    assert not report.failed, report.failed[0].error
    assert ws.con.execute("SELECT line, record, field, reason_code, reason FROM load_rejects").fetchall() == [
        (3, 2, "Sens", "format_rule", "Sens: must be D or C")]
