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
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        paper_bgcolor="white",
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    return fig


def empty_figure(message: str, title: str = "") -> go.Figure:
    """A blank figure with a message, for "nothing to show" (never an error)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=16))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=220)


def breaches_by_age(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Stacked horizontal bars: activity × age bucket of the delay (``panels.retention_age_buckets``)."""
    title = word("breaches_by_age", lang)
    if df.empty:
        return empty_figure(word("nothing", lang), title)
    fig = go.Figure()
    acts = list(dict.fromkeys(df["activity"].tolist()))
    for (_, _, names), color in zip(BUCKETS, BUCKET_COLORS):
        name = pick(names, lang)
        sub = df[df["age"] == name].set_index("activity")["count"]
        fig.add_bar(y=acts, x=[int(sub.get(a, 0)) for a in acts], name=name, orientation="h", marker_color=color)
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"))
    fig.update_xaxes(title=word("count", lang), gridcolor="#eee")
    return _layout(fig, title, height=max(260, 60 + 40 * len(acts)))


def sankey(links: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Sankey of ``links`` (columns source, target, value, kind) — systems → activities → countries."""
    title = word("data_map", lang)
    if links.empty:
        return empty_figure(word("nothing_loaded", lang), title)
    nodes = list(dict.fromkeys(links["source"].tolist() + links["target"].tolist()))
    index = {n: i for i, n in enumerate(nodes)}
    palette = {"system": "#2c7fb8", "activity": "#41ab5d", "country": "#756bb1", "country_out": "#c0392b"}
    kinds = {}
    for r in links.itertuples():
        kinds.setdefault(r.source, r.source_kind)
        kinds.setdefault(r.target, r.target_kind)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node=dict(label=nodes, pad=12, thickness=14, color=[palette.get(kinds[n], "#999") for n in nodes]),
            link=dict(
                source=[index[s] for s in links["source"]],
                target=[index[t] for t in links["target"]],
                value=[int(v) for v in links["value"]],
                color="rgba(120,120,120,0.25)",
            ),
        )
    )
    return _layout(fig, title, height=max(420, 22 * len(nodes)))


def transfers_bar(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Records per hosting country, one bar segment per safeguard claimed (``panels.transfers``)."""
    title = word("transfers_chart", lang)
    if df.empty:
        return empty_figure(word("nothing_loaded", lang), title)
    countries = list(dict.fromkeys(df["country_label"].tolist()))
    fig = go.Figure()
    for mech in dict.fromkeys(df["mechanism"].tolist()):
        sub = df[df["mechanism"] == mech].groupby("country_label")["records"].sum()
        fig.add_bar(x=countries, y=[int(sub.get(c, 0)) for c in countries], name=mech)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=word("records", lang), gridcolor="#eee")
    return _layout(fig, title)


def trend_lines(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Findings per severity over audit dates (``panels.trend``)."""
    title = word("trend", lang)
    if df.empty:
        return empty_figure(word("no_run", lang), title)
    x = [d.isoformat() if hasattr(d, "isoformat") else str(d) for d in pd.to_datetime(df["as_of"]).dt.date]
    fig = go.Figure()
    for sev, key in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        fig.add_scatter(
            x=x, y=[int(v) for v in df[sev]], name=word(key, lang), mode="lines+markers",
            line=dict(color=SEVERITY_COLORS[sev], width=3),
        )
    fig.update_xaxes(type="category", title=word("as_of", lang))
    fig.update_yaxes(title=word("findings", lang), gridcolor="#eee", rangemode="tozero")
    return _layout(fig, title, height=360)


def counts_bar(df: pd.DataFrame, label: str, value: str, title: str, lang: str = "fr") -> go.Figure:
    """A plain horizontal bar chart of one count per label."""
    if df.empty:
        return empty_figure(word("nothing", lang), title)
    fig = go.Figure(go.Bar(y=df[label].astype(str).tolist(), x=[int(v) for v in df[value]], orientation="h",
                           marker_color="#2c7fb8"))
    fig.update_layout(yaxis=dict(autorange="reversed"))
    fig.update_xaxes(gridcolor="#eee")
    return _layout(fig, title, height=max(240, 60 + 30 * len(df)))


def load_bar(df: pd.DataFrame, lang: str = "fr") -> go.Figure:
    """Rows loaded and rejected per source (``panels.load_by_source``)."""
    title = word("records", lang)
    if df.empty:
        return empty_figure(word("nothing_loaded", lang), title)
    fig = go.Figure()
    fig.add_bar(y=df["source"].tolist(), x=[int(v) for v in df["rows_loaded"]], name=word("records", lang),
                orientation="h", marker_color="#2c7fb8")
    fig.add_bar(y=df["source"].tolist(), x=[int(v) for v in df["rows_rejected"]], name=word("rejected", lang),
                orientation="h", marker_color="#c0392b")
    fig.update_layout(barmode="stack", yaxis=dict(autorange="reversed"))
    return _layout(fig, title, height=max(260, 60 + 26 * len(df)))


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
