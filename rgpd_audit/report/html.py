"""The management report: one self-contained HTML file, no code, no network, no identifier.

``render_report`` builds the page from the workspace with the Jinja2 templates of
``templates/``; plotly.js is embedded once (no CDN). Every text comes from counts, check
titles, activity names and pseudonyms; before plotly.js is added, the page is scanned by
:func:`rgpd_audit.report.guard.assert_no_identifiers`, which raises if an e-mail address,
a phone number or a NIR would be written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ..vocab import THEMES
from ..workspace import Workspace
from . import panels
from .guard import assert_no_identifiers, redact
from .history import run_info, totals_of_changes
from .labels import check_lang, theme_title, word

PLOTLYJS_SLOT = "<!--plotly.js-->"
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


@dataclass
class Links:
    """Relative links from the report to its appendices."""

    findings_csv: str | None = None
    notebooks: list[tuple[str, str]] = field(default_factory=list)  # (title, href)


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rgpd_audit.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_html(fig, name: str) -> str:
    """A figure as a ``<div>`` without plotly.js (the page embeds it once)."""
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=CHART_CONFIG)


def _table(df: pd.DataFrame, columns: dict[str, str]) -> dict:
    """A table for the template: headers and rows of display strings (identifiers masked)."""
    rows = []
    for rec in df[list(columns)].itertuples(index=False):
        rows.append([("" if v is None or (not isinstance(v, str) and pd.isna(v)) else redact(str(v))) for v in rec])
    return {"headers": list(columns.values()), "rows": rows}


def _fmt_date(d, lang: str) -> str:
    if d is None:
        return ""
    d = pd.Timestamp(d).date()
    return d.strftime("%d/%m/%Y") if lang == "fr" else d.isoformat()


def build_context(ws: Workspace, run_id: int | None, policy, lang: str = "fr", links: Links | None = None) -> dict:
    """Everything the template shows, as plain values (no DataFrame, no identifier)."""
    lang = check_lang(lang)
    pol = panels.open_policy(policy)
    info = run_info(ws, run_id)
    W = lambda k: word(k, lang)  # noqa: E731
    numbers = {r.key: r.value for r in panels.key_numbers(ws, run_id, lang).itertuples()}
    changes = totals_of_changes(ws, run_id)
    by_check = panels.findings_by_check(ws, run_id, lang)
    charts = {
        "sankey": chart_html(panels.data_map_sankey(ws, pol, lang), "sankey"),
        "retention": chart_html(panels.retention_chart(ws, run_id, pol, lang), "retention"),
        "transfers": chart_html(panels.transfers_chart(ws, pol, lang), "transfers"),
        "trend": chart_html(panels.trend_chart(ws, run_id, lang), "trend"),
    }
    # One section per theme that has a check or a finding, in a fixed order.
    from ..checks import all_checks

    known_themes = {spec.theme for spec in all_checks().values()}
    themes = []
    for theme in THEMES:
        title = theme_title(theme, lang)
        rows = by_check[by_check["theme"] == title]
        if rows.empty and theme not in known_themes and theme not in ("retention", "transfers"):
            continue
        section = {
            "id": theme, "title": title,
            "table": _table(rows, {"check": W("check"), "error": W("errors"), "warning": W("warnings"), "info": W("info")}),
            "charts": [], "extra": [],
        }
        if theme == "retention":
            section["charts"].append(charts["retention"])
            section["extra"].append(_table(
                panels.retention_by_activity(ws, run_id, pol, lang),
                {"activity": W("activity"), "breaches": W("errors"), "unverifiable": word("warnings", lang),
                 "max_days_overdue": W("max_overdue")},
            ))
        elif theme == "transfers":
            section["charts"].append(charts["transfers"])
            section["extra"].append(_table(
                panels.transfers(ws, pol, lang),
                {"country_label": W("country"), "provider": W("provider"), "mechanism": W("mechanism"),
                 "sources": W("sources"), "records": W("records")},
            ))
        elif theme == "special_categories":
            sc = panels.special_categories(ws)
            if not sc.empty:
                section["extra"].append(_table(sc, {"source": W("source"), "category": "Catégorie" if lang == "fr" else "Category", "records": W("records")}))
        elif theme == "load":
            section["extra"].append(_table(
                panels.load_by_source(ws),
                {"source": W("source"), "files": "Fichiers" if lang == "fr" else "Files", "rows_loaded": W("records"),
                 "rows_rejected": W("rejected")},
            ))
        if rows.empty and not section["charts"] and not section["extra"]:
            continue
        themes.append(section)
    return {
        "lang": lang,
        "w": {k: word(k, lang) for k in ("title", "as_of", "summary", "key_numbers", "changes", "first_audit", "urgent",
                                          "no_urgent", "previous", "new", "resolved", "still_open", "data_map", "trend",
                                          "annexes", "annex_findings", "annex_notebooks", "footer", "nothing",
                                          "nothing_loaded", "no_run", "check", "count")},
        "organisation": pol.organisation.name,
        "as_of": _fmt_date(info["as_of"], lang) if info else "",
        "run_id": run_id,
        "numbers": [
            {"key": k, "label": word(k, lang), "value": numbers.get(k)}
            for k in ("sources", "records", "errors", "warnings")
        ],
        "loaded": bool(numbers.get("sources")),
        "changes": {**changes, "previous_as_of": _fmt_date(changes["previous_as_of"], lang) if changes["previous_as_of"] else None},
        "changes_table": _table(
            panels.changes(ws, run_id, lang),
            {"check": W("check"), "previous": W("previous"), "current": W("findings"), "new": W("new"),
             "resolved": W("resolved"), "still_open": W("still_open")},
        ),
        "urgent": [redact(a) for a in panels.urgent_actions(ws, run_id, pol, lang)["action"]],
        "charts": charts,
        "themes": themes,
        "links": links or Links(),
    }


def render_report(ws: Workspace, run_id: int | None, policy=None, lang: str = "fr", links: Links | None = None,
                  plotlyjs_tags: str | None = None) -> str:
    """The complete HTML page; raises :class:`~rgpd_audit.report.guard.IdentifierLeak` on any identifier.

    ``plotlyjs_tags``: what loads plotly.js instead of embedding it (the report folder's copy,
    shared with the annexes: :func:`rgpd_audit.report.annexes.plotlyjs_tags`)."""
    ctx = build_context(ws, run_id, policy, lang, links)
    page = _env().get_template("report.html.j2").render(**ctx, plotlyjs_slot=PLOTLYJS_SLOT)
    assert_no_identifiers(page, "index.html")
    if plotlyjs_tags:  # a script of the report's own folder ('self'), still nothing from the network
        page = page.replace("script-src 'unsafe-inline'", "script-src 'self' 'unsafe-inline'", 1)
        return page.replace(PLOTLYJS_SLOT, plotlyjs_tags, 1)
    return page.replace(PLOTLYJS_SLOT, f'<script type="text/javascript">{get_plotlyjs()}</script>', 1)
