"""Hostile text exports: column names that are the engine's own.

A header named ``__problems`` or ``__bad`` used to take over the reject logic (a valid row
rejected with the column's value as its reason, the bad row loaded), and ``_file_id``,
``__t0``, ``__f0`` failed the source with a SQL binder error. Such columns are now renamed on
the way in (the mapping kept in ``load_files.dialect``, a warning naming the file) and the
engine's working columns carry a per-load token no header can guess.
"""

from __future__ import annotations

import json

from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.hostile.harness import KEY, assert_counts_add_up, assert_no_leak, run_cli

# every name the engine uses or used: raw columns, working columns of the typing statement
INTERNAL = ["_file_id", "_row", "_activity", "__problems", "__bad", "__t0", "__f0", "__t1", "__f1", "__"]
EMAIL, NIR = "zelie.quennec@example.fr", "2 85 05 78 006 084 91"

SOURCE = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options:
    date_format: "%d/%m/%Y"
    dates: {Dernier contact: last_activity}
    amounts: [Montant]
"""


def _load(tmp_path, text: str, encoding: str = "utf-8"):
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "cands.csv").write_bytes(text.encode(encoding))
    write_manifest(estate, SOURCE)
    ws = tmp_path / "ws"
    return run_cli(["load", "manifest.yaml", "--workspace", str(ws)], cwd=estate), ws


def _row(values: dict[str, str]) -> str:
    return ";".join(values.values())


def test_every_internal_name_as_header(tmp_path):
    header = [*INTERNAL, "E-mail", "NIR", "Dernier contact", "Montant"]
    # the values a takeover would use: a reason for the good row, "no problem" for the bad one
    good = dict(zip(header, ["9", "99", "fake", "takeover!", "{}", "x", "y", "z", "w", "u", EMAIL, NIR, "12/03/2021", "12,50"]))
    bad = dict(zip(header, ["9", "98", "fake", "", "", "", "", "", "", "v", "bad@example.fr", "", "31/02/2021", "3,00"]))
    text = ";".join(header) + "\r\n" + _row(good) + "\r\n" + _row(bad) + "\r\n"
    proc, ws_path = _load(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Binder Error" not in proc.stderr

    rows = assert_counts_add_up(ws_path)
    assert [r[2:5] for r in rows] == [(2, 1, 1)]
    with Workspace(ws_path, key=KEY, create=False) as ws:
        cur = ws.con.execute("SELECT * FROM raw.cands")
        names = [d[0] for d in cur.description]
        (loaded,) = [dict(zip(names, r)) for r in cur.fetchall()]
        # the engine's own columns hold the engine's values
        assert loaded["_row"] == 1 and isinstance(loaded["_file_id"], int) and loaded["_activity"] == "candidates"
        # the export's data is in the renamed columns, and typed where the manifest says so
        assert loaded["export_file_id"] == "9" and loaded["export_row"] == "99" and loaded["export_activity"] == "fake"
        assert loaded["export_problems"] == "takeover!" and loaded["export_bad"] == "{}"
        assert loaded["export_t0"] == "x" and loaded["export_f0"] == "y" and loaded["export_"] == "u"
        assert loaded["E-mail"] == EMAIL and str(loaded["Dernier contact"].date()) == "2021-03-12"
        assert str(loaded["Montant"]) == "12.50"
        assert not any(n.startswith("__") for n in names)
        # the bad row is the reject, for its own reason
        (reject,) = ws.con.execute("SELECT line, record, field, reason_code, reason, raw FROM load_rejects").fetchall()
        assert reject[:4] == (3, 2, "Dernier contact", "bad_date")
        assert "takeover" not in reject[4] and "31/02/2021" in reject[4]
        assert json.loads(reject[5])["export_problems"] is None and json.loads(reject[5])["Dernier contact"] == "31/02/2021"
        dialect = json.loads(ws.con.execute("SELECT dialect FROM load_files").fetchone()[0])
    assert dialect["renamed_columns"] == {
        "_file_id": "export_file_id", "_row": "export_row", "_activity": "export_activity",
        "__problems": "export_problems", "__bad": "export_bad", "__t0": "export_t0", "__f0": "export_f0",
        "__t1": "export_t1", "__f1": "export_f1", "__": "export_",
    }
    assert "warning: cands.csv: column(s) renamed" in proc.stderr
    assert_no_leak([ws_path], [EMAIL, NIR])


def test_internal_names_sent_to_the_sniffer(tmp_path):
    # a padded name makes DuckDB's sniffer name the columns: they are renamed all the same,
    # whatever their case (DuckDB's names are case-insensitive)
    text = "__problems ;_FILE_ID;_row;_Row;E-mail\n1;2;3;4;" + EMAIL + "\n"
    proc, ws_path = _load(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(1, 1, 0)]
    with Workspace(ws_path, key=KEY, create=False) as ws:
        got = ws.con.execute('SELECT export_problems, export_FILE_ID, export_row, "_Row_1", "E-mail", _row FROM raw.cands').fetchall()
        dialect = json.loads(ws.con.execute("SELECT dialect FROM load_files").fetchone()[0])
    assert got == [("1", "2", "3", "4", EMAIL, 1)]  # DuckDB's own name for a repeated name: _Row_1
    assert dialect["renamed_columns"] == {"__problems": "export_problems", "_FILE_ID": "export_FILE_ID", "_row": "export_row"}
    assert_no_leak([ws_path], [EMAIL])
