"""One date rule for the whole project: a period counted from an event, and when it is over.

A period expressed in months or years ends on the same day number of its last month, or on
that month's last day when the day does not exist (31 January + 1 month = 28 or 29 February;
29 February + 1 year = 28 February): Regulation (EEC, Euratom) No 1182/71, art. 3(2)(c), the
rule of the GDPR's own periods, and the rule French law applies to the periods of the Code
de commerce and the Code du travail. Days are added after months.

The date a period ends is its **deadline: the last lawful day**. Data may still be held on
the deadline, a request still answered on it; it is overdue only the day after
(``as_of > deadline``). Retention (:mod:`rgpd_audit.checks.retention`, in SQL), the erasure
plan (:mod:`rgpd_audit.dsar.erase`) and the request log (:mod:`rgpd_audit.dsar.requests`)
all go through this module; its SQL twins (:func:`deadline_sql`, :func:`overdue_sql`) are
tested to give the same dates as the Python functions (``tests/test_dates.py``).

Dates are parameters: nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^\s*(?:(\d+)\s*y)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*d)?\s*$")


@dataclass(frozen=True)
class Period:
    """A period of calendar years, months and days (``10y``, ``12m``, ``1y6m``, ``90d``)."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        m = _PERIOD_RE.fullmatch(str(text))
        if not m or not any(m.groups()):
            raise ValueError(f"{text!r} is not a period; write 10y, 12m, 90d or 1y6m")
        y, mo, d = (int(g) if g else 0 for g in m.groups())
        return cls(y, mo, d)

    @property
    def total_months(self) -> int:
        return 12 * self.years + self.months

    def __str__(self) -> str:
        out = "".join(f"{n}{u}" for n, u in ((self.years, "y"), (self.months, "m"), (self.days, "d")) if n)
        return out or "0d"

    def words(self, lang: str = "fr") -> str:
        """« 10 ans », « 12 mois », « 1 an et 6 mois » / "10 years", "12 months"."""
        fr = lang != "en"
        parts = []
        for n, one_fr, many_fr, one_en, many_en in ((self.years, "an", "ans", "year", "years"),
                                                    (self.months, "mois", "mois", "month", "months"),
                                                    (self.days, "jour", "jours", "day", "days")):
            if n:
                parts.append(f"{n} {(one_fr if n == 1 else many_fr) if fr else (one_en if n == 1 else many_en)}")
        return (" et " if fr else " and ").join(parts) or ("0 jour" if fr else "0 days")


def add_period(start: dt.date, period: Period) -> dt.date:
    """``start`` plus ``period`` in calendar terms: months first (31 Jan + 1 month = 28/29 Feb),
    then days."""
    index = start.month - 1 + period.total_months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day) + dt.timedelta(days=period.days)


def deadline(start: dt.date, period: Period) -> dt.date:
    """The last lawful day of ``period`` counted from ``start``."""
    return add_period(start, period)


def is_overdue(last_day: dt.date, as_of: dt.date) -> bool:
    """Past the deadline: only from the day after the last lawful day."""
    return as_of > last_day


def days_overdue(last_day: dt.date, as_of: dt.date) -> int | None:
    """Days past the deadline, or None when it is not past."""
    return (as_of - last_day).days if is_overdue(last_day, as_of) else None


# --- the same rule in SQL (DuckDB clamps a month added to the 31st to the month's last day) ---


def deadline_sql(start: str, months: str, days: str = "0") -> str:
    """SQL of :func:`deadline`: ``start`` (a DATE expression) plus ``months`` then ``days``
    (INTEGER expressions)."""
    return f"CAST(CAST({start} AS DATE) + to_months({months}) + to_days({days}) AS DATE)"


def overdue_sql(last_day: str, as_of: str) -> str:
    """SQL of :func:`is_overdue`."""
    return f"({as_of} > {last_day})"
