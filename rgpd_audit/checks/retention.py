"""Retention: every record of every source mapped to an activity, against the policy's rules.

For each record the date the retention counts from is computed exactly as the policy says
(the last contact from the person, falling back explicitly to creation — a change to the
record never restarts the clock; end of the client's contract from the contracts file; last
purchase, the last supplier invoice of the accounting; closing of the financial year), then the
deadline (the last lawful day, :mod:`rgpd_audit.dates`), then the status as of the audit
date: ``breach`` (as_of > deadline), ``ok``,
``ongoing`` (contract not ended) or ``unverifiable`` (no usable reference date — never counted
as compliant).

An audit "as of" a past date sees what was true then: records created after it are not
audited, events after it (messages, log entries, invoices) are ignored, a contract or a
financial year that ended after it was still running; a record whose only last-contact date is
later than the audit date cannot tell what held then and is unverifiable, with that reason.

Everything is SQL over the workspace, generated from the policy file: no activity is
hard-coded here.
"""

from __future__ import annotations

import re

from ..dates import deadline_sql, overdue_sql
from ..detect.people import email_key_sql, name_key_sql, phone_key_sql
from ..holds import labour_guidance, labour_sources
from ..ingest.loaded import LoadedSource, loaded_sources
from ..policy import Activity, RetentionRule
from ..policy.summary import describe_rule
from ..sql import quote_ident, quote_literal
from ..vocab import DATE_ROLES, EVENTS, LEAVING_STATUSES, RECORD_STATUSES, RETENTION_BASES
from .decisions import describe as describe_decision
from .decisions import join as join_decisions
from .decisions import note as decision_note
from .findings import Finding, Query
from .registry import TEMP_TABLES, CheckContext, check

# How each retention event dates a record: (reference date, basis of that date, still running,
# uncertain), SQL over the per-record dates of ``_source_select`` as they stood on the audit
# date ``{d}``: ``last_activity`` holds only the dates up to it and ``activity_after`` says the
# export also holds a later one, whose value on ``{d}`` it does not tell. Such a record's
# reference date is only a lower bound ("uncertain"): it is compliant if even that bound keeps
# it within the period, otherwise not assessable at ``{d}`` — never a breach, never compliant.
# Every event of the vocabulary has its entry (checked at import): a new event is one line in
# ``vocab.EVENTS`` and one here.
EVENT_SQL: dict[str, tuple[str, str, str, str]] = {
    "last_activity": (
        "coalesce(last_activity, creation)",
        "CASE WHEN named_contact THEN coalesce(named_via, 'named_contact') WHEN file_store AND last_activity IS NOT NULL THEN 'file_modified' "
        "WHEN last_activity IS NOT NULL THEN 'last_activity' WHEN creation IS NOT NULL THEN 'creation' "
        "WHEN activity_after THEN 'after_as_of' WHEN changed IS NOT NULL THEN 'change_only' ELSE 'none' END",
        "false",
        "activity_after",
    ),
    "contract_end": (
        "CASE WHEN coalesce(own_end, c_end) <= {d} THEN coalesce(own_end, c_end) END",
        "CASE WHEN own_end IS NOT NULL OR c_end IS NOT NULL THEN 'contract_end' WHEN NOT c_found THEN 'no_contract' ELSE 'none' END",
        "(coalesce(own_end, c_end) > {d} OR (own_end IS NULL AND c_end IS NULL AND c_ongoing))",
        "false",
    ),
    "last_purchase": (
        "last_purchase",
        "CASE WHEN last_purchase IS NOT NULL THEN 'last_purchase' WHEN purchase_after THEN 'after_as_of' ELSE 'none' END",
        "false",
        "purchase_after",
    ),
    "fiscal_year_close": (
        "CASE WHEN fiscal_year_close <= {d} THEN fiscal_year_close END",
        "CASE WHEN fiscal_year_close IS NOT NULL THEN 'fiscal_year_close' ELSE 'none' END",
        "coalesce(fiscal_year_close > {d}, false)",
        "false",
    ),
    "creation": ("creation", "CASE WHEN creation IS NOT NULL THEN 'creation' ELSE 'none' END", "false", "false"),
}
if set(EVENT_SQL) != set(EVENTS.ids):  # pragma: no cover - a vocabulary change without its SQL
    raise RuntimeError(f"retention events without SQL: {sorted(set(EVENTS.ids) - set(EVENT_SQL))}")
if _bases := {b for _, basis, _, _ in EVENT_SQL.values() for b in re.findall(r"'(\w+)'", basis)} - set(RETENTION_BASES):  # pragma: no cover
    raise RuntimeError(f"retention bases without labels: {sorted(_bases)}")


def _as_date(c: str, alias: str = "t", text: dict[str, list[str]] | None = None) -> str:
    """SQL for a column's date: typed at load (a cast), or, for a column dated by the analyst's
    mapping only (``text``: column -> formats), read from its text with the source's formats."""
    col = f"{alias}.{quote_ident(c)}"
    if text and c in text:
        fmts = ", ".join(quote_literal(f) for f in text[c])
        return f"coalesce(TRY_CAST({col} AS DATE), CAST(try_strptime(CAST({col} AS VARCHAR), [{fmts}]) AS DATE))"
    return f"TRY_CAST({col} AS DATE)"


def _date_of(cols: list[str], alias: str = "t", text: dict[str, list[str]] | None = None) -> str:
    if not cols:
        return "NULL::DATE"
    parts = [_as_date(c, alias, text) for c in cols]
    return parts[0] if len(parts) == 1 else f"greatest({', '.join(parts)})"


def _date_until(cols: list[str], d: str, alias: str = "t", text: dict[str, list[str]] | None = None) -> str:
    """The latest of the columns' dates up to the audit date ``d`` (a date after it is ignored)."""
    if not cols:
        return "NULL::DATE"
    parts = [f"CASE WHEN {_as_date(c, alias, text)} <= {d} THEN {_as_date(c, alias, text)} END" for c in cols]
    return parts[0] if len(parts) == 1 else f"greatest({', '.join(parts)})"


def _any_after(cols: list[str], d: str, alias: str = "t", text: dict[str, list[str]] | None = None) -> str:
    """True when one of the columns holds a date later than ``d``: its value on ``d`` is unknown."""
    if not cols:
        return "false"
    return "(" + " OR ".join(f"coalesce({_as_date(c, alias, text)} > {d}, false)" for c in cols) + ")"


def _text_dates(s: LoadedSource) -> dict[str, list[str]]:
    """The source's columns dated by a mapping decision only, with the formats to read them."""
    return {c: s.date_formats for c in s.mapped_date_columns}


# A duration a contract sets, as written in its cell: a number, optionally followed by its unit
# (« 24 », « 24 mois », « 2 ans », "3 years"); the column's unit applies to a bare number.
_DURATION_CELL = r"^(\d+)\s*(mois|months?|ans?|ann[ée]es?|years?)?\.?$"


def _contracts_relation(sources: list[LoadedSource]) -> str | None:
    for s in sources:
        if s.use != "contracts" or not s.main_table:
            continue
        key = s.options.get("key")
        roles = s.date_roles()
        if not key or "contract_end" not in roles:
            continue
        end = _date_of(roles["contract_end"], "c", _text_dates(s))
        ret_col = s.options.get("retention_column")
        if ret_col and ret_col in s.columns.get(s.name, []):
            cell = f"lower(nullif(trim(c.{quote_ident(ret_col)}), ''))"
            num = f"TRY_CAST(nullif(regexp_extract({cell}, {quote_literal(_DURATION_CELL)}, 1), '') AS INTEGER)"
            unit = f"regexp_extract({cell}, {quote_literal(_DURATION_CELL)}, 2)"
            per = 1 if s.options.get("retention_unit") == "months" else 12
            months = (f"CASE WHEN {unit} LIKE 'mo%' THEN {num} WHEN {unit} <> '' THEN {num} * 12 "
                      f"ELSE {num} * {per} END")
            unreadable = f"({cell} IS NOT NULL AND {num} IS NULL)"
        else:
            months, unreadable = "NULL::INTEGER", "false"
        return (
            f"SELECT lower(trim(c.{quote_ident(key)})) AS ck, max({end}) AS contract_end, "
            f"bool_or({end} IS NULL) AS ongoing, max({months}) AS contract_months, bool_or({unreadable}) AS unreadable "
            f"FROM raw.{quote_ident(s.name)} c GROUP BY 1"
        )
    return None


def _purchases_relation(sources: list[LoadedSource], q: Query, d: str) -> str | None:
    """The last purchase per third-party account up to the audit date ``d``: the last supplier
    invoice (an entry crediting the supplier's account), not its payment (debiting it)."""
    parts = []
    for s in sources:
        t = s.capability("purchase_ledger")
        if t is None or s.record_kind != "accounting_document":
            continue
        acct, third, date = (quote_ident(t.col(r)) for r in ("account", "third_party", "date"))
        invoice = f"TRY_CAST({quote_ident(t.col('credit'))} AS DECIMAL(18, 2)) > 0" if t.col("credit") else "true"
        prefix = q.bind(t.facts["supplier_account_prefix"])
        parts.append(
            f"SELECT trim({third}) AS acct, max(TRY_CAST({date} AS DATE)) AS last_purchase "
            f"FROM raw.{quote_ident(t.name)} WHERE starts_with({acct}, {prefix}) AND nullif(trim({third}), '') IS NOT NULL "
            f"AND {invoice} AND TRY_CAST({date} AS DATE) <= {d} GROUP BY 1"
        )
    if not parts:
        return None
    return f"SELECT acct, max(last_purchase) AS last_purchase FROM ({' UNION ALL '.join(parts)}) GROUP BY 1"


def _rule_kinds(activity: Activity, source: LoadedSource) -> list[tuple[RetentionRule, str]]:
    """The rules that apply to a source's records in an activity, each with a row condition."""
    rules = list(activity.retention)
    if not rules:
        return []
    kind = source.record_kind
    if kind:
        return [(r, "true") for r in rules if r.applies_to == kind]
    kinds = {r.applies_to for r in rules}
    if {"active_supplier", "potential_supplier"} <= kinds:
        return [
            (r, "last_purchase IS NOT NULL" if r.applies_to == "active_supplier" else "last_purchase IS NULL")
            for r in rules
            if r.applies_to in ("active_supplier", "potential_supplier")
        ]
    for k in ("contact", "dataset"):
        if k in kinds:
            return [(r, "true") for r in rules if r.applies_to == k]
    return [(rules[0], "true")]


# The contracts and purchases relations are computed once per statement (materialised
# CTEs) however many sources join them: the purchases one reads the whole ledger.
CONTRACTS_CTE = "__retention_contracts"
PURCHASES_CTE = "__retention_purchases"
PROBLEMS = ("breach", "unverifiable", "no_section", "status_uncovered")


def _source_select(
    ctx: CheckContext, q: Query, s: LoadedSource, activity: Activity, contracts: str | None, purchases: str | None,
    statuses: tuple[str, ...] | None = None,
) -> list[str]:
    """One SELECT per rule applying to the source's records in the activity.

    The dates, deadline and status are computed first; the record key and the subject's
    pseudonym (a hash per row) only for the rows kept, those whose status is in
    ``statuses`` (every row when None).
    """
    roles = s.date_roles()
    # rows belong to the activity named in _activity (split_by or a single activity); a
    # source serving several activities without a split is assessed under each of them
    split = bool(s.options.get("split_by")) or len(s.activities) == 1
    act = q.bind(activity.id)
    where = f"t._activity = {act}" if split else "true"
    client = None
    if s.options.get("client"):
        client = q.bind(s.options["client"])
    elif s.options.get("client_column") and s.options["client_column"] in s.columns.get(s.name, []):
        client = f"t.{quote_ident(s.options['client_column'])}"
    joins = ["LEFT JOIN load_files lf ON lf.file_id = t._file_id"]
    contract_cols = "NULL::DATE AS c_end, false AS c_found, false AS c_ongoing, NULL::INTEGER AS c_months, false AS c_unreadable"
    if contracts and client is not None:
        joins.append(f"LEFT JOIN {CONTRACTS_CTE} c ON c.ck = lower(trim({client}))")
        contract_cols = ("c.contract_end AS c_end, c.ck IS NOT NULL AS c_found, coalesce(c.ongoing, false) AS c_ongoing, "
                         "c.contract_months AS c_months, coalesce(c.unreadable, false) AS c_unreadable")
    d = q.bind(ctx.as_of)
    text = _text_dates(s)
    own_end = _date_of(roles.get("contract_end", []), text=text)
    purchase_cols = _date_until(roles.get("last_purchase", []), d, text=text)
    purchase_after = _any_after(roles.get("last_purchase", []), d, text=text)
    key_col = s.options.get("key")
    if purchases and key_col and key_col in s.columns.get(s.name, []):
        joins.append(f"LEFT JOIN {PURCHASES_CTE} p ON p.acct = trim(t.{quote_ident(key_col)})")
        purchase_cols = f"greatest({purchase_cols}, p.last_purchase)"
    if s.use == "access":
        base = _documents_base(s, q, where, d)
        if base is None:
            return []
        record_key, subject_ref = "b.record_key", "b.subject_ref"
    else:
        # what the record key and the subject's pseudonym are computed from, carried as a
        # struct (no clash with the computed columns) and its load_files path / entry
        carried = ", ".join(f"{quote_literal(c)}: t.{quote_ident(c)}" for c in s.key_subject_columns())
        record_key, subject_ref = s.key_expr("b.__k", files="b.__lf"), s.subject_expr("b.__k")
        creation = _date_of(roles.get("creation", []), text=text)
        state, raw_status = _state_exprs(s, q)
        last_activity = _date_until(roles.get("last_activity", []), d, text=text)
        named, named_via = "false", "NULL::VARCHAR"
        is_file = "true" if s.capability("file_store") is not None else "false"
        contacts = _named_contacts(ctx, s, d) if is_file == "true" else None
        if contacts is not None:
            # a document's clock: the latest contact, in another system, with a person it names
            joins.append(f"LEFT JOIN ({contacts}) nc ON nc._file_id = t._file_id AND nc._row = t._row")
            last_activity, named = f"coalesce(nc.contact, {last_activity})", "(nc.contact IS NOT NULL)"
            named_via = "nc.via"
        base = (
            f"SELECT t._file_id, t._row, {{{carried}}} AS __k, {{'path': lf.path, 'entry': lf.entry}} AS __lf, "
            f"{last_activity} AS last_activity, {named} AS named_contact, {named_via} AS named_via, {is_file} AS file_store, "
            f"{_any_after(roles.get('last_activity', []), d, text=text)} AS activity_after, {creation} AS creation, "
            f"{_date_until(roles.get('record_change', []), d, text=text)} AS changed, "
            f"{own_end} AS own_end, {purchase_cols} AS last_purchase, {purchase_after} AS purchase_after, "
            f"{_date_of(roles.get('fiscal_year_close', []), text=text)} AS fiscal_year_close, "
            f"{contract_cols}, {state} AS rec_state, {raw_status} AS status_value "
            # a record created after the audit date did not exist then: not audited
            f"FROM raw.{quote_ident(s.name)} t {' '.join(joins)} WHERE {where} AND coalesce({creation} <= {d}, true)"
        )
    rule_kinds = _rule_kinds(activity, s)
    mapped = bool(s.options.get("status"))
    claimed = sorted({x for r, _ in rule_kinds for x in (r.statuses or ())})
    leaving = q.bind(sorted(LEAVING_STATUSES)) + "::VARCHAR[]"

    def state_cond(rule: RetentionRule) -> str:
        if rule.statuses:
            return f"coalesce(list_contains({q.bind(list(rule.statuses))}::VARCHAR[], rec_state), false)"
        if mapped:
            return f"(rec_state IS NOT NULL AND NOT list_contains({q.bind(claimed + sorted(LEAVING_STATUSES))}::VARCHAR[], rec_state))"
        return "true"

    def keep(sql: str) -> str:
        if statuses is None:
            return sql
        return f"SELECT * FROM ({sql}) WHERE list_contains({q.bind(list(statuses))}::VARCHAR[], status)"

    def final(status_sql: str, kind: str, rule_id: str, ev: str, clause: str) -> str:
        return (
            f"SELECT {q.bind(s.name)} AS source, {act} AS activity, "
            f"{record_key} AS record_key, {subject_ref} AS subject_ref, "
            f"{kind} AS record_kind, {rule_id} AS rule_id, {ev} AS event, "
            f"reference_date, basis, deadline, ongoing, rule_fr, rule_en, {clause} AS clause, _file_id, _row, status, days_overdue, "
            f"rec_state, status_value "
            f"FROM ({keep(status_sql)}) b"
        )

    selects, covered = [], []
    for rule, cond in rule_kinds:
        ev = rule.counted_from
        ref, basis, ongoing, uncertain = (x.replace("{d}", d) for x in EVENT_SQL[EVENTS.check(ev)])
        dur = rule.effective_duration
        if rule.duration_source == "contract":
            months = f"(coalesce(c_months, {dur.years * 12 + dur.months}))"
            days = f"(CASE WHEN c_months IS NULL THEN {dur.days} ELSE 0 END)"
            # a duration the contract sets but that cannot be read leaves the record unassessed
            ref = f"CASE WHEN NOT c_unreadable THEN {ref} END"
            basis = f"CASE WHEN c_unreadable THEN 'contract_duration_unreadable' ELSE {basis} END"
            n_fr = "CASE WHEN c_months % 12 = 0 THEN (c_months // 12) || ' an(s)' ELSE c_months || ' mois' END"
            n_en = "CASE WHEN c_months % 12 = 0 THEN (c_months // 12) || ' year(s)' ELSE c_months || ' month(s)' END"
            dur_fr = f"CASE WHEN c_months IS NULL THEN {q.bind(describe_rule(rule, 'fr'))} ELSE 'durée fixée par le contrat client : ' || {n_fr} || ' après la fin du contrat' END"
            dur_en = f"CASE WHEN c_months IS NULL THEN {q.bind(describe_rule(rule, 'en'))} ELSE 'duration set by the client contract: ' || {n_en} || ' after the end of the contract' END"
        else:
            months, days = str(dur.years * 12 + dur.months), str(dur.days)
            dur_fr, dur_en = q.bind(describe_rule(rule, "fr")), q.bind(describe_rule(rule, "en"))
        clause = q.bind(f"{rule.clause.section} — {rule.clause.quote}")
        cond = f"({cond}) AND {state_cond(rule)}"
        covered.append(cond)
        dated = (
            f"SELECT b.*, {ref} AS reference_date, {basis} AS basis, {uncertain} AS uncertain, "
            f"{deadline_sql(ref, months, days)} AS deadline, {ongoing} AS ongoing, "
            f"{dur_fr} AS rule_fr, {dur_en} AS rule_en "
            f"FROM ({base}) b WHERE {cond}"
        )
        late = f"(NOT ongoing AND {overdue_sql('deadline', d)})"
        status = (
            f"SELECT * REPLACE (CASE WHEN {late} AND uncertain THEN 'after_as_of' ELSE basis END AS basis), "
            f"CASE WHEN ongoing THEN 'ongoing' WHEN reference_date IS NULL OR ({late} AND uncertain) THEN 'unverifiable' "
            f"WHEN {late} THEN 'breach' ELSE 'ok' END AS status, "
            f"CASE WHEN {late} AND NOT uncertain THEN datediff('day', deadline, {d}) END AS days_overdue "
            f"FROM ({dated})"
        )
        selects.append(final(status, q.bind(rule.applies_to), q.bind(rule.id), q.bind(ev), clause))
    if rule_kinds and (mapped or claimed):
        # the records no rule covers because of their status: hired (left the activity) or a
        # status the manifest does not map / no rule is for
        uncovered = (
            f"SELECT b.*, NULL::DATE AS reference_date, 'status' AS basis, NULL::DATE AS deadline, false AS ongoing, "
            f"NULL::VARCHAR AS rule_fr, NULL::VARCHAR AS rule_en, "
            f"CASE WHEN coalesce(list_contains({leaving}, rec_state), false) THEN 'no_section' ELSE 'status_uncovered' END AS status, "
            f"NULL::BIGINT AS days_overdue "
            f"FROM ({base}) b WHERE NOT coalesce({' OR '.join(covered)}, false)"
        )
        first = rule_kinds[0][0].clause  # the section these records are not (or no longer) covered by
        selects.append(final(uncovered, "NULL::VARCHAR", "NULL::VARCHAR", "NULL::VARCHAR", q.bind(f"{first.section} — {first.quote}")))
    return selects


def _named_contacts(ctx: CheckContext, s: LoadedSource, d: str) -> str | None:
    """Per document of a file store (``_file_id``, ``_row``), the latest contact up to ``d``
    with a person it names (``content_links``: the pseudonym of an e-mail address, a phone
    number in E.164 or a full name it holds, :mod:`rgpd_audit.detect.people`; older loads: the
    e-mail ``subject`` of ``content_hits``), found in any other source's records (their
    subject e-mail, phone and name columns, keyed the same way, and ``last_activity`` dates),
    and the basis telling through what the person was recognised
    (``named_contact_email|phone|name``); None when nothing can be linked."""
    links = s.capability("content_links")
    hits = s.capability("content_hits")
    if links is not None:
        table, subject, via = links.name, quote_ident(links.col("subject")), f"h.{quote_ident(links.col('via'))}"
    elif hits is not None and hits.col("subject") is not None:
        table, subject, via = hits.name, quote_ident(hits.col("subject")), "'email'"
    else:
        return None
    parts = []
    for o in loaded_sources(ctx.ws):
        if o.name == s.name or not o.main_table:
            continue
        dates = o.date_roles().get("last_activity", [])
        subjects = o.subject_columns()
        if not dates:
            continue
        contact = _date_until(dates, d, text=_text_dates(o))
        keys = []
        if subjects.get("email"):
            keys.append(("email", email_key_sql(f"t.{quote_ident(subjects['email'][0])}")))
        if subjects.get("phone"):
            keys.append(("phone", phone_key_sql(f"t.{quote_ident(subjects['phone'][0])}")))
        if subjects.get("name"):
            keys.append(("name", name_key_sql([f"t.{quote_ident(c)}" for c in subjects["name"]])))
        for kind, key in keys:
            parts.append(f"SELECT '{kind}' AS via, pseudonym({key}) AS who, {contact} AS contact FROM raw.{quote_ident(o.name)} t")
    if not parts:
        return None
    return (
        f"SELECT h._file_id, h._row, max(c.contact) AS contact, "
        f"'named_contact_' || arg_max(c.via, (c.contact, CASE c.via WHEN 'email' THEN 3 WHEN 'phone' THEN 2 ELSE 1 END)) AS via "
        f"FROM raw.{quote_ident(table)} h "
        f"JOIN ({' UNION ALL '.join(parts)}) c ON c.who = h.{subject} AND c.via = {via} "
        "WHERE c.contact IS NOT NULL GROUP BY ALL"
    )


def _state_exprs(s: LoadedSource, q: Query) -> tuple[str, str]:
    """SQL of a record's status (a :data:`vocab.RECORD_STATUSES` id, NULL when the manifest
    does not map its value) and of the raw value, from ``options.status``."""
    st = s.options.get("status")
    if not st:
        return "NULL::VARCHAR", "NULL::VARCHAR"
    if st["column"] not in s.columns.get(s.name, []):
        return "NULL::VARCHAR", "NULL::VARCHAR"  # the column is missing: every record is uncovered
    raw = f"nullif(trim(t.{quote_ident(st['column'])}), '')"
    whens = " ".join(f"WHEN {q.bind(k.strip().lower())} THEN {q.bind(v)}" for k, v in st["values"].items())
    return f"CASE lower(coalesce({raw}, '')) {whens} END", raw


def _documents_base(s: LoadedSource, q: Query, where: str, d: str) -> str | None:
    """One record per document seen in a file store's activity log (``document_log``), dated by
    its latest event up to the audit date ``d`` (a document whose latest event then is a
    deletion was gone; one first seen after ``d`` did not exist yet)."""
    t = s.capability("document_log")
    if t is None:
        return None
    path, ts, ev = (quote_ident(t.col(r)) for r in ("path", "time", "event"))
    deleted = q.bind(list(t.facts.get("deletion_events", ()))) + "::VARCHAR[]"
    return (
        f"SELECT min(t._file_id) AS _file_id, min(t._row) AS _row, pseudonym(t.{path}) AS record_key, NULL::VARCHAR AS subject_ref, "
        f"max(TRY_CAST(t.{ts} AS DATE)) AS last_activity, false AS activity_after, NULL::DATE AS creation, NULL::DATE AS changed, "
        f"NULL::DATE AS own_end, NULL::DATE AS last_purchase, false AS purchase_after, "
        f"NULL::DATE AS fiscal_year_close, NULL::DATE AS c_end, false AS c_found, false AS c_ongoing, NULL::INTEGER AS c_months, "
        f"false AS c_unreadable, NULL::VARCHAR AS rec_state, NULL::VARCHAR AS status_value, "
        f"false AS named_contact, NULL::VARCHAR AS named_via, false AS file_store "
        f"FROM raw.{quote_ident(t.name)} t WHERE {where} AND nullif(trim(t.{path}), '') IS NOT NULL "
        f"AND TRY_CAST(t.{ts} AS DATE) <= {d} "
        f"GROUP BY t.{path} HAVING NOT list_contains({deleted}, arg_max(t.{ev}, t.{ts}))"
    )


def retention_status_sql(ctx: CheckContext, q: Query, statuses: tuple[str, ...] | None = None) -> str | None:
    """SQL of every assessed record with its reference date, deadline and status (only the
    records whose status is in ``statuses`` when given); its values are bound in ``q``."""
    sources = loaded_sources(ctx.ws)
    contracts = _contracts_relation(sources)
    purchases = _purchases_relation(sources, q, q.bind(ctx.as_of))
    known = {a.id: a for a in ctx.policy.activities}
    selects = []
    for s in sources:
        if s.use not in ("records", "access") or not s.main_table:
            continue
        for act_id in s.activities:
            if act_id in known:
                selects.extend(_source_select(ctx, q, s, known[act_id], contracts, purchases, statuses))
    if not selects:
        return None
    ctes = [f"{name} AS MATERIALIZED ({sql})" for name, sql in ((CONTRACTS_CTE, contracts), (PURCHASES_CTE, purchases)) if sql]
    with_ = f"WITH {', '.join(ctes)} " if ctes else ""
    return f"{with_}SELECT * FROM ({' UNION ALL '.join(selects)})"


def retention_problems(ctx: CheckContext) -> str | None:
    """Materialise, once per run, the records in breach or unverifiable (a temp table: the
    compliant majority is never held in memory, nor given a key or a pseudonym); returns
    its name."""
    if "retention_problems" not in ctx.cache:
        q = Query()
        sql = retention_status_sql(ctx, q, PROBLEMS)
        if sql is None:
            ctx.cache["retention_problems"] = None
        else:
            ctx.con.execute(f"CREATE OR REPLACE TEMP TABLE retention_problems AS {sql}", q.values(sql))
            ctx.cache["retention_problems"] = "temp.retention_problems"
            ctx.cache.setdefault(TEMP_TABLES, []).append("temp.retention_problems")
    return ctx.cache["retention_problems"]


def _decision_note(ctx: CheckContext, q: Query, lang: str) -> str:
    """SQL appending to a finding the analyst's mapping decisions it rests on, per source: the
    date roles its dates come from, the subject keys its person is known by ('' for sources
    whose dates and subjects come from the manifest or the loader). A column's activity is not
    used here: a record's retention follows the record's activity, not a column's."""
    whens = []
    for s in loaded_sources(ctx.ws):
        present = s.columns.get(s.name, [])
        dated = [s.effective(c, "date_role") for c, (_, who) in sorted(s.date_role_origins().items())
                 if who == "mapping" and c in present]
        keyed = s.decisions_used(sorted(c for cs in s.subject_columns().values() for c in cs), ("subject_key",))
        if not dated and not keyed:
            continue
        note = ""
        if dated:
            cols = join_decisions((describe_decision(e, lang) for e in dated), lang)
            note = (f" Date retenue selon la décision du mapping : {cols}." if lang == "fr"
                    else f" Date as decided in the mapping: {cols}.")
        note += decision_note(keyed, lang)
        whens.append(f"WHEN {q.bind(s.name)} THEN {q.bind(note)}")
    return f"(CASE source {' '.join(whens)} ELSE '' END)" if whens else "''"


def _basis_case(q: Query, lang: str) -> str:
    return "CASE basis " + " ".join(
        f"WHEN {q.bind(k)} THEN {q.bind(RETENTION_BASES.label(k, lang))}" for k in RETENTION_BASES
    ) + " END"


@check(
    "retention.breach",
    title_fr="Données conservées au-delà de la durée prévue",
    title_en="Data kept beyond the retention period",
    theme="retention",
    legal_basis="RGPD art. 5.1.e",
    severity="error",
)
def retention_breach(ctx: CheckContext) -> Query | None:
    rel = retention_problems(ctx)
    if rel is None:
        return None
    q = Query()
    return q.add(
        "retention.breach",
        activity="activity", source="source", record_key="record_key", subject_ref="subject_ref",
        reference_date="reference_date", deadline="deadline", days_overdue="days_overdue", clause="clause",
        detail_fr=f"printf('Conservé %d jours au-delà de la durée prévue (%s) ; référence : %s le %s, échéance le %s.', days_overdue, rule_fr, {_basis_case(q, 'fr')}, strftime(reference_date, '%d/%m/%Y'), strftime(deadline, '%d/%m/%Y')) || {_decision_note(ctx, q, 'fr')}",
        detail_en=f"printf('Kept %d days beyond the retention period (%s); reference: %s on %s, deadline %s.', days_overdue, rule_en, {_basis_case(q, 'en')}, strftime(reference_date, '%Y-%m-%d'), strftime(deadline, '%Y-%m-%d')) || {_decision_note(ctx, q, 'en')}",
        finding_key="concat_ws('|', 'retention.breach', activity, source, record_key, rule_id)",
        from_=f"{rel} WHERE status = 'breach'",
    )


@check(
    "retention.unverifiable",
    title_fr="Durée de conservation invérifiable (aucune date utilisable)",
    title_en="Retention cannot be verified (no usable date)",
    theme="retention",
    legal_basis="RGPD art. 5.1.e, art. 5.2",
    severity="warning",
)
def retention_unverifiable(ctx: CheckContext) -> Query | None:
    rel = retention_problems(ctx)
    if rel is None:
        return None
    q = Query()
    return q.add(
        "retention.unverifiable",
        activity="activity", source="source", record_key="record_key", subject_ref="subject_ref", clause="clause",
        detail_fr=f"printf('Conservation invérifiable (%s) : %s.', rule_fr, {_basis_case(q, 'fr')}) || {_decision_note(ctx, q, 'fr')}",
        detail_en=f"printf('Retention cannot be verified (%s): %s.', rule_en, {_basis_case(q, 'en')}) || {_decision_note(ctx, q, 'en')}",
        finding_key="concat_ws('|', 'retention.unverifiable', activity, source, record_key, rule_id)",
        from_=f"{rel} WHERE status = 'unverifiable'",
    )


@check(
    "retention.change_date_as_contact",
    title_fr="Date de modification prise pour un contact de la personne",
    title_en="Date of a change taken for a contact from the person",
    theme="retention",
    legal_basis="RGPD art. 5.1.e ; CNIL délibération 2021-131 ; CNIL SAN-2024-020 (KASPR)",
    severity="warning",
)
def change_date_as_contact(ctx: CheckContext) -> list[Finding]:
    """A manifest mapping a column that reads as a change to the record (modification, sync,
    bounce, unsubscription) to ``last_activity``: such dates restart the clock at every update,
    the very fault the KASPR sanction was for. Read from the manifest as loaded."""
    from ..mapping.classify.names import date_role

    out = []
    for s in loaded_sources(ctx.ws):
        for col, role in (s.options.get("dates") or {}).items():
            guess = date_role(col)
            if role == "last_activity" and guess in ("record_change", "opt_out"):
                why_fr, why_en = DATE_ROLES.label(guess, "fr"), DATE_ROLES.label(guess, "en")
                out.append(Finding(
                    "retention.change_date_as_contact", None,
                    f"« {col} » ({s.title or s.name}) est déclaré comme dernier contact de la personne alors qu'il se lit comme une "
                    f"{why_fr} : une telle date fait repartir le délai à chaque mise à jour. Déclarer {guess} dans options.dates "
                    "si c'est bien le cas (CNIL : seul un contact émanant de la personne compte).",
                    f"'{col}' ({s.title or s.name}) is declared as the person's last contact although it reads as a {why_en}: "
                    f"such a date restarts the clock at every update. Declare {guess} in options.dates if so "
                    "(CNIL: only a contact from the person counts).",
                    source=s.name, record_key=col, clause="CNIL délibération 2021-131 ; SAN-2024-020",
                    finding_key=f"retention.change_date_as_contact|{s.name}|{col}",
                ))
    return out


def _status_case(q: Query, lang: str) -> str:
    return "CASE rec_state " + " ".join(
        f"WHEN {q.bind(k)} THEN {q.bind(RECORD_STATUSES.label(k, lang))}" for k in RECORD_STATUSES
    ) + " ELSE " + q.bind("non déclaré dans le manifeste" if lang == "fr" else "not declared in the manifest") + " END"


def _grouped(rel: str, status: str) -> str:
    """The records of ``rel`` in ``status``, one row per source, activity and status value."""
    return (
        f"(SELECT activity, source, status_value, rec_state, count(*) AS n, min(clause) AS clause FROM {rel} "
        f"WHERE status = '{status}' GROUP BY ALL) g"
    )


@check(
    "retention.no_section",
    title_fr="Données conservées sans section de la politique (personnes sorties de l'activité)",
    title_en="Data held under no section of the policy (people who left the activity)",
    theme="policy",
    legal_basis="RGPD art. 5.1.b, 5.1.e, 13.1.c et 30.1",
    severity="warning",
)
def retention_no_section(ctx: CheckContext) -> Query | None:
    """Records whose status says they left the activity (a hired candidate: the file is now a
    personnel file): no rule of the activity governs them, and the policy has no section that
    does. A gap of the policy, reported per source and status with labour law's periods as
    guidance (the labour-law holds of ``rgpd_audit/data/holds.yaml``), not as breaches of the
    activity's rule."""
    rel = retention_problems(ctx)
    if rel is None:
        return None
    q = Query()
    g_fr, g_en = q.bind(labour_guidance("fr")), q.bind(labour_guidance("en"))
    return q.add(
        "retention.no_section",
        activity="activity", source="source", record_key="coalesce(status_value, '')",
        detail_fr=(f"printf('%d fiche(s) au statut « %s » (%s) : ces personnes ont quitté l''activité, dont les règles de "
                   f"conservation ne les couvrent plus, et aucune section de la politique ne couvre le personnel ni les "
                   f"intérimaires. Repères du droit du travail : %s.', n, status_value, {_status_case(q, 'fr')}, {g_fr})"),
        detail_en=(f"printf('%d record(s) with status ''%s'' (%s): these people left the activity, whose retention rules "
                   f"no longer cover them, and no section of the policy covers staff or temporary workers. Labour law "
                   f"periods: %s.', n, status_value, {_status_case(q, 'en')}, {g_en})"),
        clause=q.bind(labour_sources()),
        finding_key="concat_ws('|', 'retention.no_section', activity, source, coalesce(status_value, ''))",
        from_=_grouped(rel, "no_section"),
    )


@check(
    "retention.status_uncovered",
    title_fr="Statuts qu'aucune règle de conservation ne couvre",
    title_en="Statuses no retention rule covers",
    theme="retention",
    legal_basis="RGPD art. 5.1.e, art. 5.2",
    severity="warning",
)
def retention_status_uncovered(ctx: CheckContext) -> Query | None:
    """Records whose status value the manifest does not map (or maps to a status no rule of
    the activity is for): they are not given a rule by default, they are reported."""
    rel = retention_problems(ctx)
    if rel is None:
        return None
    q = Query()
    return q.add(
        "retention.status_uncovered",
        activity="activity", source="source", record_key="coalesce(status_value, '')",
        detail_fr=(f"printf('%d fiche(s) au statut « %s » (%s) : aucune règle de conservation de l''activité ne couvre ce "
                   f"statut ; déclarer sa signification dans options.status du manifeste.', n, coalesce(status_value, '(vide)'), "
                   f"{_status_case(q, 'fr')})"),
        detail_en=(f"printf('%d record(s) with status ''%s'' (%s): no retention rule of the activity covers this status; "
                   f"declare what it means in the manifest''s options.status.', n, coalesce(status_value, '(blank)'), "
                   f"{_status_case(q, 'en')})"),
        clause="clause",
        finding_key="concat_ws('|', 'retention.status_uncovered', activity, source, coalesce(status_value, ''))",
        from_=_grouped(rel, "status_uncovered"),
    )
