"""How a finding names the analyst's mapping decisions it rests on.

The checks read a column's category, activity, subject key, date role and personal flag
through one resolver (:meth:`rgpd_audit.ingest.loaded.LoadedSource.effective`), which says
who gave each value. A finding resting on an analyst's decision says which: the column, the
value, the kind of decision and when it was made (``decided_at``). Who decided
(``decided_by``, a login or a name) is a person's identifier: the finding does not carry it
(findings reach the management report); the workspace's ``mapping.yaml`` records it.
Words come from :data:`rgpd_audit.vocab.DECISION_WORDS`.
"""

from __future__ import annotations

from ..ingest.loaded import Effective
from ..policy.model import UnknownPolicyItem
from ..vocab import DATE_ROLES, DECISION_WORDS, category_label


def _value(e: Effective, lang: str, activity_title=None) -> str:
    v = e.value
    if e.kind == "category":
        return category_label(v, lang) if v else DECISION_WORDS.label("not_personal", lang)
    if e.kind == "date_role":
        return DATE_ROLES.label(v, lang) if v in DATE_ROLES else str(v)
    if e.kind == "activity":
        return activity_title(v) if activity_title else str(v)
    if e.kind == "personal" and not v:
        return DECISION_WORDS.label("not_personal", lang)
    return DECISION_WORDS.label("yes" if v else "no", lang)


def describe(e: Effective, lang: str = "fr", activity_title=None) -> str:
    """One decision in words: « column » = value (kind), decided on date."""
    d = e.decision
    col = f"« {d.column} »" if lang == "fr" else f"'{d.column}'"
    text = f"{col} = {_value(e, lang, activity_title)} ({DECISION_WORDS.label(e.kind, lang)})"
    if d.decided_at is not None:
        when = d.decided_at.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
        text += f", {DECISION_WORDS.label('decided_on', lang)} {when}"
    return text


def note(used: list[Effective], lang: str = "fr", activity_title=None) -> str:
    """The sentence appended to a finding's detail ('' when it rests on no decision)."""
    used = [e for e in used if e.decided]
    if not used:
        return ""
    return f" {DECISION_WORDS.label('note', lang)}{_COLON[lang]}{join((describe(e, lang, activity_title) for e in used), lang)}."


_COLON = {"fr": " : ", "en": ": "}


def join(parts, lang: str = "fr") -> str:
    """Decisions one after the other (French puts a space before the semicolon)."""
    return (" ; " if lang == "fr" else "; ").join(parts)


def unreviewed(lang: str = "fr") -> str:
    """The sentence of a finding resting on the classifier's suggestion only."""
    return " " + DECISION_WORDS.label("unreviewed", lang)


def activity_titler(policy, lang: str):
    """A function naming an activity by its section and title in the policy (else its id)."""
    def title(activity_id):
        try:
            a = policy.activity(activity_id)
        except UnknownPolicyItem:  # an id the policy does not know is shown as it is
            return str(activity_id)
        return f"{a.section} {a.title.get(lang)}"
    return title
