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
import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ..vocab import THEMES
from ..workspace import Workspace
from . import panels
from .catalogue import legal_reference
from .guard import assert_no_identifiers, redact
from .history import run_info, totals_of_changes
from .labels import check_lang, fmt_date, fmt_duration, fmt_int, theme_title, word

PLOTLYJS_SLOT = "<!--plotly.js-->"
# No toolbar: a manager reads the charts, prints them; hovering still shows the values.
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


@dataclass
class Links:
    """Relative links from the report to its appendices."""

    findings_csv: str | None = None
    findings_note: str | None = None  # said after the link when the spreadsheet is capped
    notebooks: list[tuple[str, str]] = field(default_factory=list)  # (title, href)


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rgpd_audit.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_html(fig, name: str, titled: bool = True) -> str:
    """A figure as a ``<div>`` without plotly.js (the page embeds it once); ``titled=False``
    drops the figure's title where the section's heading already says it."""
    if not titled:
        fig.update_layout(title_text="", margin_t=max(10, (fig.layout.margin.t or 50) - 44))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"chart-{name}", config=CHART_CONFIG)


def _cell(v, lang: str) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return fmt_int(v, lang)
    if isinstance(v, (float, np.floating)):
        return fmt_int(v, lang) if float(v).is_integer() else (f"{v:.1f}".replace(".", ",") if lang == "fr" else f"{v:.1f}")
    return redact(str(v))


def _table(df: pd.DataFrame, columns: dict[str, str], lang: str = "fr", durations: tuple[str, ...] = ()) -> dict:
    """A table for the template: headers, rows of display strings (numbers as the reader writes
    them, ``durations`` in years and months, identifiers masked) and which columns are numbers."""
    rows = []
    for rec in df[list(columns)].itertuples(index=False):
        rows.append([
            (fmt_duration(v, lang) if pd.notna(v) else "") if name in durations else _cell(v, lang)
            for name, v in zip(columns, rec)
        ])
    numeric = [name not in durations and pd.api.types.is_numeric_dtype(df[name]) and not pd.api.types.is_bool_dtype(df[name])
               for name in columns]
    return {"headers": list(columns.values()), "rows": rows, "numeric": numeric}


def _what_moved_first(df: pd.DataFrame) -> pd.DataFrame:
    """The checks with new or resolved findings first (most first), the unchanged ones after."""
    if df.empty:
        return df
    moved = df["new"].fillna(0) + df["resolved"].fillna(0)
    return df.assign(_moved=moved).sort_values("_moved", ascending=False, kind="stable").drop(columns="_moved")


def _fmt_date(d, lang: str) -> str:
    return fmt_date(d, lang) if d is not None else ""


def _previous_label(changes: dict, info: dict | None, lang: str) -> str | None:
    """The previous audit's date; when it is of the same audit date (several audits on one
    day), with the time it ran and its run number, so the two read apart."""
    if not changes["previous_as_of"]:
        return None
    label = _fmt_date(changes["previous_as_of"], lang)
    if info and pd.Timestamp(changes["previous_as_of"]).date() == pd.Timestamp(info["as_of"]).date():
        at = pd.Timestamp(changes["previous_at"]).strftime("%H:%M") if changes.get("previous_at") is not None else ""
        run = changes["previous_run"]
        label += (f", audit de {at} (n° {run})" if lang == "fr" else f", audit at {at} (run {run})")
    return label


def build_context(ws: Workspace, run_id: int | None, policy, lang: str = "fr", links: Links | None = None) -> dict:
    """Everything the template shows, as plain values (no DataFrame, no identifier)."""
    lang = check_lang(lang)
    pol = panels.open_policy(policy)
    info = run_info(ws, run_id)
    W = lambda k: word(k, lang)  # noqa: E731
    T = lambda df, cols, **kw: _table(df, cols, lang, **kw)  # noqa: E731
    numbers = {r.key: r.value for r in panels.key_numbers(ws, run_id, lang).itertuples()}
    changes = totals_of_changes(ws, run_id)
    by_check = panels.findings_by_check(ws, run_id, lang)
    trend = panels.trend(ws, run_id)
    charts = {
        "sankey": chart_html(panels.data_map_sankey(ws, pol, lang), "sankey", titled=False),
        "retention": chart_html(panels.retention_chart(ws, run_id, pol, lang), "retention"),
        "transfers": chart_html(panels.transfers_chart(ws, pol, lang), "transfers"),
        "trend": chart_html(panels.trend_chart(ws, run_id, lang), "trend", titled=False),
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
            "table": T(rows, {"check": W("check"), "error": W("errors"), "warning": W("warnings"), "info": W("info")}),
            "charts": [], "extra": [],
        }
        if theme == "retention":
            section["charts"].append(charts["retention"])
            section["extra"].append(T(
                panels.retention_by_activity(ws, run_id, pol, lang),
                {"activity": W("activity"), "breaches": W("errors"), "unverifiable": W("warnings"),
                 "max_days_overdue": W("max_overdue")},
                durations=("max_days_overdue",),
            ))
        elif theme == "transfers":
            section["charts"].append(charts["transfers"])
            section["extra"].append(T(
                panels.transfers(ws, pol, lang),
                {"country_label": W("country"), "provider": W("provider"), "mechanism": W("mechanism"),
                 "sources": W("sources"), "records": W("records")},
            ))
        elif theme == "special_categories":
            sc = panels.special_categories(ws, lang)
            if not sc.empty:
                section["extra"].append(T(sc, {"title": W("source"), "category_label": W("category"), "records": W("records")}))
        elif theme == "load":
            section["extra"].append(T(
                panels.load_by_source(ws),
                {"title": W("source"), "files": W("files"), "rows_loaded": W("records"), "rows_rejected": W("rejected")},
            ))
            rej = panels.rejects_by_reason(ws, lang)
            if not rej.empty:
                titles = panels.source_titles(ws)
                rej = rej.assign(title=[titles.get(x, x) for x in rej["source"]])
                rej = rej.groupby(["title", "reason_label"], sort=False, as_index=False)["rows"].sum()
                section["extra"].append(T(rej, {"title": W("source"), "reason_label": W("reason"), "rows": W("rejected")}))
        if rows.empty and not section["charts"] and not section["extra"]:
            continue
        themes.append(section)
    urgent = panels.urgent_actions(ws, run_id, pol, lang)
    return {
        "lang": lang,
        "colon": "\u00a0: " if lang == "fr" else ": ",
        "w": {k: word(k, lang) for k in ("title", "as_of", "summary", "key_numbers", "changes", "first_audit", "urgent",
                                          "no_urgent", "previous", "new", "resolved", "still_open", "data_map", "trend",
                                          "annexes", "annex_findings", "annex_notebooks", "footer", "nothing",
                                          "nothing_loaded", "no_run", "check", "count", "who", "legal", "risk_score",
                                          "sensitivity", "urgent_how", "glossary", "trend_table", "page")},
        "glossary": [{"key": k, "term": W(t), "text": W("glossary_" + k)}
                     for k, t in (("error", "errors"), ("warning", "warnings"), ("info", "info"))],
        "organisation": pol.organisation.name,
        "as_of": _fmt_date(info["as_of"], lang) if info else "",
        "run_id": run_id,
        "numbers": [
            {"key": k, "label": word(k, lang), "value": numbers.get(k), "text": fmt_int(numbers.get(k), lang)}
            for k in ("sources", "records", "errors", "warnings")
        ],
        "loaded": bool(numbers.get("sources")),
        "changes": {**changes, "previous_as_of": _previous_label(changes, info, lang),
                    **{f"{k}_text": fmt_int(changes[k], lang) for k in ("new", "resolved", "still_open")}},
        "changes_table": T(
            _what_moved_first(panels.changes(ws, run_id, lang)),
            {"check": W("check"), "previous": W("previous"), "current": W("findings"), "new": W("new"),
             "resolved": W("resolved"), "still_open": W("still_open")},
        ),
        "urgent": [
            {"action": redact(r.action), "detail": redact(r.detail), "who": r.who, "legal": legal_reference(r.legal, lang),
             "severity": r.severity, "sensitivity": r.sensitivity, "score": _cell(r.score, lang)}
            for r in urgent.itertuples()
        ],
        "charts": charts,
        "trend_table": T(
            trend.assign(date=[_fmt_date(d, lang) for d in trend["as_of"]]),
            {"date": W("as_of"), "error": W("errors"), "warning": W("warnings"), "info": W("info")},
        ) if not trend.empty else None,
        "trend_points": len(trend),
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
