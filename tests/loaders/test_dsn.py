"""DSN: individuals, their contracts and contract ends, positional blocks, malformed lines."""

from __future__ import annotations

SRC = """
- name: paie
  format: dsn
  path: "{path}"
  activities: [staff]
  use: staff
  hosting: {{provider: Silae, country: FR}}
  options: {opts}
"""

DSN = """S10.G00.00.001,'Logiciel Paie'
S10.G00.01.001,'732829320'
S20.G00.05.001,'01'
S20.G00.05.005,'01032024'
S21.G00.06.001,'732829320'
S21.G00.11.001,'00021'
S21.G00.30.001,'1850578006048'
S21.G00.30.002,'LEFÈVRE'
S21.G00.30.004,'Jean-François'
S21.G00.30.005,'01'
S21.G00.30.006,'15051985'
S21.G00.30.008,'12 rue de l'Église'
S21.G00.30.019,'M0001'
S21.G00.40.001,'01022024'
S21.G00.40.006,'Cariste'
S21.G00.40.007,'03'
S21.G00.40.010,'29022024'
S21.G00.62.001,'29022024'
S21.G00.62.002,'031'
S21.G00.40.001,'01032024'
S21.G00.40.006,'Cariste confirmé'
S21.G00.40.007,'03'
S21.G00.40.010,'31032024'
S21.G00.50.001,'31032024'
S21.G00.30.001,'2900375123456'
S21.G00.30.002,'N'DIAYE'
S21.G00.30.003,'MARTIN'
S21.G00.30.004,'Aïssa'
S21.G00.30.005,'02'
S21.G00.30.006,'31021990'
S21.G00.30.019 '0002'
S21.G00.40.001,'15012024'
S21.G00.40.006,'Préparatrice de commandes'
S21.G00.40.007,'01'
S21.G00.40.010,''
S90.G00.90.001,'1234'
"""


def src(path="paie.dsn", opts="{}"):
    return SRC.format(path=path, opts=opts)


def test_individuals_contracts_and_ends(load_tiny):
    ws, report = load_tiny(src(), {"paie.dsn": DSN.encode("latin-1")})
    assert not report.failed, report.failed
    assert ws.tables("raw") == ["paie", "paie__contract_ends", "paie__contracts"]
    enc, read, loaded, rejected, status = ws.con.execute(
        "SELECT encoding, rows_read, rows_loaded, rows_rejected, status FROM load_files WHERE source = 'paie'"
    ).fetchone()
    # 2 individuals + 1 malformed line, 3 contracts, 1 end; the second individual's birth date is impossible
    assert (enc, status) == ("latin-1", "loaded")
    assert (read, loaded, rejected) == (7, 5, 2)

    people = ws.con.execute(
        "SELECT _row, nir, family_name, usage_name, first_names, sex, birth_date::DATE::VARCHAR, staff_number, "
        "period::DATE::VARCHAR, siren, nic, siret, \"S21.G00.30.008\", _activity FROM raw.paie ORDER BY _row"
    ).fetchall()
    assert people == [
        (1, "1850578006048", "LEFÈVRE", None, "Jean-François", "01", "1985-05-15", "M0001",
         "2024-03-01", "732829320", "00021", "73282932000021", "12 rue de l'Église", "staff"),
    ]
    contracts = ws.con.execute(
        "SELECT _row, individual_index, nir, start_date::DATE::VARCHAR, job_title, nature, planned_end::DATE::VARCHAR "
        "FROM raw.paie__contracts ORDER BY _row"
    ).fetchall()
    assert contracts == [
        (1, "1", "1850578006048", "2024-02-01", "Cariste", "03", "2024-02-29"),
        (2, "1", "1850578006048", "2024-03-01", "Cariste confirmé", "03", "2024-03-31"),
        (3, "2", "2900375123456", "2024-01-15", "Préparatrice de commandes", "01", None),
    ]
    ends = ws.con.execute(
        "SELECT individual_index, nir, contract_index, end_date::DATE::VARCHAR, reason FROM raw.paie__contract_ends"
    ).fetchall()
    assert ends == [("1", "1850578006048", "1", "2024-02-29", "031")]

    rej = ws.con.execute("SELECT line, record, field, reason, raw FROM load_rejects ORDER BY coalesce(line, 0)").fetchall()
    assert len(rej) == 2
    bad_date = next(r for r in rej if r[2])
    assert bad_date[1:3] == (2, "birth_date") and "not a valid date 31021990" in bad_date[3]
    malformed = next(r for r in rej if r[0])
    assert malformed[0] == 31 and malformed[4] == "S21.G00.30.019 '0002'" and "no comma" in malformed[3]


def test_utf8_and_contract_before_individual_warns(load_tiny):
    text = "S21.G00.40.001,'01012024'\nS21.G00.30.001,'1850578006048'\nS21.G00.30.002,'ÉLOÏSE'\nS21.G00.30.004,pas de quotes\n"
    ws, report = load_tiny(src(), {"paie.dsn": text.encode("utf-8")})
    assert not report.failed, report.failed
    enc, read, loaded, rejected, warnings = ws.con.execute(
        "SELECT encoding, rows_read, rows_loaded, rows_rejected, warnings FROM load_files"
    ).fetchone()
    assert (enc, read, loaded, rejected) == ("utf-8", 3, 2, 1)
    assert any("before any individual" in w for w in warnings)
    assert ws.con.execute("SELECT family_name FROM raw.paie").fetchone()[0] == "ÉLOÏSE"
    assert ws.con.execute("SELECT individual_index, nir FROM raw.paie__contracts").fetchone() == (None, None)
    assert "single quotes" in ws.con.execute("SELECT reason FROM load_rejects").fetchone()[0]


def test_not_a_dsn_file_fails(load_tiny):
    ws, report = load_tiny(src(), {"paie.dsn": "Nom;Prénom\nDupont;Jean\n"})
    (failed,) = report.failed
    assert "not a DSN file" in failed.error
