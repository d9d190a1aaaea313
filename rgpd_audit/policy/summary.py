"""A readable summary of a policy, in French or English. Returns text; never prints."""

from __future__ import annotations

from .model import Activity, Duration, Hosting, Lang, LegalBase, Policy, RetentionRule

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        # events, as "N ans après <event>"
        "last_activity": "la dernière activité",
        "contract_end": "la fin de la relation contractuelle",
        "last_purchase": "le dernier achat",
        "creation": "la création",
        "fiscal_year_close": "la clôture de l’exercice",
        # record kinds
        "contact": "contacts",
        "potential_supplier": "fournisseurs potentiels",
        "active_supplier": "fournisseurs actifs",
        "accounting_document": "pièces comptables",
        "dataset": "jeux de données",
        # controller roles
        "controller": "responsable du traitement",
        "processor": "sous-traitant",
        "controller_on_behalf_of_client": "responsable du traitement missionné par le client (tel qu’écrit)",
        # legal bases
        "consent": "consentement",
        "contract": "exécution d’un contrat",
        "legal_obligation": "obligation légale",
        "vital_interest": "intérêts vitaux",
        "public_task": "mission d’intérêt public",
        "legitimate_interest": "intérêt légitime",
        # roles
        "direction": "Direction",
        "sales": "commercial et relation client",
        "recruitment": "recrutement",
        "secretariat": "secrétariat",
        "accounting": "comptabilité",
        "purchasing": "achats",
        "operations": "opérations",
        "external_staff": "personnel externalisé",
        # hosting kinds and mechanisms
        "on_premises": "dans les locaux",
        "datacenter": "datacenter",
        "cloud_service": "service cloud",
        "none": "aucun",
        "privacy_shield": "Privacy Shield",
        "dpf": "EU-US Data Privacy Framework",
        "scc": "clauses contractuelles types",
        "adequacy": "décision d’adéquation",
        "bcr": "règles d’entreprise contraignantes",
        # rights
        "access": "accès",
        "rectification": "rectification",
        "restriction": "limitation",
        "portability": "portabilité",
        "erasure": "effacement",
        "objection": "opposition",
        "withdraw_consent": "retrait du consentement",
        "complaint": "réclamation auprès de l’autorité de contrôle",
        # headings
        "_policy": "Politique de confidentialité",
        "_source": "Source",
        "_role": "Rôle",
        "_purposes": "Finalités",
        "_bases": "Bases légales",
        "_access": "Accès",
        "_retention": "Conservation",
        "_none": "aucune",
        "_hosting": "Hébergement",
        "_mechanism": "mécanisme de transfert revendiqué",
        "_rights": "Droits",
        "_contact": "Contact",
        "_authority": "Autorité de contrôle",
        "_dpo": "DPO",
        "_no_dpo": "non désigné",
        "_recipients": "Destinataires",
        "_activities": "activités",
        "_contract": "durée fixée par le contrat client, à défaut",
        "_after": "après",
        ":": " :",
    },
    "en": {
        "last_activity": "last activity",
        "contract_end": "contract end",
        "last_purchase": "last purchase",
        "creation": "creation",
        "fiscal_year_close": "fiscal year close",
        "contact": "contacts",
        "potential_supplier": "potential suppliers",
        "active_supplier": "active suppliers",
        "accounting_document": "accounting documents",
        "dataset": "datasets",
        "controller": "controller",
        "processor": "processor",
        "controller_on_behalf_of_client": "controller on behalf of the client (as written)",
        "consent": "consent",
        "contract": "contract",
        "legal_obligation": "legal obligation",
        "vital_interest": "vital interests",
        "public_task": "public task",
        "legitimate_interest": "legitimate interest",
        "direction": "management",
        "sales": "sales and client relations",
        "recruitment": "recruitment",
        "secretariat": "secretariat",
        "accounting": "accounting",
        "purchasing": "purchasing",
        "operations": "operations",
        "external_staff": "external staff",
        "on_premises": "on premises",
        "datacenter": "datacentre",
        "cloud_service": "cloud service",
        "none": "none",
        "privacy_shield": "Privacy Shield",
        "dpf": "EU-US Data Privacy Framework",
        "scc": "standard contractual clauses",
        "adequacy": "adequacy decision",
        "bcr": "binding corporate rules",
        "access": "access",
        "rectification": "rectification",
        "restriction": "restriction",
        "portability": "portability",
        "erasure": "erasure",
        "objection": "objection",
        "withdraw_consent": "withdrawal of consent",
        "complaint": "complaint to the supervisory authority",
        "_policy": "Privacy policy",
        "_source": "Source",
        "_role": "Role",
        "_purposes": "Purposes",
        "_bases": "Legal bases",
        "_access": "Access",
        "_retention": "Retention",
        "_none": "none",
        "_hosting": "Hosting",
        "_mechanism": "claimed transfer mechanism",
        "_rights": "Rights",
        "_contact": "Contact",
        "_authority": "Supervisory authority",
        "_dpo": "DPO",
        "_no_dpo": "none named",
        "_recipients": "Recipients",
        "_activities": "activities",
        "_contract": "period set in the client contract, otherwise",
        "_after": "after",
        ":": ":",
    },
}

_UNITS = {
    "fr": (("an", "ans"), ("mois", "mois"), ("jour", "jours"), " et "),
    "en": (("year", "years"), ("month", "months"), ("day", "days"), " and "),
}


def word(key: str, lang: Lang = "fr") -> str:
    """The label of a vocabulary value (role, event, legal basis…) in ``lang``."""
    return _WORDS[lang].get(key, key)


def describe_duration(d: Duration, lang: Lang = "fr") -> str:
    """``3 ans``, ``1 an et 6 mois``, ``3 years``, ``90 days``."""
    units = _UNITS[lang]
    parts = [f"{n} {units[i][0] if n == 1 else units[i][1]}" for i, n in enumerate((d.years, d.months, d.days)) if n]
    if not parts:
        return f"0 {units[2][1]}"
    return ", ".join(parts[:-1]) + units[3] + parts[-1] if len(parts) > 1 else parts[0]


def describe_rule(rule: RetentionRule, lang: Lang = "fr") -> str:
    """A retention rule in words: ``3 ans après la dernière activité``, ``3 years after last activity``."""
    w = _WORDS[lang]
    text = f"{describe_duration(rule.effective_duration, lang)} {w['_after']} {w[rule.counted_from]}"
    if rule.duration_source == "contract":
        text = f"{w['_contract']} {text}"
    return text


def _basis(b: LegalBase, lang: Lang) -> str:
    return f"{word(b.basis, lang)} ({b.holder})" if b.holder else word(b.basis, lang)


def _activity(a: Activity, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    lines = [
        f"{a.section} {a.id}{w[':']} {a.title.get(lang)}",
        f"  {w['_role']}{w[':']} {word(a.controller_role, lang)}",
        f"  {w['_purposes']}{w[':']} " + "; ".join(p.get(lang) for p in a.purposes),
        f"  {w['_bases']}{w[':']} " + "; ".join(_basis(b, lang) for b in a.legal_bases),
        f"  {w['_access']}{w[':']} " + ", ".join(word(r, lang) for r in a.access_roles),
        f"  {w['_retention']}{w[':']}" + ("" if a.retention else f" {w['_none']}"),
    ]
    lines += [f"    - {word(r.applies_to, lang)}{w[':']} {describe_rule(r, lang)}" for r in a.retention]
    return lines


def _hosting(h: Hosting, lang: Lang) -> str:
    w = _WORDS[lang]
    return (
        f"  - {h.name.get(lang)} ({h.provider}){w[':']} {h.country}, {word(h.kind, lang)}, "
        f"{w['_mechanism']}{w[':']} {word(h.claimed_transfer_mechanism, lang)}"
    )


def render_summary(policy: Policy, lang: Lang = "fr") -> str:
    """The whole policy as readable text: activities, hosting, rights and contact."""
    w = _WORDS[lang]
    out = [
        f"{w['_policy']}{w[':']} {policy.organisation.name} ({len(policy.activities)} {w['_activities']})",
        f"{w['_source']}{w[':']} {policy.source.title}",
        "",
    ]
    for a in policy.activities:
        out += _activity(a, lang) + [""]
    out.append(f"{w['_hosting']}{w[':']}")
    out += [_hosting(h, lang) for h in policy.hosting] or [f"  {w['_none']}"]
    r = policy.rights
    out += [
        "",
        f"{w['_rights']}{w[':']} " + ", ".join(word(g.right, lang) for g in r.granted),
        f"  {w['_contact']}{w[':']} " + "; ".join(x for x in (r.contact.email, r.contact.postal_address) if x),
        f"  {w['_authority']}{w[':']} {r.supervisory_authority.name} ({r.supervisory_authority.website})",
        f"  {w['_dpo']}{w[':']} "
        + ("; ".join(x for x in (r.dpo.email, r.dpo.postal_address) if x) if r.dpo else w["_no_dpo"]),
    ]
    if r.recipients:
        out.append(f"  {w['_recipients']}{w[':']} " + ", ".join(x.name.get(lang) for x in r.recipients))
    return "\n".join(out) + "\n"
