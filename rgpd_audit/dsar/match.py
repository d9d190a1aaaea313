"""Finding every record about a person across the loaded sources, with the reason of each match.

One SQL query per table, built from its identifying columns (:mod:`.columns`); the person's
identifiers are bound as parameters, never pasted into SQL. Reasons, strongest first:

- ``email``: the address appears in a text column (exact address, case-insensitive);
- ``phone``: a phone column holds the same number (French numbers compared on their last
  9 digits with a valid prefix: ``06…``, ``+33 6…``, ``0033 6…``, ``+33 (0)6…``);
- ``name+birth_date``: same name (accents, case, hyphens, apostrophes, word order ignored)
  and same birth date;
- ``name``: same name only: a *weak* candidate, to be checked by the analyst; never exported.

A record whose name matches but whose birth date differs is someone else and is not returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..ingest.loaded import LoadedSource, loaded_sources
from ..sql import quote_ident, quote_literal
from ..workspace import Workspace
from .columns import Identifiers, identifiers
from .query import PersonQuery, install_macros

log = logging.getLogger(__name__)

STRONG_REASONS = ("email", "phone", "name+birth_date")
REASON_ORDER = ("email", "phone", "name+birth_date", "name")
EMAIL_TOKEN = r"""[^\s<>,;:"()\[\]']+@[a-z0-9.-]*[a-z0-9]"""
PHONE_TOKEN = r"\+?[0-9][0-9 .()\-]{6,}[0-9]"
FR_PREFIXES = "['', '0', '33', '330', '0033', '00330']"
DATE_FORMATS = "['%d/%m/%Y', '%d-%m-%Y', '%Y%m%d', '%d%m%Y', '%Y/%m/%d']"


@dataclass
class Match:
    """One record about the person."""

    source: str
    table: str
    record: str
    activity: str | None
    reasons: list[str]
    file_id: int
    row: int
    inside: bool = False  # found in the record's text (a mail body, a document), read again

    @property
    def reason(self) -> str:
        return self.reasons[0]

    @property
    def weak(self) -> bool:
        return not any(r in STRONG_REASONS for r in self.reasons)


@dataclass
class FindResult:
    subject_ref: str
    matches: list[Match] = field(default_factory=list)

    @property
    def strong(self) -> list[Match]:
        return [m for m in self.matches if not m.weak]

    @property
    def weak(self) -> list[Match]:
        return [m for m in self.matches if m.weak]

    def to_frame(self):
        """The analyst's table (identifiers may show here; never log it)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {"source": m.source, "table": m.table, "record": m.record, "activity": m.activity,
                 "match": " + ".join(m.reasons) if not m.weak else "name (weak: check)", "weak": m.weak}
                for m in self.matches
            ],
            columns=["source", "table", "record", "activity", "match", "weak"],
        )


def _text(col: str) -> str:
    return f"CAST({quote_ident(col)} AS VARCHAR)"


def _predicates(ids: Identifiers, q: PersonQuery, name_key: str | None) -> tuple[dict[str, str], dict]:
    """SQL boolean expressions per reason (over the table's columns) and their parameters."""
    preds: dict[str, str] = {}
    params: dict = {}
    if q.email and ids.text_columns:
        params["email"] = q.email
        parts = [
            f"(strpos(lower({quote_ident(c)}), $email) > 0 AND "
            f"list_contains(regexp_extract_all(lower({quote_ident(c)}), {quote_literal(EMAIL_TOKEN)}), $email))"
            for c in ids.text_columns
        ]
        preds["email"] = "(" + " OR ".join(parts) + ")"
    if q.phone and ids.phones:
        digits = "regexp_replace(x, '[^0-9]', '', 'g')"
        if q.phone.country_code == 33:
            params["nsn"] = q.phone.national
            cond = f"right({digits}, 9) = $nsn AND list_contains({FR_PREFIXES}, left({digits}, length({digits}) - 9))"
        else:
            params["digits"] = q.phone.digits
            cond = f"{digits} IN ($digits, '00' || $digits)"
        parts = [
            f"len(list_filter(regexp_extract_all({_text(c)}, {quote_literal(PHONE_TOKEN)}), x -> {cond})) > 0" for c in ids.phones
        ]
        preds["phone"] = "coalesce(" + " OR ".join(parts) + ", false)"
    if name_key and ids.names:
        params["name_key"] = name_key
        parts = [
            f"dsar_name_key(concat_ws(' ', {', '.join(_text(c) for c in group)})) = $name_key" for group in ids.names
        ]
        preds["name"] = "coalesce(" + " OR ".join(parts) + ", false)"
        if q.birth_date and ids.birth_dates:
            params["birth"] = q.birth_date
            bds = [
                f"coalesce(TRY_CAST({quote_ident(c)} AS DATE), try_strptime(trim({_text(c)}), {DATE_FORMATS})::DATE)"
                for c in ids.birth_dates
            ]
            known = "coalesce(" + ", ".join(bds) + ")"
            preds["birth_known"] = f"({known} IS NOT NULL)"
            preds["birth"] = f"coalesce({known} = $birth, false)"
    return preds, params


def table_query(ws: Workspace, src: LoadedSource, table: str, q: PersonQuery, name_key: str | None) -> tuple[str, dict] | None:
    """``SELECT t.*, reasons FROM raw.<table> t`` restricted to the person's records, or None."""
    ids = identifiers(ws, src, table)
    preds, params = _predicates(ids, q, name_key)
    if not any(k in preds for k in ("email", "phone", "name")):
        return None
    whens = []
    if "email" in preds:
        whens.append(f"CASE WHEN {preds['email']} THEN 'email' END")
    if "phone" in preds:
        whens.append(f"CASE WHEN {preds['phone']} THEN 'phone' END")
    if "name" in preds:
        if "birth" in preds:
            whens.append(f"CASE WHEN {preds['name']} AND {preds['birth']} THEN 'name+birth_date' END")
            whens.append(f"CASE WHEN {preds['name']} AND NOT {preds['birth_known']} THEN 'name' END")
        else:
            whens.append(f"CASE WHEN {preds['name']} THEN 'name' END")
    reasons = f"list_filter([{', '.join(whens)}], x -> x IS NOT NULL)"
    sql = f"SELECT * FROM (SELECT t.*, {reasons} AS _reasons FROM raw.{quote_ident(table)} t) WHERE len(_reasons) > 0"
    return sql, params


def _record_expr(src: LoadedSource, table: str, cols: set[str], several_files: bool) -> str:
    """The record's name on the analyst's screen: its key, its message id, or its record
    number — after its file (sheet, zip entry or path) when the source has several files,
    where ``#12`` alone would name a record of each."""
    row = "'#' || _row"
    if several_files:
        row = "(SELECT coalesce(lf.entry, lf.path) FROM load_files lf WHERE lf.file_id = _file_id) || '#' || _row"
    key = src.options.get("key")
    if key and key in cols:
        return f"coalesce(CAST({quote_ident(key)} AS VARCHAR), {row})"
    mail = src.capability("mail")
    mid = mail.col("message_id") if mail else None
    if mid and mid in cols:  # a mailbox's tables: the message's id
        return f"coalesce({quote_ident(mid)}, {row})"
    return row


def find_person(ws: Workspace, query: PersonQuery, *, sources: list[str] | None = None) -> FindResult:
    """Every record about the person in the workspace, with the reason of each match."""
    install_macros(ws)
    name_key = query.name_key(ws)
    result = FindResult(query.subject_ref(ws))
    files = dict(ws.con.execute("SELECT source, count(*) FROM load_files GROUP BY source").fetchall())
    for src in loaded_sources(ws):
        if sources and src.name not in sources:
            continue
        for table in src.tables:
            built = table_query(ws, src, table, query, name_key)
            if built is None:
                continue
            sql, params = built
            cols = {r[0] for r in ws.con.execute(f"DESCRIBE raw.{quote_ident(table)}").fetchall()}
            activity = "coalesce(_activity, " + (quote_literal(", ".join(src.activities)) if src.activities else "NULL") + ")"
            rows = ws.con.execute(
                f"SELECT {_record_expr(src, table, cols, files.get(src.name, 0) > 1)}, {activity}, _reasons, _file_id, _row FROM ({sql}) ORDER BY _file_id, _row",
                params,
            ).fetchall()
            for record, act, reasons, fid, row in rows:
                ordered = [r for r in REASON_ORDER if r in reasons]
                result.matches.append(Match(src.name, table, record, act, ordered, fid, row))
    log.info("dsar find %s: %d strong, %d weak record(s)", result.subject_ref, len(result.strong), len(result.weak))
    return result


def person_rows_sql(ws: Workspace, src: LoadedSource, table: str, query: PersonQuery, *, weak: bool = False) -> tuple[str, dict] | None:
    """SQL selecting the person's full rows of a table (internal ``_`` columns kept), strong matches only."""
    install_macros(ws)
    built = table_query(ws, src, table, query, query.name_key(ws))
    if built is None:
        return None
    sql, params = built
    strong = " OR ".join(f"list_contains(_reasons, '{r}')" for r in STRONG_REASONS)
    cond = "true" if weak else f"({strong})"
    return f"SELECT * FROM ({sql}) WHERE {cond} ORDER BY _file_id, _row", params
