"""The erasure plan (GDPR Art. 17 and 19): what to erase where, what to keep and why.

Nothing is ever edited: the plan lists, per source and record, one action:

- ``erase``: no reason to keep the record;
- ``keep``: a legal duty outweighs erasure (Art. 17(3)(b)): accounting books and vouchers
  10 years from the closing of the financial year (Code de commerce L123-22; sources whose
  records are ``accounting_document`` s or a ``third_party_master`` file, with the policy's
  ``accounting_document`` rule when it has one), payroll and staff records 5 years (Code du
  travail L3243-4, R1221-26; sources with ``use: staff`` or a ``payroll`` capability). A kept record whose period is over as of the audit date is erased;
- ``client``: data processed for a client (the policy's role for the activity is processor or
  "controller on behalf of the client"): the client, as controller, decides (Art. 28(3)(e));
- ``review``: a weak, name-only candidate: check the identity first.

With the recipients to notify (Art. 19) from the policy's recipients of the activities
concerned, and the systems (providers) where the erasure is done.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

from ..errors import RgpdAuditError
from ..ingest.loaded import LoadedSource, loaded_sources
from ..policy import Duration, Policy, UnknownPolicyItem, describe_rule
from ..sql import quote_ident
from ..workspace import Workspace, io_errors
from .cover import split_activities
from .match import FindResult, find_person
from .query import PersonQuery

log = logging.getLogger(__name__)

ACCOUNTING_YEARS = 10
PAYROLL_YEARS = 5


@dataclass
class Retention:
    kind: str  # accounting | payroll
    duration: Duration
    date_column: str | None
    reason_fr: str
    reason_en: str
    legal_ref: str


@dataclass
class PlanItem:
    source: str
    table: str
    record: str
    activity: str | None
    action: str  # erase | keep | client | review
    reason_fr: str
    reason_en: str
    legal_ref: str | None = None
    keep_until: dt.date | None = None
    system: str | None = None


@dataclass
class ErasePlan:
    subject_ref: str
    as_of: dt.date
    items: list[PlanItem] = field(default_factory=list)
    recipients: list[dict] = field(default_factory=list)

    def by_action(self, action: str) -> list[PlanItem]:
        return [i for i in self.items if i.action == action]

    def to_dict(self) -> dict:
        return {
            "format": "rgpd-audit/erase-plan", "version": 1, "subject_ref": self.subject_ref,
            "as_of": self.as_of.isoformat(),
            "summary": {a: len(self.by_action(a)) for a in ("erase", "keep", "client", "review")},
            "items": [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(i).items()} for i in self.items],
            "notify": self.recipients,
        }


def _date_column(src: LoadedSource, cols: set[str], roles: tuple[str, ...], known: tuple[str, ...]) -> str | None:
    for col, role in (src.options.get("dates") or {}).items():
        if role in roles and col in cols:
            return col
    return next((c for c in known if c in cols), None)


def retention_duty(policy: Policy, src: LoadedSource, cols: set[str]) -> Retention | None:
    """The legal retention duty covering a source's records, if any (Art. 17(3)(b))."""
    if src.record_kind == "accounting_document" or src.has_capability("third_party_master"):
        rule = None
        for a in src.activities:
            try:
                rule = next((r for r in policy.activity(a).retention if r.applies_to == "accounting_document"), rule)
            except UnknownPolicyItem:
                continue
        duration = rule.effective_duration if rule else Duration(years=ACCOUNTING_YEARS)
        words_fr = describe_rule(rule, "fr") if rule else "10 ans après la clôture de l’exercice"
        words_en = describe_rule(rule, "en") if rule else "10 years after the fiscal year close"
        return Retention(
            "accounting", duration, _date_column(src, cols, ("fiscal_year_close",), ("fiscal_year_close",)),
            f"Pièce ou écriture comptable : conservation obligatoire ({words_fr}).",
            f"Accounting record: retention required by law ({words_en}).",
            "RGPD art. 17(3)(b); Code de commerce L123-22" + (f"; politique {rule.clause.section}" if rule else ""),
        )
    if src.use == "staff" or src.has_capability("payroll"):
        return Retention(
            "payroll", Duration(years=PAYROLL_YEARS),
            _date_column(src, cols, ("departure", "contract_end"), ("end_date", "departure")),
            "Donnée de paie / registre du personnel : conservation obligatoire (5 ans après la sortie ou l’émission).",
            "Payroll / staff-register data: retention required by law (5 years after departure or issue).",
            "RGPD art. 17(3)(b); Code du travail L3243-4, R1221-26",
        )
    return None


def _keep_until(ws: Workspace, table: str, col: str, duration: Duration, file_id: int, row: int) -> dt.date | None:
    v = ws.con.execute(
        f"SELECT max(coalesce(TRY_CAST({quote_ident(col)} AS DATE), try_strptime(CAST({quote_ident(col)} AS VARCHAR), "
        f"['%d/%m/%Y', '%Y%m%d', '%Y%m', '%Y-%m'])::DATE)) FROM raw.{quote_ident(table)} WHERE _file_id = ? AND _row = ?",
        [file_id, row],
    ).fetchone()[0]
    return duration.add_to(v) if v else None


def _processor_activity(policy: Policy, acts: list[str]) -> bool:
    for a in acts:
        try:
            if policy.activity(a).controller_role in ("processor", "controller_on_behalf_of_client"):
                return True
        except UnknownPolicyItem:
            continue
    return False


def erase_plan(ws: Workspace, policy: Policy, query: PersonQuery, *, as_of: dt.date, found: FindResult | None = None) -> ErasePlan:
    """What must be erased where, what is kept and why, as of ``as_of``. Edits nothing."""
    found = found or find_person(ws, query)
    sources = {s.name: s for s in loaded_sources(ws)}
    plan = ErasePlan(found.subject_ref, as_of)
    cols_cache: dict[str, set[str]] = {}
    concerned: set[str] = set()
    for m in found.matches:
        src = sources[m.source]
        system = f"{src.provider or '?'} ({src.country or '?'})"
        acts = split_activities(m.activity) or src.activities
        base = dict(source=m.source, table=m.table, record=m.record, activity=m.activity, system=system)
        if m.weak:
            plan.items.append(PlanItem(**base, action="review",
                                       reason_fr="Correspondance sur le nom seul : vérifier l’identité avant toute action.",
                                       reason_en="Name-only match: check the identity before acting."))
            continue
        concerned.update(acts)
        if m.table not in cols_cache:
            cols_cache[m.table] = {r[0] for r in ws.con.execute(f"DESCRIBE raw.{quote_ident(m.table)}").fetchall()}
        duty = retention_duty(policy, src, cols_cache[m.table])
        if duty is not None:
            until = _keep_until(ws, m.table, duty.date_column, duty.duration, m.file_id, m.row) if duty.date_column else None
            if until is not None and until <= as_of:
                plan.items.append(PlanItem(**base, action="erase", keep_until=until, legal_ref=duty.legal_ref,
                                           reason_fr=f"Durée légale de conservation échue le {until:%d/%m/%Y} : à effacer.",
                                           reason_en=f"Legal retention period over on {until.isoformat()}: erase."))
            else:
                extra_fr = "" if until else " Date de référence inconnue : conserver en archive à accès restreint."
                extra_en = "" if until else " Reference date unknown: keep in restricted-access archive."
                plan.items.append(PlanItem(**base, action="keep", keep_until=until, legal_ref=duty.legal_ref,
                                           reason_fr=duty.reason_fr + extra_fr, reason_en=duty.reason_en + extra_en))
            continue
        if _processor_activity(policy, acts):
            plan.items.append(PlanItem(**base, action="client", legal_ref="RGPD art. 28(3)(e)",
                                       reason_fr="Données traitées pour le compte d’un client : transmettre la demande au client (responsable du traitement).",
                                       reason_en="Data processed for a client: forward the request to the client (the controller)."))
            continue
        plan.items.append(PlanItem(**base, action="erase", legal_ref="RGPD art. 17(1)",
                                   reason_fr="Aucune obligation de conservation : à effacer.",
                                   reason_en="No retention duty: erase."))
    seen: set[tuple[str, str]] = set()
    for a in sorted(concerned):
        try:
            act = policy.activity(a)
        except UnknownPolicyItem:
            continue
        for r in act.recipients:
            if r.kind == "internal" or (a, r.name.fr) in seen:
                continue
            seen.add((a, r.name.fr))
            plan.recipients.append({"activity": a, "name_fr": r.name.fr, "name_en": r.name.get("en"), "kind": r.kind,
                                    "clause": r.clause.section})
    log.info("dsar erase-plan %s as of %s: %s", plan.subject_ref, as_of, plan.to_dict()["summary"])
    return plan


_T = {
    "fr": {"title": "Plan d’effacement (RGPD art. 17 et 19)", "ref": "Personne", "as_of": "Date", "nothing": "Rien n’est modifié : ce plan liste les actions à mener.",
           "erase": "À effacer", "keep": "À conserver (art. 17(3))", "client": "À transmettre au client", "review": "À vérifier (correspondance faible)",
           "cols": ("Source", "Table", "Enregistrement", "Traitement", "Système", "Motif", "Jusqu’au"),
           "notify": "Destinataires à informer (art. 19)", "none": "aucun"},
    "en": {"title": "Erasure plan (GDPR Art. 17 and 19)", "ref": "Person", "as_of": "Date", "nothing": "Nothing is changed: this plan lists the actions to take.",
           "erase": "To erase", "keep": "To keep (Art. 17(3))", "client": "To forward to the client", "review": "To check (weak match)",
           "cols": ("Source", "Table", "Record", "Activity", "System", "Reason", "Until"),
           "notify": "Recipients to notify (Art. 19)", "none": "none"},
}


_MD_INLINE = re.compile(r"([\\`*_\[\]|#~])")
_MD_BLOCK_START = re.compile(r"^(\s*)(\d*)([-+=.)])")


def md_escape(text: str) -> str:
    """A text from the data or the manifest, safe inside a Markdown paragraph, list item or
    table cell: on one line; ``&``, ``<`` and ``>`` as HTML entities (no raw HTML such as
    ``<script>`` reaches a renderer); emphasis, code, link, table and heading characters
    escaped; no list, heading or quote can start it."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(r"\1\2\\\3", text)


def _cells(i: PlanItem, lang: str) -> list[str]:
    reason = i.reason_fr if lang == "fr" else i.reason_en
    if i.legal_ref:
        reason += f" ({i.legal_ref})"
    return [i.source, i.table, i.record, i.activity or "", i.system or "", reason, i.keep_until.isoformat() if i.keep_until else ""]


def render_markdown(plan: ErasePlan, lang: str = "fr") -> str:
    t = _T[lang]
    e = md_escape
    out = [f"# {t['title']}", "", f"- {t['ref']}: {e(plan.subject_ref)}", f"- {t['as_of']}: {plan.as_of.isoformat()}", "", t["nothing"], ""]
    for action in ("erase", "keep", "client", "review"):
        items = plan.by_action(action)
        out += [f"## {t[action]} ({len(items)})", ""]
        if items:
            out += ["| " + " | ".join(t["cols"]) + " |", "|" + " --- |" * len(t["cols"])]
            out += ["| " + " | ".join(e(c) for c in _cells(i, lang)) + " |" for i in items]
        else:
            out.append(t["none"])
        out.append("")
    out += [f"## {t['notify']}", ""]
    out += [f"- {e(r['name_fr'] if lang == 'fr' else r['name_en'] or r['name_fr'])} ({e(r['kind'])}; {e(r['activity'])}, {e(r['clause'])})"
            for r in plan.recipients] or [t["none"]]
    return "\n".join(out) + "\n"


def render_html(plan: ErasePlan, lang: str = "fr") -> str:
    t = _T[lang]
    out = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{escape(t['title'])}</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em}</style>",
           f"</head><body><h1>{escape(t['title'])}</h1><p>{escape(t['ref'])}: {escape(plan.subject_ref)}<br>{escape(t['as_of'])}: {plan.as_of.isoformat()}</p>",
           f"<p>{escape(t['nothing'])}</p>"]
    for action in ("erase", "keep", "client", "review"):
        items = plan.by_action(action)
        out.append(f"<h2>{escape(t[action])} ({len(items)})</h2>")
        if items:
            out.append("<table><tr>" + "".join(f"<th>{escape(c)}</th>" for c in t["cols"]) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(i, lang)) + "</tr>" for i in items]
            out.append("</table>")
    out.append(f"<h2>{escape(t['notify'])}</h2><ul>")
    out += [f"<li>{escape(r['name_fr'] if lang == 'fr' else r['name_en'])} ({escape(r['kind'])}; {escape(r['activity'])})</li>" for r in plan.recipients]
    out.append("</ul></body></html>\n")
    return "\n".join(out)


def write_plan(plan: ErasePlan, out_dir: str | Path, lang: str = "fr") -> list[Path]:
    """Write ``plan_effacement_<ref>.md``, ``.html`` and ``.json`` into ``out_dir``; a folder
    or file that cannot be written (disk full, read-only, a file in the way) is an
    :class:`~rgpd_audit.errors.RgpdAuditError` naming it."""
    out_dir = Path(out_dir)
    base = out_dir / f"plan_effacement_{plan.subject_ref}"
    paths = [base.with_suffix(".md"), base.with_suffix(".html"), base.with_suffix(".json")]
    texts = [render_markdown(plan, lang), render_html(plan, lang), json.dumps(plan.to_dict(), ensure_ascii=False, indent=2)]
    with io_errors(out_dir, RgpdAuditError, " (cannot write the erasure plan)"):
        out_dir.mkdir(parents=True, exist_ok=True)
        for path, text in zip(paths, texts):
            path.write_text(text, encoding="utf-8")
    return paths
