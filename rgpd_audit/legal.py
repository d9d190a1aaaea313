"""Dated legal facts as data (``rgpd_audit/data/legal.yaml``): EEA membership, adequacy
decisions, transfer mechanisms and what is known of providers, each with its source and
dates, judged at the date an audit is "as of".

The one place that says whether a country is in the EEA (:func:`is_eea`) and whether a
transfer mechanism holds on a date (:func:`judge`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .resources import data_text
from .spec import load_yaml


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


@dataclass(frozen=True)
class Judgement:
    mechanism: str
    valid: bool
    label_fr: str
    label_en: str
    reason_fr: str
    reason_en: str
    source: str


def judge(mechanism: str, as_of: dt.date, *, country: str | None = None, provider: str | None = None) -> Judgement:
    """Is a transfer mechanism valid on ``as_of`` for this country and provider?"""
    rules = legal_facts()
    if country and is_eea(country, as_of):
        return Judgement("eea", True, "EEE (pas de transfert)", "EEA (no transfer)", "", "", "RGPD art. 44")
    adequacy = rules["adequacy"].get((country or "").upper())
    if adequacy and adequacy["since"] <= as_of and (not adequacy.get("until") or as_of < adequacy["until"]):
        return Judgement(
            "adequacy", True, f"Décision d'adéquation ({country})", f"Adequacy decision ({country})",
            f"adéquation depuis le {adequacy['since']:%d/%m/%Y}", f"adequacy since {adequacy['since']}", adequacy["source"],
        )
    m = rules["mechanisms"].get(mechanism) or rules["mechanisms"]["none"]
    start, end = m["valid_from"], m.get("invalid_from")
    valid = start <= as_of and (end is None or as_of < end)
    if mechanism == "dpf" and valid:
        prov = rules["providers"].get(provider or "", {})
        since = prov.get("dpf_since")
        if since is None or as_of < since:
            return Judgement(
                mechanism, False, m["fr"], m["en"],
                "organisme non certifié DPF à cette date (à vérifier sur la liste DPF)",
                "organisation not DPF-certified on that date (check the DPF list)", m["source"],
            )
    if valid:
        rf, re_ = "valide à la date de l'audit", "valid on the audit date"
    elif as_of < start:
        rf, re_ = f"pas encore en vigueur (à partir du {start:%d/%m/%Y})", f"not yet in force (from {start})"
    elif mechanism == "none":
        rf, re_ = "aucun mécanisme de transfert", "no transfer mechanism"
    else:
        rf, re_ = f"invalide depuis le {end:%d/%m/%Y}", f"invalid since {end}"
    return Judgement(mechanism, valid, m["fr"], m["en"], rf, re_, m["source"])
