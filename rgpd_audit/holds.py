"""Legal holds as data: what the law keeps after an erasure request, for how long, from when.

``rgpd_audit/data/holds.yaml`` lists each hold (accounting books and vouchers, the accounts
they refer to, payslips, the staff register, the limitation periods of employment claims, a
legal claim in progress) with its kind (:data:`rgpd_audit.vocab.HOLD_KINDS`), its GDPR ground
(Art. 17(3)(b) or (e)), its period, the date role it runs from, the text it rests on and the
records it concerns; and what a suppression list keeps of an opt-out. The erasure plan applies
them (:mod:`rgpd_audit.dsar.keep`); ``retention.no_section`` quotes the labour-law ones.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from .dates import Period
from .resources import data_text
from .spec import StrictModel, load_yaml, validate
from .vocab import CAPABILITIES, DATE_ROLES, HOLD_KINDS, RECORD_KINDS, RECORD_STATUSES, SOURCE_USES

HOLDS_FILE = "holds.yaml"
RecordKind = RECORD_KINDS.literal()
CapabilityKind = CAPABILITIES.literal()
SourceUse = SOURCE_USES.literal()
RecordStatus = RECORD_STATUSES.literal()
HoldKind = HOLD_KINDS.literal()
DateRole = DATE_ROLES.literal()


class HoldScope(StrictModel):
    """The records a hold concerns: any list that matches the record is enough."""

    record_kinds: tuple[RecordKind, ...] = ()  # type: ignore[valid-type]
    capabilities: tuple[CapabilityKind, ...] = ()  # type: ignore[valid-type]
    uses: tuple[SourceUse, ...] = ()  # type: ignore[valid-type]
    statuses: tuple[RecordStatus, ...] = ()  # type: ignore[valid-type]


class Hold(StrictModel):
    """One legal reason to keep data, with its period and source."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: HoldKind  # type: ignore[valid-type]
    gdpr: Literal["17(3)(b)", "17(3)(e)"]
    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)
    period: str | None = None
    from_: tuple[DateRole, ...] = Field((), alias="from")  # type: ignore[valid-type]
    counted_fr: str | None = None
    counted_en: str | None = None
    note_fr: str | None = None
    note_en: str | None = None
    dated_by: Literal["record", "ledger_entries"] = "record"
    fields: Literal["all", "account"] = "all"
    source: str = Field(min_length=1)
    applies_to: HoldScope | None = None  # None: applied only when the analyst declares it
    guidance: bool = False

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None:
            Period.parse(v)
        return v

    @property
    def duration(self) -> Period | None:
        return Period.parse(self.period) if self.period else None

    @property
    def legal_ref(self) -> str:
        return f"RGPD art. {self.gdpr} ; {self.source}"

    def label(self, lang: str = "fr") -> str:
        return self.en if lang == "en" else self.fr

    def words(self, lang: str = "fr") -> str:
        """« bulletins de paie : 5 ans à compter de leur émission (Code du travail L3243-4) »."""
        d = self.duration
        counted = self.counted_en if lang == "en" else self.counted_fr
        period = f"{d.words(lang)} {counted}".strip() if d else ""
        sep = ": " if lang == "en" else " : "
        return f"{self.label(lang)}{sep + period if period else ''} ({self.source})"


class SuppressionList(StrictModel):
    roles: tuple[Literal["email", "opt_out", "channel"], ...]
    fr: str
    en: str
    source: str


class HoldsFile(StrictModel):
    version: Literal[1]
    holds: tuple[Hold, ...]
    suppression_list: SuppressionList


@lru_cache(maxsize=1)
def holds_file() -> HoldsFile:
    data = validate(load_yaml(data_text(HOLDS_FILE)), HoldsFile, f"rgpd_audit/data/{HOLDS_FILE}")
    ids = [h.id for h in data.holds]
    if len(ids) != len(set(ids)):  # pragma: no cover - a data file edited wrongly
        raise ValueError(f"rgpd_audit/data/{HOLDS_FILE}: duplicate hold ids")
    return data


def holds() -> tuple[Hold, ...]:
    """Every hold of ``holds.yaml``, in the file's order."""
    return holds_file().holds


def hold(hold_id: str) -> Hold:
    for h in holds():
        if h.id == hold_id:
            return h
    raise KeyError(hold_id)


def suppression_list() -> SuppressionList:
    return holds_file().suppression_list


def labour_guidance(lang: str = "fr") -> str:
    """The labour-law holds in words, for the files of people who left an activity by being hired."""
    return (" ; " if lang != "en" else "; ").join(h.words(lang) for h in holds() if h.guidance)


def labour_sources() -> str:
    """The texts of the labour-law holds, once each (« Code du travail L3243-4, R1221-26, … »)."""
    refs = list(dict.fromkeys(h.source.replace("Code du travail ", "").split(" al.")[0] for h in holds() if h.guidance))
    return "Code du travail " + ", ".join(refs)
