"""Hostile text exports: encodings detected per file, mixed files reported, never garbled.

- a mostly-cp1252 file with one UTF-8 line: that line read as UTF-8 (``Aïssa``, not
  ``AÃ¯ssa``), with a warning giving the count, so that ``dsar find --name`` finds her;
- a mostly-UTF-8 file with a cp1252 line: that line is an ``undecodable`` reject;
- UTF-16 (LE and BE, with a byte-order mark, or LE without) is read, through the load's
  scratch (memory under a key);
- a double byte-order mark does not hide the first column's name;
- a NUL byte in the header, or any reader error, is one line naming the file, exit 2;
- a transcoded file under a key leaves no clear copy anywhere under the workspace.
"""

from __future__ import annotations

import json

from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest
from tests.hostile.harness import KEY, assert_counts_add_up, assert_no_leak, run_cli

FIRST, LAST, EMAIL = "Aïssa", "N'Diaye", "aissa.ndiaye@example.fr"
OTHERS = [("Renée", "Lefèvre", "renee.lefevre@example.fr"), ("Zoé", "Bénard", "zoe.benard@example.fr"),
          ("Hélène", "Crémieux", "helene.cremieux@example.fr"), ("Gaëlle", "Noël", "gaelle.noel@example.fr")]


def _source(name: str, path: str, options: str = "{}") -> str:
    return f"""
- name: {name}
  format: csv
  path: {path}
  activities: [candidates]
  hosting: {{provider: X, country: FR}}
  options: {options}
"""


def _load(tmp_path, files: dict[str, bytes], sources: str, *, key: str | None = KEY):
    estate = tmp_path / "estate"
    estate.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (estate / name).write_bytes(data)
    write_manifest(estate, sources)
    ws = tmp_path / "ws"
    return run_cli(["load", "manifest.yaml", "--workspace", str(ws)], cwd=estate, key=key), ws, estate


def _query(ws_path, sql: str, params=None, key: str | None = KEY):
    with Workspace(ws_path, key=key, create=False) as ws:
        return ws.con.execute(sql, params or []).fetchall()


def _error_line(proc, path: str) -> str:
    """The load's error for a failed source: one line naming the file, no traceback, no SQL."""
    assert "Traceback" not in proc.stderr and "LINE 1:" not in proc.stderr and "Binder Error" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and path in errors[0] and len(errors[0]) < 300, proc.stderr
    return errors[0]


def test_mostly_cp1252_with_one_utf8_line_is_read_not_garbled(tmp_path):
    people = "".join(f"{f};{n};{e};Recruté l’an dernier\r\n" for f, n, e in OTHERS)
    declared = "Prénom;Nom;E-mail;Note\r\n".encode("cp1252") + people.encode("cp1252") + \
        f"{FIRST};{LAST};{EMAIL};inscrite\r\n".encode() + "Noé;Zéphir;noe@example.fr;RAS\r\n".encode("cp1252")
    # no byte 0x80–0x9F: a clean cp1252 file read by DuckDB's latin-1 reader, but for this line
    detected = declared.replace("’".encode("cp1252"), b"'")
    sources = _source("declared", "declared.csv", "{encoding: cp1252}") + _source("detected", "detected.csv")
    proc, ws_path, _ = _load(tmp_path, {"declared.csv": declared, "detected.csv": detected}, sources)
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(6, 6, 0), (6, 6, 0)]
    for source in ("declared", "detected"):
        names = [r[0] for r in _query(ws_path, f'SELECT "Prénom" FROM raw.{source} ORDER BY _row')]
        assert names == [f for f, _, _ in OTHERS] + [FIRST, "Noé"], names
        assert f"{source}.csv: mixed encodings: 1 line(s) of this cp1252 file are UTF-8, read as UTF-8" in proc.stderr
    assert _query(ws_path, "SELECT encoding FROM load_files ORDER BY path") == [("cp1252",), ("cp1252",)]
    assert not _query(ws_path, "SELECT 1 FROM raw.declared WHERE \"Prénom\" LIKE '%Ã%'")
    # and so a person's request finds her by her name
    found = run_cli(["dsar", "find", "--workspace", str(ws_path), "--name", f"{FIRST} {LAST}"], cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "weak candidates: 2" in found.stdout and "declared" in found.stdout and "detected" in found.stdout
    assert_no_leak([ws_path], [EMAIL, *(e for _, _, e in OTHERS)])


def test_mostly_utf8_with_a_cp1252_line_rejects_that_line(tmp_path):
    data = "Prénom;Nom\n".encode() + "".join(f"{f};{n}\n" for f, n, _ in OTHERS).encode() + f"{FIRST};{LAST}\n".encode("cp1252")
    proc, ws_path, _ = _load(tmp_path, {"a.csv": data}, _source("mixed", "a.csv"))
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(5, 4, 1)]
    (reject,) = _query(ws_path, "SELECT line, record, reason_code, reason FROM load_rejects")
    assert reject == (6, 5, "undecodable", "undecodable bytes (not utf-8)")
    assert _query(ws_path, "SELECT encoding FROM load_files") == [("utf-8",)]
    assert "a.csv: mixed encodings: 1 row(s) hold bytes that are not utf-8, rejected as undecodable" in proc.stderr


def test_utf16_files_are_read(tmp_path):
    text = "Prénom;Nom;E-mail\r\n" + "".join(f"{f};{n};{e}\r\n" for f, n, e in OTHERS) + f"{FIRST};{LAST}\r\n"
    files = {
        "le.csv": text.encode("utf-16"),  # little-endian, with its byte-order mark
        "be.csv": b"\xfe\xff" + text.encode("utf-16-be"),
        "le-nobom.csv": text.encode("utf-16-le"),
        "le-twice.csv": b"\xff\xfe" + text.encode("utf-16"),  # a double byte-order mark
    }
    sources = "".join(_source(n.replace("-", "_").removesuffix(".csv"), n) for n in files)
    proc, ws_path, _ = _load(tmp_path, files, sources)
    assert proc.returncode == 0, proc.stderr
    # the last line has too few fields: a reject, at its line, in every encoding
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(5, 4, 1)] * 4
    encodings = dict(_query(ws_path, "SELECT path, encoding FROM load_files"))
    assert encodings == {"le.csv": "utf-16-le", "be.csv": "utf-16-be", "le-nobom.csv": "utf-16-le", "le-twice.csv": "utf-16-le"}
    for table in ("le", "be", "le_nobom", "le_twice"):
        rows = _query(ws_path, f'SELECT _row, "Prénom", "E-mail" FROM raw.{table} ORDER BY _row')
        assert rows == [(i + 1, f, e) for i, (f, _, e) in enumerate(OTHERS)], table
    assert set(_query(ws_path, "SELECT line, record, reason_code FROM load_rejects")) == {(6, 5, "too_few_fields")}
    assert "le-twice.csv: 2 byte-order marks at the start of the file, the extra ones ignored" in proc.stderr
    # transcoded in memory under a key: no clear copy (UTF-8 or UTF-16) under the workspace
    assert_no_leak([ws_path], [FIRST, EMAIL, *(e for _, _, e in OTHERS)])


def test_double_bom_keeps_the_key_column_name(tmp_path):
    bom = b"\xef\xbb\xbf"
    files = {
        "clean.csv": bom + bom + f"id;Prénom;E-mail\n1;{FIRST};{EMAIL}\n".encode(),
        # a padded name: DuckDB's sniffer names the columns, the second mark is removed all the same
        "sniffed.csv": bom + bom + f"id;Prénom ;E-mail\n1;{FIRST};{EMAIL}\n".encode(),
    }
    sources = _source("clean", "clean.csv", "{key: id}") + _source("sniffed", "sniffed.csv", "{key: id}")
    proc, ws_path, _ = _load(tmp_path, files, sources)
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(1, 1, 0), (1, 1, 0)]
    for table in ("clean", "sniffed"):
        assert _query(ws_path, f'SELECT id, "E-mail" FROM raw.{table}') == [("1", EMAIL)]
        cols = [r[0] for r in _query(ws_path, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ?", [table])]
        assert not any("\ufeff" in c for c in cols), cols
    assert proc.stderr.count("2 byte-order marks at the start of the file") == 2


def test_nul_in_header_is_one_line_naming_the_file(tmp_path):
    files = {"nul.csv": f"id;No\x00m\n1;{FIRST}\n".encode(), "ok.csv": f"id;nom\n1;{FIRST}\n".encode()}
    proc, ws_path, _ = _load(tmp_path, files, _source("nul", "nul.csv") + _source("ok", "ok.csv"))
    assert proc.returncode == 2, proc.stderr
    line = _error_line(proc, "nul.csv")
    assert "NUL byte(s) in the header line" in line
    # the other source is loaded, its counts add up
    assert [r[:5] for r in assert_counts_add_up(ws_path)] == [("ok.csv", None, 1, 1, 0)]


def test_reader_error_is_one_line_naming_the_file(tmp_path):
    # DuckDB's sniffer cannot settle on a dialect for this one: its multi-line error, SQL
    # included, becomes one line naming the file
    files = {"bad.csv": f'id ,nom\n1,{FIRST}\n#,",\n3,{EMAIL}\n'.encode()}
    proc, ws_path, _ = _load(tmp_path, files, _source("bad", "bad.csv"))
    assert proc.returncode == 2, proc.stderr
    line = _error_line(proc, "bad.csv")
    assert "cannot read as delimited text" in line and FIRST not in proc.stderr and EMAIL not in proc.stderr


def test_transcoded_file_under_a_key_leaves_no_clear_copy(tmp_path):
    # ’ and € (0x92, 0x80) send the file through a UTF-8 copy: in memory under a key
    rows = "".join(f"{i};{f} {n};{e};Prime de 100 € l’an\r\n" for i, (f, n, e) in enumerate(OTHERS * 50))
    data = ("id;Nom;E-mail;Note\r\n" + rows).encode("cp1252")
    proc, ws_path, _ = _load(tmp_path, {"a.csv": data}, _source("cands", "a.csv", "{encoding: cp1252}"))
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(ws_path)] == [(200, 200, 0)]
    assert _query(ws_path, "SELECT DISTINCT \"Note\" FROM raw.cands") == [("Prime de 100 € l’an",)]
    assert_no_leak([ws_path], [e for _, _, e in OTHERS] + ["Crémieux", "Lefèvre"])
    # nothing left in the workspace's temporary folder either
    assert not [p for p in ws_path.rglob("*") if p.is_file() and "tmp" in p.relative_to(ws_path).parts]
    # without a key, the copy is a file of the load's scratch folder, removed at the end
    proc, plain, _ = _load(tmp_path / "plain", {"a.csv": data}, _source("cands", "a.csv", "{encoding: cp1252}"), key=None)
    assert proc.returncode == 0, proc.stderr
    assert [r[2:5] for r in assert_counts_add_up(plain, key=None)] == [(200, 200, 0)]
    assert not list((plain / "tmp").glob("load-*"))
    assert json.loads(_query(plain, "SELECT dialect FROM load_files", key=None)[0][0])["delimiter"] == ";"
