"""Build the Art. 30 register from the policy and what the workspace shows.

The result is plain data in one language (:class:`Register`); the XLSX and HTML writers
only lay it out. Activities where the company is controller go to the controller's record
(Art. 30(1)); client activities (``processor``) to the processor's record (Art. 30(2)).
``controller_on_behalf_of_client`` is self-contradictory (Art. 28: acting on a client's
instructions makes you a processor): such activities are listed in the processor's record
with a warning. Dates are parameters: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from ..legal import Evidence, assess_transfer, is_eea, provider_key
from ..mapping.observed import Observation, Observations, compare, observe
from ..policy import Activity, Hosting, Policy, describe_rule
from ..vocab import CONTROLLER_ROLES, LEGAL_BASES, RECORD_KINDS, ROLES, TRANSFER_MECHANISMS, Lang, category_label, country_name, is_special
from ..workspace import Workspace
from . import words
from .words import w

RegisterKind = Literal["controller", "processor"]

@dataclass
class Field:
    """One row of a register sheet: label, content (lines joined by newlines), provenance."""

    label: str
    value: str
    basis: str = ""
    warning: bool = False


@dataclass
class ActivitySheet:
    id: str
    section: str
    title: str
    register: RegisterKind
    sheet_name: str
    fields: list[Field]
    warnings: list[str] = field(default_factory=list)
    has_data: bool = False


@dataclass
class Gap:
    """One line of "declared vs observed": a category, for an activity, and the finding."""

    activity_id: str
    activity: str
    category: str
    label: str
    special: bool
    finding: Literal["undeclared", "not_seen", "covered", "no_data"]
    finding_label: str
    systems: list[str] = field(default_factory=list)
    columns: int = 0
    detections: int = 0


@dataclass
class Register:
    lang: Lang
    as_of: dt.date
    created: dt.date
    organisation_name: str
    organisation: list[Field]
    controller: list[ActivitySheet]
    processor: list[ActivitySheet]
    gaps: list[Gap]
    data_loaded: bool

    @property
    def activities(self) -> list[ActivitySheet]:
        return self.controller + self.processor

    @property
    def undeclared(self) -> list[Gap]:
        return [g for g in self.gaps if g.finding == "undeclared"]

    @property
    def not_seen(self) -> list[Gap]:
        return [g for g in self.gaps if g.finding == "not_seen"]

    def t(self, key: str, **kwargs) -> str:
        """A register word in this register's language (used by the templates)."""
        return w(key, self.lang, **kwargs)

    def date(self, d: dt.date) -> str:
        """A date in this register's language (used by the templates and the XLSX writer)."""
        return words.date(d, self.lang)

    def number(self, n) -> str:
        return words.number(n, self.lang) if n else ""


# --- helpers -----------------------------------------------------------------------------


def _lines(items) -> str:
    return "\n".join(f"• {i}" for i in items)


def _sheet_name(a: Activity) -> str:
    name = f"{a.section} {a.id}"
    for ch in '[]:*?/\\':
        name = name.replace(ch, "_")
    return name[:31]


def _norm(s: str | None) -> str:
    return "".join(ch for ch in (s or "").lower() if ch.isalnum())


def _policy_host(policy: Policy, provider: str | None) -> Hosting | None:
    key = _norm(provider)
    for h in policy.hosting:
        if key and _norm(h.provider) == key:
            return h
    return None


# --- fields --------------------------------------------------------------------------------


def _retention(a: Activity, lang: Lang) -> tuple[str, str]:
    if not a.retention:
        return w("retention_missing", lang), ""
    sep = " : " if lang == "fr" else ": "
    text = _lines(f"{RECORD_KINDS.label(r.applies_to, lang)}{sep}{describe_rule(r, lang)}" for r in a.retention)
    sections = sorted({r.clause.section for r in a.retention})
    return text, w("from_policy", lang, section=", ".join(sections))


def _external(a: Activity, policy: Policy, o: Observation, lang: Lang) -> str:
    out = [f"{r.name.get(lang)} ({w('kind_' + r.kind, lang)}, {r.clause.section})" for r in a.recipients]
    out += [
        f"{r.name.get(lang)} ({w('kind_' + r.kind, lang)}, {r.clause.section}, {w('all_activities', lang)})"
        for r in policy.rights.recipients
    ]
    hosts: dict[str, str] = {}
    for h in policy.hosting:
        if h.kind != "on_premises" and _norm(h.provider) != _norm(policy.organisation.name):
            hosts[_norm(h.provider)] = f"{h.provider} — {h.name.get(lang)} ({w('kind_host', lang)}, {h.clause.section})"
    for s in o.systems.values():
        if s.provider and _norm(s.provider) not in hosts and _norm(s.provider) != _norm(policy.organisation.name):
            hosts[_norm(s.provider)] = f"{s.provider} ({w('kind_host', lang)}, {w('observed', lang)})"
    out += hosts.values()
    return _lines(out) if out else w("none", lang)


@dataclass
class _Facts:
    """What the workspace knows beyond the policy: the provider register (with the user's
    providers.yaml), the user's transfer evidence per source, the controller's identity."""

    register: object = None
    evidence: dict = field(default_factory=dict)  # source name -> hosting.evidence
    organisation: dict = field(default_factory=dict)

    @classmethod
    def of(cls, ws: Workspace | None) -> _Facts:
        if ws is None:
            return cls()
        from ..ingest.loaded import loaded_sources, workspace_organisation, workspace_register

        has_sources = ws.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND table_name = 'sources'").fetchone()[0]
        evidence = {s.name: s.evidence for s in loaded_sources(ws)} if has_sources else {}
        return cls(workspace_register(ws), evidence, workspace_organisation(ws))


def _transfers(policy: Policy, o: Observation, as_of: dt.date, lang: Lang, facts: _Facts | None = None) -> tuple[str, bool]:
    """Transfers outside the EEA of the activity's systems (and the policy's §9 hosts), judged on
    the provider register at ``as_of``; what the policy claims is shown beside, not mixed in."""
    facts = facts or _Facts()
    hosts: dict[str, dict] = {}
    for s in sorted(o.systems.values(), key=lambda s: s.name):
        hosts.setdefault(provider_key(s.provider, facts.register), {"provider": s.provider, "country": s.country, "sources": []})["sources"].append(s.name)
    for h in policy.hosting:
        if not is_eea(h.country, as_of):
            hosts.setdefault(provider_key(h.provider, facts.register), {"provider": h.provider, "country": h.country, "sources": []})
    lines, gap = [], False
    for key, e in hosts.items():
        evidence = Evidence.merged([facts.evidence.get(name) for name in e["sources"]])
        v = assess_transfer(e["provider"], e["country"], as_of, evidence=evidence, register=facts.register)
        if not v.transfer:
            continue
        h = next((h for h in policy.hosting if provider_key(h.provider, facts.register) == key), None)
        claim = (w("policy_claims", lang, claim=TRANSFER_MECHANISMS.label(h.claimed_transfer_mechanism, lang))
                 if h else w("policy_silent", lang))
        for d in v.destinations:
            where = f"{v.provider_name} → {d.entity}, {country_name(d.country, lang)} ({d.country})"
            date = words.date(as_of, lang)
            if d.covered:
                verdict = w("verdict_ok", lang, date=date, label=d.label_fr if lang == "fr" else d.label_en)
                notes = d.notes_fr if lang == "fr" else d.notes_en
                verdict += "".join(f" ; {n}" if lang == "fr" else f"; {n}" for n in notes)
            else:
                gap = True
                verdict = w("verdict_gap", lang, date=date, label=d.label_fr if lang == "fr" else d.label_en,
                            settle=d.settle_fr if lang == "fr" else d.settle_en)
            basis = w("observed_sources", lang, sources=", ".join(e["sources"])) if e["sources"] else w("policy_hosting", lang)
            lines.append(f"{where} — {verdict} — {claim} [{basis}]")
    if not lines:
        return w("no_transfer", lang), False
    return _lines(lines), gap


def _security(policy: Policy, lang: Lang) -> tuple[str, str]:
    quotes: list[tuple[str, str]] = []
    for h in policy.hosting:
        q = (h.clause.section, h.clause.quote)
        if q not in quotes:
            quotes.append(q)
    text = w("security_checklist", lang)
    if not quotes:
        return text, ""
    sep = " : " if lang == "fr" else ": "
    text += f"\n{w('security_policy', lang)}{sep}" + " ".join(f"« {q} »" if lang == "fr" else f"\"{q}\"" for _, q in quotes)
    return text, w("from_policy", lang, section=", ".join(sorted({s for s, _ in quotes})))


def _observed_categories(o: Observation, loaded: bool, lang: Lang) -> str:
    if not loaded:
        return w("no_data", lang)
    if not o.has_data:
        return w("no_source_for_activity", lang)
    if not o.categories:
        return w("none", lang)
    out = []
    for name in sorted(o.categories):
        c = o.categories[name]
        extra = [w("columns", lang, n=len(c.columns))] if c.columns else []
        if c.detections:
            extra.append(w("records", lang, n=c.detections))
        out.append(f"{category_label(name, lang)} ({', '.join(extra)})")
    return _lines(out)


def _sensitive(a: Activity, o: Observation, loaded: bool, lang: Lang) -> tuple[str, bool]:
    sep = " : " if lang == "fr" else ": "
    declared = [category_label(c, lang) for c in a.data_categories if is_special(c)]
    lines = [f"{w('sensitive_declared', lang)}{sep}{', '.join(declared) or w('none', lang)}"]
    if not loaded:
        lines.append(f"{w('sensitive_observed', lang)}{sep}{w('no_data', lang)}")
        return "\n".join(lines), False
    seen = [c for c in o.categories.values() if c.special]
    obs = [
        f"{category_label(c.category, lang)} ("
        + ", ".join([w("records", lang, n=c.detections)] * bool(c.detections)
                    + [w("columns", lang, n=len(c.columns))] * (not c.detections))
        + f" — {', '.join(sorted(c.systems))})"
        for c in sorted(seen, key=lambda c: c.category)
    ]
    lines.append(f"{w('sensitive_observed', lang)}{sep}{', '.join(obs) or w('none', lang)}")
    return "\n".join(lines), bool(seen)


def _systems(o: Observation, loaded: bool, lang: Lang) -> str:
    if not loaded:
        return w("no_data", lang)
    if not o.has_data:
        return w("no_source_for_activity", lang)
    out = []
    for s in sorted(o.systems.values(), key=lambda s: s.name):
        where = f"{s.provider or '?'}, {country_name(s.country, lang)}"
        recs = f", {w('records', lang, n=s.records)}" if s.records is not None else ""
        out.append(f"{s.title or s.name} [{s.name}] — {where}{recs}")
    return _lines(out)


def _activity_sheet(a: Activity, policy: Policy, obs: Observations, as_of: dt.date, created: dt.date,
                    lang: Lang, facts: _Facts | None = None) -> ActivitySheet:
    facts = facts or _Facts()
    o = obs.of(a.id)
    register: RegisterKind = "controller" if a.controller_role == "controller" else "processor"
    src = lambda section: w("from_policy", lang, section=section)  # noqa: E731
    org = policy.organisation.name
    warnings = []
    if a.controller_role == "controller_on_behalf_of_client":
        warnings.append(w("warn_on_behalf", lang, section=a.section, org=org))
    f: list[Field] = [
        Field(w("activity_name", lang), a.title.get(lang), src(a.section)),
        Field(w("section", lang), a.section),
        Field(w("register", lang), w(f"{register}_register", lang)),
        Field(w("role", lang), CONTROLLER_ROLES.label(a.controller_role, lang), src(a.clause.section), warning=bool(warnings)),
    ]
    for text in warnings:
        f.append(Field(w("warning", lang), text, w("law_art28", lang), warning=True))
    if register == "processor":
        clients = ", ".join(sorted(o.clients))
        f.append(Field(w("controller_of", lang),
                       w("clients_observed", lang, clients=clients) if clients else w("clients_unknown", lang),
                       w("observed", lang) if clients else ""))
        mine = facts.organisation
        if mine.get("address") or mine.get("contact"):
            contact = "; ".join(x for x in (mine.get("address"), mine.get("contact")) if x)
            f.append(Field(w("processor_name", lang), f"{mine.get('name') or org} — {contact}", w("from_manifest", lang)))
        else:
            contact = "; ".join(x for x in (policy.rights.contact.email, policy.rights.contact.postal_address) if x)
            f.append(Field(w("processor_name", lang), f"{org} — {contact}", src(policy.rights.contact.clause.section)
                           if policy.rights.contact.clause else ""))
        f.append(Field(w("processing_for_client", lang), _lines(p.get(lang) for p in a.purposes),
                       src(a.purposes_clause.section)))
    else:
        f.append(Field(w("purposes", lang), _lines(p.get(lang) for p in a.purposes), src(a.purposes_clause.section)))
    if register == "controller":  # a processor's record (Art. 30(2)) holds no legal basis: the client's, as controller
        bases = [f"{LEGAL_BASES.label(b.basis, lang)}" + (f" ({b.holder})" if b.holder else "") for b in a.legal_bases]
        f.append(Field(w("legal_bases", lang), _lines(dict.fromkeys(bases)),
                       src(", ".join(sorted({b.clause.section for b in a.legal_bases})))))
    f.append(Field(w("subjects", lang), _lines(s.get(lang) for s in a.data_subjects),
                   src((a.data_subjects_clause or a.clause).section)))
    f.append(Field(w("categories", lang), _lines(category_label(c, lang) for c in a.data_categories),
                   src(a.categories_clause.section)))
    f.append(Field(w("categories_observed", lang), _observed_categories(o, obs.loaded, lang),
                   w("observed", lang) if o.has_data else ""))
    text, flagged = _sensitive(a, o, obs.loaded, lang)
    f.append(Field(w("sensitive", lang), text, w("observed", lang) if o.has_data else "", warning=flagged))
    f.append(Field(w("retention", lang), *_retention(a, lang)))
    f.append(Field(w("internal", lang), _lines(ROLES.label(r, lang) for r in a.access_roles), src(a.access_clause.section)))
    f.append(Field(w("external", lang), _external(a, policy, o, lang), src(a.section)))
    text, flagged = _transfers(policy, o, as_of, lang, facts)
    f.append(Field(w("transfers", lang), text, "§9", warning=flagged))
    f.append(Field(w("security", lang), *_security(policy, lang)))
    if a.enrichment_sources:
        f.append(Field(w("enrichment", lang), _lines(e.name.get(lang) for e in a.enrichment_sources),
                       src(a.enrichment_sources[0].clause.section)))
    f.append(Field(w("systems", lang), _systems(o, obs.loaded, lang), w("observed", lang) if o.has_data else ""))
    f.append(Field(w("created", lang), words.date(created, lang)))
    f.append(Field(w("updated", lang), words.date(as_of, lang)))
    return ActivitySheet(a.id, a.section, a.title.get(lang), register, _sheet_name(a), f, warnings, o.has_data)


def _gaps(policy: Policy, obs: Observations, lang: Lang) -> list[Gap]:
    """"Declared vs observed" (:func:`rgpd_audit.mapping.observed.compare`), in words."""
    out: list[Gap] = []
    for c in compare(policy, obs):
        a = policy.activity(c.activity_id)
        name = f"{a.section} {a.title.get(lang)}"
        if c.finding == "no_data":
            out.append(Gap(a.id, name, "", "", False, "no_data", w("no_data_activity", lang)))
        else:
            out.append(Gap(a.id, name, c.category, category_label(c.category, lang), c.special, c.finding,
                           w(c.finding, lang), c.systems, c.columns, c.detections))
    return out


def _organisation(policy: Policy, obs: Observations, as_of: dt.date, created: dt.date, lang: Lang,
                  facts: _Facts | None = None) -> list[Field]:
    """Art. 30(1)(a): the controller's identity and contact — from the manifest's
    ``organisation`` (the company's own facts), the policy's contact shown beside it."""
    r = policy.rights
    mine = (facts or _Facts()).organisation
    policy_contact = "\n".join(x for x in (r.contact.email, r.contact.postal_address) if x)
    policy_src = w("from_policy", lang, section=r.contact.clause.section) if r.contact.clause else ""
    own_contact = "\n".join(x for x in (mine.get("address"), mine.get("contact")) if x)
    if mine.get("dpo"):
        dpo, dpo_src, dpo_warn = mine["dpo"], w("from_manifest", lang), False
    elif r.dpo:
        dpo, dpo_src, dpo_warn = "\n".join(x for x in (r.dpo.email, r.dpo.postal_address) if x), "", False
    else:
        dpo, dpo_src, dpo_warn = w("not_designated", lang), w("not_stated", lang), True
    n_c = sum(a.controller_role == "controller" for a in policy.activities)
    counts = (f"{w('controller_register', lang)} : {n_c}\n{w('processor_register', lang)} : {len(policy.activities) - n_c}"
              if lang == "fr" else
              f"{w('controller_register', lang)}: {n_c}\n{w('processor_register', lang)}: {len(policy.activities) - n_c}")
    legal_form = mine.get("legal_form") or policy.organisation.legal_form
    fields = [
        Field(w("org_name", lang), mine.get("name") or policy.organisation.name, w("from_manifest", lang) if mine.get("name") else ""),
        Field(w("legal_form", lang), legal_form or w("to_complete", lang), w("from_manifest", lang) if mine.get("legal_form") else "",
              warning=not legal_form),
        Field(w("siren", lang), mine.get("siren") or w("to_complete", lang), w("from_manifest", lang) if mine.get("siren") else "",
              warning=not mine.get("siren")),
        Field(w("org_address", lang), own_contact or w("to_complete_manifest", lang),
              w("from_manifest", lang) if own_contact else "", warning=not own_contact),
    ]
    if mine.get("representative"):
        fields.append(Field(w("legal_representative", lang), mine["representative"], w("from_manifest", lang)))
    fields += [
        Field(w("org_contact", lang), policy_contact, policy_src),
        Field(w("representative", lang), w("representative_na", lang, authority=r.supervisory_authority.name),
              w("from_policy", lang, section=r.supervisory_authority.clause.section)),
        Field(w("dpo", lang), dpo, dpo_src, warning=dpo_warn),
        Field(w("authority", lang), f"{r.supervisory_authority.name} ({r.supervisory_authority.website})",
              w("from_policy", lang, section=r.supervisory_authority.clause.section)),
        Field(w("policy_source", lang), policy.source.title + (f" ({policy.source.section})" if policy.source.section else "")),
        Field(w("activities_count", lang), counts),
        Field(w("data_state", lang), w("data_loaded", lang, n=obs.n_sources) if obs.loaded else w("no_data", lang)),
        Field(w("created", lang), words.date(created, lang)),
        Field(w("updated", lang), words.date(as_of, lang)),
    ]
    return fields


def _first_audit(ws: Workspace | None, as_of: dt.date) -> dt.date | None:
    """The record's creation date: the first audit recorded in the workspace (not later than
    ``as_of``); the register exists since the company was first audited."""
    if ws is None:
        return None
    return ws.con.execute("SELECT min(as_of) FROM audit_runs WHERE status = 'done' AND as_of <= ?", [as_of]).fetchone()[0]


def build_register(policy: Policy, ws: Workspace | None = None, *, as_of: dt.date, lang: Lang = "fr",
                   created: dt.date | None = None, observations: Observations | None = None) -> Register:
    """The Art. 30 register for ``policy``, with what ``ws`` shows (``None``: policy only).

    ``as_of`` is the update date written on every sheet; ``created`` the creation date
    (default: the first audit recorded in ``ws``, else ``as_of``). Rebuilds the workspace's ``datamap`` view, unless given the
    ``observations`` of ``observe(ws, policy)`` (the register in both languages from one
    look at the workspace).
    """
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    created = created or _first_audit(ws, as_of) or as_of
    obs = observations if observations is not None else observe(ws, policy)
    facts = _Facts.of(ws)
    sheets = [_activity_sheet(a, policy, obs, as_of, created, lang, facts) for a in policy.activities]
    return Register(
        lang=lang,
        as_of=as_of,
        created=created,
        organisation_name=facts.organisation.get("name") or policy.organisation.name,
        organisation=_organisation(policy, obs, as_of, created, lang, facts),
        controller=[s for s in sheets if s.register == "controller"],
        processor=[s for s in sheets if s.register == "processor"],
        gaps=_gaps(policy, obs, lang),
        data_loaded=obs.loaded,
    )
