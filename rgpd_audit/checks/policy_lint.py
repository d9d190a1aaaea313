"""Policy lint: weaknesses of the policy text itself, each with its legal source.

Pure functions of the policy file and the audit date (transfer mechanisms are judged at
that date: Privacy Shield is valid as of 2020-01-01 and invalid as of 2021-01-01).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..legal import is_eea, judge
from ..policy import Activity, Duration
from ..resources import data_text
from ..spec import load_yaml
from .findings import Finding, FindingKind
from .registry import CheckContext, check


@lru_cache(maxsize=1)
def lint_data() -> dict:
    return load_yaml(data_text("lint.yaml"))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _clause(section: str, quote: str) -> str:
    return f"{section} — {quote}"


def _months(d: Duration) -> int:
    return d.years * 12 + d.months + (1 if d.days else 0)


K = FindingKind
KINDS = (
    K("policy.invalid_transfer_mechanism", "error", "Garantie de transfert invoquée non valable à la date de l'audit",
      "Transfer safeguard claimed that is not valid on the audit date"),
    K("policy.role_contradiction", "error", "Rôle (responsable ou sous-traitant) contradictoire",
      "Contradictory role (controller or processor)"),
    K("policy.purpose_mismatch", "warning", "Finalité ou base légale reprise d'une autre organisation",
      "Purpose or legal basis copied from another organisation"),
    K("policy.association_basis", "warning", "Intérêt légitime « en tant qu'association »",
      "Legitimate interest 'as an association'"),
    K("policy.b2c_marketing_legitimate_interest", "warning", "Prospection par e-mail fondée sur l'intérêt légitime",
      "E-mail marketing based on legitimate interest"),
    K("policy.retention_beyond_guidance", "warning", "Durée de conservation au-delà des recommandations de la CNIL",
      "Retention period beyond CNIL guidance"),
    K("policy.rights_contact_domain", "warning", "Adresse d'exercice des droits sur le domaine d'une autre organisation",
      "Rights contact address on another organisation's domain"),
    K("policy.no_dpo_contact", "warning", "Pas de coordonnées du délégué à la protection des données",
      "No data protection officer contact"),
    K("policy.recipient_retention", "info", "Durée de conservation non indiquée pour les destinataires",
      "No retention period stated for recipients"),
)


@check("policy.lint", title_fr="Faiblesses du texte de la politique", title_en="Weaknesses of the policy text",
       theme="policy", legal_basis="RGPD art. 5, 12-14, 28, 30, 37, 44-49", emits=KINDS)
def policy_lint(ctx: CheckContext) -> list[Finding]:
    p, data = ctx.policy, lint_data()
    out: list[Finding] = []

    # Transfer mechanisms claimed in §9, judged at the audit date.
    for h in p.hosting:
        if is_eea(h.country, ctx.as_of):
            continue
        j = judge(h.claimed_transfer_mechanism, ctx.as_of, country=h.country, provider=h.provider)
        if not j.valid:
            out.append(Finding(
                "policy.invalid_transfer_mechanism", None,
                f"La politique fonde le transfert vers {h.provider} ({h.country}) sur « {j.label_fr} », {j.reason_fr} ({j.source}).",
                f"The policy bases the transfer to {h.provider} ({h.country}) on '{j.label_en}', {j.reason_en} ({j.source}).",
                record_key=h.id, clause=_clause(h.clause.section, h.clause.quote),
                finding_key=f"policy.invalid_transfer_mechanism|{h.id}",
            ))

    for a in p.activities:
        out += _activity_lints(a, data, ctx)

    # Rights contact on another organisation's domain; no DPO contact.
    org = _fold(p.organisation.name).replace(" ", "")
    email = p.rights.contact.email
    if email:
        domain = email.split("@", 1)[-1]
        if org and org not in _fold(domain).replace("-", "").replace(".", ""):
            c = p.rights.contact.clause
            out.append(Finding(
                "policy.rights_contact_domain", None,
                f"L'adresse d'exercice des droits ({domain}) est sur le domaine d'une autre organisation que {p.organisation.name}.",
                f"The rights contact address ({domain}) is on another organisation's domain than {p.organisation.name}'s.",
                record_key="rights.contact", clause=_clause(c.section, c.quote) if c else "RGPD art. 12, 13.1.a",
                finding_key="policy.rights_contact_domain",
            ))
    if p.rights.dpo is None:
        out.append(Finding(
            "policy.no_dpo_contact", None,
            "La politique n'indique pas les coordonnées d'un délégué à la protection des données (RGPD art. 13.1.b ; désignation à apprécier au regard de l'art. 37).",
            "The policy gives no data protection officer contact (GDPR Art. 13(1)(b); whether one must be designated depends on Art. 37).",
            record_key="rights.dpo", clause="RGPD art. 13.1.b, art. 37-39", finding_key="policy.no_dpo_contact",
        ))
    if p.rights.recipients:
        names = ", ".join(r.name.get("fr") for r in p.rights.recipients)
        names_en = ", ".join(r.name.get("en") for r in p.rights.recipients)
        c = p.rights.recipients[0].clause
        out.append(Finding(
            "policy.recipient_retention", None,
            f"Aucune durée de conservation n'est indiquée pour les données transmises à : {names}.",
            f"No retention period is stated for data passed to: {names_en}.",
            record_key="rights.recipients", clause=_clause(c.section, c.quote), finding_key="policy.recipient_retention",
        ))
    return out


def _activity_lints(a: Activity, data: dict, ctx: CheckContext) -> list[Finding]:
    out = []
    if a.controller_role == "controller_on_behalf_of_client":
        out.append(Finding(
            "policy.role_contradiction", None,
            f"{a.section} se dit « responsable du traitement missionné par le client » : agir sur instruction d'un client fait de l'entreprise un sous-traitant (art. 28), avec contrat art. 28.3 et registre art. 30.2.",
            f"{a.section} calls the company 'controller acting on the client's mission': acting on a client's instructions makes it a processor (Art. 28), with an Art. 28(3) contract and an Art. 30(2) register.",
            activity=a.id, record_key=a.id, clause=_clause(a.clause.section, a.clause.quote),
            finding_key=f"policy.role_contradiction|{a.id}",
        ))
    texts = [(pp.fr, a.purposes_clause) for pp in a.purposes] + [(b.holder or "", b.clause) for b in a.legal_bases]
    seen = set()
    for term in data["foreign_business_terms"]:
        for text, clause in texts:
            if _fold(term["term"]) in _fold(text) and term["term"] not in seen:
                seen.add(term["term"])
                out.append(Finding(
                    "policy.purpose_mismatch", None,
                    f"{a.section} : « {text} » — {term['why_fr']} (texte vraisemblablement repris d'une autre organisation).",
                    f"{a.section}: '{text}' — {term['why_en']} (text probably copied from another organisation).",
                    activity=a.id, record_key=a.id, clause=_clause(clause.section, clause.quote),
                    finding_key=f"policy.purpose_mismatch|{a.id}|{term['term']}",
                ))
    for b in a.legal_bases:
        if b.holder and any(t in _fold(b.holder) for t in data["association_terms"]):
            out.append(Finding(
                "policy.association_basis", None,
                f"{a.section} invoque l'intérêt légitime « en tant qu'association » alors que l'entreprise n'est pas une association.",
                f"{a.section} relies on legitimate interest 'as an association' although the company is not one.",
                activity=a.id, record_key=a.id, clause=_clause(b.clause.section, b.clause.quote),
                finding_key=f"policy.association_basis|{a.id}",
            ))
    marketing = any(any(t in _fold(pp.fr) for t in data["marketing_terms"]) for pp in a.purposes)
    li = [b for b in a.legal_bases if b.basis == "legitimate_interest"]
    if marketing and li:
        out.append(Finding(
            "policy.b2c_marketing_legitimate_interest", None,
            f"{a.section} : prospection commerciale par e-mail fondée aussi sur l'intérêt légitime ; envers des particuliers le consentement préalable est requis (CPCE L34-5 ; CNIL, Nestor, SAN-2020-018).",
            f"{a.section}: e-mail marketing also based on legitimate interest; towards individuals prior consent is required (CPCE L34-5; CNIL, Nestor, SAN-2020-018).",
            activity=a.id, record_key=a.id, clause=_clause(li[0].clause.section, li[0].clause.quote),
            finding_key=f"policy.b2c_marketing_legitimate_interest|{a.id}",
        ))
    g = data["retention_guidance"].get(a.id)
    if g:
        limit = Duration(**g["max"])
        for r in a.retention:
            if _months(r.effective_duration) > _months(limit):
                out.append(Finding(
                    "policy.retention_beyond_guidance", None,
                    f"{a.section} : conservation {r.effective_duration} au-delà de la recommandation ({g['fr']}).",
                    f"{a.section}: retention {r.effective_duration} beyond guidance ({g['en']}).",
                    activity=a.id, record_key=f"{a.id}.{r.id}", clause=_clause(r.clause.section, r.clause.quote),
                    finding_key=f"policy.retention_beyond_guidance|{a.id}|{r.id}",
                ))
    return out
