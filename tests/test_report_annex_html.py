"""Annexes without nbconvert: the same visible text as nbconvert's HTML exporter on the
report's own notebooks, and each kind of output rendered as a reader expects."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from rgpd_audit.report import inprocess
from rgpd_audit.report.annexes import strip_duplicates
from rgpd_audit.report.handle import kept_open
from rgpd_audit.report.nbhtml import Node, notebook_body, output_html, read_notebook
from tests.test_report_fixtures import AS_OF, tiny_workspace

REPO = Path(__file__).resolve().parents[1]
REPORT_NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-4]0_*.ipynb"))


def visible(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for tag in soup.select(".anchor-link"):  # nbconvert's heading permalinks, hidden by its CSS
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def test_report_notebooks_read_as_nbformat_reads_them():
    import nbformat

    for path in REPORT_NOTEBOOKS:
        mine, theirs = read_notebook(path), nbformat.read(path, as_version=4)
        assert [(c["cell_type"], c["source"]) for c in mine.cells] == [(c.cell_type, c.source) for c in theirs.cells]
        assert mine.cells[0].source == theirs.cells[0].source  # attribute access, as nbformat's nodes


def test_same_visible_text_as_nbconvert_on_the_report_notebooks(tmp_path):
    """Each report notebook, executed once on a workspace with findings: our annex body and
    nbconvert's (basic template, no input) show the same words in the same order."""
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    tiny = tiny_workspace(tmp_path)
    with kept_open(tiny.workspace):
        for path in REPORT_NOTEBOOKS:
            nb = inprocess.parameterize(read_notebook(path), {"as_of": str(AS_OF), "workspace": str(tiny.workspace),
                                                               "manifest": str(tiny.manifest), "lang": "fr"})
            inprocess.execute_inprocess(nb, cwd=tmp_path)
            strip_duplicates(nb)
            ours = visible(notebook_body(nb))
            theirs = visible(exporter.from_notebook_node(nbformat.from_dict(nb))[0])
            assert len(ours) > 200, path.name
            assert ours == theirs, path.name


def test_outputs_rendered_for_a_reader():
    stream = output_html(Node(output_type="stream", name="stderr", text="a < b\n"))
    assert stream == '<pre class="output-stream output-stderr">a &lt; b\n</pre>'
    error = output_html(Node(output_type="error", ename="ValueError", evalue="x",
                             traceback=["\x1b[0;31mValueError\x1b[0m: x"]))
    assert "\x1b" not in error and "ValueError: x" in error and "output-error" in error
    rich = Node(output_type="display_data", data={"text/html": "<b>t</b>", "text/plain": "t"}, metadata={})
    assert output_html(rich) == '<div class="output-html"><b>t</b></div>'  # HTML first, as written
    plain = Node(output_type="execute_result", data={"text/plain": "<DataFrame>"}, metadata={})
    assert output_html(plain) == '<pre class="output-text">&lt;DataFrame&gt;</pre>'
    md = output_html(Node(output_type="display_data", data={"text/markdown": "**gras**"}, metadata={}))
    assert "<strong>gras</strong>" in md
    png = output_html(Node(output_type="display_data", data={"image/png": "iVBORw0KGgo=\n", "text/plain": "fig"}))
    assert '<img src="data:image/png;base64,iVBORw0KGgo="' in png
    broken = output_html(Node(output_type="display_data", data={"image/png": "<script>", "text/plain": "fig"}))
    assert broken == '<pre class="output-text">fig</pre>'  # not an image: its text, never the markup
    assert output_html(Node(output_type="display_data", data={"application/x-unknown": "?"})) == ""


def test_cells_without_code(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Titre\n", "\n", "| a | b |\n", "|---|---|\n", "| 1 | 2 |\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["secret_code = 1\n", "secret_code"],
             "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                          "data": {"text/plain": ["1"]}}]},
            {"cell_type": "raw", "metadata": {"format": "text/html"}, "source": "<p>brut</p>"},
            {"cell_type": "raw", "metadata": {}, "source": "not shown"},
        ],
    }), encoding="utf-8")
    body = notebook_body(read_notebook(path))
    assert "<h1>Titre</h1>" in body and "<td>1</td>" in body and "<p>brut</p>" in body
    assert "secret_code" not in body and "not shown" not in body and '<pre class="output-text">1</pre>' in body


@pytest.mark.parametrize("content", ["{", "[]", '{"nbformat": 3, "cells": []}'])
def test_unreadable_notebook_named(tmp_path, content):
    path = tmp_path / "bad.ipynb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="bad.ipynb"):
        read_notebook(path)
