"""Shared fixtures: a tiny estate written in the test, and a workspace in tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rgpd_audit.ingest.engine import load_estate
from rgpd_audit.ingest.manifest import load_manifest
from rgpd_audit.workspace import Workspace


def dict_rows(ws: Workspace, sql: str) -> list[dict]:
    """The rows of a query as dicts keyed by column name."""
    cur = ws.con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def write_manifest(root: Path, sources_yaml: str, domains=("inter-interim.example.fr",)) -> Path:
    """Write a manifest with the given ``sources:`` block (YAML text, indented freely)."""
    body = textwrap.dedent(sources_yaml).strip("\n")
    body = "\n".join("  " + line for line in body.splitlines())
    text = (
        "version: 1\nname: test estate\n"
        f"organisation: {{name: INTER INTERIM, domains: [{', '.join(domains)}]}}\n"
        "sources:\n" + body + "\n"
    )
    p = root / "manifest.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def load_tiny(tmp_path):
    """Return a function: (sources_yaml, files={name: bytes|str}) -> (workspace, report)."""
    opened = []

    def run(sources_yaml: str, files: dict[str, bytes | str]):
        for name, content in files.items():
            p = tmp_path / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                p.write_text(content, encoding="utf-8")
            else:
                p.write_bytes(content)
        m = load_manifest(write_manifest(tmp_path, sources_yaml))
        ws = Workspace(tmp_path / "ws")
        opened.append(ws)
        return ws, load_estate(ws, m)

    yield run
    for ws in opened:
        ws.close()


@pytest.fixture
def dsar_ws(load_tiny):
    """The data-subject-request estate of tests/dsar_estate.py, loaded."""
    from tests.dsar_estate import FILES, SOURCES

    ws, report = load_tiny(SOURCES, FILES)
    assert not report.failed, [s.error for s in report.failed]
    return ws
