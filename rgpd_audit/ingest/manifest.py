"""The source manifest: which exports make up an estate, and how to read them.

A YAML file listing the systems of an estate (see ``docs/manifest.md``). Paths and globs
are relative to the manifest file. Validated like the policy: every error at once, each
naming the file and the key path.

Everything a manifest names stays inside the estate: each path or glob, once resolved
(``..``, absolute paths, symbolic links followed), must lie inside the estate's root — the
manifest's folder, or the folder its optional ``root:`` key names — unless the manifest is
loaded with ``allow_outside=True`` (``rgpd-audit load --allow-outside``). A refusal names
the path as written and where it leads. A ``**`` glob follows symbolic links to folders but
never enters a folder twice, so a link loop ends; a link leaving the root is refused before
anything under it is listed.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import glob as _glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from .. import vocab as V
from ..errors import InputFileError, SpecError, SpecIssue
from ..spec import StrictModel, load_spec

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "iso-8859-15", "latin-1")
DATE_ROLES = V.DATE_ROLES.ids
RECORD_KINDS = V.RECORD_KINDS.ids
USES = V.SOURCE_USES.ids

DateRole = V.DATE_ROLES.literal()
RecordKind = V.RECORD_KINDS.literal()
RecordStatus = V.RECORD_STATUSES.literal()
DurationUnit = V.DURATION_UNITS.literal()
Use = V.SOURCE_USES.literal()


class Evidence(StrictModel):
    """The user's own evidence about a provider's transfers, each dated (a transfer is judged
    on what existed on the audit date): the data-processing agreement signed (Art. 28), the
    standard contractual clauses signed and their module, the transfer impact assessment, the
    day the provider's Data Privacy Framework listing was checked."""

    dpa_signed: dt.date | None = None
    scc_signed: dt.date | None = None
    scc_module: int | None = Field(None, ge=1, le=4)
    tia: dt.date | None = None
    dpf_checked: dt.date | None = None


class Hosting(StrictModel):
    """Where a source's data is held: a provider (an id, name or alias of the provider register,
    ``rgpd_audit/data/providers.yaml`` extended by a ``providers.yaml`` next to the manifest),
    the country of the data centre, and the user's evidence."""

    provider: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 country code")
    service: str | None = None
    evidence: Evidence | None = None


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


class StatusMap(StrictModel):
    """What the values of a record's status column mean (``Embauché: hired``).

    Values are matched trimmed and case-insensitively; ``""`` names a blank cell. A value the
    map does not list is reported (``retention.status_uncovered``), never given a default.
    """

    column: str = Field(min_length=1)
    values: dict[str, RecordStatus] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _distinct(cls, v: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for raw in v:
            norm = raw.strip().casefold()
            if norm in seen:
                raise ValueError(f"{seen[norm]!r} and {raw!r} are the same value once trimmed and case-folded")
            seen[norm] = raw
        return v


# Words of a column name that tell a duration's unit (« Conservation (mois après fin) »).
_UNIT_WORDS = {
    "months": re.compile(r"\bmois\b|\bmonths?\b", re.IGNORECASE),
    "years": re.compile(r"\bans?\b|\bann[ée]es?\b|\byears?\b|\byrs?\b", re.IGNORECASE),
}


def unit_from_name(name: str) -> str | None:
    """``months`` or ``years`` when the column name says exactly one of them, else None."""
    found = [u for u, rx in _UNIT_WORDS.items() if rx.search(name)]
    return found[0] if len(found) == 1 else None


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
    # contracts sources: the column holding the retention a contract sets for the client's
    # datasets, counted from the contract's end; blank means "the contract says nothing" (the
    # policy default applies). Its unit is ``retention_unit``, or what the column name says
    # (« mois », « ans », months, years); a name saying neither or both needs retention_unit.
    retention_column: str | None = None
    retention_unit: DurationUnit | None = None
    record_kind: RecordKind | None = None
    # the column telling each record's status and what its values mean (candidates: hired,
    # rejected, talent pool…); retention rules may apply to some statuses only
    status: StatusMap | None = None
    # a folder of documents (format documents): who owns its files, which the files do not say
    # (a synchronised copy belongs to whoever synchronised it): one owner for the folder, or
    # sub-folders to owners (``'/Users/alice/*': alice@…``, the longest matching path wins)
    owner: str | dict[str, str] | None = None

    # budgets of a container (zip, xlsx) checked before unpacking it (ingest/loaders/archive.py)
    max_unpacked_mb: int | None = Field(default=None, ge=1)
    max_entries: int | None = Field(default=None, ge=1)
    max_expansion: float | None = Field(default=None, gt=1)

    @model_validator(mode="before")
    @classmethod
    def _retention_unit(cls, data):
        if isinstance(data, dict) and isinstance(data.get("retention_column"), str) and not data.get("retention_unit"):
            unit = unit_from_name(data["retention_column"])
            if unit is None:
                raise ValueError(
                    f"retention_unit: cannot tell whether the column {data['retention_column']!r} counts months or years "
                    "(its name says neither or both); set retention_unit: months or retention_unit: years"
                )
            data = {**data, "retention_unit": unit}
        return data

    @field_validator("owner")
    @classmethod
    def _owner(cls, v):
        if isinstance(v, dict):
            bad = [k for k in v if not k.startswith("/")]
            if bad:
                raise ValueError(f"owner: a sub-folder is written from the folder's root, starting with / (not {bad[0]!r})")
        return v

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
    """The controller: its identity and contact go into the Art. 30 record (Art. 30(1)(a))."""

    name: str
    domains: list[str] = Field(default_factory=list)
    legal_form: str | None = None
    siren: str | None = Field(None, pattern=r"^\d{3} ?\d{3} ?\d{3}$")
    address: str | None = None
    contact: str | None = None  # the controller's contact (postal or e-mail address, phone)
    representative: str | None = None  # legal representative (président, gérant)
    dpo: str | None = None  # the DPO's contact, when one is designated

    @field_validator("siren")
    @classmethod
    def _siren(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from stdnum.fr import siren

        digits = v.replace(" ", "")
        if not siren.is_valid(digits):
            raise ValueError(f"{v!r} is not a valid SIREN (its check digit is wrong)")
        return digits


class OutsideEstate(InputFileError):
    """A path or glob of the manifest leads outside the estate's root."""

    def __init__(self, path: str, message: str):
        self.detail = message
        super().__init__(path, message)


class Manifest(StrictModel):
    version: Literal[1]
    name: str
    # The folder every path must stay inside: relative to the manifest's folder, or absolute;
    # default: the manifest's folder (paths stay relative to the manifest file either way).
    root: str | None = Field(default=None, min_length=1)
    organisation: Organisation
    sources: list[Source] = Field(min_length=1)
    # Set by load_manifest, not by the YAML file.
    base_dir: Path | None = Field(default=None, exclude=True)
    file: Path | None = Field(default=None, exclude=True)
    _allow_outside: bool = PrivateAttr(default=False)

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

    @property
    def allow_outside(self) -> bool:
        return self._allow_outside

    def estate_root(self) -> Path | None:
        """The folder every file must resolve inside (``None``: anywhere, ``--allow-outside``)."""
        if self._allow_outside:
            return None
        base = self.base_dir or Path(".")
        return Path(os.path.realpath(base / self.root if self.root else base))

    def files_of(self, source: Source) -> list[Path]:
        """The files a source's path or glob matches, resolved, sorted, deduplicated.

        Raises :class:`OutsideEstate` when one of them (or the folder a glob starts from, or a
        folder a ``**`` reaches through a link) lies outside :meth:`estate_root`."""
        return resolve_files(self.base_dir or Path("."), source.path, self.estate_root())


# -- paths -----------------------------------------------------------------------------


def _inside(path: str | Path, root: Path | None) -> bool:
    return root is None or Path(path) == root or Path(path).is_relative_to(root)


def _refuse(pattern: str, target: str, root: Path, matched: str | None = None) -> OutsideEstate:
    via = f"matches {matched}, which leads" if matched and matched != pattern else "leads"
    return OutsideEstate(
        pattern,
        f"{via} to {target}, outside the estate {root}; move the file under the estate, name a wider "
        "`root:` in the manifest, or pass --allow-outside",
    )


def resolve_files(base: Path, pattern: str, root: Path | None) -> list[Path]:
    """The regular files ``pattern`` (a path or a glob, relative to ``base`` or absolute) names,
    resolved, sorted, deduplicated; every one inside ``root`` unless ``root`` is None.

    Globs follow Python's ``glob`` (``*``, ``?``, ``[…]``, ``**`` for any folders; names
    starting with a dot only matched by a pattern starting with one), without its two risks:
    the folder a glob starts from is checked before anything is listed, and a ``**`` walk
    enters each real folder once (a link loop ends) and never a folder outside ``root``."""
    joined = Path(base) / pattern
    if not _glob.has_magic(pattern):
        if not os.path.lexists(joined):
            return []
        real = os.path.realpath(joined)
        if not _inside(real, root):
            raise _refuse(pattern, real, root)
        return [Path(real)] if os.path.isfile(real) else []
    # the folder the glob starts from: the manifest's folder (whatever its name holds, even
    # ``[…]``) joined with the pattern's parts before its first wildcard
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if _glob.has_magic(part))
    start = str(Path(base).joinpath(*parts[:first]))
    real = os.path.realpath(start)
    if not _inside(real, root):
        raise _refuse(pattern, real, root)
    walk = _Walk(str(base), pattern, root)
    walk.expand(start, list(parts[first:]))
    out = set()
    for p in sorted(walk.found):
        real = os.path.realpath(p)
        if not _inside(real, root):
            raise _refuse(pattern, real, root, walk.shown(p))
        if os.path.isfile(real):
            out.add(Path(real))
    return sorted(out)


@dataclass
class _Walk:
    """One glob's expansion: what it found, and the real folders a ``**`` already walked."""

    base: str
    pattern: str
    root: Path | None
    found: set[str] = field(default_factory=set)
    walked: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def shown(self, path: str) -> str:
        """A path as the user wrote it: relative to the manifest's folder when under it."""
        rel = os.path.relpath(path, self.base)
        return path if rel.startswith("..") else rel

    def expand(self, folder: str, rest: list[str]) -> None:
        part, rest = rest[0], rest[1:]
        if part == "**":
            self.deep(folder, rest)
            return
        if _glob.has_magic(part):
            matches = [os.path.join(folder, n) for n in _names(folder, part)]
        else:
            p = os.path.join(folder, part)
            matches = [p] if os.path.lexists(p) else []
        for p in matches:
            if not rest:
                self.found.add(p)
            elif os.path.isdir(p):
                self.expand(p, rest)

    def deep(self, folder: str, rest: list[str]) -> None:
        """``**``: ``folder`` and every folder under it (links to folders followed, each real
        folder walked once for a given rest of the pattern), then ``rest`` from each; a
        trailing ``**`` matches everything under ``folder``."""
        real = os.path.realpath(folder)
        if (real, tuple(rest)) in self.walked:
            return
        if not _inside(real, self.root):
            raise _refuse(self.pattern, real, self.root, self.shown(folder))
        self.walked.add((real, tuple(rest)))
        if rest:
            self.expand(folder, rest)
        for name in _names(folder, "*"):
            p = os.path.join(folder, name)
            if os.path.isdir(p):
                if not rest:
                    self.found.add(p)
                self.deep(p, rest)
            elif not rest:
                self.found.add(p)


def _names(folder: str, pattern: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # not a folder, or unreadable: nothing matches there (as glob)
        return []
    if not pattern.startswith("."):
        names = [n for n in names if not n.startswith(".")]
    return fnmatch.filter(names, pattern)


PROVIDERS_FILE = "providers.yaml"


def user_providers(manifest: Manifest):
    """The user's provider register, a ``providers.yaml`` next to the manifest (None without one),
    validated (:class:`rgpd_audit.legal.ProviderRegister`)."""
    from ..legal import ProviderRegister

    if manifest.base_dir is None or not (manifest.base_dir / PROVIDERS_FILE).is_file():
        return None
    return load_spec(manifest.base_dir / PROVIDERS_FILE, ProviderRegister)


def user_providers_json(manifest: Manifest) -> str:
    reg = user_providers(manifest)
    return reg.model_dump_json(by_alias=True, exclude_none=True) if reg is not None else "{}"


def load_manifest(path: str | Path, policy=None, *, allow_outside: bool = False) -> Manifest:
    """Read and validate a manifest; with a policy, activity ids are checked against it.

    ``allow_outside``: the manifest may name files outside its estate root (see the module)."""
    p = Path(path)
    if p.is_dir():
        p = p / "manifest.yaml"
    data = load_spec(p, Manifest)
    data = data.model_copy(update={"base_dir": p.resolve().parent, "file": p.resolve()})
    data._allow_outside = allow_outside
    issues: list[SpecIssue] = []
    if data.root is not None and not os.path.isdir(data.base_dir / data.root):
        raise SpecError([SpecIssue(str(p), "root", f"{data.root!r} is not a folder (relative to {data.base_dir})")])
    if policy is not None:
        known = {a.id for a in policy.activities}
        for i, s in enumerate(data.sources):
            for j, a in enumerate(s.activities):
                if a not in known:
                    issues.append(SpecIssue(str(p), f"sources[{i}].activities[{j}]", f"unknown activity {a!r}; the policy declares: {', '.join(sorted(known))}"))
    for i, s in enumerate(data.sources):
        try:
            files = data.files_of(s)
        except OutsideEstate as exc:
            issues.append(SpecIssue(str(p), f"sources[{i}].path", f"{s.path!r} {exc.detail}"))
            continue
        if not files:
            issues.append(SpecIssue(str(p), f"sources[{i}].path", f"no file matches {s.path!r}"))
    try:
        user_providers(data)  # a providers.yaml next to the manifest is validated with it
    except SpecError as exc:
        issues.extend(exc.issues)
    if issues:
        raise SpecError(issues)
    return data
