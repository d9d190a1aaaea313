"""The report's annexes: each executed notebook as an HTML page without code.

An annex is what the notebook shows (its texts, tables and charts), rendered without its
code by :mod:`rgpd_audit.report.nbhtml` (no CDN script, no JupyterLab style sheet) inside a
small page of our own; its charts use the report folder's
one copy of plotly.js (:data:`PLOTLYJS_FILE`, written once per report and shared with
``index.html``). Outputs that would duplicate it are dropped before rendering: plotly.js as
embedded by the offline notebook renderer, and the plotly JSON (its HTML twin is kept).
Like ``index.html``, an annex is scanned for identifiers before it is written.

plotly.js is 4.8 MB; the report folder keeps it gzipped (1.5 MB, base64 in a script file:
a page opened from the disk can load a script, not fetch a file). :func:`plotlyjs_tags`
loads that file and a small loader inline: it puts a stand-in ``Plotly.newPlot`` in place
at once (the charts' own scripts call it while the page is parsed), inflates plotly.js
with the browser's ``DecompressionStream``, runs it, and then draws the charts waiting.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

from .guard import assert_no_identifiers

PLOTLYJS_FILE = "plotly.min.js.gz.js"
PLOTLYJS_VAR = "rgpdAuditPlotlyGz"
# The loader (ES5, no dependency): the stand-in queues newPlot calls until plotly.js runs.
PLOTLYJS_LOADER = """<script type="text/javascript">
(function () {
  var queue = [];
  window.Plotly = {newPlot: function () {
    var args = arguments;
    return new Promise(function (resolve) { queue.push([args, resolve]); });
  }};
  var bin = atob(window.PLOTLYJS_VAR || ""), bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text()
    .then(function (source) {
      (0, eval)(source);
      queue.forEach(function (q) { q[1](window.Plotly.newPlot.apply(window.Plotly, q[0])); });
    });
})();
</script>""".replace("PLOTLYJS_VAR", PLOTLYJS_VAR)
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
nav{font-size:.9em;margin-bottom:1em}.output-error{color:#b91c1c}
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
    from .annex_texts import texts
    from .nbhtml import notebook_body

    strip_duplicates(nb)
    body = notebook_body(nb, texts(lang))
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{CSP}\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n"
        f'{plotlyjs_tags(plotlyjs_href)}\n</head>\n<body>\n'
        f'<nav><a href="{html.escape(back_href)}">← {html.escape(back_label)}</a></nav>\n{body}\n</body>\n</html>\n'
    )
    assert_no_identifiers(page, name)
    return page


def plotlyjs_tags(href: str) -> str:
    """What a page's ``<head>`` holds to draw its charts: the folder's plotly.js and its loader."""
    return f'<script type="text/javascript" src="{html.escape(href)}"></script>\n{PLOTLYJS_LOADER}'


def _plotlyjs_stamp() -> str:
    """The payload's first line: the plotly.py version it was made from."""
    from plotly import __version__

    return f"/* rgpd-audit: plotly.js of plotly.py {__version__}, gzip, base64 */\n"


@functools.cache
def _plotlyjs_payload() -> str:
    """plotly.js (the version plotly.py ships, no network), gzipped, base64, in a script."""
    import base64
    import gzip

    from plotly.offline import get_plotlyjs

    packed = base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0))
    return f'{_plotlyjs_stamp()}window.{PLOTLYJS_VAR}="{packed.decode("ascii")}";\n'


def write_plotlyjs(folder: Path) -> Path:
    """The report folder's one copy of plotly.js (:data:`PLOTLYJS_FILE`). The payload is the
    same for every report made with one plotly.py (no date in the gzip header): a copy made
    by the same version in a sibling report folder (last month's) is copied, not compressed
    again (0.2 s of every report)."""
    import shutil

    path = Path(folder) / PLOTLYJS_FILE
    stamp = _plotlyjs_stamp().encode("ascii")
    for sibling in sorted(Path(folder).parent.glob(f"*/{PLOTLYJS_FILE}"), reverse=True):
        if sibling == path:
            continue
        try:
            with open(sibling, "rb") as fh:
                same = fh.readline() == stamp
            if same:
                tmp = path.with_name(path.name + ".tmp")
                shutil.copyfile(sibling, tmp)
                tmp.replace(path)
                return path
        except OSError:
            continue
    tmp = path.with_name(path.name + ".tmp")  # complete or absent: next month copies it
    tmp.write_text(_plotlyjs_payload(), encoding="ascii")
    tmp.replace(path)
    return path
