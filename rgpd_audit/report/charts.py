"""Plotly figures built from the small DataFrames of :mod:`rgpd_audit.report.panels`.

Figures carry plain lists (no binary arrays) so that the HTML can be scanned for raw
identifiers, and never load anything from the network (no map tiles, no CDN fonts).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .labels import BUCKETS, pick, word

SEVERITY_COLORS = {"error": "#c0392b", "warning": "#e67e22", "info": "#7f8c8d"}
BUCKET_COLORS = ("#f6c28b", "#f0a05a", "#e07b39", "#c4512b", "#8e2c1d")
# Hosting inside the EEA reads neutral, no safeguard at all red, a safeguard claimed (to be
# checked against the dates of legal.yaml: see the table and the findings) orange.
MECHANISM_COLORS = {"eea": "#9fb8d0", "none": "#c0392b", "undeclared": "#8e2c1d", "claimed": "#e67e22"}
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 420, lang: str = "fr") -> go.Figure:
    """Title at the top, legend in its own band between the title and the plot (never on either);
    numbers written as the reader writes them (« 1 393 » / "1,393")."""
    fig.update_layout(
        separators=",\u202f" if lang != "en" else ".,",
        title=dict(text=title, x=0, xanchor="left", xref="container", y=1, yref="container", yanchor="top",
                   pad=dict(t=8, l=4), font=dict(size=15)),
        font=FONT,
        height=height,
        margin=dict(l=10, r=20, t=96, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=12)),
    )
    fig.update_xaxes(separatethousands=True)  # « 1 500 » like every other number, not "1500"
    fig.update_yaxes(separatethousands=True)
    return fig


def empty_figure(message: str, title: str = "", lang: str = "fr") -> go.Figure:
    """A blank figure with a message, for "nothing to show" (never an error)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=16))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=220, lang=lang)


def breaches_by_age(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Stacked horizontal bars: activity × age bucket of the delay (``panels.retention_age_buckets``)."""
    title = word("breaches_by_age", lang)
    if df.empty:
        return empty_figure(word("nothing", lang), title, lang)
    fig = go.Figure()
    acts = list(dict.fromkeys(df["activity"].tolist()))
    for (_, _, names), color in zip(BUCKETS, BUCKET_COLORS):
        name = pick(names, lang)
        sub = df[df["age"] == name].set_index("activity")["count"]
        fig.add_bar(y=acts, x=[int(sub.get(a, 0)) for a in acts], name=name, orientation="h", marker_color=color)
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"))
    fig.update_xaxes(title=word("count", lang), gridcolor="#eee")
    return _layout(fig, title, height=max(260, 60 + 40 * len(acts)), lang=lang)


def sankey(links: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Sankey of ``links`` (columns source, target, value, kind) — systems → activities → countries."""
    title = word("data_map", lang)
    if links.empty:
        return empty_figure(word("nothing_loaded", lang), title, lang)
    nodes = list(dict.fromkeys(links["source"].tolist() + links["target"].tolist()))
    index = {n: i for i, n in enumerate(nodes)}
    palette = {"system": "#2c7fb8", "activity": "#41ab5d", "country": "#756bb1", "country_out": "#c0392b"}
    kinds = {}
    for r in links.itertuples():
        kinds.setdefault(r.source, r.source_kind)
        kinds.setdefault(r.target, r.target_kind)
    # The tallest column sets the height: every node gets room for its label (no two overlap).
    columns: dict[str, set] = {}
    for r in links.itertuples():
        columns.setdefault("left" if r.source_kind == "system" else "middle", set()).add(r.source)
        columns.setdefault("middle" if r.target_kind == "activity" else "right", set()).add(r.target)
    tallest = max(len(v) for v in columns.values())
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            textfont=dict(size=11),
            node=dict(label=[_node_label(n, kinds[n]) for n in nodes], customdata=nodes,
                      hovertemplate="%{customdata}<extra></extra>", pad=16, thickness=14,
                      color=[palette.get(kinds[n], "#999") for n in nodes]),
            link=dict(
                source=[index[s] for s in links["source"]],
                target=[index[t] for t in links["target"]],
                value=[int(v) for v in links["value"]],
                color="rgba(120,120,120,0.25)",
            ),
        )
    )
    fig = _layout(fig, title, height=max(420, 120 + 34 * tallest), lang=lang)
    fig.update_layout(margin=dict(t=50))  # no legend: the title alone
    return fig


SANKEY_LABEL = 28  # characters: three columns of labels side by side on an A4 page (tests measure it)


def _node_label(text: str, kind: str) -> str:
    """A node's label: the countries (last column, few nodes) on two lines, the others shortened."""
    if kind.startswith("country") and " (" in text:
        head, _, tail = text.partition(" (")
        return f"{head}<br>({tail}"
    return _short(text, SANKEY_LABEL)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def transfers_bar(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Records per hosting country, one bar segment per safeguard claimed (``panels.transfers``)."""
    title = word("transfers_chart", lang)
    if df.empty:
        return empty_figure(word("nothing_loaded", lang), title, lang)
    countries = list(dict.fromkeys(df["country_label"].tolist()))
    fig = go.Figure()
    ids = dict(zip(df["mechanism"], df["mechanism_id"])) if "mechanism_id" in df else {}
    for mech in dict.fromkeys(df["mechanism"].tolist()):
        sub = df[df["mechanism"] == mech].groupby("country_label")["records"].sum()
        fig.add_bar(y=countries, x=[int(sub.get(c, 0)) for c in countries], name=mech, orientation="h",
                    marker_color=MECHANISM_COLORS.get(ids.get(mech), MECHANISM_COLORS["claimed"]))
    # horizontal: a country's label ("États-Unis (hors EEE)") has the room it needs at any width
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed", automargin=True))
    fig.update_xaxes(title=word("records", lang), gridcolor="#eee")
    return _layout(fig, title, height=max(280, 170 + 40 * len(countries)), lang=lang)


TREND_LINES_FROM = 3  # audits: below, one line through one or two points reads as a floating dot


def trend_lines(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Findings per severity over audit dates (``panels.trend``): grouped bars for the first
    audits, lines from :data:`TREND_LINES_FROM` audits on."""
    from .labels import fmt_date

    title = word("trend", lang)
    if df.empty:
        return empty_figure(word("no_run", lang), title, lang)
    x = [fmt_date(d, lang) for d in pd.to_datetime(df["as_of"]).dt.date]
    fig = go.Figure()
    for sev, key in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        y = [int(v) for v in df[sev]]
        if len(df) < TREND_LINES_FROM:
            fig.add_bar(x=x, y=y, name=word(key, lang), marker_color=SEVERITY_COLORS[sev], text=y, texttemplate="%{text:,}", textposition="outside",
                        cliponaxis=False)
        else:
            fig.add_scatter(x=x, y=y, name=word(key, lang), mode="lines+markers",
                            line=dict(color=SEVERITY_COLORS[sev], width=3))
    fig.update_layout(barmode="group", bargap=0.35)
    fig.update_xaxes(type="category", title=word("as_of", lang))
    fig.update_yaxes(title=word("findings", lang), gridcolor="#eee", rangemode="tozero")
    return _layout(fig, title, height=380, lang=lang)


def counts_bar(df: pd.DataFrame, label: str, value: str, title: str, lang: str = "fr") -> go.Figure:
    """A plain horizontal bar chart of one count per label."""
    if df.empty:
        return empty_figure(word("nothing", lang), title, lang)
    fig = go.Figure(go.Bar(y=df[label].astype(str).tolist(), x=[int(v) for v in df[value]], orientation="h",
                           marker_color="#2c7fb8"))
    fig.update_layout(yaxis=dict(autorange="reversed"))
    fig.update_xaxes(gridcolor="#eee")
    return _layout(fig, title, height=max(240, 60 + 30 * len(df)), lang=lang)


def load_bar(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Rows loaded and rejected per source (``panels.load_by_source``)."""
    title = word("records", lang)
    if df.empty:
        return empty_figure(word("nothing_loaded", lang), title, lang)
    fig = go.Figure()
    names = (df["title"] if "title" in df else df["source"]).astype(str).tolist()
    fig.add_bar(y=names, x=[int(v) for v in df["rows_loaded"]], name=word("records", lang),
                orientation="h", marker_color="#2c7fb8")
    fig.add_bar(y=names, x=[int(v) for v in df["rows_rejected"]], name=word("rejected", lang),
                orientation="h", marker_color="#c0392b")
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"))
    return _layout(fig, title, height=max(260, 60 + 26 * len(df)), lang=lang)


def offline_notebook_renderer():
    """plotly's notebook renderer, offline (plotly.js embedded once) and without MathJax from a CDN."""
    from plotly.io import to_html
    from plotly.io._base_renderers import NotebookRenderer

    class OfflineNotebookRenderer(NotebookRenderer):
        def to_mimebundle(self, fig_dict):
            html = to_html(fig_dict, config=self.config, include_plotlyjs=False, include_mathjax=False,
                           full_html=False, default_width="100%", default_height=525, validate=False)
            return {"text/html": html}

    return OfflineNotebookRenderer(connected=False)
