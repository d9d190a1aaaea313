"""The French special-category vocabulary (GDPR Art. 9 and 10): health (pregnancy and
disability included), trade union membership, religion, political opinion, criminal record,
ethnic origin, sexual orientation.

One list of terms for the whole package: the classifier runs it in SQL over free-text
columns (``mapping/classify/freetext.py``: RE2, record by record), the content scanner runs it
in Python over mail bodies, attachments, documents and free-text cells
(:func:`find_special`). A pattern is matched on the text lower-cased with accents stripped;
in a pattern a space stands for any run of separators; acronyms (``CGT``, ``RQTH``) are
matched case-sensitively on the text with accents stripped. Each rule may carry an
exclusion, for the usual false positives (``enceinte bluetooth``, ``prière de rappeler``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

HEALTH = "user.health"
UNION = "user.demographic.union_membership"
RELIGION = "user.demographic.religious_belief"
POLITICAL = "user.demographic.political_opinion"
CRIMINAL = "user.criminal_history"
ETHNIC = "user.demographic.race_ethnicity"
SEXUAL = "user.demographic.sexual_orientation"
PHILOSOPHICAL = "user.demographic.philosophical_belief"

SEP = r"[^a-z0-9]+"


@dataclass(frozen=True)
class Term:
    category: str
    term: str
    pattern: str              # on lower(strip_accents(text)); a space = any separators
    exclude: str | None = None
    case_sensitive: bool = False  # then matched on strip_accents(text), spaces kept literal

    def regex(self) -> str:
        return self.pattern if self.case_sensitive else _spaces(self.pattern)

    def exclude_regex(self) -> str | None:
        return None if self.exclude is None else _spaces(self.exclude)


def _spaces(pattern: str) -> str:
    """`` `` = one or more separators, `` ?`` = optional separators."""
    return pattern.replace(" ?", "~").replace(" ", SEP).replace("~", "[^a-z0-9]*")


T = Term
TERMS: list[Term] = [
    # -- health (Art. 9), pregnancy and disability are health data --------------------
    T(HEALTH, "sick_leave", r"\b(arrets?|conges?) (de )?maladie\b|\bmi temps therapeutique\b|\baccident du travail\b"),
    T(HEALTH, "pregnancy",
      r"\benceintes?\b|\bgrossesses?\b|\bconges? (de )?maternite\b|\bconges? pathologique|\bfausses? couches?\b",
      exclude=r"\benceintes? (bluetooth|connectee|acoustique|sono|hifi|de l usine|du site|de l entreprise|du batiment)|"
              r"\bdans l enceinte\b|\bl enceinte (de|du) "),
    T(HEALTH, "disability",
      r"\bhandicap(e|ee|es|ees)?\b|\btravailleurs? handicape|\binvalidite\b|\bmdph\b|\bcotorep\b|\baah\b"),
    T(HEALTH, "disability", r"\bRQTH\b|\bMDPH\b", case_sensitive=True),
    T(HEALTH, "mental_health",
      r"\bdepress(ion|if|ive)s?\b|\bburn out\b|\bburnout\b|\bbipolaire|\bschizophren|\banxiete generalisee\b|\bpsychiatr"),
    T(HEALTH, "illness",
      r"\bmaladies?\b|\bdiabet(e|es|ique|iques)\b|\bcancers?\b|\bchimio(therapie)?\b|\btumeurs?\b|\bleucemie\b|"
      r"\bsclerose\b|\bepilep(sie|tique)\b|\basthm(e|atique)\b|\bvih\b|\bsida\b|\bseropositi|\bhepatite\b|"
      r"\bavc\b|\binfarctus\b|\ballergi(e|que)s?\b|\bhernie discale\b|\blombalgie\b|\bmal de dos\b|"
      r"\bproblemes? de (dos|sante|coeur|genou|vue)\b|\betat de sante\b"),
    T(HEALTH, "medical_care",
      r"\bhospitalis(e|ee|es|ees|ation|ations)\b|\bhopital\b|\btraitements? (medica(l|ux)|lourds?)\b|"
      r"\bmedicaments?\b|\boperee? (du|de la|des)\b|\bkine(sitherapie)?\b|\bsuivi psychologique\b|\bpsychiatre\b"),
    # -- trade union membership -------------------------------------------------------
    T(UNION, "union",
      r"\bsyndiqu(e|ee|es|ees)\b|\bsyndicats?\b|\bsyndica(l|le|les|ux)\b|\bdelegue(e|s|es)? syndica|"
      r"\bforce ouvriere\b|\bmilitant(e|s|es)? syndica",
      exclude=r"\bsyndicats? (de copropriete|des coproprietaires|intercommunal|mixte|d initiative|patronal|professionnel)"),
    T(UNION, "union", r"\b(CGT|CFDT|CFTC|CFE-CGC|CGT-FO|FO|UNSA|FSU|SUD Solidaires|Solidaires)\b", case_sensitive=True),
    # -- religion -------------------------------------------------------------------
    T(RELIGION, "religion",
      r"\bmusulman(e|s|es)?\b|\bcatholiques?\b|\bjui(f|ve|fs|ves)\b|\bjudaisme\b|\bchretien(ne|s|nes)?\b|"
      r"\bprotestant(e|s|es)?\b|\bevangeli(que|ste)s?\b|\bbouddhistes?\b|\bhindou(e|s)?\b|"
      r"\bramadan\b|\bcareme\b|\bshabbat\b|\bsabbat\b|\bkippa\b|\bmosquee\b|\bsynagogue\b|\bhalal\b|"
      r"\b(casher|kasher|cacher)\b|\bjehovah\b|\bislam|\bporte (le|un) voile\b|\bvoilee\b|\bfetes? religieuses?\b|"
      r"\bprieres?\b|\bconvictions? religieuses?\b|\breligi(on|euse|eux)\b",
      exclude=r"\bprieres? de\b"),
    T(RELIGION, "religion", r"\bpratiquant(e|s|es)?\b",
      exclude=r"\bpratiquant(e|s|es)? (le|la|les|l|du|de|des|un|une|regulierement|depuis)\b"),
    # -- political opinion ----------------------------------------------------------
    T(POLITICAL, "political",
      r"\b(membre|adherent|adherente|militant|militante|carte) (du|d un|au|a un) parti\b|"
      r"\bparti (politique|socialiste|communiste|republicain|ecologiste|de gauche|pirate|radical)\b|"
      r"\bmilitant(e|s|es)? (politique|ecologiste|communiste|socialiste|d extreme)|\bextreme (gauche|droite)\b|"
      r"\bengagee? politiquement\b|\bopinions? politiques?\b|\bconseill(er|ere) municipal|\belue? municipal|"
      r"\brassemblement national\b|\bfront national\b|\bfrance insoumise\b|\bgilets? jaunes?\b|"
      r"\bvote(ra|rait)? (pour le|a gauche|a droite|rn|fn|lfi)\b|\bencartee?\b"),
    T(POLITICAL, "political", r"\b(LFI|EELV|RN|FN|NPA)\b", exclude=r"\b(rn|fn) ?\d", case_sensitive=True),
    # -- criminal record (Art. 10): serious terms first, the allowed B3 mention last ------
    T(CRIMINAL, "criminal_record",
      r"\bcasier (judiciaire|charge|vierge)\b|\bcondamn(e|ee|es|ees|ation|ations)\b|\bprison\b|\bincarcer|"
      r"\bmaison d arret\b|\bgarde a vue\b|\bbracelet electronique\b|\bsursis\b|\bdelits?\b|"
      r"\bcasier (b ?2|n ?2)\b|\bfiche s\b|\btravaux d interet general\b|\bcontrole judiciaire\b",
      exclude=r"\bcasier judiciaire (b ?3|n ?3|bulletin n ?3) (vu|ok|fourni|verifie|present)\b"),
    T(CRIMINAL, "b3_seen", r"\b(bulletin|extrait)? ?(n ?)?b ?3\b|\bextrait de casier\b|\bcasier judiciaire\b"),
    # -- ethnic origin ----------------------------------------------------------------
    T(ETHNIC, "ethnic_origin",
      r"\borigines? (ethniques?|maghrebines?|africaines?|arabes?|asiatiques?|antillaises?|roms?|etrangeres?)\b|"
      r"\bde type (africain|maghrebin|asiatique|europeen|caucasien|arabe|noir)e?\b|\bcouleur de peau\b|"
      r"\bethni(e|que|ques)\b|\braci(al|ale|aux)\b"),
    # -- sexual orientation -----------------------------------------------------------
    T(SEXUAL, "sexual_orientation",
      r"\bhomosexuel(le|s|les)?\b|\blesbiennes?\b|\bbisexuel(le|s|les)?\b|\borientation sexuelle\b|\bgay\b|\bpacse avec (son|un) compagnon\b"),
]

CATEGORIES = list(dict.fromkeys(t.category for t in TERMS))


@dataclass(frozen=True)
class SpecialHit:
    """A term found in a text: its category, the term's name, and where (``text[start:end]``)."""

    category: str
    term: str
    start: int
    end: int


def _fold_char(c: str) -> str:
    base = unicodedata.normalize("NFD", c)[0]
    low = base.lower()
    return low if len(low) == 1 else base


# Latin letters with accents to their base letter, one character for one (offsets kept)
_FOLD = {i: _fold_char(chr(i)) for i in range(0xC0, 0x250) if _fold_char(chr(i)) != chr(i)}
_FOLD[0x2019] = "'"
_STRIP = {k: (v.upper() if chr(k).isupper() else v) for k, v in _FOLD.items()}


def normalise(text: str) -> tuple[str, str]:
    """(lower-cased without accents, without accents): both as long as ``text``, so an offset
    in either is an offset in the text."""
    stripped = text.translate(_STRIP)
    low = stripped.lower()
    if len(low) != len(text):  # a rare letter whose lower case is longer (İ): one by one
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in stripped)
    return low, stripped


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[Term, re.Pattern, re.Pattern | None]]:
    out = []
    for t in TERMS:
        flags = 0
        exc = t.exclude_regex()
        out.append((t, re.compile(t.regex(), flags), re.compile(exc) if exc else None))
    return out


def find_special(text: str) -> list[SpecialHit]:
    """The first term of each category found in ``text`` (terms in order, most serious first),
    with an exclusion applied as the SQL rules do: the match is searched again with the
    excluded phrases blanked out (case-sensitive terms: no match where the exclusion matches)."""
    low, stripped = normalise(text)
    out: list[SpecialHit] = []
    done: set[str] = set()
    for t, rx, exc in _compiled():
        if t.category in done:
            continue
        if t.case_sensitive:
            if exc is not None and exc.search(low):
                continue
            m = rx.search(stripped)
        else:
            hay = exc.sub(lambda e: " " * len(e.group(0)), low) if exc is not None else low
            m = rx.search(hay)
        if m is not None:
            done.add(t.category)
            out.append(SpecialHit(t.category, t.term, m.start(), m.end()))
    return out
