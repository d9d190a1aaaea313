"""Dated legal facts as data, judged at the date an audit is "as of".

``rgpd_audit/data/legal.yaml`` holds the law: EEA membership, adequacy decisions, the transfer
mechanisms and their validity over time. ``rgpd_audit/data/providers.yaml`` (the provider
register, which a user extends with a ``providers.yaml`` next to the manifest) holds what is
known of each provider: the entity one contracts with, who reaches the data from outside the
EEA, and the safeguards it has, each with its dates and sources.

Three questions, kept apart:

- :func:`is_eea` — is a country in the EEA on a date (no transfer)?
- :func:`judge` — is what a *policy claims* (a mechanism for a host) true on a date? It tells a
  false or outdated statement to the people (Art. 13(1)(f)), whatever the real transfer rests on.
- :func:`assess_transfer` — does a *transfer* (a provider, where it hosts, the user's own
  evidence) rest on a safeguard valid on that date, and if not, what evidence would settle it?
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator

from .resources import data_text
from .spec import StrictModel, load_spec, load_yaml, validate


@lru_cache(maxsize=1)
def legal_facts() -> dict:
    return load_yaml(data_text("legal.yaml"))


def eea_members(on: dt.date | None = None) -> frozenset[str]:
    """The EEA's members on ``on`` (``None``: the current members, those with no end date)."""
    out = set()
    for code, m in legal_facts()["eea"].items():
        until = m.get("until")
        if on is None:
            if until is None:
                out.add(code)
        elif m["since"] <= on and (until is None or on < until):
            out.add(code)
    return frozenset(out)


def is_eea(country: str | None, on: dt.date | None = None) -> bool:
    """Is ``country`` (ISO 3166 alpha-2) in the EEA on ``on`` (``None``: today's members)?"""
    return bool(country) and country.upper() in eea_members(on)


def _in(d: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    return (since is None or since <= d) and (until is None or d < until)


def adequacy(country: str | None, on: dt.date) -> dict | None:
    """The adequacy decision (or equivalent provision) covering ``country`` on ``on``, if any.

    The United States have none of their own: only DPF participants are covered (see ``dpf``)."""
    for entry in legal_facts()["adequacy"].get((country or "").upper(), []):
        if _in(on, entry["since"], entry.get("until")):
            return entry
    return None


def mechanism(kind: str) -> dict:
    return legal_facts()["mechanisms"].get(kind) or legal_facts()["mechanisms"]["none"]


def mechanism_valid(kind: str, on: dt.date) -> bool:
    m = mechanism(kind)
    return kind != "none" and _in(on, m["valid_from"], m.get("invalid_from"))


def assessment_required(on: dt.date) -> bool:
    """From Schrems II on, Art. 46 safeguards need a transfer impact assessment."""
    return on >= legal_facts()["assessment_required_from"]["date"]


# --- the provider register ------------------------------------------------------------------------


class Entity(StrictModel):
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$")


class Recipient(StrictModel):
    entity: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    role: str = ""


class Agreement(StrictModel):
    name: str
    source: str | None = None


SAFEGUARD_KINDS = ("privacy_shield", "dpf", "scc_2010", "scc_2021", "bcr")


class Safeguard(StrictModel):
    kind: str
    entity: str
    from_: dt.date | None = Field(None, alias="from")
    until: dt.date | None = None
    checked: dt.date | None = None
    source: str

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in SAFEGUARD_KINDS:
            close = difflib.get_close_matches(v, SAFEGUARD_KINDS, n=1)
            raise ValueError(f"unknown safeguard kind {v!r}{f'; did you mean {close[0]!r}?' if close else ''} "
                             f"(known: {', '.join(SAFEGUARD_KINDS)})")
        return v


class Provider(StrictModel):
    name: str
    aliases: list[str] = []
    contracting_entity: Entity
    recipients: list[Recipient] = []
    dpa: Agreement | None = None
    safeguards: list[Safeguard] = []
    notes: str | None = None


class ProviderRegister(StrictModel):
    version: int = Field(1, ge=1, le=1)
    providers: dict[str, Provider]


@lru_cache(maxsize=1)
def _bundled_register() -> ProviderRegister:
    return validate(load_yaml(data_text("providers.yaml")), ProviderRegister, "rgpd_audit/data/providers.yaml")


def provider_register(user: str | Path | ProviderRegister | dict | None = None) -> ProviderRegister:
    """The bundled register, with the entries of a user's register (a file of the same shape,
    or its parsed content) added or replacing."""
    base = _bundled_register()
    if user is None or user == {} or (isinstance(user, (str, Path)) and not Path(user).exists()):
        return base
    if isinstance(user, ProviderRegister):
        mine = user
    elif isinstance(user, dict):
        mine = validate(user, ProviderRegister, "providers.yaml")
    else:
        mine = load_spec(user, ProviderRegister)
    return ProviderRegister(version=1, providers={**base.providers, **mine.providers})


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (s or "").lower())


def find_provider(name: str | None, register: ProviderRegister | None = None) -> tuple[str, Provider] | None:
    """The register's entry for a provider named in a manifest or a policy (id, name or alias)."""
    reg = register or _bundled_register()
    n = _norm(name)
    if not n:
        return None
    for pid, p in reg.providers.items():
        if n in {_norm(pid), _norm(p.name), *(_norm(a) for a in p.aliases)}:
            return pid, p
    return None


def provider_key(name: str | None, register: ProviderRegister | None = None) -> str:
    """A provider's identity (in findings, the data map): its register id, else its name normalised."""
    found = find_provider(name, register)
    return found[0] if found else (_norm(name) or "unknown")


# --- what the policy claims -------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    mechanism: str
    valid: bool
    label_fr: str
    label_en: str
    reason_fr: str
    reason_en: str
    source: str


def _claim_kind(claimed: str) -> str:
    return {"scc": "scc_2021"}.get(claimed, claimed)


def judge(claimed: str, as_of: dt.date, *, country: str | None = None, provider: str | None = None) -> Judgement:
    """Is the mechanism a policy *claims* for a host true on ``as_of``?

    EEA hosting needs none; an adequacy claim holds only for a country with an adequacy decision
    on that date; Privacy Shield and the DPF hold only in their windows and for a provider the
    register knows to hold them ("unverified" for a provider it does not know); SCCs hold in
    either generation of clauses."""
    if country and is_eea(country, as_of):
        return Judgement("eea", True, "EEE (pas de transfert)", "EEA (no transfer)", "", "", "RGPD art. 44")
    adq = adequacy(country, as_of)
    if adq:
        return Judgement(
            "adequacy", True, f"Décision d'adéquation ({country})", f"Adequacy decision ({country})",
            f"adéquation depuis le {adq['since']:%d/%m/%Y}", f"adequacy since {adq['since']}", adq["source"],
        )
    kind = _claim_kind(claimed)
    m = mechanism(kind)
    if kind == "adequacy":
        return Judgement(kind, False, m["fr"], m["en"], f"aucune décision d'adéquation pour {country or '?'} à cette date",
                         f"no adequacy decision for {country or '?'} on that date", m["source"])
    if kind in ("scc_2021", "scc_2010"):
        valid = mechanism_valid("scc_2021", as_of) or mechanism_valid("scc_2010", as_of)
        m = mechanism("scc_2021" if mechanism_valid("scc_2021", as_of) or not valid else "scc_2010")
        why = ("valide à la date de l'audit", "valid on the audit date") if valid else ("clauses non valables à cette date", "clauses not valid on that date")
        return Judgement(claimed, valid, m["fr"], m["en"], *why, m["source"])
    valid = mechanism_valid(kind, as_of)
    if not valid:
        start, end = m["valid_from"], m.get("invalid_from")
        if kind == "none":
            why = ("aucun mécanisme de transfert", "no transfer mechanism")
        elif as_of < start:
            why = (f"pas encore en vigueur (à partir du {start:%d/%m/%Y})", f"not yet in force (from {start})")
        else:
            why = (f"invalide depuis le {end:%d/%m/%Y}", f"invalid since {end}")
        return Judgement(claimed, False, m["fr"], m["en"], *why, m["source"])
    if kind in ("privacy_shield", "dpf"):
        found = find_provider(provider)
        if found is None:
            return Judgement(claimed, False, m["fr"], m["en"],
                             f"fournisseur inconnu du registre : participation non vérifiée ({provider or '?'})",
                             f"provider unknown to the register: participation unverified ({provider or '?'})", m["source"])
        held = [s for s in found[1].safeguards if s.kind == kind and _in(as_of, s.from_, s.until)]
        if not held:
            return Judgement(claimed, False, m["fr"], m["en"],
                             f"{found[1].name} n'y participe pas à cette date selon le registre des fournisseurs",
                             f"{found[1].name} does not take part in it on that date according to the provider register",
                             m["source"])
    return Judgement(claimed, True, m["fr"], m["en"], "valide à la date de l'audit", "valid on the audit date", m["source"])


# --- what a transfer rests on -----------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """The user's own evidence for a provider (the manifest's ``hosting.evidence``)."""

    @classmethod
    def merged(cls, items: list[dict]) -> Evidence:
        """One provider's evidence from its sources' ``hosting.evidence`` entries: for each
        field the latest date given (dates as ISO strings or dates)."""
        out: dict = {}
        for e in items:
            for k, v in (e or {}).items():
                if v is None or k not in cls.__dataclass_fields__:
                    continue
                v = dt.date.fromisoformat(v) if isinstance(v, str) else v
                out[k] = v if k not in out or (isinstance(v, dt.date) and v > out[k]) else out[k]
        return cls(**out)

    dpa_signed: dt.date | None = None
    scc_signed: dt.date | None = None
    scc_module: int | None = None
    tia: dt.date | None = None
    dpf_checked: dt.date | None = None


@dataclass
class Destination:
    entity: str
    country: str
    role: str = ""
    covered: bool = False
    safeguard: str | None = None  # the mechanism id it rests on
    label_fr: str = ""
    label_en: str = ""
    notes_fr: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    settle_fr: str = ""
    settle_en: str = ""
    sources: list[str] = field(default_factory=list)


@dataclass
class TransferVerdict:
    """Whether data hosted by a provider is transferred outside the EEA on a date, and on what."""

    provider_id: str | None  # None: a provider the register does not know
    provider_name: str
    destinations: list[Destination]

    @property
    def transfer(self) -> bool:
        return bool(self.destinations)

    @property
    def covered(self) -> bool:
        return all(d.covered for d in self.destinations)


def _date(d: dt.date | None) -> str:
    return f"{d:%d/%m/%Y}" if d else "?"


def _assess(dest: Destination, provider: Provider | None, as_of: dt.date, ev: Evidence) -> None:
    mine = [s for s in (provider.safeguards if provider else []) if _norm(s.entity) == _norm(dest.entity)]

    def held(kind: str) -> list[Safeguard]:
        return [s for s in mine if s.kind == kind and _in(as_of, s.from_, s.until)]

    adq = adequacy(dest.country, as_of)
    if adq:
        dest.covered, dest.safeguard = True, "adequacy"
        dest.label_fr, dest.label_en = f"décision d'adéquation ({dest.country})", f"adequacy decision ({dest.country})"
        dest.sources.append(adq["source"])
        return
    if dest.country == "US" and mechanism_valid("dpf", as_of) and (dpf := held("dpf")):
        s = dpf[0]
        dest.covered, dest.safeguard = True, "dpf"
        dest.label_fr = f"Data Privacy Framework ({s.entity}, inscrit depuis le {_date(s.from_)})"
        dest.label_en = f"Data Privacy Framework ({s.entity}, listed since {s.from_})"
        checked = max([d for d in (s.checked, ev.dpf_checked) if d and d <= as_of], default=None)
        days = mechanism("dpf").get("recertification_days", 365)
        if checked is None:
            dest.notes_fr.append("inscription à vérifier sur la liste DPF (vérification non datée)")
            dest.notes_en.append("listing to verify on the DPF list (no dated check)")
        elif (as_of - checked).days > days:
            dest.notes_fr.append(f"inscription vérifiée le {_date(checked)}, il y a plus d'un an : à revérifier (recertification annuelle)")
            dest.notes_en.append(f"listing checked on {checked}, over a year ago: re-verify (annual recertification)")
        dest.sources += [mechanism("dpf")["source"], s.source]
        return
    if dest.country == "US" and mechanism_valid("privacy_shield", as_of) and (ps := held("privacy_shield")):
        dest.covered, dest.safeguard = True, "privacy_shield"
        dest.label_fr, dest.label_en = f"Privacy Shield ({ps[0].entity})", f"Privacy Shield ({ps[0].entity})"
        dest.sources += [mechanism("privacy_shield")["source"], ps[0].source]
        return
    # Art. 46 safeguards: BCRs, or standard contractual clauses (the provider's DPA, or signed by the user)
    art46 = [(s.kind, s.source) for k in ("bcr", "scc_2021", "scc_2010") for s in held(k) if mechanism_valid(k, as_of)]
    if ev.scc_signed and ev.scc_signed <= as_of:
        for kind in ("scc_2021", "scc_2010"):
            if mechanism_valid(kind, as_of) and not any(k == kind for k, _ in art46):
                art46.append((kind, f"contrat signé le {_date(ev.scc_signed)}" + (f", module {ev.scc_module}" if ev.scc_module else "")))
                break
    if art46:
        kind, source = art46[0]
        m = mechanism(kind)
        tia_ok = ev.tia is not None and ev.tia <= as_of
        if not assessment_required(as_of) or tia_ok:
            dest.covered, dest.safeguard = True, kind
            dest.label_fr, dest.label_en = m["fr"], m["en"]
            if tia_ok:
                dest.label_fr += f" et analyse d'impact du {_date(ev.tia)}"
                dest.label_en += f" and transfer impact assessment of {ev.tia}"
            dest.sources += [m["source"], source]
            return
        dest.safeguard = kind
        dest.label_fr, dest.label_en = f"{m['fr']}, sans analyse d'impact du transfert", f"{m['en']}, without a transfer impact assessment"
        dest.settle_fr = ("l'analyse d'impact du transfert (et les mesures supplémentaires) à consigner : "
                          "hosting.evidence.tia dans le manifeste")
        dest.settle_en = "the transfer impact assessment (and supplementary measures) to record: hosting.evidence.tia in the manifest"
        if dest.country == "US" and mechanism_valid("dpf", as_of):
            dest.settle_fr += f", ou l'inscription de {dest.entity} au DPF"
            dest.settle_en += f", or {dest.entity}'s DPF listing"
        dest.sources += [m["source"], source, legal_facts()["assessment_required_from"]["source"]]
        return
    dest.label_fr, dest.label_en = "aucune garantie connue à cette date", "no safeguard known on that date"
    if provider is None:
        dest.label_fr = "fournisseur absent du registre : garantie non vérifiée"
        dest.label_en = "provider not in the register: safeguard unverified"
    options_fr = ["des clauses contractuelles types signées avec une analyse d'impact du transfert (hosting.evidence.scc_signed, tia)"]
    options_en = ["signed standard contractual clauses with a transfer impact assessment (hosting.evidence.scc_signed, tia)"]
    if dest.country == "US" and mechanism_valid("dpf", as_of):
        options_fr.insert(0, f"l'inscription de {dest.entity} au DPF (dataprivacyframework.gov, date de vérification)")
        options_en.insert(0, f"{dest.entity}'s DPF listing (dataprivacyframework.gov, with the date checked)")
    if provider is None:
        options_fr.append("son entrée dans providers.yaml")
        options_en.append("its entry in providers.yaml")
    dest.settle_fr, dest.settle_en = " ou ".join(options_fr), " or ".join(options_en)
    dest.sources.append("RGPD art. 44-46")


def assess_transfer(provider_name: str | None, hosting_country: str | None, as_of: dt.date, *,
                    evidence: Evidence | None = None, register: ProviderRegister | None = None) -> TransferVerdict:
    """Where data held by a provider goes outside the EEA on ``as_of`` and what each destination
    rests on: the country where the manifest says the data is hosted, and every entity the
    register knows to reach the data from a third country (parent, support, sub-processor)."""
    ev = evidence or Evidence()
    found = find_provider(provider_name, register)
    pid, provider = found if found else (None, None)
    dests: list[Destination] = []
    if provider is not None:
        for r in provider.recipients:
            if not is_eea(r.country, as_of):
                dests.append(Destination(r.entity, r.country, r.role))
    if hosting_country and not is_eea(hosting_country, as_of) and not any(d.country == hosting_country for d in dests):
        entity = provider.contracting_entity.name if provider and provider.contracting_entity.country == hosting_country else (provider_name or "?")
        dests.append(Destination(entity, hosting_country, "hosting"))
    for d in dests:
        _assess(d, provider, as_of, ev)
    return TransferVerdict(pid, provider.name if provider else (provider_name or "?"), dests)
