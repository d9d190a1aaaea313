"""Docs are tested: every command, check and export format is documented; the README's
test command is what CI runs; pyproject and environment.yml agree."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from rgpd_audit.checks import all_checks
from rgpd_audit.cli import main
from rgpd_audit.ingest.loaders import registry

REPO_DIR = Path(__file__).resolve().parents[1]

README = (REPO_DIR / "README.md").read_text(encoding="utf-8")


def test_every_command_in_readme():
    for name in main.commands:
        assert f"rgpd-audit {name}" in README, name


def test_every_check_documented():
    docs = README + (REPO_DIR / "docs" / "checks.md").read_text(encoding="utf-8")
    for cid in all_checks():
        assert f"`{cid}`" in docs, cid


def test_every_finding_kind_documented_with_its_severity():
    docs = (REPO_DIR / "docs" / "checks.md").read_text(encoding="utf-8")
    for cid, spec in all_checks().items():
        for kind in spec.kinds:
            assert f"| `{kind.id}` | `{cid}` | `{kind.severity}` |" in docs, kind.id


def test_every_format_documented():
    docs = README + (REPO_DIR / "docs" / "formats.md").read_text(encoding="utf-8")
    for name in registry.names():
        assert f"`{name}`" in docs, name


def test_readme_quick_start_test_command_is_what_ci_runs():
    ci = (REPO_DIR / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = [line for line in README.splitlines() if "pytest" in line and line.startswith("python3 -m venv")]
    assert len(test_cmd) == 1 and test_cmd[0].strip() in ci


def _name(req: str) -> str:
    return re.split(r"[<>=!\[ ]", req, maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    import tomllib

    py = tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(py["dependencies"]) + [r for extra in py["optional-dependencies"].values() for r in extra]
    env = yaml.safe_load((REPO_DIR / "environment.yml").read_text(encoding="utf-8"))
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                if not p.startswith("-"):
                    conda[_name(p)] = p
        else:
            conda[_name(dep).replace("python-duckdb", "duckdb")] = dep.replace("python-duckdb", "duckdb")
    for r in reqs:
        n = _name(r)
        if n == py["name"]:  # an extra made of other extras (dev = rgpd-audit[lab,sample] + …)
            continue
        assert n in conda, f"{n} missing from environment.yml"
        spec = r[len(n):].strip()
        assert conda[n].replace(" ", "").lower().endswith(spec.replace(" ", "").lower()), (r, conda[n])


def _all_commands(group, prefix="rgpd-audit"):
    import click

    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", cmd


def test_every_command_help_has_examples():
    missing = [name for name, cmd in _all_commands(main) if "Example" not in (cmd.help or "")]
    assert missing == []
