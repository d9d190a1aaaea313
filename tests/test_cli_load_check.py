"""CLI: load and check on a tiny estate, exit codes, one-line errors."""

from __future__ import annotations

from click.testing import CliRunner

from rgpd_audit.cli import main
from tests.conftest import write_manifest

SOURCES = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {key: id, subject: {email: email}, dates: {contact: last_activity}}
"""


def estate(tmp_path):
    (tmp_path / "cands.csv").write_text("id;email;contact\n1;a@example.fr;01/01/2020\n2;b@example.fr;01/01/2026\n3;c@example.fr\n")
    return write_manifest(tmp_path, SOURCES)


def test_load_then_check_exit_codes_and_outputs(tmp_path):
    runner = CliRunner()
    m = estate(tmp_path)
    ws = str(tmp_path / "ws")
    res = runner.invoke(main, ["load", str(m), "--workspace", ws])
    assert res.exit_code == 0, res.output
    assert "cands" in res.output and "3" in res.output and "rejected" in res.output
    res = runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2026-11-27", "--out", str(tmp_path / "out")])
    assert res.exit_code == 1, res.output  # a retention breach is an error finding
    assert "retention.breach" in res.output
    csv_text = (tmp_path / "out" / "2026-11-27" / "findings.csv").read_text(encoding="utf-8")
    assert "retention.breach" in csv_text and "a@example.fr" not in csv_text
    res = runner.invoke(main, ["check", "--workspace", ws, "--as-of", "2021-01-01", "--check", "retention.breach", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output


def test_usage_and_input_errors_exit_2_with_one_line(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["check", "--workspace", str(tmp_path / "none"), "--as-of", "2026-11-27"])
    assert res.exit_code == 2 and "no workspace here" in res.output
    res = runner.invoke(main, ["check", "--as-of", "27/11/2026"])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\n")
    res = runner.invoke(main, ["load", str(bad), "--workspace", str(tmp_path / "ws")])
    assert res.exit_code == 2 and "bad.yaml" in res.output


def test_check_list_names_every_check():
    res = CliRunner().invoke(main, ["check", "--list"])
    assert res.exit_code == 0 and "retention.breach" in res.output and "policy.lint" in res.output


def test_classification_skipped_when_nothing_changed(load_tiny):
    from rgpd_audit.pipeline import classify_if_available
    from rgpd_audit.policy import load_policy

    ws, _ = load_tiny(SOURCES, {"cands.csv": "id;email;contact\n1;a@example.fr;01/01/2020\n"})
    pol = load_policy()
    assert classify_if_available(ws, pol) is True
    assert classify_if_available(ws, pol) is False  # same files, same decisions
    ws.con.execute("UPDATE column_map SET status = 'confirmed' WHERE column_name = 'email'")
    assert classify_if_available(ws, pol) is True  # an analyst decision changes what is scanned
