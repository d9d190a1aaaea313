"""Header rules: what a column's name says about its content (French and English).

Names are normalised first (accents, case, punctuation, camelCase and ``CT_`` prefixes
split), then matched against ordered rules; the first rule that matches wins. A rule
gives a category (``None`` = not personal data), a value ``kind`` the value validators
can confirm or contradict, and whether the column identifies the person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ...vocab import DATE_ROLES

FREE_TEXT = "user.x_rgpd.free_text_comment"


def normalise(name: str) -> str:
    """``"N° Sécurité-Sociale"`` -> ``"n securite sociale"``; ``"CT_EMail"`` -> ``"ct email"``."""
    s = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", name)  # cbModification -> cb Modification
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("œ", "oe").replace("æ", "ae").replace("°", " ")
    s = re.sub(r"e[\s\-_.]?mail", "email", s)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", s).split())


@dataclass(frozen=True)
class NameRule:
    rule: str            # short id, reported as ``name:<rule>``
    category: str | None
    kind: str | None     # value kind that should confirm it (nir, email, phone, date, …)
    pattern: re.Pattern
    subject_key: bool = False


def _r(rule, category, kind, pattern, subject_key=False) -> NameRule:
    return NameRule(rule, category, kind, re.compile(pattern), subject_key)


# Order matters: the most specific first ("adresse e-mail" before "adresse",
# "lieu de naissance" before "naissance", "nom de l'entreprise" before "nom").
RULES: list[NameRule] = [
    _r("nir", "user.government_id.national_identification_number", "nir",
       r"\bnir\b|securite sociale|\bsecu\b|\bn ?ss\b|\bnum(ero)? ss\b|social security|\bssn\b|\binsee\b", True),
    _r("place_of_birth", "user.x_rgpd.place_of_birth", None,
       r"lieu de naissance|ville de naissance|pays de naissance|commune de naissance|place of birth|birth ?place|\bne a\b"),
    _r("date_of_birth", "user.demographic.date_of_birth", "date",
       r"naissance|birth ?date|date of birth|birthday|\bdob\b|anniversaire"),
    _r("iban", "user.financial.bank_account", "iban", r"\biban\b|\brib\b|compte bancaire|bank account|\bbic\b"),
    _r("siret", None, "siret", r"\bsiret\b|\bsiren\b|tva intra|\bvat\b"),
    _r("ip", "user.unique_id", "ip", r"\bip\b|ip address|adresse ip"),
    _r("email", "user.contact.email", "email", r"\bemail|courriel|\bmail\b|e mail", True),
    _r("phone", "user.contact.phone_number", "phone",
       r"telephone|\btel\b|phone|mobile|portable|\bgsm\b|\bfax\b|\bsms\b|whatsapp", True),
    _r("amount", None, "amount",
       r"montant|amount|\bprix\b|price|\btotal\b|quantite|\bqty\b|\bdebit\b|\bcredit\b|\bsolde\b|\bht\b|\bttc\b"),
    _r("salary", "user.x_rgpd.salary", None,
       r"salaire|remuneration|salary|\bbrut\b|net a payer|pretentions|\bpay\b|\bwage"),
    _r("criminal", "user.criminal_history", None, r"casier|\bb3\b|criminal"),
    _r("health", "user.health", None, r"\brqth\b|handicap|\bsante\b|medical|health|mutuelle|arret maladie"),
    _r("nationality", "user.demographic.citizenship_or_immigration_status", None,
       r"nationalite|nationality|citizenship|titre de sejour"),
    _r("id_document", "user.government_id.passport_number", None,
       r"passeport|passport|carte d identite|\bcni\b|piece d identite|identity card"),
    _r("driving_licence", "user.government_id.drivers_license_number", None,
       r"n(umero)? (de )?permis|driv(er|ing) licen[cs]e"),
    _r("gender", "user.demographic.gender", None, r"civilite|\bsexe\b|\bgenre\b|gender|salutation"),
    _r("free_text", FREE_TEXT, "text",
       r"comment|\bnotes?\b|remarques?|observations?|\bmemo\b|description|\bmessage\b|\bbody\b|"
       r"\bcorps\b|\bsubject\b|\bobjet\b|\bsujet\b|\bdetails?\b|compte rendu|appreciation|avis"),
    _r("cover_letter", "user.x_rgpd.cover_letter", None, r"lettre de motivation|cover letter|motivation"),
    _r("cv", "user.x_rgpd.cv", None, r"\bcv\b|curriculum|\bresume\b"),
    _r("photo", "user.content.self_image", None, r"\bphoto|picture|avatar|portrait"),
    _r("social_url", "user.contact.social_url", None, r"linkedin|twitter|facebook|site web|website|\burl\b|profil"),
    _r("job_title", "user.job_title", None,
       r"\bposte\b|fonction|job ?title|\bemploi\b|\bmetier\b|qualification|\bposition\b|organization title|intitule de poste"),
    _r("workplace", "user.workplace", None,
       r"entreprise|societe|raison sociale|company|organi[sz]ation|employeur|employer|\bintitule\b|\bclient name\b"),
    _r("postal_code", "user.contact.address", "postal_code", r"code postal|\bcp\b|postal ?code|\bzip\b|postcode"),
    _r("unique_id", "user.unique_id", None,
       r"matricule|\bid\b|identifiant|\bleid\b|\beuid\b|\bct num\b|\buuid\b|\bguid\b"),
    _r("geolocation", "user.contact.address", None, r"latitude|longitude|\bgeo"),
    _r("address", "user.contact.address", None,
       r"adresse|address|\brue\b|\bstreet\b|\bville\b|\bcity\b|\bcommune\b|\blocalite\b|\bcomplement\b"),
    _r("name", "user.name", "name",
       r"\bnom\b|prenom|first ?name|last ?name|full ?name|\bname\b|\bfn\b|\bsurname\b|given name|family name|"
       r"nom de famille|nom d usage|\bcontact\b|^member$|\bfirstname\b|\blastname\b", True),
]

# Date roles from names (checked on date columns only).
DATE_ROLE_RULES: list[tuple[str, re.Pattern]] = [
    (DATE_ROLES.check(role), re.compile(p))
    for role, p in [
        ("contract_end", r"fin de contrat|date fin|\bfin\b|end date|contract end|date de fin"),
        ("departure", r"date de sortie|\bsortie\b|departure|leaving|depart|termination"),
        ("contract_start", r"date debut|date de debut|date d entree|\bentree\b|start date|hire date|embauche"),
        ("last_purchase", r"dernier achat|derniere commande|last purchase|last order"),
        # a change to the record, or an opt-out, is never a contact from the person (it must not
        # restart a clock counted from the last contact): tried before the contact patterns
        ("opt_out", r"unsub|desinscri|desabonn|opt ?out|opposition"),
        ("record_change",
         r"last changed|modif|updated|mise? a jour|last modified|\brev\b|revision|clean|bounce|rebond|sync|"
         r"derniere relance|dernier envoi|last sent|last email sent|last marketing email|last contacted"),
        ("last_activity",
         r"last activity|dernier contact|derniere activite|last contact|last seen|dernier echange|last click|"
         r"dernier clic|last reply|derniere reponse|dernier rendez|last meeting"),  # an e-mail open is not a contact
        ("creation",
         r"creat|date de candidature|candidature|added|optin|confirm time|inscription|signup|sign up|"
         r"date de saisie|\bajout"),
    ]
]


def match_name(name: str) -> NameRule | None:
    """The first header rule matching a column name, or None."""
    n = normalise(name)
    # "Nom de l'entreprise", "Company Name": the organisation, not the person.
    for rule in RULES:
        if rule.pattern.search(n):
            if rule.rule == "name" and re.search(r"entreprise|societe|company|organi[sz]ation|\bclient\b", n):
                return next(r for r in RULES if r.rule == "workplace")
            return rule
    return None


def date_role(name: str) -> str | None:
    """The retention reference role a date column's name suggests."""
    n = normalise(name)
    if re.search(r"naissance|birth", n):
        return None
    for role, pattern in DATE_ROLE_RULES:
        if pattern.search(n):
            return role
    return None
