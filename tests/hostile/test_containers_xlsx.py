"""Hostile workbooks: cells beyond the header, formulas without a computed value, XML bombs,
damaged zips, and a load killed while the workbook is read. Each through the command line
with a key set: nothing lost, nothing in clear on disk, one-line errors, no process left."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.hostile import harness
from tests.loaders.hostile_files import Estate, load_error, sheet_xml, xlsx

NIR = "2840599123456"
EMAIL = "aissa.hostile@example.org"


@pytest.fixture
def estate(tmp_path):
    return Estate(tmp_path)


def test_cells_right_of_the_header_are_kept_with_generated_names(estate):
    rows = {
        1: {0: "Nom", 1: "E-mail", 2: "Poste"},
        2: {0: "Martin", 1: "martin@example.org", 2: "Cariste", 5: NIR},  # a NIR in an unnamed column F
        3: {6: EMAIL},  # a row whose only value is beyond the header (G)
        5: {0: "Durand", 2: "Magasinier"},  # after a blank row 4
    }
    estate.write({"suivi.xlsx": xlsx({"Candidats": sheet_xml(rows)})})
    proc = estate.load(estate.source("suivi", "xlsx", "suivi.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert "cells right of the header's last column, loaded as column_F, column_G" in proc.stderr
    (row,) = estate.counts()
    assert row[2:5] == (3, 3, 0)  # read, loaded, rejected: the row holding only G counts
    got = estate.query('SELECT _row, "Nom", column_F, column_G FROM raw.suivi ORDER BY _row')
    # _row is the sheet's row number: the blank row 4 shifts nothing
    assert got == [(2, "Martin", NIR, None), (3, None, None, EMAIL), (5, "Durand", None, None)]
    estate.no_leak([NIR, EMAIL, "martin@example.org"])


def test_formula_without_a_computed_value_is_a_reject_and_shifts_nothing(estate):
    wb = openpyxl.Workbook()  # openpyxl writes formulas without their value, as scripts do
    sh = wb.active
    sh.title = "Paie"
    sh.append(["Nom", "Salaire", "Annuel", "NIR"])
    sh.append(["Martin", 2000, "=B2*12", NIR])
    sh.append(["Durand", 2100, 25200, "1850578006048"])
    sh.append([None, None, "=SUM(C2:C3)"])  # a row holding only a formula
    sh.append(["Petit", 1900, 22800, None])
    path = estate.dir / "paie.xlsx"
    wb.save(path)
    proc = estate.load(estate.source("paie", "xlsx", "paie.xlsx"))
    assert proc.returncode == 0, proc.stderr
    assert "2 row(s) with a formula without a computed value rejected (first: row 2, Annuel)" in proc.stderr
    (row,) = estate.counts()
    assert row[2:5] == (4, 2, 2)
    assert estate.query('SELECT _row, "Nom" FROM raw.paie ORDER BY _row') == [(3, "Durand"), (5, "Petit")]
    rejects = estate.query("SELECT line, record, field, reason_code, reason, raw FROM load_rejects ORDER BY record")
    assert [(r[0], r[1], r[2], r[3]) for r in rejects] == [
        (2, 2, "Annuel", "formula_without_value"), (4, 4, "Annuel", "formula_without_value")]
    assert rejects[0][4].startswith("C2: formula without a computed value")
    # the row's other cells are kept, in the reject's text
    assert json.loads(rejects[0][5]) == {"Nom": "Martin", "Salaire": "2000", "NIR": NIR}
    estate.no_leak([NIR, "1850578006048"])


def test_workbook_whose_xml_expands_like_a_bomb_fails_naming_the_option(estate):
    # a sheet of 70 MB of XML (blanks between two rows) in a zip of about 70 KB
    body = sheet_xml([["Nom"], [EMAIL]]).replace("<sheetData>", "<sheetData>" + " " * (70 * 2**20))
    estate.write({"bomb.xlsx": xlsx({"S": body})})
    assert (estate.dir / "bomb.xlsx").stat().st_size < 2**20
    proc = estate.load(estate.source("bomb", "xlsx", "bomb.xlsx"))
    err = load_error(proc, "bomb")
    assert "bomb.xlsx: workbook unpacks to 70 MiB from" in err and "options.max_expansion" in err, err
    # the option raises the limit: the same workbook then loads
    proc = estate.load(estate.source("bomb", "xlsx", "bomb.xlsx", "{max_expansion: 100000}"))
    assert proc.returncode == 0, proc.stderr
    assert estate.counts()[0][2:5] == (1, 1, 0)
    estate.no_leak([EMAIL])


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"PK\x03\x04" + os.urandom(3000), "this is not an Excel workbook (.xlsx): it is a truncated or damaged zip archive"),
        ("truncated", "this is not an Excel workbook (.xlsx): it is a truncated or damaged zip archive"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "this is not an Excel workbook (.xlsx): it is a PNG image, not a zip archive"),
        (b"Nom;Ville\nMartin;Lyon\n", "this is not an Excel workbook (.xlsx): it is text whose first line has 2 fields"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "it is an Excel 97-2003 workbook (.xls)"),
    ],
    ids=["random-PK", "truncated", "png", "csv", "xls"],
)
def test_damaged_or_wrong_files_are_one_line_errors(estate, data, expected):
    if data == "truncated":
        whole = xlsx({"S": sheet_xml([["Nom"], ["Martin"]])})
        data = whole[: len(whole) * 2 // 3]
    estate.write({"x.xlsx": data})
    err = load_error(estate.load(estate.source("book", "xlsx", "x.xlsx")), "book")
    assert f"error: book: x.xlsx: {expected}" in err or expected in err, err


def test_damaged_entry_inside_a_readable_zip_is_a_one_line_error(estate):
    good = xlsx({"S": sheet_xml([["Nom"]] + [[f"n{i}"] for i in range(2000)])}, level=1)
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 200
    broken = good[:start] + bytes(b ^ 0x5A for b in good[start:start + 400]) + good[start + 400:]
    estate.write({"x.xlsx": broken})
    err = load_error(estate.load(estate.source("book", "xlsx", "x.xlsx")), "book")
    assert err.startswith("error: book: x.xlsx: ")


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"xlsx_child.py" in cmd:
            out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended (nothing reaps it in some containers)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_load_killed_while_reading_a_workbook_leaves_no_process_and_no_plain_file(estate):
    rows = [["Nom", "E-mail", "NIR", "Ville", "Poste"]] + [
        [f"Candidat {i}", EMAIL, NIR, "Lyon", "Cariste"] for i in range(150_000)
    ]
    estate.write({"gros.xlsx": xlsx({"A": sheet_xml(rows), "B": sheet_xml(rows)}, level=1)})
    estate.manifest(estate.source("gros", "xlsx", "gros.xlsx"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_AUDIT_")}
    env.update(estate.env(), RGPD_AUDIT_KEY=harness.KEY)
    cli = subprocess.Popen([*harness.CLI, "load", str(estate.dir / "manifest.yaml"), "--workspace", str(estate.ws)],
                           cwd=estate.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        children = []
        while not children and time.monotonic() < deadline and cli.poll() is None:
            children = _children(cli.pid)
            time.sleep(0.01)
        assert children, "the workbook reader never started"
        time.sleep(1.0)  # well into the read: rows are flowing
        assert cli.poll() is None and all(_alive(c) for c in children), "the read ended before the kill: make the workbook bigger"
        os.kill(cli.pid, signal.SIGKILL)
        cli.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(c) for c in children), "the workbook reader survived its parent"
    finally:
        if cli.poll() is None:
            cli.kill()
    estate.no_leak([EMAIL, NIR])
    # no copy of the workbook's rows at all (the reader wrote Parquet files under <ws>/tmp/xlsx-*)
    assert not [p for p in estate.tmp.rglob("*") if p.is_file()]
    assert not list(estate.ws.rglob("xlsx-*")) and not list(estate.ws.rglob("*.parquet"))


def test_reader_stops_when_its_parent_stops_reading(tmp_path):
    from rgpd_audit.ingest.loaders.xlsx import CHILD

    rows = [["Nom"]] + [[f"n{i}"] for i in range(300_000)]
    p = tmp_path / "b.xlsx"
    p.write_bytes(xlsx({"S": sheet_xml(rows)}, level=1))
    args = json.dumps({"path": str(p), "sheet": None, "ppid": os.getpid(), "batch_rows": 1000})
    child = subprocess.Popen([sys.executable, "-P", str(CHILD), args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = child.stdout.read(9)
    assert first[:1] == b"J"
    child.stdout.close()  # the parent goes away without reading the rest
    assert child.wait(timeout=60) is not None
