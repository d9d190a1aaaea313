"""Dropbox team admin reports: members, activity log, external sharing.

The three reports are CSV files read like any delimited file (``read_delimited``); their
headers are only partly documented, so columns are matched case-insensitively against
known variants and renamed to stable snake_case names (``Email address`` / ``E-mail`` ->
``email``); other columns keep their snake_case name. Signature: each format's essential
columns (members: an e-mail and a role, status, usage, join or invite date…; activity: a time and an event type; sharing: a path and who it
is shared with), checked on the file's first line before reading, and on the header read.

Dates are declared for the engine to type: ISO 8601 and French ``dd/mm/yyyy``. A report
written with US dates (``mm/dd/yyyy``) is read by declaring the column in
``options.dates`` with ``options.date_format: "%m/%d/%Y"``.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident
from .base import Capability, FileResult, LoadContext, Loader, header_key, staged_columns
from .registry import export_format
from .signature import delimited_mismatch, refuse_unless_recognised
from .textfile import read_delimited

DATE_FORMATS = [
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
]
TIMESTAMP_FORMATS = [
    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
]

MEMBER_HEADERS = {
    "first_name": ["first name", "firstname", "given name", "prenom", "prénom"],
    "last_name": ["last name", "lastname", "surname", "family name", "nom"],
    "name": ["name", "member name", "full name", "display name", "nom complet"],
    "email": ["email address", "email", "e mail address", "e mail", "mail", "member email", "adresse e mail",
              "adresse email", "courriel"],
    "role": ["role", "rôle", "admin role", "team role"],
    "status": ["status", "statut", "member status", "state"],
    "usage": ["usage", "storage used", "space used", "utilisation", "espace utilisé"],
    "space_limit": ["space limit", "storage limit", "quota", "limite d espace"],
    "join_date": ["join date", "joined", "joined on", "date joined", "joined date", "date d inscription"],
    "invite_date": ["invite date", "invited", "invited on", "date invited", "invitation date", "date d invitation"],
    "groups": ["groups", "group", "groupes"],
    "two_step_verification": ["two step verification", "2 step verification", "two step", "2fa",
                              "two factor authentication", "validation en deux étapes"],
}
ACTIVITY_HEADERS = {
    "timestamp": ["timestamp", "time", "date", "date time", "datetime", "time utc", "horodatage"],
    "member": ["member", "member name", "membre"],
    "member_email": ["member email", "email", "email address", "e mail"],
    "event_type": ["event type", "event", "action", "type d événement"],
    "category": ["category", "event category", "catégorie"],
    "access_method": ["access method"],
    "ip_address": ["ip address", "ip"],
    "country": ["country", "pays"],
    "city": ["city", "ville"],
    "involve_non_team_members": ["involve non team members", "involves non team members"],
    "participants": ["participants"],
    "context": ["context"],
    "assets": ["assets", "asset"],
    "other_info": ["other info", "details"],
}
SHARING_HEADERS = {
    "item_type": ["item type", "type", "content type"],
    "size": ["size", "taille"],
    "path": ["path", "item path", "file path", "folder path", "chemin"],
    "access_level": ["access level", "access", "permission", "permissions", "access type"],
    "password_expiry": ["password expiry", "password expiration", "password and expiry"],
    "password": ["password", "password protected"],
    "expiry": ["expiry", "expiration", "expires", "expiration date", "link expiry"],
    "shared_by": ["shared by", "owner", "shared by member", "sharer", "partagé par"],
    "shared_on": ["shared on", "when", "shared when", "date shared", "shared at", "shared date", "partagé le"],
    "shared_with": ["shared with", "with whom", "shared with whom", "recipient", "recipients", "partagé avec"],
    "viewed_edited": ["viewed edited", "viewed or edited", "activity", "viewed", "edited"],
}


def _snake(name: str) -> str:
    return header_key(name).replace(" ", "_") or name


def normalise_columns(ctx: LoadContext, table: str, known: dict[str, list[str]]) -> dict[str, str]:
    """Rename the staging table's columns to canonical names; returns {canonical: original}."""
    lookup = {header_key(v): canon for canon, variants in known.items() for v in variants + [canon]}
    cols = staged_columns(ctx, table)
    taken = {"_row"}
    plan: list[tuple[str, str]] = []
    found: dict[str, str] = {}
    for c in cols:
        canon = lookup.get(header_key(c))
        target = canon if canon and canon not in found else _snake(c)
        if target in taken:
            target = c if c not in taken else f"{_snake(c)}_{len(taken)}"
        taken.add(target)
        if canon and canon == target:
            found[canon] = c
        plan.append((c, target))
    for i, (c, _) in enumerate(plan):  # two steps, so that swapped names never collide
        ctx.con.execute(f"ALTER TABLE {quote_ident(table)} RENAME COLUMN {quote_ident(c)} TO {quote_ident(f'__c{i}')}")
    for i, (_, target) in enumerate(plan):
        ctx.con.execute(f"ALTER TABLE {quote_ident(table)} RENAME COLUMN {quote_ident(f'__c{i}')} TO {quote_ident(target)}")
    return found


def _add_domain_column(ctx: LoadContext, table: str, source_col: str, target: str) -> None:
    """``target``: the distinct lower-cased e-mail domains found in ``source_col``, joined with '; '."""
    t, s = quote_ident(table), quote_ident(source_col)
    ctx.con.execute(f"ALTER TABLE {t} ADD COLUMN {quote_ident(target)} VARCHAR")
    ctx.con.execute(
        f"UPDATE {t} SET {quote_ident(target)} = nullif(array_to_string(list_sort(list_distinct("
        f"regexp_extract_all(lower({s}), '[^\\s<>,;:\"()\\[\\]]+@([a-z0-9.-]+[a-z0-9])', 1))), '; '), '')"
    )


class _DropboxReport(Loader):
    headers: dict[str, list[str]] = {}
    required: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()  # and at least one of these (what tells the report from any list with an e-mail)
    dates: dict[str, list[str]] = {}
    hint = "dropbox"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        lookup = {header_key(v): canon for canon, variants in cls.headers.items() for v in variants + [canon]}
        present = {lookup.get(header_key(c)) for c in columns}
        missing = [c for c in cls.required if c not in present]
        if missing:
            return f"no column for {', '.join(missing)} ({len(columns)} columns, none named like {cls.headers[missing[0]][0]!r})"
        if cls.one_of and not present & set(cls.one_of):
            return f"no column for any of {', '.join(cls.one_of)}"
        return None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint=self.hint)
        if path.stat().st_size == 0:
            return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="empty")]
        why = self.header_mismatch(staged_columns(ctx, part.table))
        if why:
            raise InputFileError(ctx.display(path), f"this is not {self.kind}: {why}")
        found = normalise_columns(ctx, part.table, self.headers)
        self.derive(ctx, part.table)
        part.dates = {c: f for c, f in self.dates.items() if c in found}
        status = "empty" if part.rows_read == 0 else "loaded"
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status=status)]

    def derive(self, ctx: LoadContext, table: str) -> None:  # pragma: no cover - overridden
        pass

    @classmethod
    def resolve_column(cls, name: str, columns: list[str]) -> str | None:
        """A manifest names the report's own header (``Email address``); the loaded table has
        its canonical name (``email``)."""
        found = super().resolve_column(name, columns)
        if found is not None:
            return found
        key = header_key(name)
        for canon, variants in cls.headers.items():
            if canon in columns and key in {header_key(v) for v in variants + [canon]}:
                return canon
        return None


@export_format
class DropboxMembersLoader(_DropboxReport):
    name = "dropbox_members"
    title = "Dropbox team member report (CSV)"
    kind = "a Dropbox team member report"
    version = "1"
    headers = MEMBER_HEADERS
    required = ("email",)
    one_of = ("role", "status", "usage", "space_limit", "join_date", "invite_date", "groups", "two_step_verification")
    dates = {"join_date": DATE_FORMATS, "invite_date": DATE_FORMATS}
    hint = "dropbox_members"
    derived_columns = ("email_domain",)
    capabilities = (
        Capability("member_list", {"email": "email", "status": "status"}, optional=frozenset({"status"}),
                   facts={"active_statuses": ("active", "actif", "invited", "invité")}),
    )

    def derive(self, ctx: LoadContext, table: str) -> None:
        _add_domain_column(ctx, table, "email", "email_domain")


@export_format
class DropboxActivityLoader(_DropboxReport):
    name = "dropbox_activity"
    capabilities = (
        Capability("access_log", {"member": "member_email", "time": "timestamp", "asset": "assets"},
                   optional=frozenset({"asset"})),
        # its documents are records dated by their latest event; deleted ones are gone
        Capability("document_log", {"path": "assets", "time": "timestamp", "event": "event_type"},
                   facts={"deletion_events": ("file_delete", "file_permanently_delete", "file_move_to_trash")}),
    )
    title = "Dropbox team activity log (CSV)"
    kind = "a Dropbox team activity log"
    version = "1"
    headers = ACTIVITY_HEADERS
    required = ("timestamp", "event_type")
    dates = {"timestamp": TIMESTAMP_FORMATS}
    hint = "dropbox_activity"
    derived_columns = ("member_email_domain",)

    def derive(self, ctx: LoadContext, table: str) -> None:
        # timestamps with a numeric offset (+02:00) are brought to UTC by the engine's typing
        if "member_email" in staged_columns(ctx, table):
            _add_domain_column(ctx, table, "member_email", "member_email_domain")


@export_format
class DropboxSharingLoader(_DropboxReport):
    name = "dropbox_sharing"
    title = "Dropbox external sharing report (CSV)"
    kind = "a Dropbox external sharing report"
    version = "1"
    headers = SHARING_HEADERS
    required = ("path", "shared_with")
    dates = {"shared_on": DATE_FORMATS}
    hint = "dropbox_sharing"
    derived_columns = ("shared_with_domain",)
    capabilities = (
        Capability("share_log", {"item": "path", "recipient_domains": "shared_with_domain"}, optional=frozenset({"item"}),
                   facts={"service": "Dropbox"}),
    )

    def derive(self, ctx: LoadContext, table: str) -> None:
        _add_domain_column(ctx, table, "shared_with", "shared_with_domain")
