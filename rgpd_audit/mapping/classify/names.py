"""Header rules: what a column's name says about its content (French and English).

A name is normalised (accents, case, punctuation, camelCase and ``CT_`` prefixes split), cut
into tokens (letters and digits apart, glued words such as ``CODEPOSTAL`` split into words the
rules know), and matched against ordered rules on whole tokens, never on substrings: "Phonetic
First Name" has no ``phone`` token, "Timezone" no ``name``. A rule gives a category (``None`` =
not personal data), a value ``kind`` the value validators can confirm or contradict, and whether
the column identifies the person. The first rule that matches wins; before the rules on what a
column holds come those on what it is about:

- the label, type, status, flag or setting of something (``E-mail 1 - Label``, ``Lead Status``,
  ``Marketing contact status``, ``Email opt out``, ``CONTACT_TIMEZONE``) is not personal data;
- the identifier or name of a thing (``Campaign ID``, ``Message-ID``, ``Event Name``,
  ``AccountId``) is not an identifier of a person; the name of an organisation (``Account
  name``) is a workplace;
- special categories (``candidate_disability_status``) come before all of these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ...vocab import DATE_ROLES

FREE_TEXT = "user.x_rgpd.free_text_comment"
IP_ADDRESS = "user.device.ip_address"


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
    phrases: tuple[tuple[str, ...], ...]  # token sequences, one of which must appear in the name
    subject_key: bool = False
    unless: frozenset[str] = field(default_factory=frozenset)  # tokens that stop the rule
    exact: bool = False  # the phrases must be the whole name
    weak: bool = False   # a short, ambiguous name (To, CC): values of its kind must confirm it

    def matches(self, toks: list[str]) -> bool:
        if self.unless & set(toks):
            return False
        if self.exact:
            return tuple(toks) in self.phrases
        return any(_has(toks, p) for p in self.phrases)


def _has(toks: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(toks[i:i + n]) == phrase for i in range(len(toks) - n + 1))


def _r(rule, category, kind, phrases: str, subject_key=False, unless="", exact=False, weak=False) -> NameRule:
    """``phrases``: alternatives separated by ``|``, each a sequence of tokens."""
    ps = tuple(tuple(p.split()) for p in phrases.split("|"))
    return NameRule(rule, category, kind, ps, subject_key, frozenset(unless.split()), exact, weak)


NIR = "user.government_id.national_identification_number"

# Order matters: the first rule that matches wins.
RULES: list[NameRule] = [
    # --- what the name says exactly, whatever else it holds
    _r("nir", NIR, "nir",
       "nir|securite sociale|secu|n ss|ss|num ss|numero ss|social security|ssn|insee|"
       "numero d inscription au repertoire", True),
    _r("place_of_birth", "user.x_rgpd.place_of_birth", None,
       "lieu de naissance|ville de naissance|pays de naissance|commune de naissance|departement de naissance|"
       "place of birth|birthplace|birth place|country of birth|city of birth|ne a"),
    _r("date_of_birth", "user.demographic.date_of_birth", "date",
       "naissance|birthdate|birth date|date of birth|birthday|bday|dob|anniversaire|date naissance"),
    # --- special categories, before labels and statuses ("disability status" is health data)
    _r("health", "user.health", None,
       "rqth|handicap|disability|disabilities|sante|medical|health|mutuelle|arret maladie|maladie|pathologie"),
    _r("race_ethnicity", "user.demographic.race_ethnicity", None, "race|ethnicity|ethnic|ethnie|origine ethnique"),
    _r("religion", "user.demographic.religious_belief", None, "religion|religious|confession"),
    _r("union", "user.demographic.union_membership", None, "syndicat|syndical|syndique|union membership|trade union"),
    _r("criminal", "user.criminal_history", None, "casier|b3|criminal"),
    # --- identifiers of messages and threads: not e-mail addresses, not people
    _r("message_id", None, None, "message id|msgid|thread id|thrid|in reply to|references|conversation id"),
    # --- name variants first: "File As" is no file, "Phonetic Last Name" no phone
    _r("name_variant", "user.name", "name", "nickname|file as|yomi|phonetic|n|fn|suffix", True),
    # --- an IP address (before settings: OPTIN_IP is an address, not a flag)
    _r("ip", IP_ADDRESS, "ip", "ip|ip address|adresse ip|ipaddress|ip adresse", unless="city country region ville pays"),
]

# Where a phrase of ``name_variant`` is a single short token it must be the whole name:
# "N" (vCard) and "Suffix" (Outlook) alone, not every name containing them.
_VARIANT_EXACT = {("n",), ("fn",), ("suffix",)}

# Not personal whatever else the name says: the label, type or status of a value, a flag, a
# setting, a count. (Checked after the rules above, before those below.)
ATTRIBUTE_TOKENS = frozenset(
    "label labels type types status statut kind stage source reason rating score flag flags bounced verified "
    "consent optin optout subscribed unsubscribed visibility private deleted archived count size domain "
    "timezone tz gmtoff dstoff lang language langue locale currency devise format preference preferences".split())
ATTRIBUTE_PHRASES = (("opt", "in"), ("opt", "out"), ("time", "zone"), ("accepts", "marketing"), ("can", "email"))
FLAG_PREFIXES = frozenset({"is", "has", "can"})

# What an identifier, a name or a title may be of. Organisations: their name is a workplace,
# their identifier is not a person's. Things: neither.
ORG_NOUNS = frozenset(
    "company companies account accounts vendor vendors organization organisation organizations entreprise societe "
    "employer employeur business client".split())
THING_NOUNS = frozenset(
    "campaign campagne campaigns deal deals job jobs stage message messages thread event events feed building floor "
    "order orders commande invoice invoices facture product products produit list lists template templates folder "
    "file files fichier journal ticket tickets pipeline form forms segment group groups team teams office offices "
    "session transaction payment workflow project projet device item items asset assets document documents dossier "
    "piece ecriture".split())
DESCRIPTOR_TOKENS = frozenset(
    "id ids identifier identifiant key uid uuid guid no num numero number name names nom title titre label "
    "department departments office offices".split())

RULES_AFTER: list[NameRule] = [
    _r("job_title", "user.job_title", None,
       "job title|jobtitle|intitule de poste|organization title|organisation title|employee title|poste|fonction|"
       "emploi|metier|qualification|position|title|titre du poste"),
    _r("gender", "user.demographic.gender", None, "civilite|sexe|sex|genre|gender|salutation|name prefix|prefix"),
    _r("iban", "user.financial.bank_account", "iban",
       "iban|rib|compte bancaire|bank account|bic|swift|code banque|code guichet|cle rib|coordonnees bancaires"),
    _r("siret", None, "siret", "siret|siren|tva intra|vat|numero de tva|ape|naf|code ape|code naf"),
    _r("email", "user.contact.email", "email",
       "email|emails|courriel|mail|mel|email address|email addresses|sender|recipient|recipients|destinataire|"
       "destinataires|expediteur|reply to|return path|participants", True),
    _r("email_short", "user.contact.email", "email", "to|from|cc|bcc|cci", True, exact=True, weak=True),
    _r("phone", "user.contact.phone_number", "phone",
       "telephone|telephones|tel|phone|phones|mobile|portable|gsm|fax|telecopie|sms|whatsapp|landline|cell|"
       "cellphone|callback|tel portable", True),
    _r("amount", None, "amount",
       "montant|amount|prix|price|total|quantite|qty|debit|credit|solde|ht|ttc|revenue|spent|chiffre d affaires"),
    _r("salary", "user.x_rgpd.salary", None,
       "salaire|remuneration|salary|brut|net a payer|pretentions|pay|wage|wages"),
    _r("nationality", "user.demographic.citizenship_or_immigration_status", None,
       "nationalite|nationality|citizenship|titre de sejour"),
    _r("id_document", "user.government_id.passport_number", None,
       "passeport|passport|carte d identite|cni|piece d identite|identity card"),
    _r("driving_licence", "user.government_id.drivers_license_number", None,
       "numero de permis|n permis|num permis|driving licence|driving license|driver licence|driver license|"
       "drivers license"),
    _r("free_text", FREE_TEXT, "text",
       "comment|comments|commentaire|commentaires|note|notes|remarque|remarques|observation|observations|memo|"
       "description|message|body|corps|subject|objet|sujet|detail|details|compte rendu|appreciation|avis"),
    _r("cover_letter", "user.x_rgpd.cover_letter", None, "lettre de motivation|cover letter|motivation"),
    _r("cv", "user.x_rgpd.cv", None, "cv|curriculum|resume"),
    _r("photo", "user.content.self_image", None, "photo|photos|picture|avatar|portrait|photo url"),
    _r("social_url", "user.contact.social_url", None,
       "linkedin|twitter|facebook|instagram|site web|website|websites|url|profil|profile|social media"),
    _r("workplace", "user.workplace", None,
       "entreprise|societe|raison sociale|company|organization|organisation|org|employeur|employer|intitule|"
       "client name|department|departments|service", unless="path unit"),
    _r("postal_code", "user.contact.address", "postal_code", "code postal|codepostal|cp|postal code|postcode|zip|zipcode"),
    _r("unique_id", "user.unique_id", None,
       "matricule|id|ids|identifiant|identifier|leid|euid|uuid|guid|uid|ct num|staff number|employee number|"
       "numero de salarie|record id"),
    _r("geolocation", "user.contact.address", None, "latitude|longitude|geo|lat|lng|coordinates"),
    _r("address", "user.contact.address", None,
       "adresse|address|addresses|rue|street|ville|city|commune|localite|complement|region|province|country|pays|"
       "po box|boite postale|cedex|code region|code pays|adr"),
    _r("date", None, "date", "date|time|timestamp|datetime|created|updated|modified|horodatage"),
    _r("name", "user.name", "name",
       "nom|prenom|prenoms|name|names|firstname|lastname|surname|given name|family name|nom de famille|nom d usage|"
       "contact|member|owner|recruiter|coordinator|manager|managers|assistant|reports to|interlocuteur", True),
]

# DSN rubrics a loader kept under their code (rgpd_audit/ingest/loaders/dsn.py), by the labels
# of the DSN cahier technique (individual block S21.G00.30).
DSN_RUBRICS = {
    "001": "nir", "002": "name", "003": "name", "004": "name", "005": "gender", "006": "date_of_birth",
    "007": "place_of_birth", "008": "address", "009": "postal_code", "010": "address", "011": "address",
    "014": "place_of_birth", "015": "place_of_birth", "016": "address", "017": "address", "018": "email",
    "019": "unique_id", "020": "unique_id",
}
_DSN = re.compile(r"^S21\.G00\.30\.(\d{3})$")

LABEL = NameRule("label", None, None, (), False)
THING = NameRule("thing", None, None, (), False)


def _vocabulary() -> frozenset[str]:
    words = {t for r in RULES + RULES_AFTER for p in r.phrases for t in p}
    words |= ATTRIBUTE_TOKENS | ORG_NOUNS | THING_NOUNS | DESCRIPTOR_TOKENS | {"code", "date", "nom", "num", "numero"}
    return frozenset(w for w in words if len(w) >= 3)


VOCABULARY = _vocabulary()


def _split_glued(tok: str) -> list[str]:
    """``codepostal`` -> ``code postal``, ``numerocompte`` -> ``numero compte``: two known words."""
    if len(tok) < 6 or tok in VOCABULARY or not tok.isalpha():
        return [tok]
    for i in range(3, len(tok) - 2):
        if tok[:i] in VOCABULARY and tok[i:] in VOCABULARY:
            return [tok[:i], tok[i:]]
    return [tok]


def tokens(name: str) -> list[str]:
    """The words of a column name: ``"T_ADRESSE2"`` -> ``["t", "adresse", "2"]``."""
    s = re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", normalise(name))
    return [w for t in s.split() for w in _split_glued(t)]


def _by_id(rule_id: str) -> NameRule:
    return next(r for r in RULES + RULES_AFTER if r.rule == rule_id)


def _thing_or_org(toks: list[str]) -> NameRule | None:
    """The identifier, name or title of an organisation or a thing."""
    if not DESCRIPTOR_TOKENS & set(toks):
        return None
    if THING_NOUNS & set(toks):
        return THING
    if ORG_NOUNS & set(toks):  # "Account name", "Organization Department": the organisation; "AccountId": not a person
        ids = {"id", "ids", "identifier", "identifiant", "key", "uid", "uuid", "guid", "no", "num", "numero", "number"}
        return THING if ids & set(toks) else _by_id("workplace")
    return None


def _attribute(toks: list[str]) -> bool:
    """The label, type or status of a value, a flag (``IsDeleted``), a setting, a count."""
    return (bool(ATTRIBUTE_TOKENS & set(toks)) or (len(toks) > 1 and toks[0] in FLAG_PREFIXES)
            or any(_has(toks, p) for p in ATTRIBUTE_PHRASES))


def match_name(name: str) -> NameRule | None:
    """The first header rule matching a column name, or None."""
    m = _DSN.match(name.strip())
    if m:
        rid = DSN_RUBRICS.get(m.group(1))
        return _by_id(rid) if rid else None
    toks = tokens(name)
    if not toks:
        return None
    for rule in RULES:
        if rule.rule == "name_variant":
            if any(_has(toks, p) for p in rule.phrases if p not in _VARIANT_EXACT) or tuple(toks) in _VARIANT_EXACT:
                return rule
            continue
        if rule.matches(toks):
            return rule
    if _attribute(toks):
        return LABEL
    if _has(toks, ("job", "title")) or _has(toks, ("organization", "title")):
        return _by_id("job_title")
    found = _thing_or_org(toks)
    if found is not None:
        return found
    for rule in RULES_AFTER:
        if rule.matches(toks):
            return rule
    return None


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


def date_role(name: str) -> str | None:
    """The retention reference role a date column's name suggests."""
    n = normalise(name)
    if re.search(r"naissance|birth", n):
        return None
    for role, pattern in DATE_ROLE_RULES:
        if pattern.search(n):
            return role
    return None
