"""The report's annexes: each executed notebook as an HTML page without code.

An annex is what the notebook shows (its texts, tables and charts), rendered by nbconvert's
HTML exporter with ``exclude_input=True`` on the ``basic`` template (no CDN script, no
JupyterLab style sheet) inside a small page of our own; its charts use the report folder's
one copy of plotly.js (``plotly.min.js``, written once per report and shared with
``index.html``). Outputs that would duplicate it are dropped before rendering: plotly.js as
embedded by the offline notebook renderer, and the plotly JSON (its HTML twin is kept).
Like ``index.html``, an annex is scanned for identifiers before it is written.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

from .guard import assert_no_identifiers

PLOTLYJS_FILE = "plotly.min.js"
PLOTLY_MIME = "application/vnd.plotly.v1+json"

# Titles of the annexes by notebook stem: (French, English). A notebook not listed here is
# titled by its first heading.
TITLES = {
    "00_chargement": ("Chargement et qualité des exports", "Loading and quality of the exports"),
    "10_cartographie": ("Cartographie des données", "Data map"),
    "20_conservation": ("Durées de conservation", "Retention periods"),
    "30_transferts_acces": ("Transferts, accès et données sensibles", "Transfers, access and special categories"),
    "40_synthese": ("Synthèse pour la direction", "Summary for management"),
}

# As index.html: nothing from the network; scripts inline or from the report folder.
CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src \'self\' '
       '\'unsafe-inline\' \'unsafe-eval\'; style-src \'unsafe-inline\'; img-src data: blob:; font-src data:">')
STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
a{color:#2c7fb8}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f4f6f8}tbody tr:nth-child(even){background:#fafafa}pre{white-space:pre-wrap;font-size:.85em}
.jp-OutputPrompt,.jp-InputPrompt{display:none}nav{font-size:.9em;margin-bottom:1em}
"""


def annex_title(notebook: Path, lang: str, nb=None) -> str:
    """The annex's title: from :data:`TITLES`, else the notebook's first heading."""
    stem = Path(notebook).stem
    if stem in TITLES:
        return TITLES[stem][0 if lang == "fr" else 1]
    for cell in (nb.cells if nb is not None else []):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            line = cell.source.lstrip().splitlines()[0].lstrip("#").strip()
            return line.split("—", 1)[-1].strip() or line
    return stem.replace("_", " ")


def annex_name(notebook: Path) -> str:
    """The annex's file name: ``00_chargement.html``."""
    return Path(notebook).stem + ".html"


def strip_duplicates(nb) -> None:
    """Drop, in place, the outputs duplicating the report folder: embedded plotly.js, plotly JSON."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None:
                text = data.get("text/html", "")
                if isinstance(text, list):
                    text = "".join(text)
                if "plotly.js v" in text and len(text) > 100_000:  # the offline renderer's plotly.js
                    continue
                if PLOTLY_MIME in data and "text/html" in data:
                    del data[PLOTLY_MIME]
            kept.append(out)
        cell.outputs = kept


def render_annex(nb, title: str, lang: str, *, plotlyjs_href: str, back_href: str, back_label: str,
                 name: str) -> str:
    """The annex page of the executed notebook ``nb``: outputs only, no code; identifiers refused."""
    strip_duplicates(nb)
    body, _ = _exporter().from_notebook_node(nb)
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{CSP}\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n"
        f'<script type="text/javascript" src="{html.escape(plotlyjs_href)}"></script>\n</head>\n<body>\n'
        f'<nav><a href="{html.escape(back_href)}">← {html.escape(back_label)}</a></nav>\n{body}\n</body>\n</html>\n'
    )
    assert_no_identifiers(page, name)
    return page


@functools.cache
def _exporter():
    """One HTML exporter per process: its templates are compiled once, not per annex."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def write_plotlyjs(folder: Path) -> Path:
    """The report folder's one copy of plotly.js (the version plotly.py ships, no network)."""
    from plotly.offline import get_plotlyjs

    path = Path(folder) / PLOTLYJS_FILE
    path.write_text(get_plotlyjs(), encoding="utf-8")
    return path
