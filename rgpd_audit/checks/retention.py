"""Retention: every record of every source mapped to an activity, against the policy's rules.

For each record the date the retention counts from is computed exactly as the policy says
(latest sign of activity, falling back explicitly to creation; end of the client's
contract from the contracts file; last purchase from the accounting; closing of the
financial year), then the deadline, then the status as of the audit date:
``breach`` (as_of > deadline), ``ok``, ``ongoing`` (contract not ended) or
``unverifiable`` (no usable reference date — never counted as compliant).

Everything is SQL over the workspace, generated from the policy file: no activity is
hard-coded here.
"""

from __future__ import annotations

import re

from ..ingest.loaded import LoadedSource, loaded_sources
from ..policy import Activity, RetentionRule
from ..policy.summary import describe_rule
from ..sql import quote_ident, quote_literal
from ..vocab import EVENTS, RETENTION_BASES
from .findings import Query
from .registry import TEMP_TABLES, CheckContext, check

# How each retention event dates a record: (reference date, basis of that date, contract still
# running), SQL over the per-record dates of ``_source_select``. Every event of the vocabulary
# has its entry (checked at import): a new event is one line in ``vocab.EVENTS`` and one here.
EVENT_SQL: dict[str, tuple[str, str, str]] = {
    "last_activity": (
        "coalesce(last_activity, creation)",
        "CASE WHEN last_activity IS NOT NULL THEN 'last_activity' WHEN creation IS NOT NULL THEN 'creation' ELSE 'none' END",
        "false",
    ),
    "contract_end": (
        "coalesce(own_end, c_end)",
        "CASE WHEN own_end IS NOT NULL OR c_end IS NOT NULL THEN 'contract_end' WHEN NOT c_found THEN 'no_contract' ELSE 'none' END",
        "(own_end IS NULL AND c_ongoing)",
    ),
    "last_purchase": ("last_purchase", "CASE WHEN last_purchase IS NOT NULL THEN 'last_purchase' ELSE 'none' END", "false"),
    "fiscal_year_close": (
        "fiscal_year_close", "CASE WHEN fiscal_year_close IS NOT NULL THEN 'fiscal_year_close' ELSE 'none' END", "false",
    ),
    "creation": ("creation", "CASE WHEN creation IS NOT NULL THEN 'creation' ELSE 'none' END", "false"),
}
if set(EVENT_SQL) != set(EVENTS.ids):  # pragma: no cover - a vocabulary change without its SQL
    raise RuntimeError(f"retention events without SQL: {sorted(set(EVENTS.ids) - set(EVENT_SQL))}")
if _bases := {b for _, basis, _ in EVENT_SQL.values() for b in re.findall(r"'(\w+)'", basis)} - set(RETENTION_BASES):  # pragma: no cover
    raise RuntimeError(f"retention bases without labels: {sorted(_bases)}")


def _date_of(cols: list[str], alias: str = "t") -> str:
    if not cols:
        return "NULL::DATE"
    parts = [f"TRY_CAST({alias}.{quote_ident(c)} AS DATE)" for c in cols]
    return parts[0] if len(parts) == 1 else f"greatest({', '.join(parts)})"


def _contracts_relation(sources: list[LoadedSource]) -> str | None:
    for s in sources:
        if s.use != "contracts" or not s.main_table:
            continue
        key = s.options.get("key")
        roles = s.date_roles()
        if not key or "contract_end" not in roles:
            continue
        end = _date_of(roles["contract_end"], "c")
        ret_col = s.options.get("retention_column")
        ret = f"TRY_CAST(nullif(trim(c.{quote_ident(ret_col)}), '') AS INTEGER)" if ret_col and ret_col in s.columns.get(s.name, []) else "NULL::INTEGER"
        return (
            f"SELECT lower(trim(c.{quote_ident(key)})) AS ck, max({end}) AS contract_end, "
            f"bool_or({end} IS NULL) AS ongoing, max({ret}) AS contract_years "
            f"FROM raw.{quote_ident(s.name)} c GROUP BY 1"
        )
    return None


def _purchases_relation(sources: list[LoadedSource], q: Query) -> str | None:
    """The last purchase per third-party account, from the sources holding a purchase ledger."""
    parts = []
    for s in sources:
        t = s.capability("purchase_ledger")
        if t is None or s.record_kind != "accounting_document":
            continue
        acct, third, date = (quote_ident(t.col(r)) for r in ("account", "third_party", "date"))
        prefix = q.bind(t.facts["supplier_account_prefix"])
        parts.append(
            f"SELECT trim({third}) AS acct, max(TRY_CAST({date} AS DATE)) AS last_purchase "
            f"FROM raw.{quote_ident(t.name)} WHERE starts_with({acct}, {prefix}) AND nullif(trim({third}), '') IS NOT NULL GROUP BY 1"
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
PROBLEMS = ("breach", "unverifiable")


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
    contract_cols = "NULL::DATE AS c_end, false AS c_found, false AS c_ongoing, NULL::INTEGER AS c_years"
    if contracts and client is not None:
        joins.append(f"LEFT JOIN {CONTRACTS_CTE} c ON c.ck = lower(trim({client}))")
        contract_cols = "c.contract_end AS c_end, c.ck IS NOT NULL AS c_found, coalesce(c.ongoing, false) AS c_ongoing, c.contract_years AS c_years"
    own_end = _date_of(roles.get("contract_end", []))
    purchase_cols = _date_of(roles.get("last_purchase", []))
    key_col = s.options.get("key")
    if purchases and key_col and key_col in s.columns.get(s.name, []):
        joins.append(f"LEFT JOIN {PURCHASES_CTE} p ON p.acct = trim(t.{quote_ident(key_col)})")
        purchase_cols = f"greatest({purchase_cols}, p.last_purchase)"
    if s.use == "access":
        base = _documents_base(s, q, where)
        if base is None:
            return []
        record_key, subject_ref = "b.record_key", "b.subject_ref"
    else:
        # what the record key and the subject's pseudonym are computed from, carried as a
        # struct (no clash with the computed columns) and its load_files path / entry
        carried = ", ".join(f"{quote_literal(c)}: t.{quote_ident(c)}" for c in s.key_subject_columns())
        record_key, subject_ref = s.key_expr("b.__k", files="b.__lf"), s.subject_expr("b.__k")
        base = (
            f"SELECT t._file_id, t._row, {{{carried}}} AS __k, {{'path': lf.path, 'entry': lf.entry}} AS __lf, "
            f"{_date_of(roles.get('last_activity', []))} AS last_activity, {_date_of(roles.get('creation', []))} AS creation, "
            f"{own_end} AS own_end, {purchase_cols} AS last_purchase, {_date_of(roles.get('fiscal_year_close', []))} AS fiscal_year_close, "
            f"{contract_cols} "
            f"FROM raw.{quote_ident(s.name)} t {' '.join(joins)} WHERE {where}"
        )
    selects = []
    for rule, cond in _rule_kinds(activity, s):
        ev = rule.counted_from
        ref, basis, ongoing = EVENT_SQL[EVENTS.check(ev)]
        d = rule.effective_duration
        if rule.duration_source == "contract":
            months = f"(coalesce(c_years * 12, {d.years * 12 + d.months}))"
            days = f"(CASE WHEN c_years IS NULL THEN {d.days} ELSE 0 END)"
            dur_fr = f"CASE WHEN c_years IS NULL THEN {q.bind(describe_rule(rule, 'fr'))} ELSE 'durée fixée par le contrat client : ' || c_years || ' an(s) après la fin du contrat' END"
            dur_en = f"CASE WHEN c_years IS NULL THEN {q.bind(describe_rule(rule, 'en'))} ELSE 'duration set by the client contract: ' || c_years || ' year(s) after the end of the contract' END"
        else:
            months, days = str(d.years * 12 + d.months), str(d.days)
            dur_fr, dur_en = q.bind(describe_rule(rule, "fr")), q.bind(describe_rule(rule, "en"))
        clause = q.bind(f"{rule.clause.section} — {rule.clause.quote}")
        dated = (
            f"SELECT b.*, {ref} AS reference_date, {basis} AS basis, "
            f"CAST({ref} + to_months({months}) + to_days({days}) AS DATE) AS deadline, {ongoing} AS ongoing, "
            f"{dur_fr} AS rule_fr, {dur_en} AS rule_en "
            f"FROM ({base}) b WHERE {cond}"
        )
        as_of = q.bind(ctx.as_of)
        status = (
            f"SELECT *, CASE WHEN ongoing THEN 'ongoing' WHEN reference_date IS NULL THEN 'unverifiable' "
            f"WHEN {as_of} > deadline THEN 'breach' ELSE 'ok' END AS status, "
            f"CASE WHEN NOT ongoing AND {as_of} > deadline THEN datediff('day', deadline, {as_of}) END AS days_overdue "
            f"FROM ({dated})"
        )
        if statuses is not None:
            status = f"SELECT * FROM ({status}) WHERE list_contains({q.bind(list(statuses))}::VARCHAR[], status)"
        selects.append(
            f"SELECT {q.bind(s.name)} AS source, {act} AS activity, "
            f"{record_key} AS record_key, {subject_ref} AS subject_ref, "
            f"{q.bind(rule.applies_to)} AS record_kind, {q.bind(rule.id)} AS rule_id, {q.bind(ev)} AS event, "
            f"reference_date, basis, deadline, ongoing, rule_fr, rule_en, {clause} AS clause, _file_id, _row, status, days_overdue "
            f"FROM ({status}) b"
        )
    return selects


def _documents_base(s: LoadedSource, q: Query, where: str) -> str | None:
    """One record per document seen in a file store's activity log (``document_log``), dated by
    its latest event (a document whose latest event is a deletion is gone and not assessed)."""
    t = s.capability("document_log")
    if t is None:
        return None
    path, ts, ev = (quote_ident(t.col(r)) for r in ("path", "time", "event"))
    deleted = q.bind(list(t.facts.get("deletion_events", ()))) + "::VARCHAR[]"
    return (
        f"SELECT min(t._file_id) AS _file_id, min(t._row) AS _row, pseudonym(t.{path}) AS record_key, NULL::VARCHAR AS subject_ref, "
        f"max(TRY_CAST(t.{ts} AS DATE)) AS last_activity, NULL::DATE AS creation, NULL::DATE AS own_end, NULL::DATE AS last_purchase, "
        f"NULL::DATE AS fiscal_year_close, NULL::DATE AS c_end, false AS c_found, false AS c_ongoing, NULL::INTEGER AS c_years "
        f"FROM raw.{quote_ident(t.name)} t WHERE {where} AND nullif(trim(t.{path}), '') IS NOT NULL "
        f"GROUP BY t.{path} HAVING NOT list_contains({deleted}, arg_max(t.{ev}, t.{ts}))"
    )


def retention_status_sql(ctx: CheckContext, q: Query, statuses: tuple[str, ...] | None = None) -> str | None:
    """SQL of every assessed record with its reference date, deadline and status (only the
    records whose status is in ``statuses`` when given); its values are bound in ``q``."""
    sources = loaded_sources(ctx.ws)
    contracts = _contracts_relation(sources)
    purchases = _purchases_relation(sources, q)
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
        detail_fr=f"printf('Conservé %d jours au-delà de la durée prévue (%s) ; référence : %s le %s, échéance le %s.', days_overdue, rule_fr, {_basis_case(q, 'fr')}, strftime(reference_date, '%d/%m/%Y'), strftime(deadline, '%d/%m/%Y'))",
        detail_en=f"printf('Kept %d days beyond the retention period (%s); reference: %s on %s, deadline %s.', days_overdue, rule_en, {_basis_case(q, 'en')}, strftime(reference_date, '%Y-%m-%d'), strftime(deadline, '%Y-%m-%d'))",
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
        detail_fr=f"printf('Conservation invérifiable (%s) : %s.', rule_fr, {_basis_case(q, 'fr')})",
        detail_en=f"printf('Retention cannot be verified (%s): %s.', rule_en, {_basis_case(q, 'en')})",
        finding_key="concat_ws('|', 'retention.unverifiable', activity, source, record_key, rule_id)",
        from_=f"{rel} WHERE status = 'unverifiable'",
    )
