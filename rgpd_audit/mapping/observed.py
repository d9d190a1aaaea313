"""What the workspace shows, per activity: systems, clients, categories — and how that
compares with what the policy declares. Counts only.

Read from the ``datamap`` view (rebuilt here) and the ``sources`` table; no raw value is
ever selected. :func:`compare` is "declared vs observed", used by the
``mapping.undeclared_category`` check and by the Art. 30 record (:mod:`rgpd_audit.ropa`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from ..policy import Policy
from ..vocab import is_special
from ..workspace import Workspace
from .datamap import build_datamap

# Categories meaning "data of any kind": when an activity declares nothing else (§3, §4),
# every observed non-sensitive category is covered by them and any data counts as seeing them.
ANY_DATA = frozenset({"user.x_rgpd.mission_dataset"})

# A category is "observed" when its classification is confirmed, or suggested with at least
# this confidence, or when special-category data was detected inside a record.
MIN_CONFIDENCE = 0.8


@dataclass
class System:
    name: str
    title: str | None
    provider: str | None
    country: str | None
    records: int | None = None


@dataclass
class CategorySeen:
    category: str
    special: bool
    systems: set[str] = field(default_factory=set)
    columns: set[tuple[str, str, str]] = field(default_factory=set)
    detections: int = 0          # special_hits records
    firm: bool = False           # attributed by the data or the column, not only by the manifest
    reviewed: bool = False       # one column's category at least is an analyst's decision (or data seen)


@dataclass
class Observation:
    """Everything observed for one activity."""

    systems: dict[str, System] = field(default_factory=dict)
    clients: set[str] = field(default_factory=set)
    categories: dict[str, CategorySeen] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return bool(self.systems)


@dataclass
class Observations:
    loaded: bool = False
    n_sources: int = 0
    by_activity: dict[str, Observation] = field(default_factory=lambda: defaultdict(Observation))

    def of(self, activity_id: str) -> Observation:
        return self.by_activity[activity_id]


def observe(ws: Workspace | None, policy: Policy) -> Observations:
    """Collect the observations for every activity of ``policy`` (nothing when ``ws`` is None)."""
    obs = Observations()
    if ws is None:
        return obs
    obs.n_sources = ws.con.execute("SELECT count(*) FROM sources").fetchone()[0]
    obs.loaded = obs.n_sources > 0
    if not obs.loaded:
        return obs
    build_datamap(ws, policy)
    for name, title, provider, country, acts, client in ws.con.execute(
        "SELECT name, title, provider, country, activities, options->>'client' FROM sources ORDER BY name"
    ).fetchall():
        for a in acts or []:
            o = obs.of(a)
            o.systems[name] = System(name, title, provider, country)
            if client:
                o.clients.add(client)
    # records per system and activity, counted once per table
    for system, title, activity, country, records in ws.con.execute(
        """SELECT d.system, any_value(d.system_title), d.activity, any_value(d.hosting_country), sum(d.records)::BIGINT
           FROM (SELECT DISTINCT system, system_title, table_name, activity, hosting_country, records
                 FROM datamap WHERE origin = 'column_map' AND activity IS NOT NULL) d
           GROUP BY d.system, d.activity"""
    ).fetchall():
        o = obs.of(activity)
        sysrow = o.systems.get(system)
        if sysrow is None:
            prov = ws.con.execute("SELECT provider FROM sources WHERE name = ?", [system]).fetchone()
            sysrow = o.systems[system] = System(system, title, prov[0] if prov else None, country)
        sysrow.records = records
    rows = ws.con.execute(
        """SELECT activity, category, special, system, table_name, column_name, activity_basis, origin, records, status
           FROM datamap
           WHERE activity IS NOT NULL
             AND (origin = 'special_hits' OR status = 'confirmed'
                  OR (status = 'suggested' AND coalesce(confidence, 0) >= ?))
           ORDER BY ALL""",
        [MIN_CONFIDENCE],
    ).fetchall()
    for activity, category, special, system, table, column, basis, origin, records, status in rows:
        o = obs.of(activity)
        seen = o.categories.setdefault(category, CategorySeen(category, bool(special)))
        seen.special = seen.special or bool(special)
        seen.systems.add(system)
        seen.columns.add((system, table, column))
        if origin == "special_hits":
            seen.detections += records or 0
        seen.reviewed = seen.reviewed or status != "suggested"
        if basis != "manifest":
            seen.firm = True
    return obs


@dataclass
class Comparison:
    """One line of "declared vs observed": a category, for an activity, and what was found."""

    activity_id: str
    category: str  # "" for an activity with no data at all
    special: bool
    finding: Literal["undeclared", "not_seen", "covered", "no_data"]
    systems: list[str] = field(default_factory=list)
    columns: int = 0
    detections: int = 0
    reviewed: bool = True  # False: the category rests on the classifier's suggestions only
    where: list[tuple[str, str, str]] = field(default_factory=list)  # (system, table, column) seen holding it


def covers(declared: str, observed: str) -> bool:
    """A declared category covers itself and its sub-categories (``user.contact`` covers ``user.contact.email``)."""
    return observed == declared or observed.startswith(declared + ".")


def compare(policy: Policy, obs: Observations) -> list[Comparison]:
    """Per activity with data: observed categories the policy does not declare (``undeclared``,
    or ``covered`` by a "data of any kind" category), declared ones never seen (``not_seen``);
    then the activities with no data at all (``no_data``). Nothing when no data is loaded."""
    out: list[Comparison] = []
    for a in policy.activities:
        o = obs.of(a.id)
        if not obs.loaded or not o.has_data:
            continue
        any_data = set(a.data_categories) <= ANY_DATA
        for cat in sorted(o.categories):
            c = o.categories[cat]
            if not c.firm or any(covers(d, cat) for d in a.data_categories):
                continue
            finding = "covered" if any_data and not c.special else "undeclared"
            out.append(Comparison(a.id, cat, c.special, finding, sorted(c.systems), len(c.columns), c.detections,
                                  c.reviewed, sorted(c.columns)))
        for d in a.data_categories:
            seen = bool(o.categories) if any_data else any(covers(d, cat) for cat in o.categories)
            if not seen:
                out.append(Comparison(a.id, d, is_special(d), "not_seen"))
    for a in policy.activities:
        if obs.loaded and not obs.of(a.id).has_data:
            out.append(Comparison(a.id, "", False, "no_data"))
    return out
