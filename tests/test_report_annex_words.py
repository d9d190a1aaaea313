"""The annexes' tables as a manager reads them: identifiers in words, headings in the
report's language; the analyst's notebooks keep their identifiers."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from rgpd_audit.policy import load_policy
from rgpd_audit.report import run_report
from rgpd_audit.report.catalogue import checks
from rgpd_audit.report.present import Context, present, to_html
from rgpd_audit.vocab import categories
from rgpd_audit.workspace import Workspace
from tests.test_report_fixtures import AS_OF, tiny_workspace

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DOTTED = re.compile(r"\b[a-z_]+(?:\.[a-z_]+){1,}\b")


@pytest.fixture(scope="module")
def annexes(tmp_path_factory):
    root = tmp_path_factory.mktemp("annex-words")
    tiny = tiny_workspace(root)
    with Workspace(tiny.workspace) as ws:
        ids = {r[0] for r in ws.con.execute("SELECT name FROM sources").fetchall()}
    ids |= {a.id for a in load_policy().activities} | set(checks()) | set(categories())
    out = {}
    for lang in ("fr", "en"):
        result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=root / lang, lang=lang)
        out[lang] = {p.stem: p.read_text(encoding="utf-8") for p in result.notebooks}
    return out, ids


def _tables(page: str) -> list[tuple[list[str], list[list[str]]]]:
    soup = BeautifulSoup(page, "html.parser")
    return [([th.get_text() for th in t.select("thead th")],
             [[td.get_text() for td in tr.select("td")] for tr in t.select("tbody tr")])
            for t in soup.select("table.dataframe")]


def _identifiers(pages: dict[str, str], ids: set[str], lang: str) -> set[str]:
    """Identifiers shown in the annexes' tables (headings and cells)."""
    file_heading = "Fichier" if lang == "fr" else "File"
    found = set()
    for name, page in pages.items():
        for heads, rows in _tables(page):
            found |= {f"{name}: column {h}" for h in heads if SNAKE.search(h) or DOTTED.search(h)}
            for row in rows:
                for head, cell in zip(heads, row, strict=False):
                    if head == file_heading:  # a file's path is what the analyst opens
                        continue
                    hits = set(SNAKE.findall(cell) + DOTTED.findall(cell))
                    hits |= {i for i in ids if ("_" in i or "." in i) and re.search(rf"(?<![\w.]){re.escape(i)}(?![\w.])", cell)}
                    found |= {f"{name}: {h}" for h in hits}
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_identifier_in_the_annexes_tables(annexes, lang):
    pages, ids = annexes
    found = _identifiers(pages[lang], ids, lang)
    assert not found, sorted(found)[:20]
    assert sum(len(_tables(p)) for p in pages[lang].values()) >= 10


def test_a_report_started_from_a_kernel_words_its_tables_too(annexes, tmp_path, monkeypatch):
    """From JupyterLab (this process a kernel), each notebook runs in a kernel of its own with
    papermill: its tables read as the in-process annexes' do, not as pandas shows them."""
    from rgpd_audit.report import inprocess
    from rgpd_audit.report import runner as report_runner

    pages, ids = annexes
    tiny = tiny_workspace(tmp_path)
    ran = []
    through_papermill = report_runner.execute_notebook

    def execute_notebook(notebook, *args, **kwargs):
        ran.append(notebook)
        return through_papermill(notebook, *args, **kwargs)

    monkeypatch.setattr(inprocess, "available", lambda: False)
    monkeypatch.setattr(report_runner, "execute_notebook", execute_notebook)
    result = run_report(AS_OF, tiny.workspace, tiny.manifest, out_dir=tmp_path / "out", lang="fr")
    kernel = {p.stem: p.read_text(encoding="utf-8") for p in result.notebooks}
    assert len(ran) == len(kernel) == 5  # every notebook ran in a kernel of its own
    assert not _identifiers(kernel, ids, "fr"), sorted(_identifiers(kernel, ids, "fr"))[:20]
    headings = {name: [heads for heads, _ in _tables(page)] for name, page in kernel.items()}
    assert headings == {name: [heads for heads, _ in _tables(page)] for name, page in pages["fr"].items()}
    assert not any("rgpd_audit.report.present" in page for page in kernel.values())  # no code shown


def test_headings_in_the_reports_language(annexes):
    pages, _ = annexes
    fr = {h for p in pages["fr"].values() for heads, _ in _tables(p) for h in heads}
    en = {h for p in pages["en"].values() for heads, _ in _tables(p) for h in heads}
    assert {"Système", "Gravité", "Lignes chargées", "Contrôle"} <= fr
    assert {"System", "Severity", "Rows loaded", "Check"} <= en
    assert "" not in fr | en  # no index column


def test_present_words_and_leaves_out():
    ctx = Context(lang="fr", sources={"crm_contacts": "CRM HubSpot — contacts"}, activities={"prospects": "Prospects"})
    df = pd.DataFrame({
        "run_id": [1, 1], "check_id": ["retention.breach", "retention.unverifiable"], "check": ["a", "b"],
        "severity": ["error", "warning"], "source": ["crm_contacts", "crm_contacts, other_one"],
        "activity": ["prospects", None], "outside_eea": [True, False], "findings": [1234, 5], "pct_rejected": [0.25, 12.0],
    })
    shown = present(df, ctx)
    assert list(shown.columns) == ["Contrôle", "Gravité", "Système", "Activité", "Hors EEE", "Anomalies", "% rejeté"]
    assert shown.iloc[0].tolist() == ["a", "anomalie grave", "CRM HubSpot — contacts", "Prospects", "oui", "1\u202f234", "0,2"]
    assert shown.iloc[1, 2] == "CRM HubSpot — contacts, other_one" and shown.iloc[1, 3] == ""
    dates = present(pd.DataFrame({"as_of": ["2026-11-27"], "deadline": [pd.Timestamp("2024-06-30")]}), ctx)
    assert dates.iloc[0].tolist() == ["27/11/2026", "30/06/2024"]  # as the report's page writes dates
    assert present(pd.DataFrame({"as_of": ["2026-11-27"]}), Context(lang="en")).iloc[0, 0] == "2026-11-27"
    html = to_html(df, Context(lang="en"))
    assert "<th>Severity</th>" in html and "run_id" not in html and "retention.breach" not in html


def test_the_analysts_notebooks_keep_their_identifiers(tmp_path):
    """Outside the report's rendering a view's table is pandas' own: ids for the analyst."""
    from rgpd_audit.report import inprocess
    from rgpd_audit.report.nbhtml import Node, notebook_body

    cell = Node(cell_type="code", source="import pandas as pd\npd.DataFrame({'check_id': ['retention.breach']})",
                metadata=Node(), outputs=[], execution_count=None)
    nb = Node(cells=[cell], metadata=Node(), nbformat=4, nbformat_minor=5)
    inprocess.execute_inprocess(nb, cwd=tmp_path)
    assert "retention.breach" in notebook_body(nb)
    inprocess.execute_inprocess(nb, cwd=tmp_path, table_html=lambda df: to_html(df, Context()))
    assert "retention.breach" not in notebook_body(nb) and "Retention" not in notebook_body(nb)


def test_every_text_of_the_report_notebooks_has_its_english():
    from pathlib import Path

    from rgpd_audit.report.annex_texts import EN
    from rgpd_audit.report.nbhtml import read_notebook

    notebooks = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-4]0_*.ipynb"))
    cells = [c.source.strip() for nb in notebooks for c in read_notebook(nb).cells if c.cell_type == "markdown"]
    assert len(cells) >= 20
    missing = [c[:60] for c in cells if c not in EN]
    assert not missing, missing
    assert not set(EN) - set(cells)  # no entry left behind by an edited notebook


def test_english_annexes_read_in_english(annexes):
    pages, _ = annexes
    en = " ".join(BeautifulSoup(p, "html.parser").get_text(" ") for p in pages["en"].values())
    fr = " ".join(BeautifulSoup(p, "html.parser").get_text(" ") for p in pages["fr"].values())
    assert "Key numbers" in en and "Chiffres clés" not in en and "Lignes par système" not in en
    assert "Chiffres clés" in fr and "Key numbers" not in fr
    assert "27/11/2026" in fr and "2026-11-27" in en  # the audit date as each reader writes it
