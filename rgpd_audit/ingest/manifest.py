"""The source manifest: which exports make up an estate, and how to read them.

A YAML file listing the systems of an estate (see ``docs/manifest.md``). Paths and globs
are relative to the manifest file. Validated like the policy: every error at once, each
naming the file and the key path.
"""

from __future__ import annotations

import glob as _glob
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .. import vocab as V
from ..errors import SpecError, SpecIssue
from ..spec import StrictModel, load_spec

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "iso-8859-15", "latin-1")
DATE_ROLES = V.DATE_ROLES.ids
RECORD_KINDS = V.RECORD_KINDS.ids
USES = V.SOURCE_USES.ids

DateRole = V.DATE_ROLES.literal()
RecordKind = V.RECORD_KINDS.literal()
Use = V.SOURCE_USES.literal()


class Hosting(StrictModel):
    provider: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 country code")
    service: str | None = None


class Subject(StrictModel):
    """Columns identifying the person a record is about."""

    email: str | list[str] | None = None
    phone: str | list[str] | None = None
    name: str | list[str] | None = None
    birth_date: str | None = None


class SplitBy(StrictModel):
    """Split one export into several activities by the value of a column.

    A key ending with ``*`` matches by prefix (``"401*": suppliers``).
    """

    column: str
    values: dict[str, str] = Field(min_length=1)
    default: str | None = None

    def activity_for(self, value: str | None) -> str | None:
        if value is None:
            return self.default
        v = value.strip()
        if v in self.values:
            return self.values[v]
        for key, act in self.values.items():
            if key.endswith("*") and v.startswith(key[:-1]):
                return act
        return self.default


class SourceOptions(StrictModel):
    encoding: Literal["utf-8", "utf-8-sig", "cp1252", "iso-8859-15", "latin-1"] | None = None
    delimiter: str | None = None
    date_format: str | list[str] | None = None
    sheet: str | None = None
    key: str | None = None
    subject: Subject | None = None
    dates: dict[str, DateRole] = Field(default_factory=dict)
    amounts: list[str] = Field(default_factory=list)
    split_by: SplitBy | None = None
    client: str | None = None
    client_column: str | None = None
    # contracts sources: the column holding the retention (in years) a contract sets for the
    # client's datasets; blank means "the contract says nothing" (the policy default applies)
    retention_column: str | None = None
    record_kind: RecordKind | None = None
    # budgets of a container (zip, xlsx) checked before unpacking it (ingest/loaders/archive.py)
    max_unpacked_mb: int | None = Field(default=None, ge=1)
    max_entries: int | None = Field(default=None, ge=1)
    max_expansion: float | None = Field(default=None, gt=1)

    @field_validator("delimiter")
    @classmethod
    def _delim(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = {"\\t": "\t", "tab": "\t"}.get(v, v)
        if v not in (",", ";", "|", "\t"):
            raise ValueError("delimiter must be one of , ; | or tab")
        return v


NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class Source(StrictModel):
    name: str
    title: str | None = None
    format: str
    path: str = Field(min_length=1)
    activities: list[str] = Field(default_factory=list)
    use: Use = "records"
    hosting: Hosting
    options: SourceOptions = Field(default_factory=SourceOptions)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("must be lower-case letters, digits and _ (starting with a letter)")
        return v

    @field_validator("format")
    @classmethod
    def _format(cls, v: str) -> str:
        from .loaders import registry

        if v not in registry.names():
            raise ValueError(f"unknown format {v!r}; known: {', '.join(sorted(registry.names()))}")
        return v

    @model_validator(mode="after")
    def _split_targets(self):
        sb = self.options.split_by
        if sb is not None:
            unknown = sorted({a for a in sb.values.values() if a not in self.activities})
            if unknown:
                raise ValueError(f"options.split_by maps to activities not listed in activities: {', '.join(unknown)}")
        return self


class Organisation(StrictModel):
    name: str
    domains: list[str] = Field(default_factory=list)


class Manifest(StrictModel):
    version: Literal[1]
    name: str
    organisation: Organisation
    sources: list[Source] = Field(min_length=1)
    # Set by load_manifest, not by the YAML file.
    base_dir: Path | None = Field(default=None, exclude=True)
    file: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_names(self):
        seen: set[str] = set()
        dupes = [s.name for s in self.sources if s.name in seen or seen.add(s.name)]
        if dupes:
            raise ValueError(f"duplicate source names: {', '.join(dupes)}")
        return self

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)

    def files_of(self, source: Source) -> list[Path]:
        """The files a source's path or glob matches, sorted, deduplicated."""
        base = self.base_dir or Path(".")
        pattern = str(base / source.path)
        if _glob.has_magic(source.path):
            found = [Path(p) for p in _glob.glob(pattern, recursive=True)]
        else:
            found = [Path(pattern)] if Path(pattern).exists() else []
        return sorted({p.resolve() for p in found if p.is_file()})


def load_manifest(path: str | Path, policy=None) -> Manifest:
    """Read and validate a manifest; with a policy, activity ids are checked against it."""
    p = Path(path)
    if p.is_dir():
        p = p / "manifest.yaml"
    data = load_spec(p, Manifest)
    data = data.model_copy(update={"base_dir": p.resolve().parent, "file": p.resolve()})
    issues: list[SpecIssue] = []
    if policy is not None:
        known = {a.id for a in policy.activities}
        for i, s in enumerate(data.sources):
            for j, a in enumerate(s.activities):
                if a not in known:
                    issues.append(SpecIssue(str(p), f"sources[{i}].activities[{j}]", f"unknown activity {a!r}; the policy declares: {', '.join(sorted(known))}"))
    for i, s in enumerate(data.sources):
        if not data.files_of(s):
            issues.append(SpecIssue(str(p), f"sources[{i}].path", f"no file matches {s.path!r}"))
    if issues:
        raise SpecError(issues)
    return data
