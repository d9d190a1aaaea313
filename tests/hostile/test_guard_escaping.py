"""Hostile corpus — outputs escape what comes from the data or the manifest.

The erasure plan's Markdown carries no raw HTML (``<script>``) nor Markdown control
characters from the data (a record key cannot add a table cell, a heading or a link); a DSAR
CSV export makes formula-looking column names (headers) spreadsheet-safe, as its values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from rgpd_audit.dsar import PersonQuery, erase_plan, export_access, write_plan
from rgpd_audit.dsar.erase import md_escape
from rgpd_audit.dsar.export import safe_headers
from rgpd_audit.policy import load_policy

EMAIL = "aissa.ndiaye@example.fr"
HOSTILE_KEYS = [
    "<script>alert(1)</script>",
    "a | b | c",
    "# Titre",
    "**gras** _x_ `code` [lien](http://evil.example) ![img](http://evil.example/x.png)",
    "- liste",
    "1. liste",
    "ligne 1\nligne 2 | x",
    "<img src=x onerror=alert(1)>",
]
SOURCES = """
- name: cands
  format: csv
  path: cands.csv
  activities: [candidates]
  hosting: {provider: "<b>OVH</b> | SAS", country: FR}
  options: {key: Ref, subject: {email: Email}}
"""


def _cands() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["Ref", "Email", "Nom", '=HYPERLINK("http://evil.example","x")', "+cmd", "@SUM(A1)", "-2+3", "'=HYPERLINK(\"http://evil.example\",\"x\")"])
    for k in HOSTILE_KEYS:
        w.writerow([k, EMAIL, "=1+1", "=2+2", "+33", "@x", "-1", "ok"])
    return buf.getvalue()


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row: split on pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_the_erasure_plan_markdown_passes_no_html_nor_markdown_from_the_data(load_tiny, tmp_path):
    ws, report = load_tiny(SOURCES, {"cands.csv": _cands()})
    assert not report.failed, report.failed
    plan = erase_plan(ws, load_policy(), PersonQuery.make(email=EMAIL), as_of=dt.date(2026, 11, 27))
    assert sorted({i.record for i in plan.items}) == sorted(HOSTILE_KEYS)  # one item per field, of these records
    md_path, html_path, json_path = write_plan(plan, tmp_path / "plans")
    md = md_path.read_text(encoding="utf-8")
    html = html_path.read_text(encoding="utf-8")
    for raw in ("<script", "<img", "<b>"):
        assert raw not in md and raw not in html, raw
    for raw in ("**gras**", "`code`", "_x_"):  # Markdown's own controls, in the Markdown
        assert raw not in md, raw
    assert not re.search(r"(?<!\\)\]\(", md)  # no link nor image: every ] escaped
    lines = md.splitlines()
    rows = [line for line in lines if line.startswith("| ") and "cands" in line]
    assert len(rows) == len(HOSTILE_KEYS)  # one row per record (its fields on it): no line break got through
    header = next(line for line in lines if line.startswith("| Source"))
    assert all(len(_cells(r)) == len(_cells(header)) == 8 for r in rows)  # no cell added by a pipe
    assert not [line for line in lines if re.match(r"\s*(#|[-+*] |\d+[.)] )", line) and "cands" in line]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "&lt;b&gt;OVH&lt;/b&gt; \\| SAS" in md
    # the JSON keeps the data as it is (it is data, not a page)
    assert sorted({i["record"] for i in json.loads(json_path.read_text(encoding="utf-8"))["items"]}) == sorted(HOSTILE_KEYS)


def test_md_escape():
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert md_escape("a | b") == "a \\| b"
    assert md_escape("[x](http://e.example)") == "\\[x\\](http://e.example)"
    assert md_escape("- a") == "\\- a" and md_escape("12. a") == "12\\. a" and md_escape("# a") == "\\# a"
    assert md_escape("ligne 1\nligne 2\r\n\tfin") == "ligne 1 ligne 2 fin"
    assert md_escape("RGPD art. 17(1) — 31/12/2034") == "RGPD art. 17(1) — 31/12/2034"  # ordinary text unchanged


def test_dsar_csv_headers_and_values_are_spreadsheet_safe(load_tiny, tmp_path):
    ws, report = load_tiny(SOURCES, {"cands.csv": _cands()})
    assert not report.failed, report.failed
    pkg = export_access(ws, load_policy(), PersonQuery.make(email=EMAIL), tmp_path / "out", as_of=dt.date(2026, 11, 27))
    rows = list(csv.reader(io.StringIO((pkg.folder / "cands.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert not [h for h in header if h[:1] in ("=", "+", "-", "@", "\t", "\r")], header
    # the column already named with the apostrophe keeps its name; the one made safe gets (2)
    assert header == ["Ref", "Email", "Nom", "'=HYPERLINK(\"http://evil.example\",\"x\") (2)", "'+cmd", "'@SUM(A1)", "'-2+3",
                      "'=HYPERLINK(\"http://evil.example\",\"x\")"]
    assert len(body) == len(HOSTILE_KEYS)
    assert not [v for r in body for v in r if v[:1] in ("=", "+", "-", "@")], body
    # the JSON keeps the real names and values
    data = json.loads((pkg.folder / "cands.json").read_text(encoding="utf-8"))
    assert '=HYPERLINK("http://evil.example","x")' in data[0] and data[0]["Nom"] == "=1+1"


def test_safe_headers():
    assert safe_headers(["a", "=b", "'=b", "+c"]) == ["a", "'=b (2)", "'=b", "'+c"]
    assert safe_headers(["a", "b"]) == ["a", "b"]
