"""Hostile text exports: where a rejected record is, when quoted fields span lines.

DuckDB's reject ``line`` counts records (a quoted field's line breaks are not counted, blank
lines are): after a field spanning lines it is not the line a person opens the file at. A
reject now gives both the physical line where the record starts and its record number, its
text kept escaped (no control character), and its reason from the closed list.
"""

from __future__ import annotations

import pytest

from rgpd_audit.vocab import REJECT_REASONS
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.hostile.harness import KEY, assert_counts_add_up, assert_no_leak, run_cli

NAME, EMAIL = "Gwenaëlle Kerjean", "gwen.kerjean@example.fr"

LINES = [
    "id;nom;note;date",  # line 1
    '1;Dupont;"première\nligne\ttabulée\net troisième";01/02/2020',  # record 1: lines 2-4
    "2;Martin;court;31/02/2021",  # record 2, line 5: impossible date
    "",  # line 6: a blank line, no record
    "3;Trop;peu",  # record 3, line 7: too few fields
    f'4;{NAME};"{EMAIL}\r\nsur deux lignes’";01/01/2020',  # record 4: lines 8-9 (a CR inside the field)
    "5;Petit;ok;02/02/2020;en trop",  # record 5, line 10: too many fields
    '6;"Grand;ok;03/03/2020',  # record 6, line 11: a quote never closed (runs to the end)
    "7;Dernier;ok;04/04/2020",  # line 12, inside record 6
]
# (physical line, record number, reason code) of each reject; the records loaded
REJECTS = [(5, 2, "bad_date"), (7, 3, "too_few_fields"), (10, 5, "too_many_fields"), (11, 6, "bad_quotes")]
LOADED = [1, 4]

SOURCES = """
- name: utf8
  format: csv
  path: utf8.csv
  activities: [candidates]
  hosting: {provider: X, country: FR}
  options: {date_format: "%d/%m/%Y", dates: {date: last_activity}}
- name: cp1252
  format: csv
  path: cp1252.csv
  activities: [candidates]
  hosting: {provider: X, country: FR}
  options: {date_format: "%d/%m/%Y", dates: {date: last_activity}, encoding: cp1252}
"""


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_rejects_give_physical_line_and_record_number(tmp_path, eol):
    estate = tmp_path / "estate"
    estate.mkdir()
    text = eol.join(LINES) + eol
    (estate / "utf8.csv").write_bytes(text.encode("utf-8"))
    (estate / "cp1252.csv").write_bytes(text.encode("cp1252"))  # ’ is 0x92: transcoded, through the scratch
    write_manifest(estate, SOURCES)
    ws_path = tmp_path / "ws"
    proc = run_cli(["load", "manifest.yaml", "--workspace", str(ws_path)], cwd=estate)
    assert proc.returncode == 0, proc.stderr
    assert "approximate" not in proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(6, 2, 4), (6, 2, 4)]
    with Workspace(ws_path, key=KEY, create=False) as ws:
        for source in ("utf8", "cp1252"):
            got = ws.con.execute(
                "SELECT line, record, reason_code, raw FROM load_rejects WHERE source = ? ORDER BY record", [source]
            ).fetchall()
            assert [r[:3] for r in got] == REJECTS, source
            for *_, raw in got:
                assert raw and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in raw), raw
            assert got[1][3] == "3;Trop;peu"
            assert got[3][3].startswith('6;"Grand;ok;03/03/2020\\n') or got[3][3].startswith('6;"Grand;ok;03/03/2020\\r\\n')
            rows = ws.con.execute(f"SELECT _row, nom, note FROM raw.{source} ORDER BY _row").fetchall()
            assert [r[0] for r in rows] == LOADED
            assert rows[0][2] == "première\nligne\ttabulée\net troisième"
            assert rows[1][1] == NAME
        assert {r[0] for r in ws.con.execute("SELECT DISTINCT reason_code FROM load_rejects").fetchall()} <= set(REJECT_REASONS)
    assert_no_leak([ws_path], [NAME, EMAIL])
