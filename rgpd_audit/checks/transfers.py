"""Third-country transfers: systems outside the EEA, their mechanism at the audit date,
systems the policy does not declare, and outbound sharing to outside addresses."""

from __future__ import annotations

from ..ingest.loaded import LoadedSource, loaded_sources, row_identity
from ..legal import is_eea, judge
from ..sql import quote_ident
from .findings import Finding, FindingKind, Query
from .registry import CheckContext, check


def _norm(s: str | None) -> str:
    return "".join(ch for ch in (s or "").lower() if ch.isalnum())


def declared_hosting(ctx: CheckContext, s: LoadedSource):
    """The policy's §9 hosting entry matching a source's provider, if any."""
    p = _norm(s.provider)
    for h in ctx.policy.hosting:
        hp = _norm(h.provider)
        if hp and p and (hp in p or p in hp):
            return h
    return None


def _volume(ctx: CheckContext, s: LoadedSource) -> tuple[int, int]:
    if not s.main_table:
        return 0, 0
    subj = s.subject_expr("t")
    row = ctx.con.execute(f"SELECT count(*), count(DISTINCT {subj}) FROM raw.{quote_ident(s.name)} t").fetchone()
    return int(row[0]), int(row[1])


def _categories(ctx: CheckContext, s: LoadedSource) -> list[str]:
    try:
        rows = ctx.con.execute(
            "SELECT DISTINCT category FROM column_map WHERE source = ? AND category IS NOT NULL AND status <> 'not_personal' ORDER BY 1",
            [s.name],
        ).fetchall()
    except Exception:  # noqa: BLE001 - no mapping yet
        return []
    return [r[0] for r in rows]


@check(
    "transfer.third_country",
    title_fr="Transferts hors EEE et validité de leur mécanisme",
    title_en="Transfers outside the EEA and validity of their mechanism",
    theme="transfers",
    legal_basis="RGPD art. 44-49",
    severity="error",
    severities=("info", "error"),
    emits=(FindingKind("transfer.undeclared_system", "error", "Système hors EEE non déclaré dans la politique",
                       "System outside the EEA not declared in the policy"),),
)
def third_country(ctx: CheckContext) -> list[Finding]:
    out = []
    for s in loaded_sources(ctx.ws):
        if is_eea(s.country, ctx.as_of):
            continue
        h = declared_hosting(ctx, s)
        n, subjects = _volume(ctx, s)
        cats = _categories(ctx, s)
        acts = ", ".join(s.activities) or "-"
        if h is None:
            out.append(Finding(
                "transfer.undeclared_system", None,
                f"Système hébergé hors EEE ({s.provider}, {s.country}) non déclaré au §9 de la politique : {n} enregistrements, {subjects} personnes, activités {acts}.",
                f"System hosted outside the EEA ({s.provider}, {s.country}) not declared in §9 of the policy: {n} records, {subjects} people, activities {acts}.",
                activity=s.activities[0] if len(s.activities) == 1 else None,
                source=s.name, record_key=s.name, clause="RGPD art. 13.1.f, art. 30.1.e ; politique §9",
                finding_key=f"transfer.undeclared_system|{s.name}",
            ))
            mech = "none"
        else:
            mech = h.claimed_transfer_mechanism
        j = judge(mech, ctx.as_of, country=s.country, provider=s.provider)
        sev = "info" if j.valid else "error"
        cat_txt = f" ; catégories : {', '.join(cats)}" if cats else ""
        cat_txt_en = f"; categories: {', '.join(cats)}" if cats else ""
        out.append(Finding(
            "transfer.third_country", sev,
            f"Transfert vers {s.country} ({s.provider}) : {n} enregistrements, {subjects} personnes, activités {acts}{cat_txt}. Mécanisme : {j.label_fr} — {j.reason_fr}.",
            f"Transfer to {s.country} ({s.provider}): {n} records, {subjects} people, activities {acts}{cat_txt_en}. Mechanism: {j.label_en} — {j.reason_en}.",
            source=s.name, record_key=s.name, clause=f"{j.source}" + (f" ; politique {h.clause.section}" if h else ""),
            finding_key=f"transfer.third_country|{s.name}",
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
