"""The erasure plan (GDPR Art. 17 and 19): field by field, what to erase, what the law keeps
and until when, and whom to tell.

Nothing is ever edited. For each record found about the person, each of its fields (the
export's own columns holding a value) gets one action:

- ``keep``: a legal hold covers the field (:mod:`.keep`, ``rgpd_audit/data/holds.yaml``:
  accounting books and vouchers, the third-party accounts they refer to, payroll, employment
  claims, a legal claim in progress the analyst declares), with the hold's kind, its source
  and its end; or the field is the minimal data of a suppression list (an unsubscription or an
  objection: address, date, channel), kept to honour it;
- ``erase``: nothing keeps it, or the hold's last day is past (``as_of > until``, the one
  date rule of :mod:`rgpd_audit.dates`). A third-party account's contact details are erased
  while the account stays: Code de commerce L123-22 keeps books and vouchers, not a supplier
  contact's e-mail;
- ``pseudonymise``: a field to erase that is also the record's key (other rows refer to it):
  replaced by the person's pseudonym;
- ``client`` (the whole record): data processed for a client — the client, as controller,
  decides (Art. 28(3)(e));
- ``review`` (the whole record): a weak, name-only candidate — or a third-party account no
  loaded accounting entry refers to: check the books.

A message of a mailbox (the person as sender or recipient) is one unit, with its attachments;
a document shared with the person is one unit too, and so is a file of a folder whose text
names the person (``contents=True``: messages and documents read again, :mod:`.contents`). With the recipients to notify (Art. 19)
from the policy's recipients of the activities concerned. Rendering: :mod:`.plan_files`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from ..holds import suppression_list
from ..ingest.loaded import LoadedSource, loaded_sources
from ..policy import Policy, UnknownPolicyItem
from ..sql import quote_ident
from ..vocab import DATE_ROLES, ERASURE_ACTIONS, HOLD_KINDS
from ..workspace import Workspace
from .claims import Claim
from .cover import split_activities
from .keep import AppliedHold, RecordFacts, record_facts
from .match import FindResult, Match, find_person
from .plan_files import md_escape, render_html, render_markdown, write_plan  # noqa: F401 - the plan's files
from .query import PersonQuery

log = logging.getLogger(__name__)

ACTIONS = ERASURE_ACTIONS.ids
WHOLE = "*"  # the field of an item about a whole unit (record, message, document)


@dataclass
class PlanItem:
    """One action on one field (or a whole unit) of one record."""

    source: str
    table: str
    record: str
    activity: str | None
    field: str
    action: str  # erase | pseudonymise | keep | client | review
    reason_fr: str
    reason_en: str
    legal_ref: str | None = None
    keep_until: dt.date | None = None
    system: str | None = None
    unit: str = "field"  # field | record | message | document
    keep_reason: str | None = None  # hold | opt_out
    hold: str | None = None
    hold_kind: str | None = None
    holds: list[dict] = field(default_factory=list)  # every hold applied to the field, with its end


@dataclass
class ErasePlan:
    subject_ref: str
    as_of: dt.date
    items: list[PlanItem] = field(default_factory=list)
    recipients: list[dict] = field(default_factory=list)

    def by_action(self, action: str) -> list[PlanItem]:
        return [i for i in self.items if i.action == action]

    def records(self, action: str | None = None) -> list[tuple[str, str, str]]:
        """The records (source, table, record) with at least one item of ``action`` (any: None)."""
        return list(dict.fromkeys((i.source, i.table, i.record) for i in self.items if action in (None, i.action)))

    def summary(self) -> dict:
        return {a: len(self.by_action(a)) for a in ACTIONS}

    def to_dict(self) -> dict:
        return {
            "format": "rgpd-audit/erase-plan", "version": 2, "subject_ref": self.subject_ref,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "records": {a: len(self.records(a)) for a in ACTIONS} | {"all": len(self.records())},
            "items": [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(i).items()} for i in self.items],
            "notify": self.recipients,
        }


# --- wording ------------------------------------------------------------------------------------


def _fr_date(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def _hold_words(a: AppliedHold, lang: str) -> str:
    h = a.hold
    fr = lang != "en"
    if a.claim is not None:
        label = h.label(lang)[0].upper() + h.label(lang)[1:]
        what = f"{label} « {a.claim.id} » ({a.claim.description})" if fr else f"{label} '{a.claim.id}' ({a.claim.description})"
        if a.until is None:
            return what + (" : conserver jusqu'à la fin de la procédure (date à déclarer)." if fr else ": keep until the proceedings end (date to declare).")
        return what + (f" : conserver jusqu'au {_fr_date(a.until)}." if fr else f": keep until {a.until.isoformat()}.")
    kind = HOLD_KINDS.label(h.kind, lang)
    d = h.duration
    period = f"{d.words(lang)} {h.counted_en if not fr else h.counted_fr}" if d else ""
    head = f"{kind[0].upper()}{kind[1:]} — {h.label(lang)}" + (f" ({period})" if period else "")
    note = h.note_en if not fr else h.note_fr
    note = f" ({note})" if note else ""
    if a.state == "dated":
        tail = f" : conserver jusqu'au {_fr_date(a.until)}, accès restreint{note}." if fr else f": keep until {a.until.isoformat()}, restricted access{note}."
    elif a.state == "pending":
        events = " / ".join(DATE_ROLES.label(r, lang) for r in h.from_)
        tail = (f" : le délai n'a pas commencé (pas encore de {events} à cette date) : conserver." if fr
                else f": the period has not started (no {events} yet on that date): keep.")
    else:
        events = " / ".join(DATE_ROLES.label(r, lang) for r in h.from_)
        tail = (f" : date de départ du délai ({events}) absente de cette source : conserver en archive à accès restreint et la vérifier."
                if fr else f": the date the period runs from ({events}) is not in this source: keep in a restricted archive and check it.")
    return head + tail


def _keep_hold(a: AppliedHold, holds: list[AppliedHold], as_of: dt.date) -> dict:
    return dict(action="keep", keep_reason="hold", hold=a.hold.id, hold_kind=a.hold.kind, keep_until=a.until,
                legal_ref=a.hold.legal_ref + (f" ; {a.claim.id}" if a.claim else ""),
                reason_fr=_hold_words(a, "fr"), reason_en=_hold_words(a, "en"), holds=[h.to_dict(as_of) for h in holds])


def _latest(holds: list[AppliedHold]) -> AppliedHold:
    """The hold that lasts longest: one without an end outlasts every dated one; among those
    without an end, the longest period (the one to check first)."""
    def length(a: AppliedHold) -> int:
        d = a.hold.duration
        return 31 * d.total_months + d.days if d else 1 << 30  # a claim: until the proceedings end
    return max(holds, key=lambda a: (a.until is None, a.until or dt.date.min, length(a)))


def _decide(name: str, facts: RecordFacts, as_of: dt.date, *, key_personal: bool, subject_ref: str) -> dict:
    """The action on one field, with its reason."""
    covering = [a for a in facts.holds if a.covers(name, facts.contact_fields)]
    active = [a for a in covering if a.active(as_of)]
    if active:
        return _keep_hold(_latest(active), covering, as_of)
    listed = [a.to_dict(as_of) for a in covering]
    if any(a.state == "no_entries" for a in covering):
        h = next(a.hold for a in covering if a.state == "no_entries")
        return dict(action="review", legal_ref=h.legal_ref, holds=listed,
                    reason_fr=("Compte de tiers : aucune écriture des journaux chargés ne renvoie à ce compte ; vérifier la comptabilité "
                               f"(un compte mouvementé se garde {h.duration.words('fr')} {h.counted_fr})."),
                    reason_en=("Third-party account: no entry of the loaded ledgers refers to it; check the books "
                               f"(an account with entries is kept {h.duration.words('en')} {h.counted_en})."))
    if facts.suppression is not None and name in facts.suppression:
        sl = suppression_list()
        if facts.opt_out is not None:
            fr = f"Liste d'opposition : désinscription ou opposition du {_fr_date(facts.opt_out)}, gardée avec le minimum (adresse, date, canal) pour l'honorer."
            en = f"Suppression list: unsubscription or objection of {facts.opt_out.isoformat()}, kept with the minimum (address, date, channel) to honour it."
        else:
            fr = f"Opposition reçue avec la demande : inscrire l'adresse sur la liste d'opposition avec la date de la demande ({_fr_date(as_of)})."
            en = f"Objection received with the request: put the address on the suppression list with the request's date ({as_of.isoformat()})."
        return dict(action="keep", keep_reason="opt_out", legal_ref=sl.source, reason_fr=fr, reason_en=en, holds=listed)
    if covering:  # every hold is over
        a = _latest(covering)
        over_fr = f"{a.hold.label('fr')} : durée légale échue le {_fr_date(a.until)} : à effacer."
        over_en = f"{a.hold.label('en')}: legal period over on {a.until.isoformat()}: erase."
        out = dict(action="erase", legal_ref=a.hold.legal_ref, keep_until=a.until, reason_fr=over_fr, reason_en=over_en, holds=listed)
    elif name in facts.contact_fields:
        out = dict(action="erase", legal_ref="RGPD art. 17(1) ; Code de commerce L123-22",
                   reason_fr="Coordonnées du contact dans la fiche du tiers : ni livre ni pièce comptable, aucune obligation de les garder : à effacer (le compte reste).",
                   reason_en="Contact details in the third-party record: neither a book nor a voucher, no duty to keep them: erase (the account stays).")
    elif facts.suppression is not None:
        out = dict(action="erase", legal_ref="RGPD art. 17(1), 21(3)",
                   reason_fr="Hors du minimum de la liste d'opposition : à effacer.",
                   reason_en="Beyond the minimum of the suppression list: erase.")
    else:
        out = dict(action="erase", legal_ref="RGPD art. 17(1)", reason_fr="Aucune obligation de conservation : à effacer.",
                   reason_en="No duty to keep: erase.")
    if key_personal:
        out.update(action="pseudonymise", legal_ref="RGPD art. 4(5), 17(1)",
                   reason_fr=f"Clé de l'enregistrement et identifiant de la personne : la remplacer par son pseudonyme {subject_ref} (les liens restent, l'identité part).",
                   reason_en=f"The record's key and the person's identifier: replace it by the pseudonym {subject_ref} (links stay, the identity goes).")
    return out


# --- the plan -------------------------------------------------------------------------------------


def _processor_activity(policy: Policy, acts: list[str]) -> bool:
    for a in acts:
        try:
            if policy.activity(a).controller_role in ("processor", "controller_on_behalf_of_client"):
                return True
        except UnknownPolicyItem:
            continue
    return False


def _row(ws: Workspace, table: str, file_id: int, row: int) -> dict:
    cur = ws.con.execute(f"SELECT * FROM raw.{quote_ident(table)} WHERE _file_id = ? AND _row = ?", [file_id, row])
    names = [d[0] for d in cur.description]
    values = cur.fetchone()
    return dict(zip(names, values)) if values else {}


def _fields(src: LoadedSource, row: dict) -> list[str]:
    """The export's own columns holding a value (internal and loader-made columns left out)."""
    return [c for c, v in row.items() if not c.startswith("_") and c not in src.derived_columns
            and v is not None and str(v).strip() != ""]


def _unit(src: LoadedSource, m: Match) -> tuple[str, str]:
    """(unit, table of the plan item): a mailbox's rows are their message; a share is its document."""
    mail = src.capability("mail")
    if mail is not None:
        children = {t.name for t in (src.capability("mail_recipients"), src.capability("mail_attachments")) if t}
        if m.table == mail.name or m.table in children:
            return "message", mail.name
    share = src.capability("share_log")
    if share is not None and m.table == share.name:
        return "document", m.table
    files = src.capability("file_store")
    if files is not None and m.table == files.name:
        return "file", m.table
    return "field", m.table


def _attachments(ws: Workspace, src: LoadedSource, m: Match) -> int:
    t = src.capability("mail_attachments")
    if t is None:
        return 0
    return ws.con.execute(f"SELECT count(*) FROM raw.{quote_ident(t.name)} WHERE _file_id = ? AND _row = ?",
                          [m.file_id, m.row]).fetchone()[0]


def _unit_item(unit: str, facts: RecordFacts, as_of: dt.date, n_att: int, item_field: str) -> dict:
    active = [a for a in facts.holds if a.hold.fields == "all" and a.active(as_of)]
    if active:
        return _keep_hold(_latest(active), facts.holds, as_of)
    if unit == "message":
        return dict(action="erase", legal_ref="RGPD art. 17(1)",
                    reason_fr=f"Message entier, avec ses {n_att} pièce(s) jointe(s) : le supprimer de la boîte, corbeille comprise.",
                    reason_en=f"The whole message, with its {n_att} attachment(s): delete it from the mailbox, trash included.")
    if unit == "file":
        return dict(action="erase", legal_ref="RGPD art. 17(1)",
                    reason_fr="Document qui nomme la personne (trouvé dans son texte) : le supprimer, ou en retirer ce qui la concerne, copies synchronisées comprises.",
                    reason_en="Document naming the person (found in its text): delete it, or remove what is about them, synchronised copies included.")
    return dict(action="erase", legal_ref="RGPD art. 17(1)",
                reason_fr=f"Document partagé avec la personne (« {item_field} » du rapport de partage, par ex. un CV) : retirer le partage et supprimer le document s'il la concerne.",
                reason_en=f"Document shared with the person ('{item_field}' of the sharing report, e.g. a CV): revoke the share and delete the document if it is about them.")


def erase_plan(
    ws: Workspace, policy: Policy, query: PersonQuery, *, as_of: dt.date, found: FindResult | None = None,
    claims: tuple[Claim, ...] = (), objection: bool = False, contents: bool = False,
) -> ErasePlan:
    """What must be erased where, field by field, what is kept, why and until when, as of
    ``as_of``. ``claims``: legal claims in progress the analyst declares (:func:`.claims.load_claims`);
    ``objection``: the person also objects (Art. 21): their mailing-list entries keep the
    suppression-list minimum. ``contents``: the messages and documents whose text names the
    person are in the plan too (read again, :mod:`.contents`). Edits nothing."""
    found = found or find_person(ws, query)
    if contents:
        from .contents import find_in_contents

        found = FindResult(found.subject_ref, [*found.matches, *find_in_contents(ws, query).matches])
    all_sources = loaded_sources(ws)
    sources = {s.name: s for s in all_sources}
    plan = ErasePlan(found.subject_ref, as_of)
    concerned: set[str] = set()
    done: set[tuple[str, str, str]] = set()
    for m in found.matches:
        src = sources[m.source]
        system = f"{src.provider or '?'} ({src.country or '?'})"
        acts = split_activities(m.activity) or src.activities
        unit, table = _unit(src, m)
        if (m.source, table, m.record) in done:  # a message found through its recipients too
            continue
        done.add((m.source, table, m.record))
        base = dict(source=m.source, table=table, record=m.record, activity=m.activity, system=system)
        if m.weak:
            plan.items.append(PlanItem(**base, field=WHOLE, unit="record", action="review",
                                       reason_fr="Correspondance sur le nom seul : vérifier l’identité avant toute action.",
                                       reason_en="Name-only match: check the identity before acting."))
            continue
        concerned.update(acts)
        if _processor_activity(policy, acts):
            plan.items.append(PlanItem(**base, field=WHOLE, unit="record", action="client", legal_ref="RGPD art. 28(3)(e)",
                                       reason_fr="Données traitées pour le compte d’un client : transmettre la demande au client (responsable du traitement).",
                                       reason_en="Data processed for a client: forward the request to the client (the controller)."))
            continue
        row = _row(ws, m.table, m.file_id, m.row)
        facts = record_facts(ws, src, m.table, row, sources=all_sources, as_of=as_of, query=query,
                             subject_ref=found.subject_ref, claims=claims, objection=objection)
        if unit != "field":
            share = src.capability("share_log")
            files = src.capability("file_store")
            item_field = (share.col("item") if share else None) or (files.col("path") if unit == "file" and files else None) or WHOLE
            name = WHOLE if unit == "message" else item_field
            decided = _unit_item(unit, facts, as_of, _attachments(ws, src, m) if unit == "message" else 0, item_field)
            plan.items.append(PlanItem(**base, field=name, unit="document" if unit == "file" else unit, **decided))
            continue
        key = src.options.get("key")
        personal = {c for cs in src.subject_columns().values() for c in cs}
        for name in _fields(src, row):
            decided = _decide(name, facts, as_of, key_personal=(name == key and name in personal), subject_ref=found.subject_ref)
            plan.items.append(PlanItem(**base, field=name, **decided))
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
    log.info("dsar erase-plan %s as of %s: %s", plan.subject_ref, as_of, plan.summary())
    return plan
