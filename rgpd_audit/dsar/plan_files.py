"""The erasure plan's files: Markdown and HTML for people (French by default, English with
``lang="en"``), JSON for tools (``rgpd-audit/erase-plan`` version 2: one item per field).

The pages group a record's fields that share an action and a reason on one line; every text
from the data or the manifest (source, record key, column names) is escaped; the person is
named by their pseudonym only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RgpdAuditError
from ..workspace import io_errors

if TYPE_CHECKING:  # pragma: no cover
    from .erase import ErasePlan, PlanItem

ORDER = ("erase", "pseudonymise", "keep", "client", "review")

_T = {
    "fr": {"title": "Plan d’effacement (RGPD art. 17 et 19)", "ref": "Personne", "as_of": "Date",
           "nothing": "Rien n’est modifié : ce plan liste, champ par champ, les actions à mener.",
           "erase": "À effacer", "pseudonymise": "À pseudonymiser", "keep": "À conserver (art. 17(3), liste d’opposition)",
           "client": "À transmettre au client", "review": "À vérifier",
           "cols": ("Source", "Table", "Enregistrement", "Champs", "Traitement", "Système", "Motif", "Jusqu’au"),
           "records": "enregistrement(s)", "fields": "champ(s)",
           "whole": {"record": "(enregistrement entier)", "message": "(message entier)", "document": "(document)"},
           "notify": "Destinataires à informer (art. 19)", "none": "aucun"},
    "en": {"title": "Erasure plan (GDPR Art. 17 and 19)", "ref": "Person", "as_of": "Date",
           "nothing": "Nothing is changed: this plan lists, field by field, the actions to take.",
           "erase": "To erase", "pseudonymise": "To pseudonymise", "keep": "To keep (Art. 17(3), suppression list)",
           "client": "To forward to the client", "review": "To check",
           "cols": ("Source", "Table", "Record", "Fields", "Activity", "System", "Reason", "Until"),
           "records": "record(s)", "fields": "field(s)",
           "whole": {"record": "(whole record)", "message": "(whole message)", "document": "(document)"},
           "notify": "Recipients to notify (Art. 19)", "none": "none"},
}

_MD_INLINE = re.compile(r"([\\`*_\[\]|#~])")
_MD_BLOCK_START = re.compile(r"^(\s*)(\d*)([-+=.)])")


def md_escape(text: str) -> str:
    """A text from the data or the manifest, safe inside a Markdown paragraph, list item or
    table cell: on one line; ``&``, ``<`` and ``>`` as HTML entities (no raw HTML such as
    ``<script>`` reaches a renderer); emphasis, code, link, table and heading characters
    escaped; no list, heading or quote can start it."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(r"\1\2\\\3", text)


def _groups(items: Iterable[PlanItem], lang: str) -> list[list[str]]:
    """One row per record, action and reason, its fields joined (in the order found)."""
    t = _T[lang]
    rows: dict[tuple, list] = {}
    for i in items:
        reason = i.reason_fr if lang == "fr" else i.reason_en
        if i.legal_ref:
            reason += f" ({i.legal_ref})"
        until = i.keep_until.isoformat() if i.keep_until else ""
        key = (i.source, i.table, i.record, i.activity, i.system, reason, until)
        name = t["whole"].get(i.unit, i.field) if i.field == "*" else i.field
        rows.setdefault(key, []).append(name)
    return [[s, tb, r, ", ".join(dict.fromkeys(f)), a or "", sy or "", reason, until]
            for (s, tb, r, a, sy, reason, until), f in rows.items()]


def _count(plan: ErasePlan, action: str, lang: str) -> str:
    t = _T[lang]
    return f"{len(plan.records(action))} {t['records']}, {len(plan.by_action(action))} {t['fields']}"


def render_markdown(plan: ErasePlan, lang: str = "fr") -> str:
    t = _T[lang]
    e = md_escape
    out = [f"# {t['title']}", "", f"- {t['ref']}: {e(plan.subject_ref)}", f"- {t['as_of']}: {plan.as_of.isoformat()}", "", t["nothing"], ""]
    for action in ORDER:
        items = plan.by_action(action)
        out += [f"## {t[action]} ({_count(plan, action, lang)})", ""]
        if items:
            out += ["| " + " | ".join(t["cols"]) + " |", "|" + " --- |" * len(t["cols"])]
            out += ["| " + " | ".join(e(c) for c in row) + " |" for row in _groups(items, lang)]
        else:
            out.append(t["none"])
        out.append("")
    out += [f"## {t['notify']}", ""]
    out += [f"- {e(r['name_fr'] if lang == 'fr' else r['name_en'] or r['name_fr'])} ({e(r['kind'])}; {e(r['activity'])}, {e(r['clause'])})"
            for r in plan.recipients] or [t["none"]]
    return "\n".join(out) + "\n"


def render_html(plan: ErasePlan, lang: str = "fr") -> str:
    t = _T[lang]
    out = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{escape(t['title'])}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em}</style>",
           f"</head><body><h1>{escape(t['title'])}</h1><p>{escape(t['ref'])}: {escape(plan.subject_ref)}<br>{escape(t['as_of'])}: {plan.as_of.isoformat()}</p>",
           f"<p>{escape(t['nothing'])}</p>"]
    for action in ORDER:
        items = plan.by_action(action)
        out.append(f"<h2>{escape(t[action])} ({escape(_count(plan, action, lang))})</h2>")
        if items:
            out.append("<table><tr>" + "".join(f"<th>{escape(c)}</th>" for c in t["cols"]) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in _groups(items, lang)]
            out.append("</table>")
    out.append(f"<h2>{escape(t['notify'])}</h2><ul>")
    out += [f"<li>{escape(r['name_fr'] if lang == 'fr' else r['name_en'] or r['name_fr'])} ({escape(r['kind'])}; {escape(r['activity'])})</li>"
            for r in plan.recipients]
    out.append("</ul></body></html>\n")
    return "\n".join(out)


def write_plan(plan: ErasePlan, out_dir: str | Path, lang: str = "fr") -> list[Path]:
    """Write ``plan_effacement_<ref>.md``, ``.html`` and ``.json`` into ``out_dir``; a folder
    or file that cannot be written (disk full, read-only, a file in the way) is an
    :class:`~rgpd_audit.errors.RgpdAuditError` naming it."""
    out_dir = Path(out_dir)
    base = out_dir / f"plan_effacement_{plan.subject_ref}"
    paths = [base.with_suffix(".md"), base.with_suffix(".html"), base.with_suffix(".json")]
    texts = [render_markdown(plan, lang), render_html(plan, lang), json.dumps(plan.to_dict(), ensure_ascii=False, indent=2)]
    with io_errors(out_dir, RgpdAuditError, " (cannot write the erasure plan)"):
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, text in zip(paths, texts):
            path.write_text(text, encoding="utf-8")
    return paths
