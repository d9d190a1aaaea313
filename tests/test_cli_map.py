"""``rgpd-audit map`` on a tiny estate."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from rgpd_audit.cli import main

SRC = """
- name: cands
  format: csv
  path: a.csv
  activities: [candidates]
  hosting: {provider: INTER INTERIM, country: FR}
  options: {delimiter: ";", dates: {Dernier contact: last_activity}}
"""

DATA = ("Nom;E-mail;N° sécurité sociale;Dernier contact;Commentaires\n"
        "Dupont;jean.dupont@example.fr;185057512345648;12/03/2021;RQTH, pas de charges lourdes\n"
        "Martin;marie.martin@example.fr;269054958815780;01/02/2022;Bon profil\n")


def test_map_command(load_tiny):
    ws, _ = load_tiny(SRC, {"a.csv": DATA})
    path = ws.path
    ws.close()
    runner = CliRunner()
    result = runner.invoke(main, ["map", "--workspace", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Columns needing review" in out
    assert "user.government_id.national_identification_number" in out
    assert "1 85 ** ** *** *** 48" in out
    assert "185057512345648" not in out and "jean.dupont@example.fr" not in out
    mapping = yaml.safe_load((path / "mapping.yaml").read_text(encoding="utf-8"))
    assert mapping["tables"]["cands"]["columns"]["Dernier contact"]["date_role"] == "last_activity"
    # second run with an explicit mapping path: nothing new
    result = runner.invoke(main, ["map", "--workspace", str(path), "--mapping", str(path / "mapping.yaml")])
    assert result.exit_code == 0, result.output
    assert "New columns" not in result.output


def test_map_help_has_example():
    result = CliRunner().invoke(main, ["map", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "rgpd-audit map" in result.output


def test_map_without_workspace_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["map", "--workspace", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no workspace" in result.output
