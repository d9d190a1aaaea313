"""Small functions for the notebooks and the report: one table or one figure each.

Every function takes an open :class:`~rgpd_audit.workspace.Workspace` (and the audit run
to show, from :func:`run_for`) and returns a pandas DataFrame or a plotly figure. None of
them prints, and none shows a raw identifier: only counts, source and activity names,
record keys and pseudonyms (``subject_ref``).

A notebook passes instead the handle :func:`find_workspace` gives (the shared workspace
rule): each view then opens the workspace read-only for the call and closes it (no
connection kept across cells, so the CLI can write meanwhile), and a missing, empty or
unreadable workspace gives a :class:`~rgpd_audit.report.handle.Notice` saying so and how to
load — never an empty table that reads as "nothing to report".
"""

from __future__ import annotations

import pandas as pd

from ..legal import is_eea
from ..sql import quote_ident, quote_literal, severity_rank
from ..vocab import TRANSFER_MECHANISMS, country_name
from ..workspace import Workspace
from . import charts
from .guard import redact
from .handle import Notice, WorkspaceHandle, find, per_call
from .history import changes_by_check, run_for, totals_of_changes
from .history import trend as _trend
from .labels import BUCKETS, check_lang, fmt_duration, fmt_int, pick, theme_title, word

__all__ = [
    "setup", "find_workspace", "open_policy", "run_for", "status", "declared_sources", "load_files", "load_by_source",
    "load_chart", "rejects_by_reason", "data_map", "data_map_sankey", "categories_per_source",
    "findings_by_check", "findings_by_theme", "retention_by_activity", "retention_age_buckets",
    "retention_chart", "unverifiable_by_source", "transfers", "transfers_chart", "special_categories",
    "key_numbers", "changes", "trend", "trend_chart", "urgent_actions", "source_titles",
]

DEFAULT_WORKSPACE = ".rgpd-audit"
WORKSPACE_ENV = "RGPD_AUDIT_WORKSPACE"
__all__ += ["Notice", "WorkspaceHandle"]


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


def find_workspace(workspace: str = "", lang: str = "fr") -> WorkspaceHandle:
    """The notebook's workspace by the shared rule (``rgpd_audit.workspace.locate``): the
    ``workspace`` parameter, else ``$RGPD_AUDIT_WORKSPACE``, else the nearest ``.rgpd-audit/``
    from the notebook's folder up. A handle, not a connection: pass it to the views."""
    return find(workspace, lang)


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
    """Per source (and its ``title``, what a reader knows it by): files, rows read / loaded /
    rejected, share rejected (%)."""
    return ws.sql(
        "SELECT source, coalesce(any_value(s.title), source) AS title, count(*) FILTER (WHERE status <> 'duplicate')::INTEGER AS files, "
        "sum(rows_read)::BIGINT AS rows_read, sum(rows_loaded)::BIGINT AS rows_loaded, "
        "sum(rows_rejected)::BIGINT AS rows_rejected, "
        "round(100.0 * sum(rows_rejected) / nullif(sum(rows_read), 0), 1) AS pct_rejected "
        "FROM load_files LEFT JOIN sources s ON s.name = load_files.source GROUP BY source ORDER BY source"
    )


def load_chart(ws: Workspace, lang: str = "fr"):
    """Rows loaded and rejected per source, as a bar chart."""
    return charts.load_bar(load_by_source(ws), lang)


def rejects_by_reason(ws: Workspace, lang: str = "fr") -> pd.DataFrame:
    """Rejected rows per source, field and kind of reason — values removed, never the raw line;
    ``reason_label`` is the kind of reason in words."""
    from .catalogue import reject_reason

    # Every token holding a digit, an @ or a quote is a value read from the file: dropped.
    df = ws.sql(
        r"""SELECT source, coalesce(field, '') AS field,
                   trim(regexp_replace(regexp_replace(reason, '\S*[0-9@''"]\S*', '…', 'g'), '(…\s*)+', '… ', 'g')) AS reason,
                   reason_code, count(*)::INTEGER AS rows
            FROM load_rejects GROUP BY ALL ORDER BY rows DESC, source, field"""
    )
    df.insert(3, "reason_label", [reject_reason(c, lang) for c in df["reason_code"]])
    return df


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
    """Every kind of finding: (theme, French title, English title) — the catalogue's."""
    from .catalogue import checks

    return {cid: (c.theme, c.fr, c.en) for cid, c in checks().items()}


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
        f"ORDER BY {severity_rank()}, findings DESC",
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
    """Breaches per activity and age of the delay, as stacked bars ("no audit at this date"
    when there is no run to show: an empty chart must not read as "nothing to report")."""
    if run_id is None:
        return charts.empty_figure(word("no_run", lang), word("breaches_by_age", lang))
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
    cols = ["country", "country_label", "outside_eea", "provider", "mechanism", "mechanism_id", "sources", "records"]
    if dm.empty:
        return pd.DataFrame(columns=cols)
    g = dm.groupby(["country", "provider"], dropna=False).agg(sources=("source", "nunique"), records=("records", "sum")).reset_index()
    g["outside_eea"] = [bool(c) and not is_eea(c) for c in g["country"]]
    g["country_label"] = [f"{country_name(c, lang)} ({word('outside_eea', lang)})" if o else country_name(c, lang)
                          for c, o in zip(g["country"], g["outside_eea"])]
    g["mechanism"] = [
        TRANSFER_MECHANISMS.label(claimed[(str(p).lower(), c)], lang) if (str(p).lower(), c) in claimed else word("no_mechanism", lang)
        for p, c in zip(g["provider"], g["country"])
    ]
    g["mechanism_id"] = [claimed.get((str(p).lower(), c)) or "undeclared" for p, c in zip(g["provider"], g["country"])]
    g.loc[~g["outside_eea"], "mechanism"] = pick(("non nécessaire (UE/EEE)", "not needed (EU/EEA)"), lang)
    g.loc[~g["outside_eea"], "mechanism_id"] = "eea"
    g = g.sort_values(["outside_eea", "records"], ascending=[False, False])
    return g[cols].reset_index(drop=True)


def transfers_chart(ws: Workspace, policy=None, lang: str = "fr"):
    """Records per hosting country and safeguard claimed, as stacked bars."""
    return charts.transfers_bar(transfers(ws, policy, lang), lang)


def special_categories(ws: Workspace, lang: str = "fr") -> pd.DataFrame:
    """Special-category hits (health, union, criminal…) per source and category: counts only,
    with the system's ``title`` and the category in words (``category_label``).

    Free-text cells (``special_hits``) and what the content scanner found inside messages,
    attachments and documents (the ``content_hits`` capability: special categories, and
    NIRs, forbidden for some activities) are counted together; never their content."""
    from ..ingest.loaded import loaded_sources
    from .catalogue import category

    cols = ["source", "title", "category", "category_label", "records", "hits"]
    parts = []
    if _has_table(ws, "special_hits"):
        parts.append("SELECT source, category, file_id, row_no FROM special_hits")
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
        return pd.DataFrame(columns=cols)
    df = ws.sql(
        "SELECT source, category, count(DISTINCT (file_id, row_no))::INTEGER AS records, count(*)::INTEGER AS hits "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL ORDER BY records DESC, source, category"
    )
    titles = source_titles(ws)
    df["title"] = [titles.get(x, x) for x in df["source"]]
    df["category_label"] = [category(c, lang) for c in df["category"]]
    return df[cols]


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
    """The ``n`` most urgent actions: serious findings and warnings grouped by kind of finding
    and activity, ranked by risk (:mod:`rgpd_audit.report.risk`), not by count. Each says what
    to do (``action``), who typically does it (``who``) and the text it rests on (``legal``)."""
    from . import catalogue, risk

    cols = ["rank", "action", "detail", "who", "legal", "score", "sensitivity", "theme", "check", "severity",  # the reader's
            "activity", "findings", "people", "max_days_overdue", "overdue", "sources", "check_id"]
    if run_id is None:
        return pd.DataFrame(columns=cols)
    pol = open_policy(policy)
    titles = _activity_titles(pol, lang)
    acts = {a.id: a for a in pol.activities}
    stitles = source_titles(ws)
    df = ws.sql(
        "SELECT check_id, severity, CASE WHEN check_id LIKE 'retention.%' THEN activity END AS per_activity, "
        "list(DISTINCT activity ORDER BY activity) FILTER (WHERE activity IS NOT NULL) AS activities, "
        "count(*)::INTEGER AS findings, count(DISTINCT coalesce(subject_ref, record_key, finding_key))::INTEGER AS people, "
        "max(days_overdue) AS max_days_overdue, list(DISTINCT source ORDER BY source) FILTER (WHERE source IS NOT NULL) AS sources "
        "FROM findings WHERE run_id = ? AND severity IN ('error', 'warning') GROUP BY ALL",
        [run_id],
    )
    rows = []
    for r in df.itertuples():
        overdue = None if pd.isna(r.max_days_overdue) else int(r.max_days_overdue)
        act_ids = _strings(r.activities)
        sens = min((risk.sensitivity_of(r.check_id, r.severity, acts.get(a)) for a in act_ids or [None]),
                   key=lambda k: -risk.SENSITIVITY[k])
        sc = risk.score(r.severity, sens, r.people, overdue)
        rows.append((sc.value, r, act_ids, overdue, sens))
    rows.sort(key=lambda x: (-x[0], x[1].check_id, x[2]))
    out = []
    for i, (value, r, act_ids, overdue, sens) in enumerate(rows[:n], 1):
        a = catalogue.action(r.check_id)
        check = catalogue.check_title(r.check_id, lang)
        detail = f"{check} : " if lang == "fr" else f"{check}: "
        detail += f"{fmt_int(r.findings, lang)} {word('cases', lang)}"
        if r.people != r.findings:
            detail += f" ({fmt_int(r.people, lang)} {word('people', lang)})"
        shown = [titles.get(a, a) for a in act_ids]
        if shown:
            detail += " — " + _enum(shown, lang)
        if overdue:
            detail += f", {word('up_to', lang)} {fmt_duration(overdue, lang)} {word('late', lang)}"
        systems = _enum([stitles.get(x, x) for x in _strings(r.sources)], lang)
        if systems:
            detail += f" ({systems})"
        out.append({
            "rank": i, "score": value, "theme": theme_title(catalogue.check_theme(r.check_id), lang),
            "check_id": r.check_id, "check": check, "severity": catalogue.severity(r.severity, lang),
            "activity": _enum(shown, lang, limit=None), "findings": r.findings, "people": r.people,
            "max_days_overdue": overdue, "overdue": fmt_duration(overdue, lang) if overdue else "",
            "sensitivity": word("sensitivity_" + sens, lang), "sources": redact(systems),
            "action": redact(pick(a.do, lang)) + ".", "detail": redact(detail) + ".", "who": pick(a.who, lang),
            "legal": catalogue.checks()[r.check_id].legal_basis if r.check_id in catalogue.checks() else "",
        })
    return pd.DataFrame(out, columns=cols)


def source_titles(ws: Workspace) -> dict[str, str]:
    """Each system's title (its name when it has none): what a reader knows it by."""
    return {name: (title or name) for name, title in ws.con.execute("SELECT name, title FROM sources").fetchall()}


def _strings(values) -> list[str]:
    """The strings of a DuckDB list cell (None, a list or a numpy array)."""
    if values is None or not hasattr(values, "__iter__") or isinstance(values, str):
        return []
    return [v for v in list(values) if isinstance(v, str)]


def _enum(items: list[str], lang: str, limit: int | None = 3) -> str:
    """« a ; b ; c et 2 autres » — a list a reader can take in."""
    sep = " ; " if lang != "en" else "; "
    if limit is None or len(items) <= limit:
        return sep.join(items)
    more = len(items) - limit
    return sep.join(items[:limit]) + (f" et {more} autre{'s' if more > 1 else ''}" if lang != "en" else f" and {more} more")


# A view given a notebook's handle opens the workspace for the call and releases it.
for _name in __all__:
    _obj = globals().get(_name)
    if callable(_obj) and not isinstance(_obj, type) and _name not in ("setup", "find_workspace", "open_policy"):
        globals()[_name] = per_call(_obj)
del _name, _obj
