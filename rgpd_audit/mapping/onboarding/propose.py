"""What a draft manifest suggests for one source, from the columns its loader read.

The classifier's own rules decide (``classify.suggest.classify`` on each column's name and
sampled values, ``classify.names.date_role`` for a date column's role): a modification, sync,
bounce or outbound-message date is a ``record_change``, an unsubscription an ``opt_out`` —
never a contact. A Google-style ``Custom Field 1 - Value`` takes the role its ``… - Label``
column names. What the format declares itself (a Mailchimp ``LAST_CHANGED``) is left to it.
Suggested: the key (a complete, unique identifier column), the subject's columns, the date
roles and formats, a contract-duration column, the activities whose words the file's path
shares. Everything else is a question for a person, listed with the source.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ...ingest.coerce import DEFAULT_DATE_FORMATS
from ...ingest.loaders import registry
from ...ingest.loaders.base import Loader
from ..classify import names
from ..classify.suggest import classify
from .discover import Group
from .probe import Probe

EMAIL, PHONE, NAME = "user.contact.email", "user.contact.phone_number", "user.name"
BIRTH = "user.demographic.date_of_birth"
KEY_UNIQUE = 0.98  # share of distinct values a key needs
ID_TOKENS = frozenset("id ids code num numero no matricule ref reference key identifiant identifier uid uuid guid".split())
# a column about someone else than the record's person: its sender, owner, recipients
NOT_SUBJECT = frozenset(
    "by from to cc bcc cci sender recipient recipients destinataire destinataires expediteur reply participants with "
    "owner manager managers recruiter coordinator assistant reports domain".split())
NAME_PARTS = frozenset("first last given family surname firstname lastname prenom prenoms nom".split())
NOT_NAME_PART = frozenset("middle phonetic nickname file yomi suffix prefix maiden naissance".split())
FULL_NAME = ({"fn"}, {"full", "name"}, {"display", "name"}, {"nom", "complet"}, {"name"})
RETENTION_WORDS = re.compile(r"conservation|retention|duree|duration")
STATUS_TOKENS = frozenset("statut status stage etat state".split())
ACCESS_KINDS = frozenset({"member_list", "access_log", "document_log", "share_log"})
# extra formats tried after the loader's defaults: month-first and two-digit years
EXTRA_FORMATS = ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d/%m/%y", "%d/%m/%y %H:%M"]
MONTH_FIRST = {"%d/%m/%Y": "%m/%d/%Y", "%d/%m/%Y %H:%M": "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S": "%m/%d/%Y %H:%M:%S"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class Question:
    """Something only a person can decide for a source (``key`` in the manifest's terms)."""

    key: str
    text: str


@dataclass
class Proposal:
    name: str
    format: str
    path: str
    files: list[str]
    title: str
    activities: list[str] = field(default_factory=list)
    activities_note: str = ""
    use: str | None = None
    options: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)        # what the draft saw (for the comments)
    questions: list[Question] = field(default_factory=list)
    error: str | None = None


def _ascii(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def source_name(group: Group, taken: set[str]) -> str:
    """``crm/hubspot-crm-exports-all-contacts-*.csv`` -> ``hubspot_crm_exports_all_contacts``."""
    stem = group.pattern.rsplit("/", 1)[-1].split(".")[0]
    base = re.sub(r"[^a-z0-9]+", "_", _ascii(stem)).strip("_")
    if not base or not base[0].isalpha():
        folder = group.pattern.rsplit("/", 1)[0] if "/" in group.pattern else ""
        base = (re.sub(r"[^a-z0-9]+", "_", _ascii(folder.rsplit("/", 1)[-1])).strip("_") + "_" + base).strip("_")
    base = base if base and base[0].isalpha() else f"source_{base}".strip("_")
    name, k = base[:48].rstrip("_"), 2
    while name in taken:
        name, k = f"{base[:45]}_{k}", k + 1
    taken.add(name)
    return name


def _title(loader, group: Group) -> str:
    """``Google Contacts export — contacts-google.csv``: what the format calls its files, and the file."""
    kind = re.sub(r"^(an?|the) ", "", loader.kind or "") if loader.kind != Loader.kind else f"{group.format.upper()} file"
    return f"{kind} — {group.pattern.rsplit('/', 1)[-1]}"


def _parses(value: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def _iso(value: str) -> bool:
    if not _ISO.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def date_formats(values: list[str]) -> tuple[list[str], str | None]:
    """The formats reading every value of a date column (ISO needs none), and a note when
    day and month could be swapped."""
    rest = [v for v in values if not _iso(v)]
    if not rest:
        return [], None
    candidates = DEFAULT_DATE_FORMATS + EXTRA_FORMATS
    whole = next((f for f in candidates if all(_parses(v, f) for v in rest)), None)
    if whole is not None:
        swapped = MONTH_FIRST.get(whole)
        note = None
        if swapped and all(_parses(v, swapped) for v in rest):
            note = f"day and month could be swapped ({whole} or {swapped}): check a date you know"
        return [whole], note
    out: list[str] = []
    for v in rest:
        f = next((f for f in candidates if _parses(v, f)), None)
        if f is not None and f not in out:
            out.append(f)
    return out, "several date formats in one column" if len(out) > 1 else None


def _role_from_label(column: str, probe: Probe) -> str | None:
    """``Custom Field 1 - Value`` whose ``Custom Field 1 - Label`` always says "Dernier contact"."""
    m = re.match(r"^(.*?)[\s_-]*(value|valeur)$", column, re.IGNORECASE)
    if not m:
        return None
    for c in probe.columns:
        lm = re.match(r"^(.*?)[\s_-]*(label|type|libelle|libellé)$", c, re.IGNORECASE)
        if lm and lm.group(1).strip(" -_").lower() == m.group(1).strip(" -_").lower():
            labels = probe.columns[c].values
            if len(labels) == 1:
                return names.date_role(labels[0])
    return None


def _loader_roles(fmt: str, columns: list[str]) -> dict[str, str]:
    loader = registry.get(fmt)
    out = {}
    for name, role in loader.date_roles.items():
        col = loader.resolve_column(name, columns)
        if col is not None:
            out[col] = role if isinstance(role, str) else "/".join(role)
    return out


def _toks(column: str) -> set[str]:
    return set(names.tokens(column))


def propose(group: Group, probe: Probe, policy, taken: set[str]) -> Proposal:
    files = [f.rel for f in group.files]
    loader = registry.get(group.format)
    p = Proposal(name=source_name(group, taken), format=group.format, path=group.pattern, files=files,
                 title=_title(loader, group))
    if group.others:
        p.notes.append(f"also accepted by the format(s) {', '.join(group.others)}: check `format`")
    if probe.error:
        p.error = probe.error
    cols = list(probe.columns)
    opts: dict = {}
    if len(probe.encodings) == 1 and probe.encodings[0] in ("utf-8", "utf-8-sig", "cp1252", "iso-8859-15", "latin-1"):
        opts["encoding"] = probe.encodings[0]
    elif len(probe.encodings) > 1:
        p.notes.append(f"files in several encodings ({', '.join(probe.encodings)}): each is detected at load")
    if len(probe.delimiters) == 1:
        opts["delimiter"] = probe.delimiters[0]
    suggestions = {c: classify(c, probe.columns[c].values) for c in cols}
    by_format = _loader_roles(group.format, cols)
    # dates: roles and formats
    dates: dict[str, str] = {}
    formats: list[str] = []
    undecided_dates = []
    for c in cols:
        s = suggestions[c]
        is_date = c in probe.declared_dates or s.kind == "date" or c in by_format
        if not is_date:
            continue
        if c not in probe.own_formats:  # a format whose loader reads its own dates (DSN) needs none
            fmts, note = date_formats(probe.columns[c].values)
            formats.extend(f for f in fmts if f not in formats)
            if note:
                p.notes.append(f"{c}: {note}")
        if c in by_format and (c in probe.declared_dates or "/" in by_format[c]):
            p.notes.append(f"{c}: {by_format[c]} (declared by the format)")
            continue
        if c in by_format:  # a role the format knows, on a column it types only when the manifest names it
            dates[c] = by_format[c]
            continue
        if s.category == BIRTH:
            continue
        role = names.date_role(c) or _role_from_label(c, probe)
        if role is not None:
            dates[c] = role
        else:
            undecided_dates.append(c)
    # key: the leftmost identifier column, complete and unique
    for c in cols:
        cp = probe.columns[c]
        rule = names.match_name(c)
        # complete, and unique but for a few duplicates (an export's defect, reported, not a reason to drop the key)
        toks = _toks(c)
        says_id = bool(toks & ID_TOKENS) or (len(toks) > 1 and toks & {"n", "nr", "nro"} and names.tokens(c)[0] in ("n", "nr", "nro"))
        if probe.rows > 1 and cp.filled == probe.rows and cp.distinct >= KEY_UNIQUE * cp.filled and says_id \
                and (rule is None or rule.rule not in ("message_id", "thing")) \
                and suggestions[c].kind not in ("email", "phone", "date", "text"):
            opts["key"] = c
            if cp.distinct < cp.filled:
                p.notes.append(f"key {c}: {cp.filled - cp.distinct} duplicate value(s) among {cp.filled} rows read")
            break
    subject = _subject(cols, probe, suggestions)
    if subject:
        opts["subject"] = subject
    if dates:
        opts["dates"] = dates
    if formats:
        opts["date_format"] = formats[0] if len(formats) == 1 else formats
    retention = next((c for c in cols if RETENTION_WORDS.search(_ascii(c))), None)
    if retention is not None:
        opts["retention_column"] = retention
    p.options = {k: opts[k] for k in ("encoding", "delimiter", "date_format", "key", "retention_column", "subject", "dates")
                 if k in opts}
    if undecided_dates:
        p.notes.append("date column(s) with no role from their name: " + ", ".join(undecided_dates)
                       + " (add them to `dates` if one is a contact from the person, a creation or an end)")
    kinds = {cap.kind for cap in loader.capabilities}
    p.use = "contracts" if retention else ("access" if kinds & ACCESS_KINDS else None)
    p.activities, p.activities_note = suggest_activities(group.pattern, policy)
    p.questions = _questions(p, cols, suggestions)
    return p


def _subject(cols, probe: Probe, suggestions) -> dict:
    def filled(c):
        return probe.columns[c].filled > 0

    def one_or_list(cs):
        return cs[0] if len(cs) == 1 else cs

    out: dict = {}
    emails = [c for c in cols if suggestions[c].category == EMAIL and filled(c) and not _toks(c) & NOT_SUBJECT]
    phones = [c for c in cols if suggestions[c].category == PHONE and filled(c) and not _toks(c) & NOT_SUBJECT]
    people = [c for c in cols if suggestions[c].category == NAME and filled(c) and not _toks(c) & NOT_SUBJECT
              and not _toks(c) & names.ORG_NOUNS]
    full = [c for c in people if _toks(c) in FULL_NAME]
    parts = [c for c in people if _toks(c) & NAME_PARTS and not _toks(c) & NOT_NAME_PART]
    name = full[:1] or parts or [c for c in people if suggestions[c].subject_key
                                 and not _toks(c) & (NOT_NAME_PART | {"member", "user", "utilisateur"})]
    births = [c for c in cols if suggestions[c].category == BIRTH and filled(c)]
    if emails:
        out["email"] = one_or_list(emails)
    if phones:
        out["phone"] = one_or_list(phones)
    if name:
        out["name"] = name
    if births:
        out["birth_date"] = births[0]
    return out


_STOP = frozenset("les des une pour par avec dans sur aux and the for with from data donnees export exports file fichier "
                  "all tous liste list csv xlsx".split())


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", _ascii(text)) if w not in _STOP}


def suggest_activities(path: str, policy) -> tuple[list[str], str]:
    """The policy's activities sharing the most words with the file's path (folders and name),
    and a note: ``suggested``, ``ambiguous`` (several equally) or ``none``."""
    if policy is None:
        return [], "none"
    words = _stems(path.replace("/", " "))
    scores = {}
    for a in policy.activities:
        text = " ".join([a.id.replace("_", " "), a.title.fr, a.title.en, *(s.fr + " " + s.en for s in a.data_subjects)])
        scores[a.id] = len(words & _stems(text))
    best = max(scores.values(), default=0)
    if best == 0:
        return [], "none"
    top = [a for a, n in scores.items() if n == best]
    return top, ("suggested" if len(top) == 1 else "ambiguous")


def _questions(p: Proposal, cols, suggestions) -> list[Question]:
    q = [
        Question("name", "the source's name: it names its table and its findings (lower case, digits, _)"),
        Question("title", "the title the report shows"),
        Question("activities", {
            "suggested": "the policy activities these records serve: suggested from the file's path, confirm",
            "ambiguous": "the policy activities these records serve: several fit the file's path equally, choose",
            "none": "the policy activities these records serve: nothing in the file's path says which"}[p.activities_note]),
        Question("use", "records (default), contracts (a client's contracts and their durations), staff "
                        "(the personnel register) or access (who can reach files)"),
        Question("hosting", "who hosts these data (provider) and in which country (ISO code)"),
        Question("options.record_kind", "what every record is, if one thing: dataset (a client's data), "
                                        "contact, potential_supplier, active_supplier, accounting_document"),
        Question("options.client", "for a client's dataset: the client's code (or options.client_column)"),
        Question("options.client_column", "a column holding the client's code, to join the contracts source"),
        Question("options.split_by", "a column whose values send records to different activities"),
    ]
    status = [c for c in cols if _toks(c) & STATUS_TOKENS]
    if status:
        q.append(Question("options.status", "what each value of " + ", ".join(status)
                          + " says of a record (in_progress, talent_pool, rejected, withdrawn, closed, hired)"))
    return q
