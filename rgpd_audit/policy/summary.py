"""A readable summary of a policy, in French or English. Returns text; never prints."""

from __future__ import annotations

from ..vocab import CONTROLLER_ROLES, EVENTS, HOSTING_KINDS, LEGAL_BASES, RECORD_KINDS, RECORD_STATUSES, RIGHTS, ROLES, TRANSFER_MECHANISMS
from .model import Activity, Duration, Hosting, Lang, LegalBase, Policy, RetentionRule

_WORDS: dict[str, dict[str, str]] = {
    "fr": {
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
    text = f"{describe_duration(rule.effective_duration, lang)} {w['_after']} {EVENTS.label(rule.counted_from, lang)}"
    if rule.duration_source == "contract":
        text = f"{w['_contract']} {text}"
    if rule.statuses:
        text += f" ({', '.join(RECORD_STATUSES.label(x, lang) for x in rule.statuses)})"
    return text


def _basis(b: LegalBase, lang: Lang) -> str:
    return f"{LEGAL_BASES.label(b.basis, lang)} ({b.holder})" if b.holder else LEGAL_BASES.label(b.basis, lang)


def _activity(a: Activity, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    lines = [
        f"{a.section} {a.id}{w[':']} {a.title.get(lang)}",
        f"  {w['_role']}{w[':']} {CONTROLLER_ROLES.label(a.controller_role, lang)}",
        f"  {w['_purposes']}{w[':']} " + "; ".join(p.get(lang) for p in a.purposes),
        f"  {w['_bases']}{w[':']} " + "; ".join(_basis(b, lang) for b in a.legal_bases),
        f"  {w['_access']}{w[':']} " + ", ".join(ROLES.label(r, lang) for r in a.access_roles),
        f"  {w['_retention']}{w[':']}" + ("" if a.retention else f" {w['_none']}"),
    ]
    lines += [f"    - {RECORD_KINDS.label(r.applies_to, lang)}{w[':']} {describe_rule(r, lang)}" for r in a.retention]
    return lines


def _hosting(h: Hosting, lang: Lang) -> str:
    w = _WORDS[lang]
    return (
        f"  - {h.name.get(lang)} ({h.provider}){w[':']} {h.country}, {HOSTING_KINDS.label(h.kind, lang)}, "
        f"{w['_mechanism']}{w[':']} {TRANSFER_MECHANISMS.label(h.claimed_transfer_mechanism, lang)}"
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
        f"{w['_rights']}{w[':']} " + ", ".join(RIGHTS.label(g.right, lang) for g in r.granted),
        f"  {w['_contact']}{w[':']} " + "; ".join(x for x in (r.contact.email, r.contact.postal_address) if x),
        f"  {w['_authority']}{w[':']} {r.supervisory_authority.name} ({r.supervisory_authority.website})",
        f"  {w['_dpo']}{w[':']} "
        + ("; ".join(x for x in (r.dpo.email, r.dpo.postal_address) if x) if r.dpo else w["_no_dpo"]),
    ]
    if r.recipients:
        out.append(f"  {w['_recipients']}{w[':']} " + ", ".join(x.name.get(lang) for x in r.recipients))
    return "\n".join(out) + "\n"
