"""Encodings detected per file (``textfile.detect_encoding``), and what the load makes of the
mixed and wide ones: nothing garbled, nothing lost."""

from __future__ import annotations

import pytest

from rgpd_audit.ingest.loaders.textfile import _utf8_sequence, detect_encoding, read_head
from tests.loaders.test_csv import files_row, src


def _detect(tmp_path, data: bytes, declared=None):
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    return detect_encoding(p, declared)


@pytest.mark.parametrize("data, declared, label, transcode, extra", [
    ("a;b\nRenée;1\n".encode(), None, "utf-8", False, {}),
    ("a;b\nRenée;1\n".encode("cp1252"), None, "cp1252", False, {}),  # no C1 byte: DuckDB's latin-1 reader
    ("a;b\nl’an;1\n".encode("cp1252"), None, "cp1252", True, {}),
    # one UTF-8 line in a cp1252 file: transcoded line by line, that line read as UTF-8
    ("a;b\nRenée;1\n".encode("cp1252") + "Aïssa;2\n".encode(), None, "cp1252", True, {"utf8_lines": 1}),
    ("a;b\nRenée;1\n".encode("cp1252") + "Aïssa;2\n".encode(), "cp1252", "cp1252", True, {"utf8_lines": 1}),
    ("a;b\nŒuvre;1\n".encode("iso-8859-15") + "Aïssa;2\n".encode(), "iso-8859-15", "iso-8859-15", True, {"utf8_lines": 1}),
    # mostly UTF-8: the cp1252 line is left to DuckDB, which rejects it as undecodable
    ("a;b\nRenée;1\nZoé;2\n".encode() + "Aïssa;3\n".encode("cp1252"), None, "utf-8", False, {"bad_lines": 1}),
    # a file declared cp1252 that is UTF-8 through and through is read as UTF-8, with a note
    ("a;b\nRenée;1\n".encode(), "cp1252", "utf-8", False, {"note": "declared cp1252, but the file is UTF-8: read as UTF-8"}),
    # a byte-order mark says what the file is, whatever is declared
    (b"\xef\xbb\xbfa;b\n", "cp1252", "utf-8-sig", False, {"skip": 3, "boms": 1}),
    (b"\xef\xbb\xbf\xef\xbb\xbfa;b\n", None, "utf-8-sig", False, {"skip": 6, "boms": 2}),
    ("a;b\n".encode("utf-16"), None, "utf-16-le", True, {"skip": 2}),
    (b"\xfe\xff" + "a;b\n".encode("utf-16-be"), "cp1252", "utf-16-be", True, {"skip": 2}),
    ("a;b\nc;d\n".encode("utf-16-le"), None, "utf-16-le", True, {"skip": 0}),  # no mark: one byte of two is NUL
    ("a;b\nc;d\n".encode("utf-16-be"), None, "utf-16-be", True, {"skip": 0}),
    ("a;b\n".encode("utf-32"), None, "utf-32-le", True, {"skip": 4}),
])
def test_detect(tmp_path, data, declared, label, transcode, extra):
    enc = _detect(tmp_path, data, declared)
    assert (enc.label, enc.transcode) == (label, transcode)
    for k, v in extra.items():
        assert getattr(enc, k) == v, k


def test_utf8_sequence_is_a_candidate_test():
    assert _utf8_sequence("é".encode()) and _utf8_sequence("€".encode()) and _utf8_sequence("😀".encode())
    assert not _utf8_sequence("Renée Éric".encode("cp1252")) and not _utf8_sequence(b"plain ascii")
    assert _utf8_sequence("é’".encode("cp1252"))  # a cp1252 pair that looks like UTF-8: decided line by line


def test_read_head_of_wide_and_double_bom_files(tmp_path):
    for data in ("\ufeffid;nom\n".encode("utf-16"), b"\xef\xbb\xbf\xef\xbb\xbfid;nom\n", "\ufeffid;nom\n".encode("utf-32")):
        p = tmp_path / "h.csv"
        p.write_bytes(data)
        assert read_head(p, detect_encoding(p)) == "id;nom\n"


def test_mixed_lines_loaded_as_written(load_tiny):
    data = ("nom;ville\n" + "Renée;Besançon\n" * 3).encode("cp1252") + "Aïssa;Nîmes\n".encode() + "Zoé;l’Haÿ\n".encode("cp1252")
    ws, report = load_tiny(src(), {"a.csv": data})
    assert files_row(ws)[:5] == ("cp1252", ";", 5, 5, 0)
    assert [r[0] for r in ws.con.execute("SELECT ville FROM raw.cands ORDER BY _row").fetchall()] == ["Besançon"] * 3 + ["Nîmes", "l’Haÿ"]
    assert any("mixed encodings: 1 line(s)" in w for w in report.warnings)


def test_iso_8859_15_transcoded_with_a_utf8_line(load_tiny):
    # the eight ISO-8859-15 letters are decoded by Python's codec, never "fixed" in a UTF-8 line
    data = "lib;montant\nŒuvre €;12,50\n".encode("iso-8859-15") + "½ tarif ¤;3,00\n".encode()
    ws, _ = load_tiny(src(opts="{encoding: iso-8859-15}"), {"a.csv": data})
    assert [r[0] for r in ws.con.execute("SELECT lib FROM raw.cands ORDER BY _row").fetchall()] == ["Œuvre €", "½ tarif ¤"]


def test_utf16_bad_code_units_are_rejects_not_a_failure(load_tiny):
    good = "id;nom\n1;Aïssa\n".encode("utf-16-le")
    lone = "2;".encode("utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le")  # a lone high surrogate
    tail = "3;Zoé\n".encode("utf-16-le") + b"4"  # a last code unit cut in half
    ws, report = load_tiny(src(), {"a.csv": b"\xff\xfe" + good + lone + tail})
    assert not report.failed, report.failed[0].error
    assert files_row(ws)[0] == "utf-16-le"
    assert ws.con.execute("SELECT id, nom FROM raw.cands ORDER BY _row").fetchall() == [("1", "Aïssa"), ("3", "Zoé")]
    rej = ws.con.execute("SELECT line, record, reason_code FROM load_rejects ORDER BY line").fetchall()
    assert rej == [(3, 2, "undecodable"), (5, 4, "undecodable")]
    assert files_row(ws)[2:5] == (4, 2, 2)


def test_nul_in_header_refused_naming_the_file(load_tiny):
    ws, report = load_tiny(src(), {"a.csv": b"id;n\x00m\n1;2\n"})
    (failed,) = report.failed
    assert failed.error == "a.csv: NUL byte(s) in the header line: not a text export, or not utf-8"


def test_nul_in_a_value_is_kept(load_tiny):
    ws, _ = load_tiny(src(), {"a.csv": b"id;nom\n1;A\x00B\n"})
    assert ws.con.execute("SELECT nom FROM raw.cands").fetchone()[0] == "A\x00B"


def test_detected_wide_encoding_given_back(tmp_path):
    # a loader detects first, then hands the label to read_delimited (the FEC loader does)
    for data, label in (("a;b\n".encode("utf-16"), "utf-16-le"), ("a;b\nc;d\n".encode("utf-16-be"), "utf-16-be")):
        first = _detect(tmp_path, data)
        again = _detect(tmp_path, data, first.label)
        assert (first.label, again.label, again.transcode, again.skip, again.note) == (label, label, True, first.skip, None)


def test_fec_in_utf16(load_tiny):
    from tests.loaders.test_fec import SIREN, entry, fec_text

    name = f"{SIREN}FEC20211231.txt"
    rows = [entry("HA", "1", "20210115", "60700000", "Achats", debit="1,00"), ["VE", "Ventes", "3"]]
    ws, report = load_tiny(src(name).replace("format: csv", "format: fec"), {name: fec_text("\t", rows).encode("utf-16")})
    assert not report.failed, report.failed[0].error
    assert files_row(ws)[:5] == ("utf-16-le", "\t", 2, 1, 1)
    assert ws.con.execute("SELECT line, record, reason_code FROM load_rejects").fetchall() == [(3, 2, "too_few_fields")]
