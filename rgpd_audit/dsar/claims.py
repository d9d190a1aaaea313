"""Legal claims in progress, declared by the analyst (GDPR Art. 17(3)(e)): a user file.

A dispute (a labour-court case, a claim from a client) keeps the records of the people it
concerns for as long as the proceedings last, whatever their retention period. The tool cannot
see a dispute in the exports: the analyst declares it in a YAML file given to
``rgpd-audit dsar erase-plan --claims claims.yaml``::

    version: 1
    claims:
      - id: CPH-2026-014                      # the analyst's reference (no identifiers)
        description: "Contentieux prud'homal : requalification des contrats de mission"
        opened: 2026-03-02
        until: 2028-06-30                      # last day the hold lasts; omit while in progress
        people:                                # who it concerns: e-mail, phone or pseudonym
          - email: aissa.ndiaye@example.fr
          - subject_ref: P-6311B767C6
        sources: [candidates]                  # optional: default, all the person's records

Validated like every user file (unknown keys refused, each error with its key path). The
hold's legal ground and wording come from the ``legal_claim`` entry of
``rgpd_audit/data/holds.yaml``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..spec import StrictModel, load_spec
from ..workspace import Workspace
from .query import DsarError, PersonQuery, normalise_email, normalise_phone


class ClaimPerson(StrictModel):
    email: str | None = None
    phone: str | None = None
    subject_ref: str | None = Field(None, pattern=r"^P-[0-9A-F]+$")

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        try:
            return normalise_email(v) if v is not None else None
        except DsarError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        try:
            return normalise_phone(v).e164 if v is not None else None
        except DsarError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _one(self):
        if sum(v is not None for v in (self.email, self.phone, self.subject_ref)) != 1:
            raise ValueError("give exactly one of email, phone, subject_ref")
        return self


class Claim(StrictModel):
    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    opened: dt.date
    until: dt.date | None = None
    people: tuple[ClaimPerson, ...] = Field(min_length=1)
    sources: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.until is not None and self.until < self.opened:
            raise ValueError(f"until ({self.until}) is before opened ({self.opened})")
        return self

    def concerns(self, ws: Workspace, query: PersonQuery, subject_ref: str) -> bool:
        """Does the claim name the person of ``query``?"""
        for p in self.people:
            if p.subject_ref and p.subject_ref == subject_ref:
                return True
            if p.email and (p.email == query.email or ws.pseudonym(p.email) == subject_ref):
                return True
            if p.phone and query.phone and p.phone == query.phone.e164:
                return True
        return False

    def covers(self, source: str) -> bool:
        return self.sources is None or source in self.sources


class ClaimsFile(StrictModel):
    version: Literal[1]
    claims: tuple[Claim, ...] = ()


def load_claims(path: str | Path) -> tuple[Claim, ...]:
    """The claims of a claims file (a :class:`~rgpd_audit.errors.SpecError` names every error)."""
    return load_spec(path, ClaimsFile).claims
