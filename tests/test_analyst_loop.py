"""The analyst's loop: decisions in the mapping reach the checks, loads say why they reload,
rejects over a share are an error, only audits enter the history, one workspace rule."""

from __future__ import annotations

import datetime as dt

import yaml
from click.testing import CliRunner

from rgpd_audit.checks.runner import run_checks
from rgpd_audit.cli import main
from rgpd_audit.ingest.quality import date_shape, did_you_mean
from rgpd_audit.policy import load_policy
from rgpd_audit.report.history import latest_audit_date, previous_run, trend
from rgpd_audit.workspace import Workspace
from rgpd_audit.workspace.locate import WORKSPACE_ENV, locate
from tests.conftest import write_manifest

SUPPLIERS = """
- name: fournisseurs
  format: csv
  path: fournisseurs.csv
  activities: [suppliers]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: Code, record_kind: active_supplier, subject: {email: E-mail}}
"""

ROWS = "Code;Société;E-mail;Dernière commande\nF1;Alpha;a@alpha.example.fr;12/03/2015\nF2;Beta;b@beta.example.fr;20/10/2025\n"


def _estate(tmp_path, sources=SUPPLIERS, rows=ROWS):
    (tmp_path / "fournisseurs.csv").write_text(rows, encoding="utf-8")
    return write_manifest(tmp_path, sources)


def _findings(ws_path, check_id):
    with Workspace(ws_path, create=False) as ws:
        run = ws.con.execute("SELECT max(run_id) FROM audit_runs").fetchone()[0]
        return ws.con.execute(
            "SELECT record_key, detail_en FROM findings WHERE run_id = ? AND check_id = ? ORDER BY 1", [run, check_id]
        ).fetchall()


def test_a_date_role_confirmed_in_the_mapping_only_is_used_by_check(tmp_path):
    runner = CliRunner()
    m = _estate(tmp_path)
    ws = tmp_path / "ws"
    out = str(tmp_path / "out")
    assert runner.invoke(main, ["load", str(m), "--workspace", str(ws)]).exit_code == 0
    assert runner.invoke(main, ["map", "--workspace", str(ws)]).exit_code == 0
    res = runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", "2026-11-27", "--out", out])
    assert res.exit_code in (0, 1), res.output
    # no date says when the last purchase was: both suppliers are unverifiable
    assert [k for k, _ in _findings(ws, "retention.unverifiable")] == ["F1", "F2"]
    # the analyst confirms, in mapping.yaml only, that « Dernière commande » is the last purchase
    path = ws / "mapping.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = data["tables"]["fournisseurs"]["columns"]["Dernière commande"]
    entry.update(date_role="last_purchase", status="confirmed")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", "2026-11-27", "--out", out])
    assert res.exit_code == 1, res.output  # F1's last purchase is over 5 years old: an error
    assert _findings(ws, "retention.unverifiable") == []
    breaches = _findings(ws, "retention.breach")
    assert [k for k, _ in breaches] == ["F1"]
    assert "as decided in the mapping" in breaches[0][1] and "Dernière commande" in breaches[0][1]


def test_load_says_why_it_reloads_or_skips(tmp_path):
    runner = CliRunner()
    m = _estate(tmp_path)
    ws = str(tmp_path / "ws")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert "loaded" in res.output and "(new source)" in res.output
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert "unchanged" in res.output and "files, manifest entry and loader unchanged" in res.output
    # the manifest's options change, the files do not: the source reloads, saying why
    m.write_text(m.read_text(encoding="utf-8").replace("record_kind: active_supplier",
                                                       "record_kind: active_supplier, dates: {Dernière commande: last_purchase}"),
                 encoding="utf-8")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert res.exit_code == 0, res.output
    assert "manifest options changed: dates" in res.output
    with Workspace(ws, create=False) as w:
        kind = w.con.execute(
            "SELECT data_type FROM duckdb_columns() WHERE table_name = 'fournisseurs' AND column_name = 'Dernière commande'"
        ).fetchone()[0]
    assert kind in ("TIMESTAMP", "DATE")  # the new option shaped the rows
    # hosting shapes no row: updated in place, and said
    m.write_text(m.read_text(encoding="utf-8").replace("country: FR", "country: DE"), encoding="utf-8")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert "unchanged" in res.output and "hosting updated" in res.output
    # the loader's version is part of what shapes a source
    with Workspace(ws, create=False) as w:
        w.con.execute("UPDATE sources SET loader_version = '0'")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert "loader csv version 0 -> 1" in res.output


def test_rejects_over_the_share_are_loud_and_an_error_finding(tmp_path):
    rows = "Code;Société;E-mail;Dernière commande\n" + "".join(
        f"F{i};S{i};s{i}@x.example.fr;{(i % 28) + 13:02d}/0{(i % 9) + 1}/2020\n" for i in range(40)
    ) + "F99;S;s@x.example.fr;01/02/2020\n"
    sources = SUPPLIERS.replace("record_kind: active_supplier,",
                                "record_kind: active_supplier, date_format: '%m/%d/%Y', dates: {Dernière commande: last_purchase},")
    m = _estate(tmp_path, sources, rows)
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert "ERROR: fournisseurs: 40 of 41 rows rejected" in res.output
    assert "look like dd/mm/yyyy, the manifest says %m/%d/%Y" in res.output
    res = runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-11-27", "--out", str(tmp_path / "out"),
                               "--check", "load.rejected_share"])
    assert res.exit_code == 1 and "load.rejected_share" in res.output
    [(key, detail)] = _findings(ws, "load.rejected_share")
    assert key == "fournisseurs" and "40 of 41 rows rejected" in detail and "dd/mm/yyyy" in detail


def test_an_option_naming_a_missing_column_gets_did_you_mean(tmp_path):
    sources = SUPPLIERS.replace("subject: {email: E-mail}", "subject: {email: Email}")
    m = _estate(tmp_path, sources)
    res = CliRunner().invoke(main, ["load", str(m), "--workspace", str(tmp_path / "ws")])
    assert "options.subject.email: no column 'Email' in the loaded files (did you mean 'E-mail'?)" in res.output


def test_date_shapes():
    assert date_shape(["31/12/2020", "01/02/2021"]) == ("dd/mm/yyyy", "%d/%m/%Y")
    assert date_shape(["12/31/2020"]) == ("mm/dd/yyyy", "%m/%d/%Y")
    assert date_shape(["2020-12-31"]) == ("yyyy-mm-dd", "%Y-%m-%d")
    assert date_shape(["31/12/2020", "hier"]) is None
    assert did_you_mean("Dernière Commande", ["Code", "Dernière commande"]) == " (did you mean 'Dernière commande'?)"


def test_only_audits_enter_the_history(tmp_path):
    runner = CliRunner()
    m = _estate(tmp_path)
    ws = str(tmp_path / "ws")
    out = str(tmp_path / "out")
    runner.invoke(main, ["load", str(m), "--workspace", ws])
    res = runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-10-01", "--out", out, "--record"])
    assert "recorded as an audit" in res.output
    res = runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-11-01", "--out", out])
    assert "ad hoc" in res.output
    with Workspace(ws, create=False) as w:
        runs = [r for (r,) in w.con.execute("SELECT run_id FROM audit_runs ORDER BY run_id").fetchall()]
        third = runs[-1] + 1

        # two audits on one day: the second compares with the first, the trend shows the day once
        a = run_checks(w, load_policy(), dt.date(2026, 12, 1)).run_id
        b = run_checks(w, load_policy(), dt.date(2026, 12, 1)).run_id
        assert a == third
        assert previous_run(w, a) == runs[0]  # not the ad-hoc check of 2026-11-01
        assert previous_run(w, b) == a
        dates = [str(d)[:10] for d in trend(w)["as_of"]]
        assert dates == ["2026-10-01", "2026-12-01"]
        assert str(latest_audit_date(w)) == "2026-12-01"


def test_the_workspace_rule(tmp_path, monkeypatch):
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    (tmp_path / "audit" / ".rgpd-audit").mkdir(parents=True)
    (tmp_path / "audit" / "notebooks").mkdir()
    assert locate("given", start=tmp_path).how == "given"
    assert locate(None, start=tmp_path / "audit" / "notebooks").path == tmp_path / "audit" / ".rgpd-audit"
    assert locate(None, start=tmp_path) is None
    assert locate(None, start=tmp_path, create_here=True).path == tmp_path / ".rgpd-audit"
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "elsewhere"))
    assert locate(None, start=tmp_path / "audit").path == tmp_path / "elsewhere"


def test_check_finds_the_workspace_above_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    m = _estate(tmp_path)
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["load", str(m)]).exit_code == 0  # a new ./.rgpd-audit
    assert (tmp_path / ".rgpd-audit" / "workspace.duckdb").exists()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    res = runner.invoke(main, ["check", "--as-of", "2026-11-27", "--out", str(tmp_path / "out")])
    assert res.exit_code in (0, 1), res.output
    assert not (tmp_path / "sub" / ".rgpd-audit").exists()


def test_check_and_report_refuse_an_empty_workspace(tmp_path):
    Workspace(tmp_path / "ws").close()  # created, nothing loaded
    runner = CliRunner()
    res = runner.invoke(main, ["check", "--workspace", str(tmp_path / "ws"), "--as-of", "2026-11-27",
                               "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "holds no loaded data" in res.output
    assert len(res.output.strip().splitlines()) == 2  # the audit date, then the one-line error
    assert not (tmp_path / "out").exists()


def test_findings_on_suggested_categories_say_so_until_confirmed(tmp_path):
    from tests.test_report_fixtures import tiny_workspace

    t = tiny_workspace(tmp_path, audits=False)
    runner = CliRunner()
    ws, out = str(t.workspace), str(tmp_path / "out")
    assert runner.invoke(main, ["map", "--workspace", ws]).exit_code == 0
    runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-11-27", "--out", out])
    details = [d for _, d in _findings(ws, "forbidden_data.candidate_identifier") + _findings(ws, "mapping.undeclared_category")]
    assert details and all("suggested, not reviewed" in d for d in details)
    path = t.workspace / "mapping.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"]["cands"]["columns"]["NIR"]["status"] = "confirmed"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-11-27", "--out", out])
    details = [d for _, d in _findings(ws, "forbidden_data.candidate_identifier") + _findings(ws, "mapping.undeclared_category")]
    assert details and not any("not reviewed" in d for d in details)


def test_two_audits_of_one_day_read_apart_in_the_report():
    from rgpd_audit.report.html import _previous_label

    changes = {"previous_as_of": dt.date(2026, 12, 1), "previous_at": dt.datetime(2026, 12, 1, 6, 2), "previous_run": 7}
    assert _previous_label(changes, {"as_of": dt.date(2026, 12, 1)}, "fr") == "01/12/2026, audit de 06:02 (n° 7)"
    assert _previous_label(changes, {"as_of": dt.date(2027, 1, 1)}, "en") == "2026-12-01"
    assert _previous_label({**changes, "previous_as_of": None}, {"as_of": dt.date(2027, 1, 1)}, "fr") is None


def test_a_subject_key_confirmed_in_the_mapping_gives_the_findings_their_subject(tmp_path):
    runner = CliRunner()
    m = _estate(tmp_path, SUPPLIERS.replace(", subject: {email: E-mail}", ""))
    ws = tmp_path / "ws"
    out = str(tmp_path / "out")
    runner.invoke(main, ["load", str(m), "--workspace", str(ws)])
    runner.invoke(main, ["map", "--workspace", str(ws)])
    path = ws / "mapping.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cols = data["tables"]["fournisseurs"]["columns"]
    cols["Dernière commande"].update(date_role="last_purchase", status="confirmed")
    cols["E-mail"].update(category="user.contact.email", subject_key=False, status="confirmed")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", "2026-11-27", "--out", out])
    with Workspace(ws, create=False) as w:
        refs = w.con.execute("SELECT subject_ref FROM findings WHERE check_id = 'retention.breach' "
                             "AND run_id = (SELECT max(run_id) FROM audit_runs)").fetchall()
    assert refs == [(None,)]  # not a subject key: no pseudonym of the person
    cols["E-mail"]["subject_key"] = True
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner.invoke(main, ["check", "--workspace", str(ws), "--as-of", "2026-11-27", "--out", out])
    with Workspace(ws, create=False) as w:
        [(ref,)] = w.con.execute("SELECT subject_ref FROM findings WHERE check_id = 'retention.breach' "
                                 "AND run_id = (SELECT max(run_id) FROM audit_runs)").fetchall()
        assert ref == w.pseudonym("a@alpha.example.fr")


def test_a_date_column_misspelt_in_options_gets_did_you_mean(tmp_path):
    sources = SUPPLIERS.replace("record_kind: active_supplier,",
                                "record_kind: active_supplier, dates: {Derniere commande: last_purchase},")
    m = _estate(tmp_path, sources)
    res = CliRunner().invoke(main, ["load", str(m), "--workspace", str(tmp_path / "ws")])
    assert "'Derniere commande' (did you mean 'Dernière commande'?) found in no file" in res.output


def test_a_cli_command_meeting_a_lock_names_the_process(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    m = _estate(tmp_path)
    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["load", str(m), "--workspace", str(ws)]).exit_code == 0
    cli = str(Path(sys.executable).parent / "rgpd-audit")
    with Workspace(ws, create=False):  # this process holds the file, as a notebook kernel holding a connection would
        res = subprocess.run([cli, "check", "--workspace", str(ws), "--as-of", "2026-11-27", "--out", str(tmp_path / "out")],
                             capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    error = [line for line in res.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and f"in use by process {os.getpid()}" in error[0], res.stderr
    assert "Traceback" not in res.stderr and "Conflicting lock" not in res.stderr
