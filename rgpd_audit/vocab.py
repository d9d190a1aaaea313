"""The closed lists of the project, each declared once with its French and English labels.

Every stage imports its closed lists from here: the policy and manifest models build their
``Literal`` types from them, the checks and the report take their labels from them. Adding
a value is one entry here (plus, for a retention event, its SQL in ``checks.retention``,
which fails at import when an event has none). An unknown value is an error
(:class:`UnknownTerm`, naming the list and suggesting the closest value), never a silent
fallback.

Dated legal facts (EEA membership, adequacy decisions, transfer mechanisms' validity) are not
vocabulary: they live in ``rgpd_audit/data/legal.yaml`` (:mod:`rgpd_audit.legal`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from pydantic import Field

from .errors import RgpdAuditError
from .resources import data_text
from .spec import StrictModel, load_yaml, validate

Lang = Literal["fr", "en"]
LANGS: tuple[str, ...] = ("fr", "en")


class UnknownTerm(RgpdAuditError, KeyError):
    """A value that is not in its closed list."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class Term:
    id: str
    fr: str
    en: str

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


class Vocabulary(Mapping[str, Term]):
    """A closed list of ids, each with a French and an English label, in a fixed order."""

    def __init__(self, name: str, terms: dict[str, tuple[str, str]]):
        self.name = name
        self._terms = {k: Term(k, fr, en) for k, (fr, en) in terms.items()}
        self.ids: tuple[str, ...] = tuple(self._terms)

    def __getitem__(self, key: str) -> Term:
        try:
            return self._terms[key]
        except KeyError:
            raise UnknownTerm(self.unknown_message(key)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {list(self.ids)!r})"

    def unknown_message(self, key: Any) -> str:
        close = difflib.get_close_matches(str(key), list(self.ids), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown {self.name} {key!r}{hint} (known: {', '.join(self.ids)})"

    def check(self, key: str) -> str:
        """``key`` if it is in the list, else :class:`UnknownTerm`."""
        self[key]
        return key

    def label(self, key: str, lang: str = "fr") -> str:
        return self[key].label(lang)

    def literal(self) -> Any:
        """The ``Literal[...]`` type of the list, for pydantic models."""
        return Literal[self.ids]  # type: ignore[valid-type]


# --- retention ---------------------------------------------------------------------------

# What a retention period is counted from; the labels read after "N ans après" / "N years after".
EVENTS = Vocabulary("retention event", {
    "last_activity": ("la dernière activité", "last activity"),
    "contract_end": ("la fin de la relation contractuelle", "contract end"),
    "last_purchase": ("le dernier achat", "last purchase"),
    "creation": ("la création", "creation"),
    "fiscal_year_close": ("la clôture de l’exercice", "fiscal year close"),
})

# What a date column of an export says: a retention event, or another date the checks use.
# ``last_activity`` is the last contact *from the person* (opt-in, confirmation, click, reply,
# purchase, application, a meeting attended): it restarts a clock counted from the last
# contact. ``record_change`` (modification, sync, bounce, an outbound message) and ``opt_out``
# (unsubscription, objection) never do (CNIL délibération 2021-131; KASPR, SAN-2024-020).
DATE_ROLES = Vocabulary("date role", {
    "last_activity": ("dernier contact de la personne", "last contact from the person"),
    "creation": ("création", "creation"),
    "contract_end": ("fin de contrat", "contract end"),
    "contract_start": ("début de contrat", "contract start"),
    "last_purchase": ("dernier achat", "last purchase"),
    "fiscal_year_close": ("clôture de l'exercice", "fiscal year close"),
    "departure": ("départ", "departure"),
    "record_change": ("modification de la fiche (sans contact de la personne)", "change to the record (no contact from the person)"),
    "opt_out": ("désinscription ou opposition", "unsubscription or objection"),
})

# How a finding names the analyst's mapping decision it rests on (rgpd_audit/checks/decisions.py):
# the kinds of decision a column's mapping records, and the words around them.
DECISION_WORDS = Vocabulary("mapping decision", {
    "category": ("catégorie", "category"),
    "activity": ("activité", "activity"),
    "subject_key": ("identifie la personne", "identifies the person"),
    "date_role": ("rôle de date", "date role"),
    "personal": ("donnée personnelle", "personal data"),
    "not_personal": ("non personnelle", "not personal"),
    "yes": ("oui", "yes"),
    "no": ("non", "no"),
    "decided_on": ("décidée le", "decided on"),
    "note": ("Décision du mapping", "Mapping decision"),
    "unreviewed": ("Catégorie suggérée, non revue (à confirmer dans mapping.yaml).",
                   "Category suggested, not reviewed (confirm it in mapping.yaml)."),
})

# Which date a record's retention clock was actually taken from (or why there is none).
RETENTION_BASES = Vocabulary("retention basis", {
    "last_activity": ("dernière activité", "last activity"),
    "named_contact": ("dernier contact, dans un autre système, avec une personne que le document nomme",
                      "latest contact, in another system, with a person the document names"),
    "named_contact_email": ("dernier contact, dans un autre système, avec une personne dont le document contient l'adresse e-mail",
                            "latest contact, in another system, with a person whose e-mail address the document holds"),
    "named_contact_phone": ("dernier contact, dans un autre système, avec une personne dont le document contient le numéro de téléphone",
                            "latest contact, in another system, with a person whose phone number the document holds"),
    "named_contact_name": ("dernier contact, dans un autre système, avec une personne dont le document contient le nom complet (prénom et nom)",
                           "latest contact, in another system, with a person whose full name (first and last name) the document holds"),
    "file_modified": ("dernière modification du document (aucune personne qu'il nomme n'est connue ailleurs)",
                      "last modification of the document (no person it names is known elsewhere)"),
    "creation": ("date de création, faute de date d'activité", "creation date, no activity date"),
    "contract_end": ("fin du contrat client", "end of the client contract"),
    "last_purchase": ("dernier achat", "last purchase"),
    "fiscal_year_close": ("clôture de l'exercice", "financial year closing"),
    "no_contract": ("client absent du fichier des contrats", "client missing from the contracts file"),
    "after_as_of": ("seules des dates postérieures à la date de l'audit (l'export ne dit pas ce qui valait à cette date)",
                    "only dates later than the audit date (the export does not tell what held then)"),
    "change_only": ("seulement une date de modification de la fiche, qui ne fait pas courir le délai",
                    "only a date the record changed, which does not start the clock"),
    "none": ("aucune date utilisable", "no usable date"),
    "contract_duration_unreadable": ("durée fixée par le contrat illisible", "duration set by the contract unreadable"),
    "status": ("statut de la fiche", "status of the record"),
})

# What a value of a record's status column means (the manifest's ``options.status`` maps each
# value of the export to one of these); a retention rule may apply to some of them only.
RECORD_STATUSES = Vocabulary("record status", {
    "in_progress": ("en cours", "in progress"),
    "talent_pool": ("vivier", "talent pool"),
    "rejected": ("non retenu", "not selected"),
    "withdrawn": ("désisté", "withdrawn"),
    "closed": ("clos", "closed"),
    "hired": ("embauché (salarié ou intérimaire)", "hired (employee or temporary worker)"),
})
# A record in one of these states has left the activity it was collected for (a hired candidate's
# file becomes a personnel file): no rule of that activity governs it any more.
LEAVING_STATUSES: frozenset[str] = frozenset({"hired"})

# The unit of a duration a contract sets (a column of the contracts file).
DURATION_UNITS = Vocabulary("duration unit", {
    "months": ("mois", "months"),
    "years": ("ans", "years"),
})

RECORD_KINDS = Vocabulary("record kind", {
    "contact": ("contacts", "contacts"),
    "potential_supplier": ("fournisseurs potentiels", "potential suppliers"),
    "active_supplier": ("fournisseurs actifs", "active suppliers"),
    "accounting_document": ("pièces comptables", "accounting documents"),
    "dataset": ("jeux de données", "datasets"),
})

for _v in (DATE_ROLES, RETENTION_BASES):  # an event is a date role and a basis, with labels of their own
    if _missing := set(EVENTS) - set(_v):  # pragma: no cover - a vocabulary change that forgot one
        raise RuntimeError(f"retention events missing from {_v.name}: {sorted(_missing)}")


# --- the policy ----------------------------------------------------------------------------

ROLES = Vocabulary("role", {
    "direction": ("Direction", "management"),
    "sales": ("commercial et relation client", "sales and client relations"),
    "recruitment": ("recrutement", "recruitment"),
    "secretariat": ("secrétariat", "secretariat"),
    "accounting": ("comptabilité", "accounting"),
    "purchasing": ("achats", "purchasing"),
    "operations": ("opérations", "operations"),
    "external_staff": ("personnel externalisé", "external staff"),
})

LEGAL_BASES = Vocabulary("legal basis", {
    "consent": ("consentement", "consent"),
    "contract": ("exécution d’un contrat", "contract"),
    "legal_obligation": ("obligation légale", "legal obligation"),
    "vital_interest": ("intérêts vitaux", "vital interests"),
    "public_task": ("mission d’intérêt public", "public task"),
    "legitimate_interest": ("intérêt légitime", "legitimate interest"),
})

HOLDER_PARTIES = Vocabulary("legal-basis holder", {
    "organisation": ("l'organisation", "the organisation"),
    "data_subject": ("la personne concernée", "the data subject"),
    "client": ("le client", "the client"),
    "third_party": ("un tiers", "a third party"),
})

CONTROLLER_ROLES = Vocabulary("controller role", {
    "controller": ("responsable du traitement", "controller"),
    "processor": ("sous-traitant", "processor"),
    "controller_on_behalf_of_client": (
        "responsable du traitement missionné par le client (tel qu’écrit)",
        "controller on behalf of the client (as written)",
    ),
})

RECIPIENT_KINDS = Vocabulary("recipient kind", {
    "internal": ("service interne", "internal department"),
    "processor": ("sous-traitant", "processor"),
    "third_party": ("tiers", "third party"),
    "public_authority": ("autorité publique", "public authority"),
})

HOSTING_KINDS = Vocabulary("hosting kind", {
    "on_premises": ("dans les locaux", "on premises"),
    "datacenter": ("datacenter", "datacentre"),
    "cloud_service": ("service cloud", "cloud service"),
})

TRANSFER_MECHANISMS = Vocabulary("transfer mechanism", {
    "none": ("aucun", "none"),
    "privacy_shield": ("Privacy Shield", "Privacy Shield"),
    "dpf": ("EU-US Data Privacy Framework", "EU-US Data Privacy Framework"),
    "scc": ("clauses contractuelles types", "standard contractual clauses"),
    "adequacy": ("décision d’adéquation", "adequacy decision"),
    "bcr": ("règles d’entreprise contraignantes", "binding corporate rules"),
})

RIGHTS = Vocabulary("right", {
    "access": ("accès", "access"),
    "rectification": ("rectification", "rectification"),
    "restriction": ("limitation", "restriction"),
    "portability": ("portabilité", "portability"),
    "erasure": ("effacement", "erasure"),
    "objection": ("opposition", "objection"),
    "withdraw_consent": ("retrait du consentement", "withdrawal of consent"),
    "complaint": ("réclamation auprès de l’autorité de contrôle", "complaint to the supervisory authority"),
})

DURATION_SOURCES = Vocabulary("duration source", {
    "fixed": ("durée fixe", "fixed period"),
    "contract": ("durée fixée par le contrat client", "period set by the client contract"),
})

# What the organisation does, when it matters for what its policy must cover (policy lint).
SECTORS = Vocabulary("sector", {
    "temporary_work_agency": ("entreprise de travail temporaire", "temporary-work agency"),
    "other": ("autre activité", "other business"),
})

# --- the manifest ---------------------------------------------------------------------------

SOURCE_USES = Vocabulary("source use", {
    "records": ("données des activités", "activity records"),
    "contracts": ("fichier des contrats clients", "client contracts file"),
    "staff": ("liste du personnel", "staff list"),
    "access": ("journal ou liste d'accès", "access report"),
})

# What a loader's tables are, for later stages to select sources by (never by format name).
CAPABILITIES = Vocabulary("table capability", {
    "member_list": ("liste des comptes d'un service", "account list of a service"),
    "access_log": ("journal d'accès aux documents", "document access log"),
    "document_log": ("journal d'un espace de fichiers", "file store activity log"),
    "share_log": ("journal des partages de fichiers", "file sharing report"),
    "mail": ("messagerie", "mailbox"),
    "mail_recipients": ("destinataires des messages", "message recipients"),
    "mail_attachments": ("pièces jointes des messages", "message attachments"),
    "purchase_ledger": ("écritures d'achats", "purchase ledger"),
    "ledger": ("écritures comptables par compte de tiers", "accounting entries per third-party account"),
    "third_party_master": ("fichier des tiers (comptabilité)", "third-party master file (accounting)"),
    "mailing_list": ("liste de diffusion (abonnés, désinscrits)", "mailing list (subscribers, unsubscribed)"),
    "payroll": ("déclarations de paie", "payroll declarations"),
    "file_store": ("dossier de fichiers (un enregistrement par fichier)", "folder of files (one record per file)"),
    "content_parts": ("parties lues (corps, pièces jointes, fichiers)", "parts read (bodies, attachments, files)"),
    "content_hits": ("données trouvées dans les contenus", "personal data found inside contents"),
    "content_links": ("personnes nommées dans les contenus (pseudonymes de l'e-mail, du téléphone, du nom)",
                      "people named inside contents (pseudonyms of e-mail, phone, name)"),
    "content_texts": ("textes lus, conservés à la demande (--keep-text)", "texts read, kept on request (--keep-text)"),
})

# Why a row of an export could not be loaded (``load_rejects.reason_code``); the row's own
# detail (the field, the value's shape, the parser's words) is kept in ``reason``.
REJECT_REASONS = Vocabulary("reject reason", {
    "too_few_fields": ("nombre de champs insuffisant", "wrong number of fields (too few)"),
    "too_many_fields": ("nombre de champs excessif", "wrong number of fields (too many)"),
    "bad_quotes": ("guillemets mal fermés", "badly quoted field"),
    "line_too_long": ("ligne trop longue", "line too long"),
    "undecodable": ("octets illisibles dans l'encodage du fichier", "bytes not readable in the file's encoding"),
    "bad_date": ("date illisible", "unreadable date"),
    "bad_amount": ("montant illisible", "unreadable amount"),
    "format_rule": ("ligne contraire aux règles du format", "row breaking the format's rules"),
    "not_a_record": ("ligne qui n'est pas un enregistrement", "line that is not a record"),
    "unreadable_record": ("enregistrement illisible", "unreadable record"),
    "unreadable_header": ("en-tête de message illisible", "unreadable message header"),
    "formula_without_value": ("formule sans valeur calculée", "formula without a computed value"),
    "other": ("autre erreur de lecture", "other reading error"),
})

# --- data-subject requests ---------------------------------------------------------------------

# Why the law keeps data an erasure request would otherwise remove (GDPR Art. 17(3)); each hold
# of ``rgpd_audit/data/holds.yaml`` is of one kind, with its own period and source.
HOLD_KINDS = Vocabulary("hold kind", {
    "accounting": ("obligation comptable", "accounting duty"),
    "payroll": ("paie et registre du personnel", "payroll and staff register"),
    "employment_claims": ("prescription des actions du salarié", "limitation of employment claims"),
    "legal_claim": ("contentieux en cours", "legal claim in progress"),
})

# What the erasure plan says to do with one field of one record.
ERASURE_ACTIONS = Vocabulary("erasure action", {
    "erase": ("à effacer", "to erase"),
    "pseudonymise": ("à pseudonymiser", "to pseudonymise"),
    "keep": ("à conserver", "to keep"),
    "client": ("à transmettre au client", "to forward to the client"),
    "review": ("à vérifier", "to check"),
})

# --- findings ---------------------------------------------------------------------------------

SEVERITIES = Vocabulary("severity", {
    "error": ("anomalie grave", "serious finding"),
    "warning": ("point d'attention", "warning"),
    "info": ("information", "information"),
})

THEMES = Vocabulary("theme", {
    "load": ("Chargement des exports", "Loading the exports"),
    "retention": ("Durées de conservation", "Retention periods"),
    "transfers": ("Transferts hors Union européenne", "Transfers outside the European Union"),
    "access": ("Accès et partages", "Access and sharing"),
    "special_categories": ("Données sensibles", "Special categories of data"),
    "policy": ("Politique de confidentialité", "Privacy policy"),
    "requests": ("Demandes des personnes", "Data-subject requests"),
    "other": ("Autres contrôles", "Other checks"),
})


# --- data categories (a catalogue file: fideslang names plus this project's extensions) --------


class Category(StrictModel):
    """One entry of the category catalogue."""

    name: str
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)
    special: bool = False
    replaced_by: str | None = None

    @property
    def fideslang(self) -> bool:
        """True for fideslang names, False for this project's ``user.x_rgpd.`` extensions."""
        return not self.name.startswith("user.x_rgpd.")

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr


class _CatalogueEntry(StrictModel):
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)
    special: bool = False
    replaced_by: str | None = None


class _CatalogueFile(StrictModel):
    version: Literal[1]
    categories: dict[str, _CatalogueEntry]


CATALOGUE = "categories.yaml"


@lru_cache(maxsize=1)
def categories() -> Mapping[str, Category]:
    """The catalogue of data categories (``rgpd_audit/data/categories.yaml``), keyed by name."""
    raw = validate(load_yaml(data_text(CATALOGUE)), _CatalogueFile, f"rgpd_audit/data/{CATALOGUE}")
    return MappingProxyType({name: Category(name=name, **entry.model_dump()) for name, entry in raw.categories.items()})


def category_label(name: str, lang: str = "fr") -> str:
    """The label of a data category. A name outside the catalogue (a classifier's suggestion
    from an older catalogue, say) is shown as it is rather than failing a report."""
    c = categories().get(name)
    return c.label(lang) if c else name


def is_special(name: str) -> bool:
    """Is the category special (GDPR Art. 9 and 10)?"""
    c = categories().get(name)
    return bool(c and c.special)


# --- countries -------------------------------------------------------------------------------

COUNTRIES = Vocabulary("country", {
    "AT": ("Autriche", "Austria"), "BE": ("Belgique", "Belgium"), "BG": ("Bulgarie", "Bulgaria"),
    "CY": ("Chypre", "Cyprus"), "CZ": ("Tchéquie", "Czechia"), "DE": ("Allemagne", "Germany"),
    "DK": ("Danemark", "Denmark"), "EE": ("Estonie", "Estonia"), "ES": ("Espagne", "Spain"),
    "FI": ("Finlande", "Finland"), "FR": ("France", "France"), "GR": ("Grèce", "Greece"),
    "HR": ("Croatie", "Croatia"), "HU": ("Hongrie", "Hungary"), "IE": ("Irlande", "Ireland"),
    "IT": ("Italie", "Italy"), "LT": ("Lituanie", "Lithuania"), "LU": ("Luxembourg", "Luxembourg"),
    "LV": ("Lettonie", "Latvia"), "MT": ("Malte", "Malta"), "NL": ("Pays-Bas", "Netherlands"),
    "PL": ("Pologne", "Poland"), "PT": ("Portugal", "Portugal"), "RO": ("Roumanie", "Romania"),
    "SE": ("Suède", "Sweden"), "SI": ("Slovénie", "Slovenia"), "SK": ("Slovaquie", "Slovakia"),
    "IS": ("Islande", "Iceland"), "LI": ("Liechtenstein", "Liechtenstein"), "NO": ("Norvège", "Norway"),
    "US": ("États-Unis", "United States"), "GB": ("Royaume-Uni", "United Kingdom"),
    "CH": ("Suisse", "Switzerland"), "CA": ("Canada", "Canada"), "JP": ("Japon", "Japan"),
    "IN": ("Inde", "India"), "CN": ("Chine", "China"), "IL": ("Israël", "Israel"),
    "AU": ("Australie", "Australia"), "SG": ("Singapour", "Singapore"), "BR": ("Brésil", "Brazil"),
    "KR": ("Corée du Sud", "South Korea"), "MA": ("Maroc", "Morocco"), "TN": ("Tunisie", "Tunisia"),
})
UNKNOWN_COUNTRY = ("Pays inconnu", "Unknown country")


def country_name(code: str | None, lang: str = "fr") -> str:
    """``FR`` -> ``France``; ``US`` -> ``États-Unis`` / ``United States``; a code without a name
    here is shown as it is (ISO codes are valid even when this list does not name them)."""
    if not code:
        return UNKNOWN_COUNTRY[1 if lang == "en" else 0]
    code = code.upper()
    return COUNTRIES.label(code, lang) if code in COUNTRIES else code
