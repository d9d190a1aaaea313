"""Small functions for the notebooks and the report: one table or one figure each.

Every function takes an open :class:`~rgpd_audit.workspace.Workspace` (and the audit run
to show, from :func:`run_for`) and returns a pandas DataFrame or a plotly figure. None of
them prints, and none shows a raw identifier: only counts, source and activity names,
record keys and pseudonyms (``subject_ref``). An empty workspace gives empty tables and
"nothing loaded" figures, never an error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from ..legal import is_eea
from ..sql import quote_ident, quote_literal
from ..vocab import TRANSFER_MECHANISMS, country_name
from ..workspace import Workspace
from . import charts
from .guard import redact
from .history import changes_by_check, run_for, totals_of_changes
from .history import trend as _trend
from .labels import ACTIONS, BUCKETS, check_lang, pick, theme_title, word

__all__ = [
    "setup", "open_workspace", "open_policy", "run_for", "status", "declared_sources", "load_files", "load_by_source",
    "load_chart", "rejects_by_reason", "data_map", "data_map_sankey", "categories_per_source",
    "findings_by_check", "findings_by_theme", "retention_by_activity", "retention_age_buckets",
    "retention_chart", "unverifiable_by_source", "transfers", "transfers_chart", "special_categories",
    "key_numbers", "changes", "trend", "trend_chart", "urgent_actions",
]

DEFAULT_WORKSPACE = ".rgpd-audit"
WORKSPACE_ENV = "RGPD_AUDIT_WORKSPACE"


# -- notebook plumbing ----------------------------------------------------------------------


def setup(lang: str = "fr") -> str:
    """Configure display for a notebook: offline plotly (plotly.js embedded), wide tables."""
    import sys

    # jsonschema (imported by nbformat, imported by plotly.io) spends ~4 s building an
    # optional IRI grammar at import; notebooks never validate IRIs, so skip it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import plotly.io as pio

    # The mimetype renders in JupyterLab (its extension bundles plotly.js); the offline
    # notebook renderer embeds plotly.js once, so exported HTML works without network too.
    if "rgpd_offline" not in pio.renderers:
        pio.renderers["rgpd_offline"] = charts.offline_notebook_renderer()
    pio.renderers.default = "plotly_mimetype+rgpd_offline"
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_colwidth", 80)
    return check_lang(lang)


def open_workspace(workspace: str = DEFAULT_WORKSPACE) -> Workspace:
    """Open the workspace of a notebook; ``$RGPD_AUDIT_WORKSPACE`` overrides the default path.

    A missing workspace gives an empty one (in a temporary folder) so that every view shows
    "nothing loaded" instead of failing.
    """
    if workspace in ("", DEFAULT_WORKSPACE) and os.environ.get(WORKSPACE_ENV):
        workspace = os.environ[WORKSPACE_ENV]
    path = Path(workspace or DEFAULT_WORKSPACE)
    if not (path / "workspace.duckdb").exists():
        path = Path(tempfile.mkdtemp(prefix="rgpd-audit-empty-"))
    return Workspace(path)


def _has_table(ws: Workspace, name: str) -> bool:
    return bool(ws.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND schema_name = 'main' AND table_name = ?",
        [name],
    ).fetchone()[0])


def _activity_titles(policy, lang: str) -> dict[str, str]:
    if policy is None:
        return {}
    out = {}
    for a in policy.activities:
        t = a.title.get(lang)
        out[a.id] = t if len(t) <= 48 else t[:46].rstrip() + "…"
    return out


def open_policy(policy=""):
    """A Policy from a Policy, a path, or ""/None (the bundled policy)."""
    from ..policy import Policy, load_policy

    if isinstance(policy, Policy):
        return policy
    return load_policy(policy or None)


def status(ws: Workspace, as_of: str | None = None, lang: str = "fr") -> pd.DataFrame:
    """One row: what the workspace holds (sources, rows, audit run shown)."""
    run = run_for(ws, as_of)
    n_sources, rows = ws.con.execute(
        "SELECT count(DISTINCT source), coalesce(sum(rows_loaded), 0) FROM load_files"
    ).fetchone()
    message = word("nothing_loaded", lang) if n_sources == 0 else (word("no_run", lang) if run is None else "")
    return pd.DataFrame([{
        "workspace": str(ws.path), "as_of": as_of, "sources": int(n_sources), "rows_loaded": int(rows),
        "run_id": run, "message": message,
    }])


# -- loading ------------------------------------------------------------------------------


def declared_sources(manifest: str = "", policy=None) -> pd.DataFrame:
    """The sources a manifest declares (no data read): name, format, activities, hosting."""
    from ..ingest.manifest import load_manifest
    from ..resources import sample_manifest

    # what is declared, not read: a manifest the report was allowed to load from outside its
    # folder (--allow-outside) is listed too
    m = load_manifest(manifest or sample_manifest(), policy=open_policy(policy), allow_outside=True)
    return pd.DataFrame([
        {"source": s.name, "format": s.format, "activities": ", ".join(s.activities), "use": s.use,
         "provider": s.hosting.provider if s.hosting else None, "country": s.hosting.country if s.hosting else None}
        for s in m.sources
    ])


def load_files(ws: Workspace) -> pd.DataFrame:
    """Every loaded file: source, file, encoding, status, rows read / loaded / rejected."""
    return ws.sql(
        "SELECT source, path || coalesce('!' || entry, '') AS file, format, encoding, status, "
        "rows_read, rows_loaded, rows_rejected FROM load_files ORDER BY source, path, entry"
    )


def load_by_source(ws: Workspace) -> pd.DataFrame:
    """Per source: files, rows read / loaded / rejected, share rejected (%)."""
    return ws.sql(
        "SELECT source, count(*) FILTER (WHERE status <> 'duplicate')::INTEGER AS files, "
        "sum(rows_read)::BIGINT AS rows_read, sum(rows_loaded)::BIGINT AS rows_loaded, "
        "sum(rows_rejected)::BIGINT AS rows_rejected, "
        "round(100.0 * sum(rows_rejected) / nullif(sum(rows_read), 0), 1) AS pct_rejected "
        "FROM load_files GROUP BY source ORDER BY source"
    )


def load_chart(ws: Workspace, lang: str = "fr"):
    """Rows loaded and rejected per source, as a bar chart."""
    return charts.load_bar(load_by_source(ws), lang)


def rejects_by_reason(ws: Workspace) -> pd.DataFrame:
    """Rejected rows per source, field and kind of reason — values removed, never the raw line."""
    # Every token holding a digit, an @ or a quote is a value read from the file: dropped.
    return ws.sql(
        r"""SELECT source, coalesce(field, '') AS field,
                   trim(regexp_replace(regexp_replace(reason, '\S*[0-9@''"]\S*', '…', 'g'), '(…\s*)+', '… ', 'g')) AS reason,
                   count(*)::INTEGER AS rows
            FROM load_rejects GROUP BY ALL ORDER BY rows DESC, source, field"""
    )


# -- data map -----------------------------------------------------------------------------


def data_map(ws: Workspace, policy=None, lang: str = "fr") -> pd.DataFrame:
    """Systems × activities × hosting: records per (source, activity), with provider and country."""
    titles = _activity_titles(open_policy(policy), lang)
    rows = []
    for name, title, fmt, use, provider, country, tables in ws.con.execute(
        "SELECT name, title, format, use, provider, country, tables FROM sources ORDER BY name"
    ).fetchall():
        if name not in (tables or []):
            continue
        for act, n in ws.con.execute(
            f"SELECT _activity, count(*) FROM raw.{quote_ident(name)} GROUP BY 1 ORDER BY 1 NULLS LAST"
        ).fetchall():
            rows.append({
                "source": name, "title": title, "format": fmt, "use": use, "activity": act,
                "activity_title": titles.get(act, act) if act else word("unassigned", lang),
                "provider": provider, "country": country, "outside_eea": bool(country) and not is_eea(country),
                "records": int(n),
            })
    cols = ["source", "title", "format", "use", "activity", "activity_title", "provider", "country", "outside_eea", "records"]
    return pd.DataFrame(rows, columns=cols)


def data_map_sankey(ws: Workspace, policy=None, lang: str = "fr"):
    """Sankey of the data flows: systems → activities → hosting countries."""
    dm = data_map(ws, policy, lang)
    links = []
    for r in dm.itertuples():
        system = r.title if isinstance(r.title, str) and r.title else r.source  # a source without a title: its name
        links.append({"source": system, "source_kind": "system", "target": r.activity_title,
                      "target_kind": "activity", "value": r.records})
    for (act, country, out), g in dm.groupby(["activity_title", "country", "outside_eea"], dropna=False):
        label = f"{country_name(country, lang)} ({word('outside_eea', lang)})" if out else country_name(country, lang)
        links.append({"source": act, "source_kind": "activity", "target": label,
                      "target_kind": "country_out" if out else "country", "value": int(g["records"].sum())})
    return charts.sankey(pd.DataFrame(links, columns=["source", "source_kind", "target", "target_kind", "value"]), lang)


def categories_per_source(ws: Workspace) -> pd.DataFrame:
    """Columns per source and data category, from the column mapping (empty until classified)."""
    if not _has_table(ws, "column_map"):
        return pd.DataFrame(columns=["source", "category", "columns", "confirmed"])
    return ws.sql(
        "SELECT source, category, count(*)::INTEGER AS columns, "
        "count(*) FILTER (WHERE status = 'confirmed')::INTEGER AS confirmed "
        "FROM column_map WHERE category IS NOT NULL GROUP BY ALL ORDER BY source, category"
    )


# -- findings -----------------------------------------------------------------------------


def _themes() -> dict[str, tuple[str, str, str]]:
    from ..checks import all_checks

    return {cid: (spec.theme, spec.title_fr, spec.title_en) for cid, spec in all_checks().items()}


def findings_by_check(ws: Workspace, run_id: int | None, lang: str = "fr") -> pd.DataFrame:
    """Per check of a run: theme, title, findings per severity."""
    cols = ["theme", "check_id", "check", "error", "warning", "info", "total"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    df = ws.sql(
        "SELECT check_id, count(*) FILTER (WHERE severity = 'error')::INTEGER AS error, "
        "count(*) FILTER (WHERE severity = 'warning')::INTEGER AS warning, "
        "count(*) FILTER (WHERE severity = 'info')::INTEGER AS info, count(*)::INTEGER AS total "
        "FROM findings WHERE run_id = ? GROUP BY 1 ORDER BY 1",
        [run_id],
    )
    meta = _themes()
    df["theme"] = [theme_title(meta.get(c, ("other",))[0], lang) for c in df["check_id"]]
    df["check"] = [pick(meta[c][1:], lang) if c in meta else c for c in df["check_id"]]
    return df[cols]


def findings_by_theme(ws: Workspace, run_id: int | None, theme: str, lang: str = "fr") -> pd.DataFrame:
    """Findings of one theme (``access``, ``transfers``…) per check, severity, activity and source."""
    cols = ["check", "severity", "activity", "source", "findings", "max_days_overdue"]
    ids = [cid for cid, (th, _, _) in _themes().items() if th == theme]
    if run_id is None or not ids:
        return pd.DataFrame(columns=cols)
    meta = _themes()
    df = ws.sql(
        "SELECT check_id, severity, activity, source, count(*)::INTEGER AS findings, max(days_overdue) AS max_days_overdue "
        "FROM findings WHERE run_id = ? AND list_contains(?, check_id) GROUP BY 1, 2, 3, 4 "
        "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, findings DESC",
        [run_id, ids],
    )
    df["check"] = [pick(meta[c][1:], lang) for c in df["check_id"]]
    return df[cols]


def retention_by_activity(ws: Workspace, run_id: int | None, policy=None, lang: str = "fr") -> pd.DataFrame:
    """Per activity: records kept too long, unverifiable records, longest delay."""
    cols = ["activity", "breaches", "unverifiable", "max_days_overdue"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    titles = _activity_titles(open_policy(policy), lang)
    df = ws.sql(
        "SELECT activity, count(*) FILTER (WHERE check_id = 'retention.breach')::INTEGER AS breaches, "
        "count(*) FILTER (WHERE check_id = 'retention.unverifiable')::INTEGER AS unverifiable, "
        "max(days_overdue) AS max_days_overdue FROM findings "
        "WHERE run_id = ? AND check_id IN ('retention.breach', 'retention.unverifiable') "
        "GROUP BY 1 ORDER BY breaches DESC, activity",
        [run_id],
    )
    df["activity"] = [titles.get(a, a) for a in df["activity"]]
    return df[cols]


def retention_age_buckets(ws: Workspace, run_id: int | None, policy=None, lang: str = "fr") -> pd.DataFrame:
    """Breaches per activity and age of the delay (under 6 months … over 5 years)."""
    cols = ["activity", "age", "count"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    titles = _activity_titles(open_policy(policy), lang)
    case = " ".join(
        f"WHEN days_overdue >= {lo}" + (f" AND days_overdue <= {hi}" if hi else "") + f" THEN {i}"
        for i, (lo, hi, _) in enumerate(BUCKETS)
    )
    df = ws.sql(
        f"SELECT activity, CASE {case} ELSE 0 END AS bucket, count(*)::INTEGER AS count FROM findings "
        "WHERE run_id = ? AND check_id = 'retention.breach' GROUP BY ALL ORDER BY activity, bucket",
        [run_id],
    )
    df["age"] = [pick(BUCKETS[b][2], lang) for b in df["bucket"]]
    df["activity"] = [titles.get(a, a) for a in df["activity"]]
    return df[cols]


def retention_chart(ws: Workspace, run_id: int | None, policy=None, lang: str = "fr"):
    """Breaches per activity and age of the delay, as stacked bars."""
    return charts.breaches_by_age(retention_age_buckets(ws, run_id, policy, lang), lang)


def unverifiable_by_source(ws: Workspace, run_id: int | None) -> pd.DataFrame:
    """Records whose retention cannot be verified, per source and activity."""
    if run_id is None:
        return pd.DataFrame(columns=["source", "activity", "records"])
    return ws.sql(
        "SELECT source, activity, count(*)::INTEGER AS records FROM findings "
        "WHERE run_id = ? AND check_id = 'retention.unverifiable' GROUP BY ALL ORDER BY records DESC, source",
        [run_id],
    )


def transfers(ws: Workspace, policy=None, lang: str = "fr") -> pd.DataFrame:
    """Records per hosting country and provider, with the safeguard the policy claims."""
    pol = open_policy(policy)
    claimed = {(h.provider.lower(), h.country): h.claimed_transfer_mechanism for h in pol.hosting}
    dm = data_map(ws, pol, lang)
    cols = ["country", "country_label", "outside_eea", "provider", "mechanism", "sources", "records"]
    if dm.empty:
        return pd.DataFrame(columns=cols)
    g = dm.groupby(["country", "provider"], dropna=False).agg(sources=("source", "nunique"), records=("records", "sum")).reset_index()
    g["outside_eea"] = [bool(c) and not is_eea(c) for c in g["country"]]
    g["country_label"] = [f"{c} ({word('outside_eea', lang)})" if o else str(c) for c, o in zip(g["country"], g["outside_eea"])]
    g["mechanism"] = [
        TRANSFER_MECHANISMS.label(claimed[(str(p).lower(), c)], lang) if (str(p).lower(), c) in claimed else word("no_mechanism", lang)
        for p, c in zip(g["provider"], g["country"])
    ]
    g.loc[~g["outside_eea"], "mechanism"] = pick(("non nécessaire (UE/EEE)", "not needed (EU/EEA)"), lang)
    g = g.sort_values(["outside_eea", "records"], ascending=[False, False])
    return g[cols].reset_index(drop=True)


def transfers_chart(ws: Workspace, policy=None, lang: str = "fr"):
    """Records per hosting country and safeguard claimed, as stacked bars."""
    return charts.transfers_bar(transfers(ws, policy, lang), lang)


def special_categories(ws: Workspace) -> pd.DataFrame:
    """Special-category hits (health, union, criminal…) per source and category: counts only.

    Free-text cells (``special_hits``) and what the content scanner found inside messages,
    attachments and documents (the ``content_hits`` capability: special categories, and
    NIRs, forbidden for some activities) are counted together; never their content."""
    parts = []
    if _has_table(ws, "special_hits"):
        parts.append("SELECT source, category, file_id, row_no FROM special_hits")
    from ..ingest.loaded import loaded_sources

    for s in loaded_sources(ws):
        hits = s.capability("content_hits")
        if hits is None:
            continue
        cat = quote_ident(hits.columns["category"])
        parts.append(
            f"SELECT {quote_literal(s.name)} AS source, {cat} AS category, _file_id AS file_id, _row AS row_no "
            f"FROM raw.{quote_ident(hits.name)} WHERE {quote_ident(hits.columns['special'])} = 'true' OR {cat} = {quote_literal(_NIR)}"
        )
    if not parts:
        return pd.DataFrame(columns=["source", "category", "records", "hits"])
    return ws.sql(
        "SELECT source, category, count(DISTINCT (file_id, row_no))::INTEGER AS records, count(*)::INTEGER AS hits "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL ORDER BY records DESC, source, category"
    )


_NIR = "user.government_id.national_identification_number"


# -- summary ------------------------------------------------------------------------------


def key_numbers(ws: Workspace, run_id: int | None, lang: str = "fr") -> pd.DataFrame:
    """The few numbers that matter: systems, records, rejected rows, findings by severity, changes."""
    srcs, rows, rejected = ws.con.execute(
        "SELECT count(DISTINCT source), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) FROM load_files"
    ).fetchone()
    sev = dict(ws.con.execute(
        "SELECT severity, count(*) FROM findings WHERE run_id = ? GROUP BY 1", [run_id if run_id is not None else -1]
    ).fetchall())
    ch = totals_of_changes(ws, run_id)
    items = [
        ("sources", srcs), ("records", rows), ("rejected", rejected),
        ("errors", sev.get("error", 0)), ("warnings", sev.get("warning", 0)), ("info", sev.get("info", 0)),
        ("new", ch["new"]), ("resolved", ch["resolved"]), ("still_open", ch["still_open"]),
    ]
    df = pd.DataFrame([{"key": k, "label": word(k, lang)} for k, _ in items])
    df["value"] = pd.array([None if v is None else int(v) for _, v in items], dtype="Int64")
    return df


def changes(ws: Workspace, run_id: int | None, lang: str = "fr") -> pd.DataFrame:
    """Per check: findings now and at the previous audit, new, resolved, still open."""
    df = changes_by_check(ws, run_id)
    meta = _themes()
    df.insert(1, "check", [pick(meta[c][1:], lang) if c in meta else c for c in df["check_id"]])
    return df


def trend(ws: Workspace, run_id: int | None = None) -> pd.DataFrame:
    """Findings per severity at each past audit date (latest run of each date)."""
    return _trend(ws, run_id)


def trend_chart(ws: Workspace, run_id: int | None = None, lang: str = "fr"):
    """Findings per severity over audit dates, as lines."""
    return charts.trend_lines(trend(ws, run_id), lang)


def urgent_actions(ws: Workspace, run_id: int | None, policy=None, lang: str = "fr", n: int = 3) -> pd.DataFrame:
    """The ``n`` most urgent actions: error findings grouped by check and activity, most first."""
    cols = ["rank", "theme", "check_id", "activity", "findings", "max_days_overdue", "sources", "action"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    titles = _activity_titles(open_policy(policy), lang)
    meta = _themes()
    df = ws.sql(
        "SELECT check_id, activity, count(*)::INTEGER AS findings, max(days_overdue) AS max_days_overdue, "
        "string_agg(DISTINCT source, ', ' ORDER BY source) AS sources FROM findings "
        "WHERE run_id = ? AND severity = 'error' GROUP BY ALL "
        "ORDER BY findings DESC, max_days_overdue DESC NULLS LAST, check_id, activity LIMIT ?",
        [run_id, n],
    )
    out = []
    for i, r in enumerate(df.itertuples(), 1):
        theme, tfr, ten = meta.get(r.check_id, ("other", r.check_id, r.check_id))
        act = titles.get(r.activity, r.activity) if isinstance(r.activity, str) else None
        what = pick((tfr, ten), lang).rstrip(".").lower()
        text = f"{pick(ACTIONS.get(theme, ACTIONS['other']), lang)} {r.findings} {word('cases', lang)} — {what}"
        if act:
            text += f" ({act})"
        if pd.notna(r.max_days_overdue):
            text += f", {word('up_to', lang)} {int(r.max_days_overdue)} {word('days', lang)} {word('late', lang)}"
        out.append({"rank": i, "theme": theme_title(theme, lang), "check_id": r.check_id, "activity": act,
                    "findings": r.findings, "max_days_overdue": r.max_days_overdue,
                    "sources": redact(r.sources), "action": redact(text) + "."})
    return pd.DataFrame(out, columns=cols)
