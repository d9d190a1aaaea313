"""Third-country transfers and outbound sharing.

``transfer.third_country``: one finding per provider and activity whose data leaves the EEA
(where it is hosted, or who reaches it from a third country: parent, support, sub-processor),
judged on the facts — the provider register and the user's evidence (:func:`legal.assess_transfer`)
— never on what the policy claims (the policy's claim is judged by ``policy.lint``): ``info`` with
the safeguard named when one is valid on the audit date, ``error`` saying what evidence would
settle it otherwise. ``transfer.undeclared_system``: a provider §9 of the policy does not name
(a warning inside the EEA, §9 saying « notamment »; an error when its data leaves the EEA).
``transfer.outbound_share``: documents and messages sent to outside addresses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..ingest.loaded import LoadedSource, loaded_sources, row_identity, workspace_register
from ..legal import Evidence, assess_transfer, is_eea, provider_key
from ..sql import quote_ident
from ..vocab import country_name
from . import reuse
from .findings import Finding, FindingKind, Query
from .registry import CheckContext, check


def _norm(s: str | None) -> str:
    return "".join(ch for ch in (s or "").lower() if ch.isalnum())


def declared_hosting(ctx: CheckContext, provider: str | None):
    """The policy's §9 hosting entry naming a provider (through the register's aliases), if any."""
    key = provider_key(provider, _register(ctx))
    for h in ctx.policy.hosting:
        if provider_key(h.provider, _register(ctx)) == key:
            return h
    return None


@dataclass
class _Group:
    """The data of one provider for one activity: its sources and what they hold."""

    provider: str
    country: str
    sources: list[LoadedSource] = field(default_factory=list)
    records: int = 0
    people: int = 0


def _activities(s: LoadedSource, con) -> list[str | None]:
    """The activities a source's records belong to (their ``_activity``, else the source's)."""
    if not s.main_table:
        return []
    found = [r[0] for r in con.execute(f"SELECT DISTINCT _activity FROM raw.{quote_ident(s.name)} ORDER BY 1 NULLS LAST").fetchall()]
    if found == [None]:
        return list(s.activities) or [None]
    return found


def _people_sql(s: LoadedSource, activity: str | None, q: Query) -> str | None:
    """SQL listing one identity per person of the source's records in the activity (mail:
    senders and recipients), and the record (for the count of records)."""
    if not s.main_table:
        return None
    t = f"raw.{quote_ident(s.name)}"
    where = _activity_filter(s, activity, q)
    mail, rec = s.capability("mail"), s.capability("mail_recipients")
    if mail and rec:
        sender = f"t.{quote_ident(mail.col('sender'))}"
        addr = f"r.{quote_ident(rec.col('address'))}"
        return (
            f"SELECT {q.bind(s.name)} || '#' || t._file_id || ':' || t._row AS rec, lower(trim({sender})) AS who FROM {t} t WHERE {where} "
            f"UNION ALL SELECT NULL, lower(trim({addr})) FROM {t} t JOIN raw.{quote_ident(rec.name)} r "
            f"ON r._file_id = t._file_id AND r._row = t._row WHERE {where}"
        )
    return f"SELECT {q.bind(s.name)} || '#' || t._file_id || ':' || t._row AS rec, {s.subject_expr('t')} AS who FROM {t} t WHERE {where}"


def _activity_filter(s: LoadedSource, activity: str | None, q: Query) -> str:
    if activity is None:
        return "t._activity IS NULL" if s.options.get("split_by") else "true"
    if s.options.get("split_by") or len(s.activities) == 1:
        return f"t._activity = {q.bind(activity)}"
    return "true"  # a source serving several activities without a split: all its records, under each


def _groups(ctx: CheckContext) -> dict[tuple[str, str | None], _Group]:
    """(provider, activity) -> the sources and volume of data that provider holds for it."""
    groups: dict[tuple[str, str | None], _Group] = {}
    for s in loaded_sources(ctx.ws):
        key = provider_key(s.provider, _register(ctx))
        for act in _activities(s, ctx.con):
            g = groups.setdefault((key, act), _Group(s.provider, s.country))
            g.sources.append(s)
    return groups


def _count(ctx: CheckContext, groups: list[tuple[str | None, _Group]]) -> None:
    """Set the records and people of each (activity, group), in one statement (one scan of
    each table: the groups only of the transfers found, their counts are only for findings)."""
    q = Query()
    parts = [f"SELECT {i} AS g, rec, who FROM ({sql})"
             for i, (act, g) in enumerate(groups) for s in g.sources if (sql := _people_sql(s, act, q))]
    if not parts:
        return
    union = " UNION ALL ".join(f"({p})" for p in parts)
    sql = f"SELECT g, count(DISTINCT rec), count(DISTINCT who) FROM ({union}) GROUP BY g ORDER BY g"
    # the counts do not depend on the audit date: next month, on the same inputs, read back
    for i, records, people in reuse.memo_rows(ctx, "transfer.counts", sql, q.values(sql)):
        groups[i][1].records, groups[i][1].people = int(records), int(people)


def _verdict_text(v, lang: str) -> tuple[str, bool]:
    """The destinations and what each rests on, in words; and whether every one is covered."""
    parts = []
    for d in v.destinations:
        where = f"{d.entity} ({country_name(d.country, lang)})"
        if d.covered:
            label = d.label_fr if lang == "fr" else d.label_en
            notes = d.notes_fr if lang == "fr" else d.notes_en
            parts.append(f"{where} : {label}" + (f" ; {'; '.join(notes)}" if notes else "") if lang == "fr"
                         else f"{where}: {label}" + (f"; {'; '.join(notes)}" if notes else ""))
        else:
            label, settle = (d.label_fr, d.settle_fr) if lang == "fr" else (d.label_en, d.settle_en)
            parts.append(f"{where} : {label} — à produire : {settle}" if lang == "fr"
                         else f"{where}: {label} — evidence needed: {settle}")
    return (" ; " if lang == "fr" else "; ").join(parts), v.covered


def _register(ctx: CheckContext):
    if "provider_register" not in ctx.cache:
        ctx.cache["provider_register"] = workspace_register(ctx.ws)
    return ctx.cache["provider_register"]


@check(
    "transfer.third_country",
    title_fr="Transferts hors EEE et garantie valable à la date de l'audit",
    title_en="Transfers outside the EEA and a safeguard valid on the audit date",
    theme="transfers",
    legal_basis="RGPD art. 44-49",
    severity="error",
    severities=("info", "error"),
    emits=(FindingKind("transfer.undeclared_system", "error", "Système absent de la politique (§9)",
                       "System missing from the policy (§9)", ("warning", "error")),),
)
def third_country(ctx: CheckContext) -> list[Finding]:
    register = _register(ctx)
    titles = {a.id: a.title for a in ctx.policy.activities}
    out = []
    verdicts = {}
    transfers = []
    for (key, act), g in sorted(_groups(ctx).items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        evidence = Evidence.merged([s.evidence for s in g.sources])
        v = verdicts.setdefault(key, assess_transfer(g.provider, g.country, ctx.as_of, evidence=evidence, register=register))
        if v.transfer:
            transfers.append((key, act, g, v))
    _count(ctx, [(act, g) for _, act, g, _ in transfers])
    for key, act, g, v in transfers:
        text_fr, covered = _verdict_text(v, "fr")
        text_en, _ = _verdict_text(v, "en")
        act_fr = titles[act].get("fr") if act in titles else (act or "hors activité")
        act_en = titles[act].get("en") if act in titles else (act or "no activity")
        srcs = ", ".join(sorted(s.name for s in g.sources))
        sources_cited = "; ".join(dict.fromkeys(src for d in v.destinations for src in d.sources))
        out.append(Finding(
            "transfer.third_country", "info" if covered else "error",
            f"Données hors EEE chez {v.provider_name} pour l'activité « {act_fr} » : {g.records} enregistrements, "
            f"{g.people} personnes ({srcs}). {'Garantie' if covered else 'Aucune garantie valable'} au {ctx.as_of:%d/%m/%Y} — {text_fr}.",
            f"Data outside the EEA with {v.provider_name} for activity '{act_en}': {g.records} records, "
            f"{g.people} people ({srcs}). {'Safeguard' if covered else 'No valid safeguard'} on {ctx.as_of} — {text_en}.",
            activity=act, source=srcs, record_key=key, clause=sources_cited or "RGPD art. 44-46",
            finding_key=f"transfer.third_country|{key}|{act or '-'}",
        ))
    # providers §9 does not name
    by_provider: dict[str, list[LoadedSource]] = defaultdict(list)
    for s in loaded_sources(ctx.ws):
        if s.provider and provider_key(s.provider, _register(ctx)) != provider_key(ctx.policy.organisation.name, _register(ctx)):
            by_provider[provider_key(s.provider, _register(ctx))].append(s)
    for key, sources in sorted(by_provider.items()):
        first = sources[0]
        if declared_hosting(ctx, first.provider) is not None:
            continue
        v = verdicts.get(key) or assess_transfer(first.provider, first.country, ctx.as_of, register=register)
        outside = v.transfer
        acts = sorted({a for s in sources for a in s.activities})
        third = ", ".join(dict.fromkeys(country_name(d.country, "fr") for d in v.destinations))
        third_en = ", ".join(dict.fromkeys(country_name(d.country, "en") for d in v.destinations))
        if not outside:
            where_fr, where_en = "données dans l'EEE", "data inside the EEA"
        elif is_eea(first.country, ctx.as_of):
            where_fr = f"données hébergées dans l'EEE mais accessibles depuis un pays tiers ({third})"
            where_en = f"data hosted in the EEA but reached from a third country ({third_en})"
        else:
            where_fr, where_en = f"données hors EEE ({third})", f"data outside the EEA ({third_en})"
        names = ", ".join(s.name for s in sources)
        out.append(Finding(
            "transfer.undeclared_system", "error" if outside else "warning",
            f"{v.provider_name} ({country_name(first.country, 'fr')}, {where_fr}) n'est pas nommé au §9 de la politique "
            f"(hébergement) : systèmes {names}, activités {', '.join(acts) or '-'}.",
            f"{v.provider_name} ({country_name(first.country, 'en')}, {where_en}) is not named in §9 of the policy "
            f"(hosting): systems {names}, activities {', '.join(acts) or '-'}.",
            activity=acts[0] if len(acts) == 1 else None, source=names, record_key=key,
            clause="RGPD art. 13.1.e-f, art. 30.1.e ; politique §9 (« notamment »)",
            finding_key=f"transfer.undeclared_system|{key}",
        ))
    return out


@check(
    "transfer.outbound_share",
    title_fr="Partages sortants vers des adresses extérieures",
    title_en="Outbound sharing to outside addresses",
    theme="transfers",
    legal_basis="RGPD art. 5.1.f, art. 13.1.e",
    severity="warning",
    severities=("warning", "error"),
    uses_date=False,
)
def outbound_share(ctx: CheckContext) -> Query | None:
    q = Query()
    domains = q.bind([d.lower() for d in ctx.organisation_domains]) + "::VARCHAR[]"
    for s in loaded_sources(ctx.ws):
        acts = s.activities
        act = q.bind(acts[0]) if len(acts) == 1 else None
        name = q.bind(s.name)
        clause = f"'RGPD art. 5.1.f ; destinataires déclarés : ' || {q.bind(_recipients_text(ctx, acts, 'fr'))}"
        # Sharing outside is a warning where the activity declares outside recipients (to be
        # checked against them), an error where it declares none.
        sev = q.bind("warning" if _declares_outside_recipients(ctx, acts) else "error")
        share = s.capability("share_log")
        if share is not None:
            dom = f"t.{quote_ident(share.col('recipient_domains'))}"
            item = f"t.{quote_ident(share.col('item'))}" if share.col("item") else dom
            service = q.bind(share.facts.get("service") or s.provider)
            q.add(
                "transfer.outbound_share",
                severity=sev,
                activity="t._activity",
                source=name,
                record_key=f"pseudonym({item})",
                clause=clause,
                detail_fr=f"'Document partagé depuis ' || {service} || ' vers un domaine extérieur (' || {dom} || ').'",
                detail_en=f"'Document shared from ' || {service} || ' with an outside domain (' || {dom} || ').'",
                finding_key=f"'transfer.outbound_share|' || {name} || '|' || {row_identity('t')}",
                from_=(
                    f"raw.{quote_ident(share.name)} t LEFT JOIN load_files lf ON lf.file_id = t._file_id "
                    f"WHERE t._activity IS NOT NULL AND nullif(trim({dom}), '') IS NOT NULL "
                    f"AND NOT list_has_all({domains}, string_split(lower(replace({dom}, ' ', '')), ';'))"
                ),
            )
        mail, rec, att = (s.capability(k) for k in ("mail", "mail_recipients", "mail_attachments"))
        if mail and rec and att:
            mid, date, sender = (f"m.{quote_ident(mail.col(r))}" for r in ("message_id", "date", "sender"))
            addr, domain = f"r.{quote_ident(rec.col('address'))}", f"r.{quote_ident(rec.col('domain'))}"
            fname = f"a.{quote_ident(att.col('name'))}"
            rec_table, att_table = rec.name, att.name
            q.add(
                "transfer.outbound_share",
                severity=sev,
                activity=act,
                source=name,
                record_key=f"pseudonym(any_value({mid}))",
                reference_date=f"max(TRY_CAST({date} AS DATE))",
                clause=clause,
                detail_fr=f"'Message avec pièce(s) jointe(s) envoyé à ' || count(DISTINCT {addr}) || ' adresse(s) extérieure(s) (' || string_agg(DISTINCT {domain}, ', ') || ').'",
                detail_en=f"'Message with attachment(s) sent to ' || count(DISTINCT {addr}) || ' outside address(es) (' || string_agg(DISTINCT {domain}, ', ') || ').'",
                finding_key=f"'transfer.outbound_share|' || {name} || '|' || any_value({row_identity('m')})",
                from_=(
                    f"raw.{quote_ident(mail.name)} m "
                    f"JOIN raw.{quote_ident(rec_table)} r ON r._file_id = m._file_id AND r._row = m._row "
                    f"LEFT JOIN load_files lf ON lf.file_id = m._file_id "
                    f"WHERE list_contains({domains}, lower(split_part({sender}, '@', 2))) "
                    f"AND NOT list_contains({domains}, lower({domain})) "
                    f"AND EXISTS (SELECT 1 FROM raw.{quote_ident(att_table)} a WHERE a._file_id = m._file_id AND a._row = m._row "
                    f"AND regexp_matches(lower(strip_accents({fname})), {q.bind(PERSONAL_DOCUMENT_RE)})) "
                    f"GROUP BY m._file_id, m._row"
                ),
            )
    return q or None


# Attachments that carry a person's file (CV, cover letter, identity or payslip scans).
PERSONAL_DOCUMENT_RE = r"(^|[^a-z])(cv|curriculum|lettre[ _-]?de[ _-]?motivation|lm|piece[ _-]?d.?identite|cni|bulletin|fiche[ _-]?de[ _-]?paie)([^a-z]|$)"


def _declares_outside_recipients(ctx: CheckContext, activities: list[str]) -> bool:
    return any(
        r.kind in ("third_party", "processor", "public_authority")
        for a in ctx.policy.activities if a.id in activities for r in a.recipients
    )


def _recipients_text(ctx: CheckContext, activities: list[str], lang: str) -> str:
    names = []
    for a in ctx.policy.activities:
        if a.id in activities:
            names += [r.name.get(lang) if hasattr(r.name, "get") else str(r.name) for r in a.recipients]
    return "; ".join(dict.fromkeys(names)) or ("aucun" if lang == "fr" else "none")
