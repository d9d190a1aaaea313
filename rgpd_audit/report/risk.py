"""The risk score that ranks the report's urgent actions (docs/reports.md, "Urgent actions").

A group of findings (one kind of finding × one activity) scores

    severity × sensitivity × people affected × how long overdue

- severity: serious finding 3, warning 2 (information never makes an action);
- sensitivity of the data: 5 when the finding *is* about a social security number (NIR) or a
  special category (health, union membership, convictions… GDPR Art. 9 and 10), 4 when the
  records are about minors, 2 when the activity's records hold such data, 1 otherwise;
- people affected: 1 + log10(people) — 1 person 1, 10 people 2, 1 000 people 4 — so that a
  large file weighs more without a mass of harmless records drowning a few sensitive ones;
- overdue: 1 + (years overdue, at most 5) / 5 — from 1 (not a delay) to 2 (5 years or more).

A count alone never decides: 1 393 prospects kept too long rank below 98 candidates' NIR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..vocab import categories

SEVERITY_WEIGHT = {"error": 3, "warning": 2}
# Kinds of finding that are about sensitive data themselves (NIR, Art. 9/10 categories).
SENSITIVE_KINDS = ("forbidden_data.", "special_category.")
NIR = "user.government_id.national_identification_number"
MINOR_WORDS = ("mineur", "minor", "enfant", "child", "élève", "pupil")

SENSITIVITY = {"special": 5, "minors": 4, "sensitive_records": 2, "ordinary": 1}


@dataclass(frozen=True)
class Score:
    severity: int
    sensitivity: int
    people: float
    overdue: float

    @property
    def value(self) -> float:
        return round(self.severity * self.sensitivity * self.people * self.overdue, 1)


def sensitivity_of(check_id: str, severity: str, activity) -> str:
    """Which sensitivity class a group of findings falls in (a key of :data:`SENSITIVITY`)."""
    if check_id.startswith(SENSITIVE_KINDS):
        return "special"
    if check_id == "mapping.undeclared_category" and severity == "error":  # a special category, undeclared
        return "sensitive_records"
    if activity is None:
        return "ordinary"
    if any(w in f"{s.fr} {s.en or ''}".lower() for s in activity.data_subjects for w in MINOR_WORDS):
        return "minors"
    cats = categories()
    if any(c == NIR or (c in cats and cats[c].special) for c in activity.data_categories):
        return "sensitive_records"
    return "ordinary"


def score(severity: str, sensitivity: str, people: int, days_overdue) -> Score:
    years = 0.0 if days_overdue is None or days_overdue != days_overdue else max(0.0, float(days_overdue)) / 365.25
    return Score(
        severity=SEVERITY_WEIGHT.get(severity, 0),
        sensitivity=SENSITIVITY[sensitivity],
        people=1 + math.log10(max(1, int(people))),
        overdue=1 + min(years, 5.0) / 5,
    )
