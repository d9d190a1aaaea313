"""Physical lines and record numbers of delimited files (``textfile.line_map``), and of the
rejects and rows the engine loads from them."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rgpd_audit.ingest.loaders import textfile
from rgpd_audit.ingest.loaders.textfile import LineMap, line_map, shifts_after
from tests.loaders.test_csv import src


def reference(data: bytes, quote: str = '"') -> tuple[dict[int, tuple[int, int]], int]:
    """DuckDB's rows (header = 1, blank lines counted) -> (record, physical line), by a plain
    loop over the lines; and the number of records."""
    rows, k, b, inside = {}, 0, 0, False
    text = data.decode("latin-1")
    lines = io.StringIO(text, newline="\r" if "\n" not in text and "\r" in text else "\n")
    for ln, s in enumerate(lines, start=1):
        if not inside:
            k += 1
            if k > 1 and s in ("\n", "\r\n", "\r"):
                b += 1
            else:
                rows[k] = (k - 1 - b, ln)
        if quote and s.count(quote) % 2:
            inside = not inside
    return rows, k - 1 - b


def _check(tmp_path, data: bytes, quote: str = '"') -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    rows, records = reference(data, quote)
    m = line_map(path, quote, records)
    assert m is not None
    for k, (record, line) in rows.items():
        if k == 1:
            continue
        assert m.row(k) == (record, line), (k, data)
        assert m.line_of(record) == line, (record, data)
    # a count that agrees neither with the lines nor with the records: unknown
    assert line_map(path, quote, max(records, data.count(b"\n"), data.count(b"\r")) + 1) is None


def test_regular_file_needs_no_scan(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a;b\n1;2\n3;4")  # no line feed at the end: still 3 lines
    m = line_map(path, '"', 2)
    assert (m.row(2), m.row(3), m.line_of(2)) == ((1, 2), (2, 3), 3)


@pytest.mark.parametrize("data", [
    b'a;b\n"x\ny";1\n\n2;3\n',  # a field on two lines, then a blank line
    b'a;b\r\n"x\r\ny";1\r\n\r\n\r\n2;3\r\n"open;4\r\n5;6\r\n',  # CRLF, two blank lines, a quote never closed
    b'"a\nb";c\n1;2\n',  # the header itself on two lines
    b'a;b\r1;"2\r3"\r\r4;5\r',  # lines ending with CR alone
    b'a;b\n1;"say ""hi""\nthere"\n2;""\n',  # doubled quotes inside a quoted field
])
def test_line_map_against_a_plain_loop(tmp_path, data, monkeypatch):
    _check(tmp_path, data)
    monkeypatch.setattr(textfile, "SAMPLE_BYTES", 1)  # 8-byte chunks: every state crosses a chunk end
    _check(tmp_path, data)


def test_no_quote_character(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b'a\tb\n"x\ty\n\n1\t2\n')  # quote="": a quote is a character like another
    m = line_map(path, "", 2)
    assert m is not None and m.row(2) == (1, 2) and m.row(4) == (2, 4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(["a", ";", '"', '""', "\n", "\r\n", "\r", "é", "\n\n"]), max_size=40),
    small=st.booleans(),
)
def test_property_line_map_equals_the_plain_loop(tmp_path_factory, pieces, small):
    data = ("h;h\n" + "".join(pieces)).encode()
    if b"\n" not in data[4:] and b"\r" in data:
        return  # mixed CR-only and LF lines: not a file layout DuckDB agrees on either
    tmp = tmp_path_factory.mktemp("lm")
    if small:
        textfile.SAMPLE_BYTES, saved = 1, textfile.SAMPLE_BYTES
        try:
            _check(tmp, data)
        finally:
            textfile.SAMPLE_BYTES = saved
    else:
        _check(tmp, data)


def test_shifts_after_rejected_records():
    assert shifts_after([]) == []
    assert shifts_after([4]) == [(4, 1)]  # ordinal 4 is record 5
    assert shifts_after([4, 5]) == [(4, 2)]  # a run of rejects: one shift of 2
    assert shifts_after([1, 3, 7]) == [(1, 1), (2, 2), (5, 3)]
    assert LineMap().line_of(5) == 6


# -- through the engine: rejects and loaded rows, whatever the layout ------------------------

cell = st.sampled_from(["x", "é", "a b", "x\ny", "l’un\r\nl’autre", 'dit "oui"', ""])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(st.tuples(st.sampled_from(["ok", "few", "many", "date", "blank"]), cell), min_size=1, max_size=12),
    eol=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_property_rejects_and_rows_know_their_line_and_record(tmp_path_factory, records, eol, encoding):
    from rgpd_audit.ingest.engine import load_estate
    from rgpd_audit.ingest.manifest import load_manifest
    from rgpd_audit.workspace import Workspace
    from tests.conftest import write_manifest

    def q(v: str) -> str:
        return '"' + v.replace('"', '""') + '"'

    out, line, record = ["id;note;date" + eol], 2, 0
    loaded, rejects = [], []
    for kind, note in records:
        if kind == "blank":
            out.append(eol)
            line += 1
            continue
        record += 1
        fields = [str(record), q(note), "01/02/2020"]
        if kind == "few":
            fields = fields[:2]
        elif kind == "many":
            fields.append("en trop")
        elif kind == "date":
            fields[2] = "31/02/2021"
        out.append(";".join(fields) + eol)
        (loaded if kind == "ok" else rejects).append((line, record, kind))
        line += 1 + note.count("\n")
    tmp = tmp_path_factory.mktemp("lines")
    (tmp / "a.csv").write_bytes("".join(out).encode(encoding))
    m = load_manifest(write_manifest(tmp, src(opts="{date_format: '%d/%m/%Y', dates: {date: last_activity}, delimiter: ';'}")))
    with Workspace(tmp / "ws") as ws:
        rep = load_estate(ws, m)
        assert not rep.failed, rep.failed[0].error
        assert not [w for w in rep.warnings if "approximate" in w]
        got = ws.con.execute("SELECT line, record, reason_code FROM load_rejects ORDER BY record").fetchall()
        codes = {"few": "too_few_fields", "many": "too_many_fields", "date": "bad_date"}
        assert got == [(ln, rec, codes[kind]) for ln, rec, kind in rejects]
        rows = [r[0] for r in ws.con.execute("SELECT _row FROM raw.cands ORDER BY _row").fetchall()]
        assert rows == [rec for _, rec, _ in loaded]
