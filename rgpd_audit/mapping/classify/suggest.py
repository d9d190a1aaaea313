"""Suggesting a category for every loaded column, and scanning free text.

For each column of each ``raw.*`` table: a reservoir sample of at most 2,000 distinct
non-empty values is fetched (only the sample leaves DuckDB), checked with the value
validators, and combined with the header rule. Values win over a contradicting header
when a strong validator (checksum, e-mail syntax, numbering plan) accepts enough of them.
Results go to ``column_map`` (confirmed and not_personal rows are never overwritten) and
the free-text columns are scanned record by record into ``special_hits``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from ...sql import quote_ident, quote_literal
from ...workspace import ALIAS, Workspace
from . import freetext, names, values

SAMPLE_SIZE = 2000
PRESAMPLE = 50_000
# a column with fewer values than this in the shared row sample is sampled on its own
MIN_FROM_TABLE_SAMPLE = 200
SKIP = {"_file_id", "_row", "_activity"}
# tables sampled at the same time, each on its own cursor: a sampling query runs on one
# core (the reservoir), and the values of one table are checked in Python meanwhile
SAMPLING_THREADS = max(1, min(4, os.cpu_count() or 1))
DECIDED = ("confirmed", "not_personal")
SUBJECT_CATEGORIES = {
    "user.contact.email", "user.contact.phone_number", "user.name",
    "user.government_id.national_identification_number",
}
TEXT_CATEGORIES = {
    names.FREE_TEXT, "user.x_rgpd.questions_answers", "user.x_rgpd.cover_letter",
    "user.x_rgpd.employer_references", "user.x_rgpd.application_documents",
}


@dataclass
class Suggestion:
    """What the classifier proposes for one column, with its evidence."""

    category: str | None
    rule: str | None
    confidence: float
    sampled: int
    matched: int
    examples: list[str]
    kind: str | None = None          # value kind found (nir, email, date, text, …)
    subject_key: bool = False
    date_role: str | None = None


@dataclass
class SuggestReport:
    columns: int = 0
    suggested: int = 0
    kept: int = 0                    # confirmed / not_personal rows left untouched
    free_text_columns: list[tuple[str, str]] = field(default_factory=list)
    special_hits: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)  # (table, column) no longer loaded


CIVILITIES = frozenset("m mr mrs ms miss mme mlle mademoiselle madame monsieur dr pr prof me".split())
CIVILITY_SHARE = 0.8
EMPTY_CONFIDENCE = 0.3


def _civility_share(sample: list[str]) -> float:
    """Share of values that are civilities (M., Mme, Dr…): a "Title" column of Outlook holds those."""
    if not sample:
        return 0.0
    return sum(v.strip().rstrip(".").lower() in CIVILITIES for v in sample) / len(sample)


def classify(column: str, sample: list[str], *, is_date_type: bool = False) -> Suggestion:
    """Classify one column from its name and a sample of its (distinct, non-empty) values."""
    rule = names.match_name(column)
    n = len(sample)
    if is_date_type:  # typed by the loader: its values are dates, nothing else to test
        scores = {"date": n, "nir_shape": 0, "long_text": 0}
    else:
        scores = values.score(sample) if sample else {}
    if rule is not None and rule.weak and n and not scores.get(rule.kind, 0):
        rule = None  # a short name ("CC", "To") whose values are not what it would mean
    if n == 0 and not is_date_type:
        # an empty column: only its name says what it would hold (Bcc, a landline number)
        if rule is None:
            return Suggestion(None, None, EMPTY_CONFIDENCE, 0, 0, [])
        return Suggestion(rule.category, f"name:{rule.rule}", EMPTY_CONFIDENCE, 0, 0, [], kind=rule.kind)
    # The best value kind: highest share above its threshold; ties go to the earlier kind.
    best, best_ratio = None, 0.0
    for k in values.KINDS:
        ratio = scores.get(k.name, 0) / n if n else (1.0 if (is_date_type and k.name == "date") else 0.0)
        if ratio >= k.threshold and ratio > best_ratio + 1e-9:
            best, best_ratio = k, ratio
    if best is not None and best.name == "postal_code" and rule is not None and rule.kind != "postal_code":
        best = None  # five digits are not enough to contradict a header (amounts, ids)
    if best is not None and best.name == "date" and rule is not None and rule.kind in ("postal_code",):
        best = None
    if best is not None and best.name == "email" and rule is not None and rule.rule == "message_id":
        best = None  # <id@host> message identifiers are shaped like addresses

    def ex(kind):
        return [values.mask(kind, v) for v in sample[:3]]

    if best is not None:
        matched = n if (is_date_type and best.name == "date") else scores.get(best.name, 0)
        if best.name == "date":
            cat = "user.demographic.date_of_birth" if rule is not None and rule.rule == "date_of_birth" else None
            conf = 0.95 if cat or rule is None or rule.kind == "date" else 0.85
            r = "name:date_of_birth" if cat else "value:date"
            return Suggestion(cat, r, conf, n, matched, ex("date"), kind="date")
        agrees = rule is not None and (rule.kind == best.name or rule.category == best.category
                                       or (rule.kind == "siret" and best.name == "siren"))
        conf = round(min(0.99, 0.7 + 0.3 * best_ratio) if agrees else 0.6 + 0.3 * best_ratio, 2)
        return Suggestion(best.category, f"value:{best.name}", conf, n, matched, ex(best.name), kind=best.name,
                          subject_key=best.category in SUBJECT_CATEGORIES)
    civ = _civility_share(sample)
    if civ >= CIVILITY_SHARE and (rule is None or rule.rule in ("job_title", "gender", "name")):
        return Suggestion("user.demographic.gender", "value:civility", round(0.6 + 0.3 * civ, 2), n,
                          round(civ * n), ex(None), kind="civility")
    long_text = scores.get("long_text", 0)
    if rule is not None:
        conf, matched, kind = 0.7, 0, rule.kind
        if rule.kind in values.KIND_BY_NAME:
            # a header promising checkable values that do not check: keep it, lower confidence
            matched = scores.get(rule.kind, 0)
            conf = 0.4
            if rule.kind == "nir" and scores.get("nir_shape", 0) / n >= 0.5:
                matched, conf = scores["nir_shape"], 0.5
        elif rule.kind == "text":
            matched = long_text
            conf = 0.9 if long_text else 0.75
        elif rule.kind == "name":
            # names hold letters: a "name" column of numbers or codes is doubtful
            with_digits = sum(any(c.isdigit() for c in v) for v in sample)
            conf = 0.4 if with_digits / n >= 0.5 else 0.8
        mask_kind = rule.kind if rule.kind in values.MASKS else None
        return Suggestion(rule.category, f"name:{rule.rule}", conf, n, matched, ex(mask_kind), kind=kind,
                          subject_key=rule.subject_key or rule.category in SUBJECT_CATEGORIES)
    if long_text / n >= 0.3:
        return Suggestion(names.FREE_TEXT, "value:long_text", round(0.5 + 0.4 * long_text / n, 2), n, long_text,
                          ex(None), kind="text")
    return Suggestion(None, None, 0.5, n, 0, ex(None))


def _sample(ws: Workspace, table: str, column: str, *, source: str | None = None) -> list[str]:
    """≤ SAMPLE_SIZE distinct non-empty values of a column, from ``source`` (a table-level
    row sample) or, when that holds too few values, from the whole column."""
    rows = _sample_of(ws, table, column, source)
    if source is not None and len(rows) < MIN_FROM_TABLE_SAMPLE:
        return _sample(ws, table, column)
    return rows


def _sample_of(ws: Workspace, table: str, column: str, source: str | None) -> list[str]:
    """The sample of a column taken from ``source`` (default: the whole table), sorted."""
    c = quote_ident(column)
    src = source or f"raw.{quote_ident(table)}"
    rows = ws.con.execute(
        f"""WITH f AS (SELECT trim(CAST({c} AS VARCHAR)) AS v FROM {src}
                       WHERE {c} IS NOT NULL AND trim(CAST({c} AS VARCHAR)) <> ''),
                s AS (SELECT v FROM f USING SAMPLE reservoir({PRESAMPLE} ROWS) REPEATABLE (42)),
                d AS (SELECT DISTINCT v FROM s)
            SELECT v FROM d USING SAMPLE reservoir({SAMPLE_SIZE} ROWS) REPEATABLE (42)"""
    ).fetchall()
    return sorted(r[0] for r in rows)


def _table_sample(ws: Workspace, table: str) -> str | None:
    """For a big table, one row sample shared by all its columns (one scan, not one per column)."""
    n = ws.con.execute(f"SELECT count(*) FROM raw.{quote_ident(table)}").fetchone()[0]
    if n <= PRESAMPLE:
        return None
    ws.con.execute(
        f"CREATE OR REPLACE TEMP TABLE _classify_sample AS SELECT * FROM raw.{quote_ident(table)} "
        f"USING SAMPLE reservoir({PRESAMPLE} ROWS) REPEATABLE (42)"
    )
    return "temp._classify_sample"


@dataclass
class _Cursor:
    """What ``_sample`` and ``_table_sample`` use of a workspace: a connection. A cursor of
    the workspace's connection has its own temp schema, so each holds its own row sample."""

    con: object


class _Cursors:
    """One cursor of the workspace per worker thread, made on the thread's first task."""

    def __init__(self, ws: Workspace):
        self._ws, self._local, self._lock, self._all = ws, threading.local(), threading.Lock(), []

    def get(self) -> _Cursor:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            con = self._ws.con.cursor()
            with self._lock:
                self._all.append(con)
            con.execute(f"USE {ALIAS}")
            cur = self._local.cursor = _Cursor(con)
        return cur

    def close(self) -> None:
        for con in self._all:
            con.close()


def _table_samples(pool: ThreadPoolExecutor, cursors: _Cursors, table: str, columns: list[str]) -> dict[str, object]:
    """``_sample`` of each column of a table: the same queries as on one connection (the
    samples do not depend on the threads). A column sampled from the whole table (too few
    values in the shared row sample) is left to another task: its entry is that task's
    future."""
    cur = cursors.get()
    out: dict[str, object] = {}
    shared = None
    for column in columns:
        if shared is None:
            shared = _table_sample(cur, table) or ""
        rows = _sample_of(cur, table, column, shared or None)
        if shared and len(rows) < MIN_FROM_TABLE_SAMPLE:  # what _sample does then
            out[column] = pool.submit(lambda c=column: _sample(cursors.get(), table, c))
        else:
            out[column] = rows
    return out


def _sampling_order(ws: Workspace, tables: list[str]) -> list[str]:
    """The biggest tables first (rows × columns), so that the last one sampled is small."""
    sizes = dict(ws.con.execute(
        "SELECT t.table_name, t.estimated_size * t.column_count FROM duckdb_tables() t "
        f"WHERE t.database_name = {quote_literal(ALIAS)} AND t.schema_name = 'raw'"
    ).fetchall())
    return sorted(tables, key=lambda t: -(sizes.get(t) or 0))


def _columns(ws: Workspace, table: str) -> list[tuple[str, str]]:
    return ws.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'raw' "
        "AND table_name = ? ORDER BY column_index",
        [ALIAS, table],
    ).fetchall()


def source_info(ws: Workspace) -> dict[str, dict]:
    """Per raw table: its source, the source's single activity (or None), manifest options."""
    out: dict[str, dict] = {}
    rows = ws.con.execute("SELECT name, activities, options, tables FROM sources").fetchall()
    for name, activities, options, tables in rows:
        opts = json.loads(options) if isinstance(options, str) else (options or {})
        info = {"source": name, "activity": activities[0] if activities and len(activities) == 1 else None,
                "options": opts}
        for t in tables or []:
            out[t] = info
    for t in ws.tables("raw"):
        out.setdefault(t, {"source": t.split("__")[0], "activity": None, "options": {}})
    return out


def _subject_columns(opts: dict) -> set[str]:
    subj = opts.get("subject") or {}
    out: set[str] = set()
    for v in subj.values():
        out.update([v] if isinstance(v, str) else (v or []))
    return out


def _classify_tables(tables, pending, decided, known, info, policy, now, present, rows, report) -> None:
    """Classify each column from its sample (``pending``: one future per table) into ``rows``
    (in table order), each table as soon as its samples are there."""
    columns_of = dict(tables)
    table_of = {f: t for (t, _), f in zip(tables, pending)}
    rows_of: dict[str, list] = {}
    for future in as_completed(pending):
        table = table_of[future]
        rows_of[table] = _classify_table(table, columns_of[table], future.result(), decided, known, info, policy, now,
                                         present, report)
    for table, _ in tables:
        rows.extend(rows_of[table])


def _classify_table(table, columns, samples, decided, known, info, policy, now, present, report) -> list[list]:
    """The ``column_map`` rows of a table's undecided columns."""
    rows = []
    meta = info[table]
    opts = meta["options"]
    declared_dates = opts.get("dates") or {}
    subject_cols = _subject_columns(opts)
    for column, dtype in columns:
        present.add((table, column))
        report.columns += 1
        if (table, column) in decided:
            report.kept += 1
            continue
        is_date_type = dtype.startswith("TIMESTAMP") or dtype == "DATE"
        sample = samples[column]
        if isinstance(sample, Future):
            sample = sample.result()
        s = classify(column, sample, is_date_type=is_date_type)
        if s.category is not None and s.category not in known:  # a rule out of step with the catalogue
            s.category = None
        role = declared_dates.get(column) or (names.date_role(column) if s.kind == "date" else None)
        subject_key = s.subject_key or column in subject_cols
        if policy is not None and meta["activity"] is not None:
            ids = {a.id for a in getattr(policy, "activities", [])}
            activity = meta["activity"] if not ids or meta["activity"] in ids else None
        else:
            activity = meta["activity"]
        rows.append([meta["source"], table, column, s.category, activity, subject_key, role, "suggested",
                     s.rule, s.confidence, s.sampled, s.matched, s.examples, now])
        report.suggested += 1
    return rows


def suggest(ws: Workspace, policy=None) -> SuggestReport:
    """Classify every loaded column into ``column_map`` and scan free text into ``special_hits``.

    Rows an analyst decided (``confirmed`` / ``not_personal``) are kept as they are; rows of
    columns no longer loaded are removed (the mapping file keeps them).
    """
    from ...policy import categories

    known = categories()
    report = SuggestReport()
    decided = {
        (t, c) for t, c in ws.con.execute(
            "SELECT table_name, column_name FROM column_map WHERE status IN ('confirmed', 'not_personal')").fetchall()
    }
    now = dt.datetime.now().replace(microsecond=0)
    info = source_info(ws)
    present: set[tuple[str, str]] = set()
    rows = []
    tables = [(t, [(c, d) for c, d in _columns(ws, t) if c not in SKIP]) for t in ws.tables("raw")]
    # The samples are fetched by worker threads, each on its own cursor (a table's shared
    # row sample and its columns on one, a column sampled from the whole table on any), the
    # biggest tables first; the values are checked here as each table's samples arrive. The
    # queries are those one connection would run: the suggestions do not depend on threads.
    pool, cursors = ThreadPoolExecutor(max_workers=SAMPLING_THREADS, thread_name_prefix="rgpd-sample"), _Cursors(ws)
    try:
        todo = {t: [c for c, _ in cols if (t, c) not in decided] for t, cols in tables}
        futures = {t: pool.submit(_table_samples, pool, cursors, t, todo[t]) for t in _sampling_order(ws, list(todo))}
        _classify_tables(tables, [futures[t] for t, _ in tables], decided, known, info, policy, now, present, rows,
                         report)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        cursors.close()
    con = ws.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM column_map WHERE status NOT IN ('confirmed', 'not_personal')")
        gone = [r for r in con.execute("SELECT table_name, column_name FROM column_map").fetchall() if tuple(r) not in present]
        for t, c in gone:
            con.execute("DELETE FROM column_map WHERE table_name = ? AND column_name = ?", [t, c])
        report.removed = [tuple(g) for g in gone]
        if rows:
            con.executemany("INSERT INTO column_map (source, table_name, column_name, category, activity, subject_key, date_role, "
                            "status, rule, confidence, sampled, matched, examples, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.free_text_columns, report.special_hits = refresh_special_hits(ws)
    return report


def free_text_columns(ws: Workspace) -> list[tuple[str, str, str]]:
    """(source, table, column) of the columns scanned for special categories."""
    cats = ", ".join("'" + c + "'" for c in sorted(TEXT_CATEGORIES))
    return ws.con.execute(
        f"SELECT source, table_name, column_name FROM column_map WHERE status <> 'not_personal' "
        f"AND (category IN ({cats}) OR rule = 'value:long_text') ORDER BY 2, 3"
    ).fetchall()


def refresh_special_hits(ws: Workspace) -> tuple[list[tuple[str, str]], int]:
    """Rescan every free-text column into ``special_hits`` (replacing its content)."""
    cols = free_text_columns(ws)
    ws.con.execute("BEGIN TRANSACTION")
    try:
        ws.con.execute("DELETE FROM special_hits")
        for source, table, column in cols:
            ws.con.execute(freetext.scan_sql(source, table, column))
        ws.con.execute("COMMIT")
    except BaseException:
        ws.con.execute("ROLLBACK")
        raise
    n = ws.con.execute("SELECT count(*) FROM special_hits").fetchone()[0]
    return [(t, c) for _, t, c in cols], n


@dataclass(frozen=True)
class ReviewRow:
    source: str
    table: str
    column: str
    category: str | None
    confidence: float | None
    rule: str | None
    example: str | None
    date_role: str | None
    subject_key: bool = False


def needs_review(ws: Workspace) -> list[ReviewRow]:
    """Suggested rows an analyst has not decided yet, special categories first, least sure first."""
    from ...policy import categories

    special = {n for n, c in categories().items() if c.special} | {
        "user.government_id.national_identification_number", "user.x_rgpd.place_of_birth"}
    rows = ws.con.execute(
        "SELECT source, table_name, column_name, category, confidence, rule, examples[1], date_role, "
        "coalesce(subject_key, false) FROM column_map WHERE status = 'suggested' ORDER BY table_name, column_name"
    ).fetchall()
    out = [ReviewRow(*r) for r in rows]
    out.sort(key=lambda r: (r.category not in special, r.category is None, r.confidence or 0, r.table, r.column))
    return out
