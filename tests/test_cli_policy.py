"""``rgpd-audit policy validate`` and ``rgpd-audit policy show``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rgpd_audit.cli import main
from rgpd_audit.resources import bundled_policy


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_validate_bundled(runner):
    result = runner.invoke(main, ["policy", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"OK: {bundled_policy()}: 8 activities, 11 retention rules, 4 hosting entries\n"
    )


def test_validate_explicit_file(runner, tmp_path):
    path = tmp_path / "copy.yaml"
    path.write_text(bundled_policy().read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(main, ["policy", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {path}: 8 activities")


def test_validate_broken_file_lists_every_error(runner, tmp_path):
    text = bundled_policy().read_text(encoding="utf-8")
    text = text.replace("counted_from: last_purchase", "counted_from: dernier_achat", 1)
    text = text.replace("    access_roles: [direction, operations]", "    access_rols: [direction, operations]", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["policy", "validate", str(path)])
    assert result.exit_code == 2
    assert f"3 errors in {path}" in result.output
    assert f"{path}: activities[6].retention[1].counted_from: Input should be" in result.output
    assert f"{path}: activities[7].access_rols: unknown key" in result.output
    assert f"{path}: activities[7].access_roles: required key is missing" in result.output
    assert "OK:" not in result.output


def test_validate_yaml_syntax_error(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nactivities: [\n", encoding="utf-8")
    result = runner.invoke(main, ["policy", "validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: line 3, column 1: YAML syntax error" in result.output


def test_validate_missing_file(runner, tmp_path):
    result = runner.invoke(main, ["policy", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_show_in_french_by_default(runner):
    result = runner.invoke(main, ["policy", "show"])
    assert result.exit_code == 0, result.output
    out = result.output
    for phrase in [
        "§1 prospects : Données-prospects",
        "Rôle : sous-traitant",
        "contacts : 3 ans après la dernière activité",
        "contacts : 2 ans après la dernière activité",
        "fournisseurs actifs : 5 ans après le dernier achat",
        "pièces comptables : 10 ans après la clôture de l’exercice",
        "durée fixée par le contrat client, à défaut 5 ans après la fin de la relation contractuelle",
        "intérêt légitime (prestataire paie)",
        "Accès : Direction, recrutement, secrétariat",
        "Gmail (Google LLC) : US, service cloud, mécanisme de transfert revendiqué : aucun",
        "Contact : rgpd@medicoop-france.fr; Service INFORMATIQUE, MEDICOOP FRANCE",
        "DPO : non désigné",
    ]:
        assert phrase in out, phrase
    assert out.index("§1 prospects") < out.index("§8 newsletters") < out.index("Hébergement") < out.index("Droits")


def test_show_in_english(runner):
    result = runner.invoke(main, ["policy", "show", "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    for phrase in [
        "§5 candidates: Job applications and internship requests",
        "Role: controller on behalf of the client (as written)",
        "contacts: 3 years after last activity",
        "active suppliers: 5 years after last purchase",
        "accounting documents: 10 years after fiscal year close",
        "period set in the client contract, otherwise 5 years after contract end",
        "Dropbox (Dropbox, Inc.): US, cloud service, claimed transfer mechanism: Privacy Shield",
        "Rights: access, rectification, restriction, portability, erasure, objection",
        "DPO: none named",
    ]:
        assert phrase in out, phrase
    assert "ans après" not in out


def test_show_rejects_unknown_language(runner):
    result = runner.invoke(main, ["policy", "show", "--lang", "de"])
    assert result.exit_code == 2
    assert "'de' is not one of 'fr', 'en'" in result.output


def test_help_has_examples(runner):
    for cmd in (["policy"], ["policy", "validate"], ["policy", "show"]):
        result = runner.invoke(main, [*cmd, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output
        assert "    rgpd-audit policy" in result.output
