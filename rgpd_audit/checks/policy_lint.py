"""Policy lint: weaknesses of the policy text itself, each rule citing the text it rests on.

Pure functions of the policy as encoded (its structure and the sentences quoted in its clauses)
and of the audit date (a claimed transfer mechanism is judged on that date). Wording lists live
in ``rgpd_audit/data/lint.yaml``; ``docs/checks.md`` lists the rules with the text that triggers
them.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..legal import is_eea, judge
from ..policy import Activity, Duration, Policy
from ..resources import data_text
from ..spec import load_yaml
from .findings import Finding, FindingKind
from .registry import CheckContext, check


@lru_cache(maxsize=1)
def lint_data() -> dict:
    return load_yaml(data_text("lint.yaml"))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _has(text: str, terms) -> bool:
    t = _fold(text)
    return any(_fold(x) in t for x in terms)


def _clause(section: str, quote: str) -> str:
    return f"{section} — {quote}"


def _months(d: Duration) -> int:
    return d.years * 12 + d.months + (1 if d.days else 0)


K = FindingKind
KINDS = (
    K("policy.invalid_transfer_mechanism", "error", "Garantie de transfert invoquée non valable à la date de l'audit",
      "Transfer safeguard claimed that is not valid on the audit date"),
    K("policy.transfer_safeguard_missing", "error", "Transfert hors UE annoncé sans garantie", "Transfer outside the EU stated without a safeguard"),
    K("policy.hosting_without_purpose", "warning", "Outil hors UE sans activité ni base légale", "Tool outside the EU tied to no activity or legal basis"),
    K("policy.role_contradiction", "error", "Rôle (responsable ou sous-traitant) contradictoire",
      "Contradictory role (controller or processor)"),
    K("policy.processor_contract_missing", "warning", "Sous-traitance sans contrat art. 28 mentionné",
      "Processing for clients with no Art. 28 contract mentioned"),
    K("policy.purpose_mismatch", "warning", "Finalité ou base légale reprise d'une autre organisation",
      "Purpose or legal basis copied from another organisation"),
    K("policy.template_leftover", "warning", "Texte repris d'une autre organisation", "Text copied from another organisation"),
    K("policy.association_basis", "warning", "Intérêt légitime « en tant qu'association »",
      "Legitimate interest 'as an association'"),
    K("policy.b2c_marketing_legitimate_interest", "warning", "Prospection par e-mail fondée sur l'intérêt légitime",
      "E-mail marketing based on legitimate interest"),
    K("policy.alternative_legal_bases", "warning", "Bases légales proposées comme alternatives",
      "Legal bases offered as alternatives"),
    K("policy.data_subject_legitimate_interest", "warning", "Intérêt légitime attribué à la personne concernée",
      "Legitimate interest ascribed to the data subject"),
    K("policy.retention_beyond_guidance", "warning", "Durée de conservation au-delà des recommandations de la CNIL",
      "Retention period beyond CNIL guidance"),
    K("policy.candidate_retention_undistinguished", "warning", "Candidats non retenus et vivier confondus",
      "Unsuccessful candidates and talent pool not told apart"),
    K("policy.objection_conditional", "warning", "Droit d'opposition à la prospection soumis à condition",
      "Objection to direct marketing made conditional"),
    K("policy.post_mortem_directives_missing", "warning", "Directives post mortem non mentionnées",
      "Post-mortem directives not mentioned"),
    K("policy.controller_identity_missing", "error", "Coordonnées du responsable du traitement absentes",
      "Controller's contact details missing"),
    K("policy.rights_contact_domain", "warning", "Adresse d'exercice des droits sur le domaine d'une autre organisation",
      "Rights contact address on another organisation's domain"),
    K("policy.no_dpo_contact", "warning", "Pas de coordonnées du délégué à la protection des données",
      "No data protection officer contact"),
    K("policy.recipient_retention", "info", "Durée de conservation non indiquée pour les destinataires",
      "No retention period stated for recipients"),
    K("policy.core_processing_missing", "error", "Traitement principal de l'organisation absent de la politique",
      "The organisation's core processing missing from the policy"),
)


def _finding(kind: str, fr: str, en: str, *, key: str, clause: str, activity: str | None = None) -> Finding:
    return Finding(kind, None, fr, en, activity=activity, record_key=key.split("|", 1)[0] or kind,
                   clause=clause, finding_key=f"{kind}|{key}" if key else kind)


@check("policy.lint", title_fr="Faiblesses du texte de la politique", title_en="Weaknesses of the policy text",
       theme="policy", legal_basis="RGPD art. 5, 12-14, 21, 28, 30, 37, 44-49 ; loi Informatique et Libertés art. 85", emits=KINDS)
def policy_lint(ctx: CheckContext) -> list[Finding]:
    p, data = ctx.policy, lint_data()
    out: list[Finding] = []
    out += _hosting_lints(p, ctx)
    for a in p.activities:
        out += _activity_lints(a, data)
    out += _template_leftovers(p, data)
    out += _rights_lints(p, data)
    out += _coverage_lints(p, data)
    return out


# --- §9: hosting and transfers -------------------------------------------------------------------


def _hosting_lints(p: Policy, ctx: CheckContext) -> list[Finding]:
    out = []
    for h in p.hosting:
        if is_eea(h.country, ctx.as_of):
            continue
        clause = _clause(h.clause.section, h.clause.quote)
        if h.claimed_transfer_mechanism == "none":
            out.append(_finding(
                "policy.transfer_safeguard_missing",
                f"La politique annonce un transfert hors de l'Union vers {h.provider} ({h.country}) sans dire sur quelle garantie il repose "
                "(RGPD art. 13.1.f : référence aux garanties appropriées et moyen d'en obtenir une copie).",
                f"The policy states a transfer outside the Union to {h.provider} ({h.country}) without saying which safeguard it rests on "
                "(GDPR Art. 13(1)(f): reference to the appropriate safeguards and how to obtain a copy).",
                key=h.id, clause=clause))
        else:
            j = judge(h.claimed_transfer_mechanism, ctx.as_of, country=h.country, provider=h.provider)
            if not j.valid:
                out.append(_finding(
                    "policy.invalid_transfer_mechanism",
                    f"La politique fonde le transfert vers {h.provider} ({h.country}) sur « {j.label_fr} », {j.reason_fr} ({j.source}) : "
                    "une information fausse ou périmée (RGPD art. 13.1.f).",
                    f"The policy bases the transfer to {h.provider} ({h.country}) on '{j.label_en}', {j.reason_en} ({j.source}): "
                    "false or outdated information (GDPR Art. 13(1)(f)).",
                    key=h.id, clause=clause))
        if not h.activities:
            out.append(_finding(
                "policy.hosting_without_purpose",
                f"{h.name.get('fr')} ({h.provider}, hors UE) n'est rattaché à aucune activité : la politique ne dit pas quelles données y vont, "
                "pour quelle finalité ni sur quelle base légale (RGPD art. 13.1.c et e, art. 30.1.e).",
                f"{h.name.get('en')} ({h.provider}, outside the EU) is tied to no activity: the policy does not say which data goes there, "
                "for which purpose nor on which legal basis (GDPR Art. 13(1)(c) and (e), Art. 30(1)(e)).",
                key=h.id, clause=clause))
    return out


# --- per activity -------------------------------------------------------------------------------


def _activity_lints(a: Activity, data: dict) -> list[Finding]:
    out = []
    if a.controller_role == "controller_on_behalf_of_client":
        out.append(_finding(
            "policy.role_contradiction",
            f"{a.section} se dit « responsable du traitement missionné par le client » : agir sur instruction d'un client fait de l'entreprise un sous-traitant (art. 28), avec contrat art. 28.3 et registre art. 30.2.",
            f"{a.section} calls the company 'controller acting on the client's mission': acting on a client's instructions makes it a processor (Art. 28), with an Art. 28(3) contract and an Art. 30(2) register.",
            key=a.id, activity=a.id, clause=_clause(a.clause.section, a.clause.quote)))
    if a.controller_role in ("processor", "controller_on_behalf_of_client"):
        texts = " ".join(c.quote for _, c in _activity_clauses(a))
        if not _has(texts, data["processor_contract_terms"]):
            out.append(_finding(
                "policy.processor_contract_missing",
                f"{a.section} : l'entreprise traite les données pour le compte de ses clients sans que la politique mentionne le contrat "
                "qui l'encadre (RGPD art. 28.3 : instructions, confidentialité, sécurité, sous-traitants ultérieurs, sort des données).",
                f"{a.section}: the company processes data on its clients' behalf and the policy mentions no contract governing it "
                "(GDPR Art. 28(3): instructions, confidentiality, security, sub-processors, return or deletion).",
                key=a.id, activity=a.id, clause=_clause(a.clause.section, a.clause.quote)))
    texts = [(pp.fr, a.purposes_clause) for pp in a.purposes] + [(b.holder or "", b.clause) for b in a.legal_bases]
    seen = set()
    for term in data["foreign_business_terms"]:
        for text, clause in texts:
            if _fold(term["term"]) in _fold(text) and term["term"] not in seen:
                seen.add(term["term"])
                out.append(_finding(
                    "policy.purpose_mismatch",
                    f"{a.section} : « {text} » — {term['why_fr']} (texte vraisemblablement repris d'une autre organisation ; RGPD art. 5.1.a et 13.1.c : finalités et bases exactes).",
                    f"{a.section}: '{text}' — {term['why_en']} (text probably copied from another organisation; GDPR Art. 5(1)(a) and 13(1)(c): accurate purposes and bases).",
                    key=f"{a.id}|{term['term']}", activity=a.id, clause=_clause(clause.section, clause.quote)))
    for b in a.legal_bases:
        if b.holder and any(t in _fold(b.holder) for t in data["association_terms"]):
            out.append(_finding(
                "policy.association_basis",
                f"{a.section} invoque l'intérêt légitime « en tant qu'association » alors que l'entreprise n'est pas une association (RGPD art. 6.1.f et 13.1.d).",
                f"{a.section} relies on legitimate interest 'as an association' although the company is not one (GDPR Art. 6(1)(f) and 13(1)(d)).",
                key=a.id, activity=a.id, clause=_clause(b.clause.section, b.clause.quote)))
    marketing = any(any(t in _fold(pp.fr) for t in data["marketing_terms"]) for pp in a.purposes)
    li = [b for b in a.legal_bases if b.basis == "legitimate_interest"]
    only_professionals = all(_has(s.fr, data["professional_terms"]) for s in a.data_subjects)
    if marketing and li and not only_professionals:
        out.append(_finding(
            "policy.b2c_marketing_legitimate_interest",
            f"{a.section} : prospection commerciale par e-mail fondée aussi sur l'intérêt légitime ; envers des particuliers le consentement préalable est requis (CPCE L34-5 ; CNIL, Nestor, SAN-2020-018).",
            f"{a.section}: e-mail marketing also based on legitimate interest; towards individuals prior consent is required (CPCE L34-5; CNIL, Nestor, SAN-2020-018).",
            key=a.id, activity=a.id, clause=_clause(li[0].clause.section, li[0].clause.quote)))
    by_clause: dict[tuple[str, str], list] = {}
    for b in a.legal_bases:
        by_clause.setdefault((b.clause.section, b.clause.quote), []).append(b)
    for (section, quote), bases in by_clause.items():
        if len({b.basis for b in bases} | {b.holder for b in bases}) > 1 and len(bases) > 1 and " ou " in f" {_fold(quote)} ":
            out.append(_finding(
                "policy.alternative_legal_bases",
                f"{a.section} propose {len(bases)} bases légales au choix (« … ou … ») au lieu d'indiquer la base de chaque finalité (RGPD art. 13.1.c ; CEPD, lignes directrices 2/2019).",
                f"{a.section} offers {len(bases)} legal bases as alternatives ('… or …') instead of the basis of each purpose (GDPR Art. 13(1)(c); EDPB Guidelines 2/2019).",
                key=a.id, activity=a.id, clause=_clause(section, quote)))
    for b in a.legal_bases:
        if b.basis == "legitimate_interest" and b.holder_party == "data_subject":
            out.append(_finding(
                "policy.data_subject_legitimate_interest",
                f"{a.section} invoque l'intérêt légitime de la personne concernée (« {b.holder} ») : cette base appartient au responsable du traitement ou à un tiers, pas à la personne (RGPD art. 6.1.f et art. 4.10).",
                f"{a.section} relies on the data subject's own legitimate interest ('{b.holder}'): that basis belongs to the controller or a third party, not to the data subject (GDPR Art. 6(1)(f) and 4(10)).",
                key=a.id, activity=a.id, clause=_clause(b.clause.section, b.clause.quote)))
    g = data["retention_guidance"].get(a.id)
    if g:
        limit = Duration(**g["max"])
        for r in a.retention:
            if _months(r.effective_duration) > _months(limit):
                out.append(_finding(
                    "policy.retention_beyond_guidance",
                    f"{a.section} : conservation {r.effective_duration} au-delà de la recommandation ({g['fr']}).",
                    f"{a.section}: retention {r.effective_duration} beyond guidance ({g['en']}).",
                    key=f"{a.id}|{r.id}", activity=a.id, clause=_clause(r.clause.section, r.clause.quote)))
    if any(_has(s.fr, data["candidate_subjects"]) for s in a.data_subjects):
        out += _candidate_retention(a, data["candidate_guidance"])
    return out


def _candidate_retention(a: Activity, g: dict) -> list[Finding]:
    """One period for every candidate: CNIL tells the unsuccessful candidate (about 3 months)
    from the talent pool (up to 2 years, the candidate informed)."""
    contact_rules = [r for r in a.retention if r.applies_to == "contact"]
    if len(contact_rules) != 1:
        return []
    r = contact_rules[0]
    out = []
    beyond = _months(r.effective_duration) > _months(Duration(**g["pool_max"]))
    out.append(_finding(
        "policy.candidate_retention_undistinguished",
        f"{a.section} : une seule durée ({r.effective_duration}) pour tous les candidats"
        + (", au-delà de ce qu'admet un vivier" if beyond else " — admissible pour un vivier dont le candidat est informé et qui ne s'y oppose pas")
        + f" ; la politique ne distingue pas le candidat non retenu (environ 3 mois) et ne dit pas informer le candidat de son maintien en vivier ({g['fr']}).",
        f"{a.section}: one period ({r.effective_duration}) for every candidate"
        + (", beyond what a talent pool allows" if beyond else " — acceptable for a talent pool the candidate is told about and does not oppose")
        + f"; the policy neither sets the unsuccessful candidate apart (about 3 months) nor says the candidate is told of being kept in the pool ({g['en']}).",
        key=f"{a.id}|{r.id}", activity=a.id, clause=_clause(r.clause.section, r.clause.quote)))
    return out


def _activity_clauses(a: Activity):
    yield "clause", a.clause
    yield "purposes", a.purposes_clause
    yield "categories", a.categories_clause
    yield "access", a.access_clause
    if a.data_subjects_clause:
        yield "subjects", a.data_subjects_clause
    for b in a.legal_bases:
        yield "basis", b.clause
    for r in a.recipients:
        yield "recipient", r.clause
    for r in a.retention:
        yield "retention", r.clause


# --- template leftovers, wherever they stand -------------------------------------------------------


def _template_leftovers(p: Policy, data: dict) -> list[Finding]:
    """Foreign terms in any sentence the policy quotes, outside purposes and legal bases (those are
    ``policy.purpose_mismatch``): one finding per term and section."""
    flagged_elsewhere = {(a.section, t["term"]) for a in p.activities for t in data["foreign_business_terms"]
                         for text in [*(pp.fr for pp in a.purposes), *(b.holder or "" for b in a.legal_bases)]
                         if _fold(t["term"]) in _fold(text)}
    seen: set[tuple[str, str]] = set()
    out = []
    for _path, clause in p.clauses():
        for term in data["foreign_business_terms"]:
            key = (clause.section, term["term"])
            if key in seen or key in flagged_elsewhere or _fold(term["term"]) not in _fold(clause.quote):
                continue
            seen.add(key)
            out.append(_finding(
                "policy.template_leftover",
                f"{clause.section} : « {term['term']} » — {term['why_fr']} (texte vraisemblablement repris d'une autre organisation ; RGPD art. 12.1 : information exacte et compréhensible).",
                f"{clause.section}: '{term['term']}' — {term['why_en']} (text probably copied from another organisation; GDPR Art. 12(1): accurate and intelligible information).",
                key=f"{clause.section}|{term['term']}", clause=_clause(clause.section, clause.quote)))
    return out


# --- §10: rights, contacts -----------------------------------------------------------------------


def _rights_lints(p: Policy, data: dict) -> list[Finding]:
    out = []
    org = _fold(p.organisation.name).replace(" ", "")
    email = p.rights.contact.email
    if email:
        domain = email.split("@", 1)[-1]
        if org and org not in _fold(domain).replace("-", "").replace(".", ""):
            c = p.rights.contact.clause
            out.append(_finding(
                "policy.rights_contact_domain",
                f"L'adresse d'exercice des droits ({domain}) est sur le domaine d'une autre organisation que {p.organisation.name} (RGPD art. 12.2 et 13.1.a).",
                f"The rights contact address ({domain}) is on another organisation's domain than {p.organisation.name}'s (GDPR Art. 12(2) and 13(1)(a)).",
                key="", clause=_clause(c.section, c.quote) if c else "RGPD art. 12, 13.1.a"))
    if p.rights.dpo is None:
        out.append(_finding(
            "policy.no_dpo_contact",
            "La politique n'indique pas les coordonnées d'un délégué à la protection des données (RGPD art. 13.1.b ; désignation à apprécier au regard de l'art. 37).",
            "The policy gives no data protection officer contact (GDPR Art. 13(1)(b); whether one must be designated depends on Art. 37).",
            key="", clause="RGPD art. 13.1.b, art. 37-39"))
    if p.rights.recipients:
        names = ", ".join(r.name.get("fr") for r in p.rights.recipients)
        names_en = ", ".join(r.name.get("en") for r in p.rights.recipients)
        c = p.rights.recipients[0].clause
        out.append(_finding(
            "policy.recipient_retention",
            f"Aucune durée de conservation n'est indiquée pour les données transmises à : {names} (RGPD art. 13.2.a).",
            f"No retention period is stated for data passed to: {names_en} (GDPR Art. 13(2)(a)).",
            key="", clause=_clause(c.section, c.quote)))
    objection = [g for g in p.rights.granted if g.right == "objection"]
    marketing = [a for a in p.activities if any(any(t in _fold(pp.fr) for t in data["marketing_terms"]) for pp in a.purposes)]
    rights_text = " ".join(g.clause.quote for g in p.rights.granted)
    om = data["objection_marketing"]
    unconditional = _has(rights_text, om["subject"]) and _has(rights_text, om["unconditional"])
    if objection and marketing and _has(objection[0].clause.quote, data["objection_conditions"]) and not unconditional:
        c = objection[0].clause
        out.append(_finding(
            "policy.objection_conditional",
            f"Le droit d'opposition est soumis à des « motifs légitimes » alors que l'opposition à la prospection ({', '.join(a.section for a in marketing)}) "
            "s'exerce à tout moment et sans motif (RGPD art. 21.2 et 21.3).",
            f"The right to object is subject to 'legitimate grounds' although objecting to direct marketing ({', '.join(a.section for a in marketing)}) "
            "needs no reason, at any time (GDPR Art. 21(2) and (3)).",
            key="", clause=_clause(c.section, c.quote)))
    text = " ".join(c.quote for _, c in p.clauses())
    pm = data["post_mortem"]
    if not (_has(text, pm["directive"]) and _has(text, pm["death"])):
        out.append(_finding(
            "policy.post_mortem_directives_missing",
            "La politique ne mentionne pas le droit de définir des directives sur le sort des données après le décès (loi Informatique et Libertés, art. 85).",
            "The policy does not mention the right to set directives on what happens to one's data after death (French Data Protection Act, Art. 85).",
            key="", clause="Loi n° 78-17 du 6 janvier 1978, art. 85"))
    contacts = [c for c in p.organisation.contacts if c.postal_address]
    if not contacts:
        out.append(_finding(
            "policy.controller_identity_missing",
            f"La politique ne donne ni l'adresse ni les coordonnées du responsable du traitement ({p.organisation.name}) ; "
            "la seule adresse postale est celle d'une autre organisation (RGPD art. 13.1.a).",
            f"The policy gives neither the address nor the contact details of the controller ({p.organisation.name}); "
            "the only postal address is another organisation's (GDPR Art. 13(1)(a)).",
            key="", clause="RGPD art. 13.1.a"))
    return out


def _coverage_lints(p: Policy, data: dict) -> list[Finding]:
    sector = p.organisation.sector
    need = data["core_processing"].get(sector or "")
    if not need:
        return []
    subjects = " ".join(s.fr for a in p.activities for s in a.data_subjects)
    if _has(subjects, need["subjects"]):
        return []
    return [_finding(
        "policy.core_processing_missing",
        f"Aucune section ne porte sur {need['fr']} ({need['source']}).",
        f"No section covers {need['en']} ({need['source']}).",
        key=sector, clause=need["source"])]
