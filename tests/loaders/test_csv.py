"""Generic delimited files: encodings, dialects, hostile content, nothing lost."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.workspace import Workspace
from tests.conftest import write_manifest

SRC = """
- name: cands
  format: csv
  path: "{path}"
  activities: [candidates]
  hosting: {{provider: INTER INTERIM, country: FR}}
  options: {opts}
"""


def src(path="a.csv", opts="{}"):
    return SRC.format(path=path, opts=opts)


def files_row(ws, source="cands"):
    return ws.con.execute(
        "SELECT encoding, dialect->>'delimiter', rows_read, rows_loaded, rows_rejected, status, warnings FROM load_files WHERE source = ?",
        [source],
    ).fetchone()


def test_cp1252_semicolon_french_dates_and_rejects(load_tiny):
    data = (
        "Nom;Prénom;Dernier contact;Commentaires\r\n"
        "Dupont;Jean-François;12/03/2021;RAS\r\n"
        "N’Diaye;Aïssa;31/02/2021;date impossible\r\n"
        'Lefèvre;Marie;01/01/2020;"sur deux\r\nlignes; avec point-virgule"\r\n'
        "Trop;peu\r\n"
        "Coût;€;15/06/2022;œuvre\r\n"
    ).encode("cp1252")
    ws, report = load_tiny(src(opts="{dates: {Dernier contact: last_activity}}"), {"a.csv": data})
    enc, delim, read, loaded, rejected, status, _ = files_row(ws)
    assert (enc, delim, status) == ("cp1252", ";", "loaded")
    assert (read, loaded, rejected) == (5, 3, 2)
    rows = ws.con.execute('SELECT "Nom", "Prénom", "Dernier contact"::DATE::VARCHAR, "Commentaires" FROM raw.cands ORDER BY _row').fetchall()
    assert rows[0] == ("Dupont", "Jean-François", "2021-03-12", "RAS")
    assert rows[1][3] == "sur deux\r\nlignes; avec point-virgule"
    assert rows[2][:2] == ("Coût", "€")
    rej = ws.con.execute("SELECT line, record, field, reason FROM load_rejects ORDER BY coalesce(line, record)").fetchall()
    reasons = " | ".join(r[3] for r in rej)
    assert "Dernier contact: not a valid date 31/02/2021" in reasons
    assert "wrong number of fields" in reasons
    assert any(r[2] == "Dernier contact" and r[1] == 2 for r in rej)
    # record numbers are the records' places in the file, rejected lines included
    assert [r[0] for r in ws.con.execute("SELECT _row FROM raw.cands ORDER BY _row").fetchall()] == [1, 3, 5]
    assert ("wrong number of fields (too few)", 4) in {(r[3], r[1]) for r in rej}


def test_utf8_bom_comma_iso_dates(load_tiny):
    data = "\ufeffemail,created\r\nmarie@example.fr,2024-02-29\r\nluc@example.fr,2023-02-29\r\n".encode()
    ws, _ = load_tiny(src(opts="{dates: {created: creation}}"), {"a.csv": data})
    enc, delim, read, loaded, rejected, _, _ = files_row(ws)
    assert enc == "utf-8-sig" and delim == ","
    assert (read, loaded, rejected) == (2, 1, 1)  # 2023 has no 29 February
    assert ws.con.execute("SELECT created::DATE::VARCHAR FROM raw.cands").fetchone()[0] == "2024-02-29"


def test_iso_8859_15_euro_and_oe(load_tiny):
    data = "libelle|montant\nŒuvre €|12,50\n".encode("iso-8859-15")
    ws, _ = load_tiny(src(opts="{encoding: iso-8859-15, amounts: [montant]}"), {"a.csv": data})
    row = ws.con.execute("SELECT libelle, montant::VARCHAR FROM raw.cands").fetchone()
    assert row == ("Œuvre €", "12.50")


def test_tab_and_pipe_sniffed(load_tiny):
    ws, _ = load_tiny(src(), {"a.csv": "a\tb\tc\n1\t2\t3\n4\t5\t6\n"})
    assert files_row(ws)[1] == "\t"


def test_mixed_encoding_line_rejected_not_lost(load_tiny):
    data = "nom,ville\nRenée,Besançon\n".encode() + "Zoé,Orléans\n".encode("cp1252") + "Éric,Nîmes\n".encode()
    ws, _ = load_tiny(src(), {"a.csv": data})
    enc, _, read, loaded, rejected, _, _ = files_row(ws)
    assert enc == "utf-8"
    assert (read, loaded, rejected) == (3, 2, 1)
    assert "undecodable" in ws.con.execute("SELECT reason FROM load_rejects").fetchone()[0]


def test_formula_values_kept_verbatim(load_tiny):
    data = 'nom,lien\nX,"=HYPERLINK(""http://evil.example.com"",""clic"")"\nY,+33 6 12 34 56 78\n'
    ws, _ = load_tiny(src(), {"a.csv": data})
    vals = [r[0] for r in ws.con.execute("SELECT lien FROM raw.cands ORDER BY _row").fetchall()]
    assert vals == ['=HYPERLINK("http://evil.example.com","clic")', "+33 6 12 34 56 78"]


def test_empty_and_header_only_files(load_tiny):
    ws, report = load_tiny(src(path="*.csv"), {"a.csv": b"", "b.csv": "nom;prenom\n"})
    rows = ws.con.execute("SELECT path, rows_read, status FROM load_files ORDER BY path").fetchall()
    assert rows == [("a.csv", 0, "empty"), ("b.csv", 0, "empty")]
    assert any("empty file" in w for w in report.warnings)
    assert any("header only" in w for w in report.warnings)


def test_same_file_twice_loaded_once_and_reload_is_atomic(tmp_path):
    (tmp_path / "a.csv").write_text("nom\nA\nB\n")
    (tmp_path / "copy.csv").write_text("nom\nA\nB\n")
    m = load_manifest(write_manifest(tmp_path, src(path="*.csv")))
    with Workspace(tmp_path / "ws") as ws:
        r1 = load_estate(ws, m)
        assert [f.status for f in r1.sources[0].files] == ["loaded", "duplicate"]
        assert ws.con.execute("SELECT count(*) FROM raw.cands").fetchone()[0] == 2
        r2 = load_estate(ws, m)
        assert r2.sources[0].status == "unchanged"
        # a changed file replaces the source's rows
        (tmp_path / "a.csv").write_text("nom\nA\nB\nC\n")
        r3 = load_estate(ws, m)
        assert r3.sources[0].status == "loaded"
        assert ws.con.execute("SELECT count(*) FROM raw.cands").fetchone()[0] == 5  # 3 + 2 (copy no longer a duplicate)
        # a load failing half-way leaves the previous state intact
        (tmp_path / "z.csv").write_bytes(b"\x00\x01garbage")
        bad = load_manifest(write_manifest(tmp_path, src(path="*.csv").replace("format: csv", "format: parquet")))
        r4 = load_estate(ws, bad)
        assert r4.sources[0].status == "failed" and "a.csv" in r4.sources[0].error
        assert ws.con.execute("SELECT count(*) FROM raw.cands").fetchone()[0] == 5
        assert ws.con.execute("SELECT count(*) FROM load_files WHERE source='cands'").fetchone()[0] == 2


def test_split_by_activity_with_prefix_and_unmapped_warning(load_tiny):
    sources = """
    - name: crm
      format: csv
      path: crm.csv
      activities: [prospects, client_contacts]
      hosting: {provider: "HubSpot, Inc.", country: US}
      options: {split_by: {column: stage, values: {lead: prospects, "cust*": client_contacts}}}
    """
    ws, report = load_tiny(sources, {"crm.csv": "id,stage\n1,lead\n2,customer\n3,other\n"})
    rows = ws.con.execute("SELECT id, _activity FROM raw.crm ORDER BY id").fetchall()
    assert rows == [("1", "prospects"), ("2", "client_contacts"), ("3", None)]
    assert any("not mapped to an activity" in w for w in report.warnings)


# -- property: whatever the content, loaded + rejected == records written ------------------

field_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(st.booleans(), st.lists(field_text, min_size=1, max_size=5)), min_size=1, max_size=25),
    delim=st.sampled_from([",", ";", "|", "\t"]),
)
def test_property_loaded_plus_rejected_equals_records(tmp_path_factory, rows, delim):
    tmp = tmp_path_factory.mktemp("prop")
    width = 3
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["c1", "c2", "c3"])
    good = 0
    for well_formed, fields in rows:
        if well_formed:
            fields = (fields + ["x"] * width)[:width]
            good += 1
        elif len(fields) == width:
            fields = fields + ["extra"]
        if len(fields) > width:
            # DuckDB tolerates one trailing delimiter (an empty last field), as spreadsheets write
            # it: nothing is lost then, so a too-long row here ends with a non-empty field.
            fields[-1] = fields[-1] or "extra"
        w.writerow(fields)
    (tmp / "a.csv").write_text(buf.getvalue(), encoding="utf-8")
    m = load_manifest(write_manifest(tmp, src(opts=f"{{delimiter: {delim!r}}}".replace("'\\t'", "tab"))))
    with Workspace(tmp / "ws") as ws:
        rep = load_estate(ws, m)
        f = rep.sources[0].files[0]
        assert f.rows_read == len(rows)
        assert f.rows_loaded + f.rows_rejected == f.rows_read
        assert f.rows_loaded == good


def test_iso_offsets_converted_to_utc(load_tiny):
    data = "id,seen\n1,2024-01-02T10:00:00+02:00\n2,2024-01-02 10:00:00\n3,2024-01-02T10:00:00Z\n4,2024-01-02\n"
    ws, _ = load_tiny(src(opts="{dates: {seen: last_activity}}"), {"a.csv": data})
    got = [r[0] for r in ws.con.execute("SELECT seen::VARCHAR FROM raw.cands ORDER BY _row").fetchall()]
    assert got == ["2024-01-02 08:00:00", "2024-01-02 10:00:00", "2024-01-02 10:00:00", "2024-01-02 00:00:00"]


def test_split_warning_shows_no_file_name_or_email(load_tiny):
    sources = """
    - name: crm
      format: csv
      path: crm.csv
      activities: [candidates]
      hosting: {provider: X, country: FR}
      options: {split_by: {column: path, values: {"/Recrutement/*": candidates}}}
    """
    ws, report = load_tiny(sources, {"crm.csv": "path\n/Recrutement/CV_Jean_Dupont.pdf\n/Direction/CV_Marie_Curie.pdf\njean@example.fr\n"})
    text = " ".join(report.warnings)
    assert "not mapped" in text and "Marie" not in text and "jean@" not in text and "/Direction/…" in text


def test_header_columns_only_when_duckdb_keeps_the_names():
    from rgpd_audit.ingest.loaders.textfile import header_columns

    assert header_columns("Nom;Prénom;Date de création\r\n1;2;3\r\n", ";") == ["Nom", "Prénom", "Date de création"]
    assert header_columns('"a";"b;c"\n1;2\n', ";") == ["a", "b;c"]
    # left to DuckDB's sniffer: names it would change, or a header it must parse itself
    # (the file's own BOM is gone already: one left is a second BOM, part of a name for DuckDB)
    for head in ("a;a\n1;2\n", "A;a\n1;2\n", "a;;b\n1;2;3\n", " a;b\n1;2\n", '"a\nb";c\n1;2\n', "a;b", "a;\ufffd\n1;2\n",
                 "\ufeffa;b\n1;2\n"):
        assert header_columns(head, ";") is None, head


def test_header_names_same_as_duckdb_sniffer(load_tiny):
    # explicit columns for a clean header, DuckDB's own names otherwise
    ws, _ = load_tiny(src(path="*.csv"), {"a.csv": "A;a;;x \n1;2;3;4\n", "b.csv": '"Nom";"b;c"\n5;6\n'})
    cols = {r[0] for r in ws.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = 'cands'").fetchall()}
    assert {"A", "a_1", "column2", "x", "Nom", "b;c"} <= cols


def test_hash_is_text_not_a_comment_and_bad_quotes_are_rejects(load_tiny):
    # DuckDB's sniffer, left alone, may take '#' for a comment mark and silently cut values at it
    ws, _ = load_tiny(src(), {"a.csv": 'id,ref\n1,AB#12\n#,",\n3,CD#34\n'})
    assert ws.con.execute("SELECT _row, id, ref FROM raw.cands ORDER BY _row").fetchall() == [(1, "1", "AB#12")]
    # the open quote runs to the end of the file: one record, rejected whole, its text kept
    # (escaped: no control character in the stored text)
    assert ws.con.execute("SELECT line, record, reason, raw, reason_code FROM load_rejects").fetchall() == [
        (3, 2, "badly quoted field", '#,",\\n3,CD#34\\n', "bad_quotes")]
    assert files_row(ws)[2:5] == (2, 1, 1)


def test_hash_not_a_comment_when_the_sniffer_reads_the_header(load_tiny):
    # a padded name sends the header to DuckDB's sniffer: with comments off it cannot settle on
    # a dialect, and the source fails naming the file, instead of values cut at '#'
    ws, report = load_tiny(src(), {"a.csv": 'id ,ref\n1,AB#12\n#,",\n3,CD#34\n'})
    (failed,) = [s for s in report.sources if s.name == "cands"]
    assert failed.status == "failed" and failed.error.startswith("a.csv: cannot read as delimited text")


def test_hash_lines_are_rows_when_the_sniffer_reads_the_header(load_tiny):
    ws, _ = load_tiny(src(), {"a.csv": "id ,ref\n1,AB#12\n#x,y\n"})
    assert ws.con.execute("SELECT id, ref FROM raw.cands ORDER BY _row").fetchall() == [("1", "AB#12"), ("#x", "y")]


def test_bom_and_quoted_delimiter_in_first_name(load_tiny):
    data = '\ufeff"Nom;Prénom";Ville\n"Dupont;Jean";Paris\n'.encode()
    ws, _ = load_tiny(src(), {"a.csv": data})
    assert ws.con.execute('SELECT "Nom;Prénom", "Ville" FROM raw.cands').fetchall() == [("Dupont;Jean", "Paris")]
    assert files_row(ws)[2:5] == (1, 1, 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet='aAéÉ b;"\'-_1#', min_size=0, max_size=5), min_size=1, max_size=5))
def test_property_header_columns_equal_duckdb_names(tmp_path_factory, names):
    import duckdb

    from rgpd_audit.ingest.loaders.textfile import header_columns

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(names)
    w.writerow([str(i) for i in range(len(names))])
    text = buf.getvalue()
    got = header_columns(text, ";")
    if got is None:
        return
    path = tmp_path_factory.mktemp("h") / "h.csv"
    path.write_text(text, encoding="utf-8")
    desc = duckdb.connect().execute(
        f"SELECT * FROM read_csv('{path}', header=true, all_varchar=true, delim=';', quote='\"', escape='\"', comment='')"
    ).description
    assert got == [d[0] for d in desc]


def test_header_longer_than_the_sample_is_not_header_only(load_tiny):
    # the first 256 KiB hold no line break: the rows after the header are still loaded
    long_name = "x" * (300 * 1024)
    ws, report = load_tiny(src(opts="{delimiter: ';'}"), {"a.csv": f"a;{long_name};c\n1;2;3\n4;5;6\n"})
    assert files_row(ws)[2:6] == (2, 2, 0, "loaded")
    assert ws.con.execute('SELECT a, c FROM raw.cands ORDER BY _row').fetchall() == [("1", "3"), ("4", "6")]
    assert not any("header only" in w for w in report.warnings)


def test_delimiter_sniffed_past_a_field_longer_than_python_csv_limit(load_tiny):
    note = "n" * (200 * 1024)  # over the csv module's default 128 KiB field limit
    ws, _ = load_tiny(src(), {"a.csv": f"id;note;ville\n1;{note};Lyon\n2;court;Paris\n"})
    assert files_row(ws)[1] == ";"
    assert ws.con.execute("SELECT id, length(note), ville FROM raw.cands ORDER BY _row").fetchall() == [
        ("1", 200 * 1024, "Lyon"), ("2", 5, "Paris")]
