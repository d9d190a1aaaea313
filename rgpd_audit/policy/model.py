"""The privacy policy as typed data: pydantic models, closed vocabularies, the loader.

A policy is a YAML file a DPO can read (see ``docs/policy.md``). Every element taken from
the policy text carries a :class:`Clause` quoting the sentence it rests on, so a finding
can show where a promise comes from. Nothing here is specific to one company.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .. import vocab as V
from ..dates import Period, add_period
from ..errors import RgpdAuditError
from ..resources import bundled_policy
from ..spec import StrictModel, load_spec
from ..vocab import categories

# --- closed vocabularies (declared once, with their labels, in rgpd_audit.vocab) ----------

Role = V.ROLES.literal()
Event = V.EVENTS.literal()
RecordKind = V.RECORD_KINDS.literal()
RecordStatus = V.RECORD_STATUSES.literal()
LegalBasisKind = V.LEGAL_BASES.literal()
HolderParty = V.HOLDER_PARTIES.literal()
ControllerRole = V.CONTROLLER_ROLES.literal()
RecipientKind = V.RECIPIENT_KINDS.literal()
HostingKind = V.HOSTING_KINDS.literal()
TransferMechanism = V.TRANSFER_MECHANISMS.literal()
Right = V.RIGHTS.literal()
DurationSource = V.DURATION_SOURCES.literal()
Severity = V.SEVERITIES.literal()
Sector = V.SECTORS.literal()
Lang = V.Lang

ROLES: tuple[str, ...] = V.ROLES.ids
EVENTS: tuple[str, ...] = V.EVENTS.ids
RECORD_KINDS: tuple[str, ...] = V.RECORD_KINDS.ids
LEGAL_BASES: tuple[str, ...] = V.LEGAL_BASES.ids
RIGHTS: tuple[str, ...] = V.RIGHTS.ids


class UnknownPolicyItem(RgpdAuditError, KeyError):
    """A lookup by id (activity, hosting entry) found nothing."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


# --- constrained strings ---------------------------------------------------------------


def _pattern(regex: str, code: str, message: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(code, message, {"value": value})
        return value

    return AfterValidator(check)


Identifier = Annotated[
    str, _pattern(r"[a-z][a-z0-9_]*", "identifier", "'{value}' is not a snake_case id (a-z, 0-9, _)")
]
Section = Annotated[str, _pattern(r"§\d+(\.\d+)*", "section", "'{value}' is not a section like §5")]
CountryCode = Annotated[
    str, _pattern(r"[A-Z]{2}", "country", "'{value}' is not an ISO 3166 alpha-2 country code like FR")
]
Email = Annotated[str, _pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "email", "'{value}' is not an e-mail address")]
Text = Annotated[str, Field(min_length=1)]


def _known_category(name: str) -> str:
    known = categories()
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise PydanticCustomError(
            "category", "unknown data category '{name}'{hint}", {"name": name, "hint": hint}
        )
    return name


CategoryName = Annotated[str, AfterValidator(_known_category)]


def _unique(items: list[Any], key: str, what: str, field: str) -> None:
    """Raise one error naming every duplicated id and the positions holding it."""
    seen: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        seen.setdefault(getattr(item, key), []).append(i)
    dups = [
        f"'{k}' at " + " and ".join(f"{field}[{i}].{key}" for i in idx) for k, idx in seen.items() if len(idx) > 1
    ]
    if dups:
        raise PydanticCustomError("duplicate", "duplicate {what} id {dups}", {"what": what, "dups": "; ".join(dups)})


# --- building blocks -------------------------------------------------------------------


class Clause(StrictModel):
    """Where an element comes from: the section and the sentence copied from the policy."""

    section: Section
    quote: Text


class Label(StrictModel):
    """A short text in French, with an optional English translation."""

    fr: Text
    en: Text | None = None

    def get(self, lang: Lang = "fr") -> str:
        return self.en if lang == "en" and self.en else self.fr


class Title(Label):
    """A text required in both languages."""

    en: Text


_DURATION_RE = re.compile(r"\s*(?:(\d+)\s*y)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*d)?\s*")


class Duration(StrictModel):
    """A period of years, months and days; YAML may write ``3y``, ``6m``, ``90d``, ``1y6m``."""

    years: int = Field(0, ge=0)
    months: int = Field(0, ge=0)
    days: int = Field(0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = _DURATION_RE.fullmatch(value)
            if not m or not any(m.groups()):
                raise PydanticCustomError(
                    "duration", "'{value}' is not a duration; write 3y, 6m, 90d or years: 3", {"value": value}
                )
            y, mo, d = (int(g) if g else 0 for g in m.groups())
            return {"years": y, "months": mo, "days": d}
        if isinstance(value, dict) and not value.keys() & {"years", "months", "days"}:
            raise PydanticCustomError("duration", "give at least one of years, months, days")
        return value

    def __str__(self) -> str:
        out = "".join(f"{n}{u}" for n, u in ((self.years, "y"), (self.months, "m"), (self.days, "d")) if n)
        return out or "0d"

    @property
    def period(self) -> Period:
        return Period(self.years, self.months, self.days)

    def add_to(self, start: dt.date) -> dt.date:
        """The date ``start`` plus this period (31 Jan + 1 month = 28/29 Feb): the one date rule
        of :mod:`rgpd_audit.dates`."""
        return add_period(start, self.period)


# --- activities ------------------------------------------------------------------------


class LegalBase(StrictModel):
    """A legal basis (Art. 6) as the policy states it; ``holder`` keeps the text's wording."""

    basis: LegalBasisKind
    holder: Text | None = None
    holder_party: HolderParty | None = None
    clause: Clause


class Recipient(StrictModel):
    name: Label
    kind: RecipientKind
    clause: Clause


class EnrichmentSource(StrictModel):
    name: Label
    clause: Clause


class RetentionRule(StrictModel):
    """How long one kind of record of an activity is kept, counted from which event."""

    id: Identifier
    applies_to: RecordKind
    counted_from: Event
    duration_source: DurationSource = "fixed"
    duration: Duration | None = Field(None, validate_default=True)
    default: Duration | None = Field(None, validate_default=True)
    # the record statuses the rule is for (``[talent_pool]``), read from the column the
    # manifest's ``options.status`` names; none: every status that stays in the activity
    statuses: list[RecordStatus] | None = Field(None, min_length=1)
    clause: Clause

    @field_validator("duration")
    @classmethod
    def _duration_fits_source(cls, value: Duration | None, info: ValidationInfo) -> Duration | None:
        source = info.data.get("duration_source")
        if source == "fixed" and value is None:
            raise PydanticCustomError("retention", "required when duration_source is 'fixed'")
        if source == "contract" and value is not None:
            raise PydanticCustomError(
                "retention", "must be empty when duration_source is 'contract'; put the fallback in default"
            )
        return value

    @field_validator("default")
    @classmethod
    def _default_fits_source(cls, value: Duration | None, info: ValidationInfo) -> Duration | None:
        source = info.data.get("duration_source")
        if source == "contract" and value is None:
            raise PydanticCustomError("retention", "required when duration_source is 'contract'")
        if source == "fixed" and value is not None:
            raise PydanticCustomError("retention", "only allowed when duration_source is 'contract'")
        return value

    @property
    def effective_duration(self) -> Duration:
        """The fixed duration, or the default applied when no contract sets one."""
        result = self.duration or self.default
        assert result is not None  # guaranteed by validation
        return result


class Activity(StrictModel):
    """One processing activity: one numbered section of the policy."""

    id: Identifier
    section: Section
    title: Title
    clause: Clause
    controller_role: ControllerRole
    purposes: list[Label] = Field(min_length=1)
    purposes_clause: Clause
    data_subjects: list[Label] = Field(min_length=1)
    data_subjects_clause: Clause | None = None
    data_categories: list[CategoryName] = Field(min_length=1)
    categories_clause: Clause
    legal_bases: list[LegalBase] = Field(min_length=1)
    access_roles: list[Role] = Field(min_length=1)
    access_clause: Clause
    recipients: list[Recipient] = []
    enrichment_sources: list[EnrichmentSource] = []
    retention: list[RetentionRule] = []

    @field_validator("retention")
    @classmethod
    def _unique_rule_ids(cls, rules: list[RetentionRule]) -> list[RetentionRule]:
        _unique(rules, "id", "retention rule", "retention")
        return rules

    def rule(self, rule_id: str) -> RetentionRule:
        for r in self.retention:
            if r.id == rule_id:
                return r
        raise UnknownPolicyItem(f"activity {self.id!r} has no retention rule {rule_id!r}")


# --- hosting, rights, organisation -----------------------------------------------------


class Hosting(StrictModel):
    """Where data is hosted (premises, datacentre, cloud tool) and the transfer basis claimed."""

    id: Identifier
    name: Label
    provider: Text
    country: CountryCode
    kind: HostingKind
    claimed_transfer_mechanism: TransferMechanism
    clause: Clause
    # the activities whose data the text says goes there (empty: the text does not say)
    activities: list[Identifier] = []


class Contact(StrictModel):
    email: Email | None = None
    postal_address: Text | None = None
    clause: Clause | None = None

    @model_validator(mode="after")
    def _something(self) -> Contact:
        if self.email is None and self.postal_address is None:
            raise PydanticCustomError("contact", "give an email or a postal_address")
        return self


class GrantedRight(StrictModel):
    right: Right
    clause: Clause


class SupervisoryAuthority(StrictModel):
    name: Text
    website: Text
    clause: Clause


class Rights(StrictModel):
    """The data-subject rights section: rights granted, where to exercise them, recipients."""

    granted: list[GrantedRight] = Field(min_length=1)
    contact: Contact
    supervisory_authority: SupervisoryAuthority
    dpo: Contact | None = None
    recipients: list[Recipient] = []

    @field_validator("granted")
    @classmethod
    def _unique_rights(cls, granted: list[GrantedRight]) -> list[GrantedRight]:
        _unique(granted, "right", "right", "granted")
        return granted

    def has(self, right: Right) -> bool:
        return any(g.right == right for g in self.granted)


class Organisation(StrictModel):
    name: Text
    legal_form: Text | None = None
    contacts: list[Contact] = []
    # what the organisation does (a reading of the text, for the lint: an agency's policy must
    # cover its temporary workers); not stated in most policies
    sector: Sector | None = None


class Source(StrictModel):
    title: Text
    section: Text | None = None
    url: Text | None = None


class Policy(StrictModel):
    """A company's privacy policy, as promised to the people whose data it processes."""

    version: Literal[1]
    organisation: Organisation
    language: Lang
    source: Source
    activities: list[Activity] = Field(min_length=1)
    hosting: list[Hosting] = []
    rights: Rights
    # The audit's own settings for this company, not the policy text: a severity for some kinds
    # of finding (``retention.unverifiable: error``), like dbt's per-test severity.
    severities: dict[str, Severity] = {}

    @field_validator("activities")
    @classmethod
    def _unique_activities(cls, activities: list[Activity]) -> list[Activity]:
        _unique(activities, "id", "activity", "activities")
        return activities

    @field_validator("hosting")
    @classmethod
    def _unique_hosting(cls, hosting: list[Hosting]) -> list[Hosting]:
        _unique(hosting, "id", "hosting", "hosting")
        return hosting

    def activity(self, activity_id: str) -> Activity:
        for a in self.activities:
            if a.id == activity_id:
                return a
        known = ", ".join(a.id for a in self.activities)
        raise UnknownPolicyItem(f"no activity {activity_id!r} in the policy (known: {known})")

    def hosting_by_id(self, hosting_id: str) -> Hosting:
        for h in self.hosting:
            if h.id == hosting_id:
                return h
        known = ", ".join(h.id for h in self.hosting)
        raise UnknownPolicyItem(f"no hosting entry {hosting_id!r} in the policy (known: {known})")

    def retention_rules(self) -> Iterator[tuple[Activity, RetentionRule]]:
        """Every retention rule with its activity, in policy order."""
        for a in self.activities:
            for r in a.retention:
                yield a, r

    def clauses(self) -> Iterator[tuple[str, Clause]]:
        """Every clause in the policy with its key path, e.g. ``activities[0].retention[0].clause``."""
        yield from _walk_clauses(self, "")


def _walk_clauses(value: Any, path: str) -> Iterator[tuple[str, Clause]]:
    if isinstance(value, Clause):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_clauses(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_clauses(item, f"{path}[{i}]")


# Policies already validated, by (resolved path, sha256 of the file's bytes): a report asks
# for its policy a few tens of times (the pipeline, index.html, each notebook's views), and
# validating it takes milliseconds each. A Policy is frozen; an edited file is read again.
_LOADED: dict[tuple[str, str], Policy] = {}
_LOADED_MAX = 8


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy YAML file; ``None`` means the bundled INTER INTERIM policy.

    The same file's bytes give the same (frozen) Policy object without validating it again.
    Raises :class:`rgpd_audit.errors.SpecError` listing every problem with its key path.
    """
    import hashlib

    p = Path(bundled_policy() if path is None else path)
    try:
        key = (str(p.resolve()), hashlib.sha256(p.read_bytes()).hexdigest())
    except OSError:
        return load_spec(p, Policy)  # missing or unreadable: load_spec says so, naming the file
    policy = _LOADED.get(key)
    if policy is None:
        policy = load_spec(p, Policy)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = policy
    return policy
