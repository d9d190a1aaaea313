"""The report's text catalogue: every text a reader sees, with its French and English entry.

The entries live where they are declared once — the report's words (:mod:`.labels`), the
checks' titles (their ``@check`` and finding kinds), the closed lists of :mod:`rgpd_audit.vocab`
(themes, severities, reject reasons, countries, mechanisms…), the data categories
(``rgpd_audit/data/categories.yaml``) and the actions (``rgpd_audit/data/actions.yaml``) —
and this module is the one door the report goes through to turn an internal id into words.
:func:`entries` lists every (French, English) pair, so a test can tell a French report
showing an English entry (or the reverse).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import vocab
from ..resources import data_text
from ..spec import load_yaml
from .labels import BUCKETS, WORDS, pick

ACTIONS_FILE = "actions.yaml"


@dataclass(frozen=True)
class CheckText:
    """What a reader sees of a kind of finding: its theme, title and the text it rests on."""

    id: str
    theme: str
    fr: str
    en: str
    legal_basis: str

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.fr


@lru_cache(maxsize=1)
def checks() -> dict[str, CheckText]:
    """Every kind of finding the registered checks emit (policy lint's kinds included), by id."""
    from ..checks import all_checks

    out: dict[str, CheckText] = {}
    for spec in all_checks().values():
        out[spec.id] = CheckText(spec.id, spec.theme, spec.title_fr, spec.title_en, spec.legal_basis)
        for k in spec.kinds:
            out.setdefault(k.id, CheckText(k.id, spec.theme, k.title_fr, k.title_en, spec.legal_basis))
    return out


def check_title(check_id: str, lang: str = "fr") -> str:
    """The title of a kind of finding; a kind no check declares (a removed plug-in) keeps its id."""
    c = checks().get(check_id)
    return c.title(lang) if c else check_id


def check_theme(check_id: str) -> str:
    c = checks().get(check_id)
    return c.theme if c else "other"


# The checks write their legal bases the French way ("RGPD art. 9, art. 10 ; décret 2019-341").
_LEGAL_EN = (("RGPD", "GDPR"), ("décret", "Decree"), (" ; ", "; "), (" et ", " and "),
             ("loi Informatique et Libertés", "French Data Protection Act"))


def legal_reference(text: str, lang: str = "fr") -> str:
    """A check's legal basis as its reader names the texts ("GDPR art. 9" in English)."""
    if lang != "en" or not text:
        return text
    for fr, en in ((_LEGAL_EN[4]), *_LEGAL_EN[:4]):
        text = text.replace(fr, en)
    return text


def category(name: str, lang: str = "fr") -> str:
    """A data category (fideslang name) in words."""
    return vocab.category_label(name, lang)


def reject_reason(code: str, lang: str = "fr") -> str:
    """Why a row was rejected at load, in words."""
    return vocab.REJECT_REASONS.label(code if code in vocab.REJECT_REASONS else "other", lang)


def severity(sev: str, lang: str = "fr") -> str:
    return vocab.SEVERITIES.label(sev, lang)


@dataclass(frozen=True)
class Action:
    """What to do about a kind of finding, and who typically does it."""

    do: tuple[str, str]
    who: tuple[str, str]


@lru_cache(maxsize=1)
def _actions() -> dict:
    data = load_yaml(data_text(ACTIONS_FILE))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError(f"rgpd_audit/data/{ACTIONS_FILE}: expected version: 1")
    missing = set(vocab.THEMES) - set(data["themes"])
    if missing:
        raise ValueError(f"rgpd_audit/data/{ACTIONS_FILE}: themes without an action: {', '.join(sorted(missing))}")

    def act(e: dict) -> Action:
        return Action((e["do"]["fr"], e["do"]["en"]), (e["who"]["fr"], e["who"]["en"]))

    return {"themes": {k: act(v) for k, v in data["themes"].items()},
            "kinds": {k: act(v) for k, v in (data.get("kinds") or {}).items()}}


def action(check_id: str) -> Action:
    """The action for a kind of finding: its own entry, else its theme's."""
    a = _actions()
    return a["kinds"].get(check_id) or a["themes"][check_theme(check_id)]


def entries() -> list[tuple[str, str]]:
    """Every (French, English) pair of the catalogue."""
    pairs: list[tuple[str, str]] = list(WORDS.values()) + [b[2] for b in BUCKETS]
    pairs += [(c.fr, c.en) for c in checks().values()]
    for v in (vocab.THEMES, vocab.SEVERITIES, vocab.REJECT_REASONS, vocab.TRANSFER_MECHANISMS, vocab.COUNTRIES,
              vocab.EVENTS, vocab.LEGAL_BASES, vocab.ROLES, vocab.RIGHTS, vocab.RETENTION_BASES, vocab.DECISION_WORDS):
        pairs += [(t.fr, t.en) for t in v.values()]
    pairs += [(c.label("fr"), c.label("en")) for c in vocab.categories().values()]
    a = _actions()
    for x in [*a["themes"].values(), *a["kinds"].values()]:
        pairs += [x.do, x.who]
    return pairs


def one_language(lang: str) -> set[str]:
    """The entries of ``lang`` that differ from their translation (those that betray a language)."""
    return {pick(p, lang) for p in entries() if p[0].strip().lower() != p[1].strip().lower()}
