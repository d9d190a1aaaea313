"""An executed notebook as HTML without its code: what an annex of the report shows.

The report's annexes are the notebooks' outputs and texts, never their code. nbconvert's
HTML exporter did this (``basic`` template, ``exclude_input``), at a cost larger than the
notebooks' own work: importing it and compiling its templates took half a second of every
report. Here, each cell becomes what a reader sees of it, as JupyterLab shows it:

- a markdown cell: its text rendered by mistune (the Markdown parser nbconvert itself uses;
  raw HTML kept, as in a notebook; tables and strikethrough as in JupyterLab);
- a code cell: its outputs, in order: streams as preformatted text, rich outputs by the first
  MIME type of :data:`PRIORITY` they carry (HTML as written, Markdown rendered, images
  embedded, plain text escaped), errors as their traceback without terminal colours;
- a raw cell: its text when its format is HTML, nothing otherwise (as nbconvert).

Notebooks are read without nbformat (:func:`read_notebook`): a report notebook is version 4
JSON whose multi-line fields are lists of lines; nbformat's import (its JSON schema
validator) cost more than reading.
"""

from __future__ import annotations

import base64
import binascii
import functools
import html
import json
import re
from pathlib import Path

# The MIME type shown of a rich output, first found first (nbconvert's order for HTML, less
# what needs a live kernel: widgets, JavaScript).
PRIORITY = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/plain")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MULTILINE = ("source", "text")


class Node(dict):
    """A notebook node: a dict whose keys read as attributes (``cell.source``), as nbformat's."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


def _node(value):
    if isinstance(value, dict):
        return Node({k: _node(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_node(v) for v in value]
    return value


def _joined(value):
    return "".join(value) if isinstance(value, list) else value


def read_notebook(path: str | Path) -> Node:
    """A version-4 notebook from its JSON file, multi-line fields joined into strings (as
    ``nbformat.read(path, as_version=4)`` gives them). Raises ValueError naming the file for
    anything else."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable notebook: {exc}") from None
    if not isinstance(data, dict) or data.get("nbformat") != 4 or not isinstance(data.get("cells"), list):
        raise ValueError(f"{path}: not a version-4 notebook (nbformat {data.get('nbformat') if isinstance(data, dict) else '?'})")
    nb = _node(data)
    for cell in nb.cells:
        cell["source"] = _joined(cell.get("source", ""))
        cell.setdefault("metadata", Node())
        if cell.get("cell_type") == "code":
            cell.setdefault("outputs", [])
            for out in cell.outputs:
                if "text" in out:
                    out["text"] = _joined(out["text"])
                for mime, value in (out.get("data") or {}).items():
                    if not mime.endswith("json"):
                        out.data[mime] = _joined(value)
    return nb


@functools.cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def markdown(text: str) -> str:
    return _markdown()(text)


def _pre(text: str, cls: str) -> str:
    return f'<pre class="{cls}">{html.escape(_ANSI.sub("", text))}</pre>'


def _rich(data: dict) -> str:
    for mime in PRIORITY:
        if mime not in data:
            continue
        value = _joined(data[mime])
        if mime == "text/html" or mime == "image/svg+xml":
            return f'<div class="output-html">{value}</div>'
        if mime == "text/markdown":
            return f'<div class="output-markdown">{markdown(value)}</div>'
        if mime.startswith("image/"):
            payload = "".join(value.split())
            try:
                base64.b64decode(payload, validate=True)  # an image, not markup
            except (binascii.Error, ValueError):
                continue
            return f'<div class="output-image"><img src="data:{mime};base64,{payload}" alt=""></div>'
        return _pre(value, "output-text")
    return ""


def output_html(out: dict) -> str:
    """One output of a code cell as HTML."""
    kind = out.get("output_type")
    if kind == "stream":
        return _pre(_joined(out.get("text", "")), f"output-stream output-{out.get('name', 'stdout')}")
    if kind in ("display_data", "execute_result"):
        return _rich(out.get("data") or {})
    if kind == "error":
        return _pre("\n".join(out.get("traceback") or [f"{out.get('ename')}: {out.get('evalue')}"]), "output-error")
    return ""


def cell_html(cell: dict, texts: dict[str, str] | None = None) -> str:
    """What a reader sees of one cell (no code); ``texts``: a markdown cell's text in the
    reader's language, by its text as written (:mod:`rgpd_audit.report.annex_texts`)."""
    kind = cell.get("cell_type")
    if kind == "markdown":
        source = _joined(cell.get("source", ""))
        source = (texts or {}).get(source.strip(), source)
        return f'<div class="cell cell-markdown">{markdown(source)}</div>'
    if kind == "code":
        parts = [output_html(o) for o in cell.get("outputs", [])]
        parts = [p for p in parts if p]
        return f'<div class="cell cell-output">{"".join(parts)}</div>' if parts else ""
    if kind == "raw":
        fmt = (cell.get("metadata") or {}).get("format") or (cell.get("metadata") or {}).get("raw_mimetype") or ""
        return _joined(cell.get("source", "")) if fmt in ("text/html", "html") else ""
    return ""


def notebook_body(nb, texts: dict[str, str] | None = None) -> str:
    """The notebook's cells as HTML, in order, without code (markdown through ``texts``)."""
    return "\n".join(p for p in (cell_html(c, texts) for c in nb["cells"]) if p)
