"""What the person is told about each processing activity (GDPR Art. 15(1)), from the policy.

For an activity: purposes, categories of data, recipients, third-country transfers with the
safeguard the policy claims (from the policy hosting entry of the source's provider and the
source's hosting country), retention in words, and where the data comes from. Used by the
access package (cover page) and the erasure plan. Returns data and HTML; never prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape

from ..ingest.loaded import LoadedSource
from ..legal import is_eea
from ..policy import Policy, UnknownPolicyItem, categories, describe_rule
from ..vocab import LEGAL_BASES, RECORD_KINDS, TRANSFER_MECHANISMS
from .match import FindResult

TEXT = {
    "fr": {
        "title": "Vos données personnelles : réponse à votre demande d’accès",
        "intro": "Conformément à l’article 15 du RGPD, voici la copie des données vous concernant détenues par {org}, "
                 "et les informations sur leur traitement. Les fichiers joints (CSV et JSON, un par source) contiennent "
                 "les enregistrements ; portabilite.json reprend, dans un format structuré, les données que vous avez "
                 "fournies (article 20).",
        "ref": "Référence de la demande", "date": "Date", "records": "Enregistrements trouvés",
        "activity": "Traitement", "purposes": "Finalités", "categories": "Catégories de données",
        "bases": "Bases légales", "recipients": "Destinataires", "none": "aucun",
        "transfers": "Transferts hors de l’Espace économique européen", "no_transfer": "aucun (données hébergées dans l’EEE)",
        "transfer": "{provider} ({country}) — garantie : {mechanism}", "no_mechanism": "aucune garantie indiquée dans la politique",
        "retention": "Durée de conservation", "sources": "Origine des données",
        "source_line": "{title} ({provider}, {country}) : {n} enregistrement(s)", "enrichment": "Sources d’enrichissement",
        "rights": "Vos droits", "rights_text": "Vous pouvez demander la rectification, l’effacement ou la limitation de vos données, "
                 "vous opposer à leur traitement, et introduire une réclamation auprès de {authority} ({website}). Contact : {contact}.",
        "ps_warning": "À corriger avant envoi : la politique invoque le Privacy Shield, invalidé le 16 juillet 2020 (CJUE C-311/18).",
        "files": "Fichiers joints",
    },
    "en": {
        "title": "Your personal data: answer to your access request",
        "intro": "Under Article 15 GDPR, here is a copy of the data about you held by {org}, and information on how it is "
                 "processed. The attached files (CSV and JSON, one per source) hold the records; portabilite.json holds, in a "
                 "structured format, the data you provided (Article 20).",
        "ref": "Request reference", "date": "Date", "records": "Records found",
        "activity": "Processing activity", "purposes": "Purposes", "categories": "Categories of data",
        "bases": "Legal bases", "recipients": "Recipients", "none": "none",
        "transfers": "Transfers outside the European Economic Area", "no_transfer": "none (data hosted in the EEA)",
        "transfer": "{provider} ({country}) — safeguard: {mechanism}", "no_mechanism": "no safeguard stated in the policy",
        "retention": "Retention", "sources": "Where the data comes from",
        "source_line": "{title} ({provider}, {country}): {n} record(s)", "enrichment": "Enrichment sources",
        "rights": "Your rights", "rights_text": "You may ask for rectification, erasure or restriction of your data, object to "
                 "its processing, and lodge a complaint with {authority} ({website}). Contact: {contact}.",
        "ps_warning": "To fix before sending: the policy relies on Privacy Shield, invalidated on 16 July 2020 (CJEU C-311/18).",
        "files": "Attached files",
    },
}


@dataclass
class Transfer:
    source: str
    provider: str
    country: str
    mechanism: str | None  # policy's claimed_transfer_mechanism, None when no hosting entry matches


@dataclass
class ActivityInfo:
    id: str
    section: str
    title: str
    purposes: list[str]
    categories: list[str]
    legal_bases: list[str]
    recipients: list[tuple[str, str]]  # (name, kind)
    retention: list[str]
    transfers: list[Transfer] = field(default_factory=list)
    sources: list[tuple[LoadedSource, int]] = field(default_factory=list)
    enrichment: list[str] = field(default_factory=list)


def split_activities(value: str | None) -> list[str]:
    return [a.strip() for a in (value or "").split(",") if a.strip()]


def claimed_mechanism(policy: Policy, provider: str | None) -> str | None:
    """The transfer mechanism the policy claims for a provider (matched loosely on the legal name)."""
    if not provider:
        return None
    p = provider.lower().replace(",", "").strip()
    for h in policy.hosting:
        q = h.provider.lower().replace(",", "").strip()
        if p == q or p.startswith(q) or q.startswith(p) or p.split()[0] == q.split()[0]:
            return h.claimed_transfer_mechanism
    return None


def activities_concerned(policy: Policy, found: FindResult, sources: dict[str, LoadedSource], lang: str = "fr",
                         as_of=None) -> list[ActivityInfo]:
    """The policy activities the person's (strong) records belong to, with what Art. 15 asks to tell."""
    per_act: dict[str, dict[str, int]] = {}
    for m in found.strong:
        acts = split_activities(m.activity) or sources[m.source].activities or ["?"]
        for a in acts:
            per_act.setdefault(a, {}).setdefault(m.source, 0)
            per_act[a][m.source] += 1
    cats = categories()
    out = []
    for act_id, srcs in per_act.items():
        try:
            a = policy.activity(act_id)
        except UnknownPolicyItem:
            info = ActivityInfo(act_id, "", act_id, [], [], [], [], [])
        else:
            info = ActivityInfo(
                a.id, a.section, a.title.get(lang),
                [p.get(lang) for p in a.purposes],
                [getattr(cats[c], lang) if c in cats else c for c in a.data_categories],
                list(dict.fromkeys(LEGAL_BASES.label(b.basis, lang) for b in a.legal_bases)),
                [(r.name.get(lang), r.kind) for r in a.recipients],
                [f"{RECORD_KINDS.label(r.applies_to, lang)} : {describe_rule(r, lang)}" if lang == "fr" else
                 f"{RECORD_KINDS.label(r.applies_to, lang)}: {describe_rule(r, lang)}" for r in a.retention],
                enrichment=[e.name.get(lang) for e in a.enrichment_sources],
            )
        for name, n in sorted(srcs.items()):
            s = sources[name]
            info.sources.append((s, n))
            if s.country and not is_eea(s.country, as_of):
                info.transfers.append(Transfer(s.name, s.provider or "?", s.country, claimed_mechanism(policy, s.provider)))
        out.append(info)
    return sorted(out, key=lambda i: (i.section, i.id))


def _ul(items: list[str], none: str) -> str:
    if not items:
        return f"<p>{escape(none)}</p>"
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def render_cover(
    policy: Policy,
    found: FindResult,
    acts: list[ActivityInfo],
    *,
    lang: str = "fr",
    as_of: dt.date | None = None,
    files: list[str] = (),
) -> str:
    """The readable cover page of an access package (HTML, standalone)."""
    t = TEXT[lang]
    org = policy.organisation.name
    r = policy.rights
    contact = "; ".join(x for x in (r.contact.email, r.contact.postal_address) if x)
    parts = [
        f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{escape(t['title'])}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
        "h2{border-bottom:1px solid #ccc}.warn{background:#fff3cd;padding:.5em}</style></head><body>",
        f"<h1>{escape(t['title'])}</h1>",
        f"<p>{escape(t['intro'].format(org=org))}</p>",
        f"<p>{escape(t['ref'])} : {escape(found.subject_ref)}" if lang == "fr" else f"<p>{escape(t['ref'])}: {escape(found.subject_ref)}",
    ]
    if as_of:
        parts[-1] += f"<br>{escape(t['date'])}{' :' if lang == 'fr' else ':'} {as_of.isoformat()}"
    parts[-1] += f"<br>{escape(t['records'])}{' :' if lang == 'fr' else ':'} {len(found.strong)}</p>"
    for a in acts:
        head = f"{a.section} — {a.title}" if a.section else a.title
        parts.append(f"<h2>{escape(t['activity'])} : {escape(head)}</h2>" if lang == "fr" else f"<h2>{escape(t['activity'])}: {escape(head)}</h2>")
        parts += [f"<h3>{escape(t['purposes'])}</h3>", _ul(a.purposes, t["none"])]
        parts += [f"<h3>{escape(t['categories'])}</h3>", _ul(a.categories, t["none"])]
        parts += [f"<h3>{escape(t['bases'])}</h3>", _ul(a.legal_bases, t["none"])]
        parts += [f"<h3>{escape(t['recipients'])}</h3>", _ul([n for n, _ in a.recipients], t["none"])]
        lines, ps = [], False
        for tr in a.transfers:
            mech = TRANSFER_MECHANISMS.label(tr.mechanism, lang) if tr.mechanism else t["no_mechanism"]
            ps |= tr.mechanism == "privacy_shield"
            lines.append(t["transfer"].format(provider=tr.provider, country=tr.country, mechanism=mech))
        parts += [f"<h3>{escape(t['transfers'])}</h3>", _ul(lines, t["no_transfer"])]
        if ps:
            parts.append(f"<p class=\"warn\">{escape(t['ps_warning'])}</p>")
        parts += [f"<h3>{escape(t['retention'])}</h3>", _ul(a.retention, t["none"])]
        src_lines = [
            t["source_line"].format(title=s.title or s.name, provider=s.provider or "?", country=s.country or "?", n=n)
            for s, n in a.sources
        ]
        if a.enrichment:
            src_lines.append(f"{t['enrichment']} : " + ", ".join(a.enrichment) if lang == "fr" else f"{t['enrichment']}: " + ", ".join(a.enrichment))
        parts += [f"<h3>{escape(t['sources'])}</h3>", _ul(src_lines, t["none"])]
    parts += [
        f"<h2>{escape(t['rights'])}</h2>",
        "<p>" + escape(t["rights_text"].format(authority=r.supervisory_authority.name, website=r.supervisory_authority.website,
                                                contact=contact)) + "</p>",
    ]
    if files:
        parts += [f"<h2>{escape(t['files'])}</h2>", _ul(list(files), t["none"])]
    parts.append("</body></html>\n")
    return "\n".join(parts)
