"""Mailchimp audience exports: the zip of per-status CSV files, or one of those CSV files.

The export has no status column: the file name is the status (``subscribed_…``,
``unsubscribed_…``, ``cleaned_…``, ``nonsubscribed_…``, also under the older
``members_export_<hex>/`` folder). The loader adds a ``status`` column from it. Columns
differ per file (``LAST_CHANGED`` / ``UNSUB_TIME`` / ``CLEAN_TIME``, legacy ``LATITUDE`` /
``LONGITUDE``, ``TAGS``): the engine unions them by name.

The zip's directory is held to the source's budget (``archive.py``: unpacked size, entries,
expansion) before any entry is read. Each CSV entry is streamed into the load's scratch
(``ingest/scratch.py``: memory when the workspace is encrypted, so nothing of an entry reaches
the disk in clear) under a generated name (an entry's own name is never used as a path),
read, then removed. An entry whose name is absolute or climbs with ``..`` is refused: a
``refused`` result with 0 rows and a warning.

Signature: a zip holding a CSV named after a member status, or whose header has Mailchimp's
system columns ``MEMBER_RATING`` and ``OPTIN_TIME``; a CSV file with those columns.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .archive import Budget, damage, open_zip
from .base import Capability, FileResult, LoadContext, Loader, Part, staged_columns
from .registry import export_format
from .signature import HEAD_BYTES, describe, header_of, refuse_unless_recognised
from .textfile import read_delimited

STATUSES = ("nonsubscribed", "unsubscribed", "subscribed", "cleaned")
_STATUS_RE = re.compile(r"^(nonsubscribed|unsubscribed|subscribed|cleaned)_", re.IGNORECASE)
DATE_COLUMNS = ("OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED", "UNSUB_TIME", "CLEAN_TIME")
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S"]
REQUIRED = ("MEMBER_RATING", "OPTIN_TIME")  # system columns of every variant
STATUS_COLUMN = "status"


def status_of(name: str) -> str | None:
    """The member status a Mailchimp file name carries, or None."""
    m = _STATUS_RE.match(PurePosixPath(name.replace("\\", "/")).name)
    return m.group(1).lower() if m else None


def unsafe_entry(name: str) -> bool:
    """An entry name that would escape the folder it is extracted to."""
    n = name.replace("\\", "/")
    return n.startswith("/") or re.match(r"^[A-Za-z]:", n) is not None or ".." in n.split("/")


DEFAULT_ENTRIES = 100  # an audience export holds 3 or 4 CSV files


def csv_entry(name: str) -> bool:
    """A zip entry that may be one of the export's CSV files (not a folder, not macOS metadata)."""
    base = PurePosixPath(name).name
    return not name.endswith("/") and not name.startswith("__MACOSX/") and not base.startswith("._") and base.lower().endswith(".csv")


@export_format
class MailchimpLoader(Loader):
    name = "mailchimp"
    # the subscription (opt-in, its confirmation, or the import: CONFIRM_TIME) is the collection; a
    # change, a bounce (cleaned) or an unsubscription never restarts a clock counted from a contact
    date_roles = {"OPTIN_TIME": "creation", "CONFIRM_TIME": "creation", "LAST_CHANGED": "record_change",
                  "CLEAN_TIME": "record_change", "UNSUB_TIME": "opt_out"}
    # an unsubscribed member's address, unsubscription date and campaign are its suppression list
    capabilities = (
        Capability("mailing_list", {"email": "Email Address", "opt_out": "UNSUB_TIME", "channel": "UNSUB_CAMPAIGN_ID"},
                   optional=frozenset({"opt_out", "channel"})),
    )
    derived_columns = (STATUS_COLUMN,)
    title = "Mailchimp audience export (zip of subscribed / unsubscribed / cleaned CSV files)"
    kind = "a Mailchimp audience export"
    version = "1"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        missing = [c for c in REQUIRED if c not in columns]
        return f"no {', '.join(missing)} column" if missing else None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        if not head:
            return None  # an empty file: loaded as empty
        if head.startswith(b"PK"):
            try:
                with zipfile.ZipFile(path) as zf:
                    infos = zf.infolist()
                    csvs = [i for i in infos if csv_entry(i.filename) and not unsafe_entry(i.filename)]
                    if not infos or any(status_of(i.filename) for i in csvs):
                        return None
                    if not csvs:
                        return f"the zip archive holds no CSV file ({len(infos)} entries)"
                    with zf.open(csvs[0]) as fh:
                        entry_head = fh.read(HEAD_BYTES)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                return f"it is a zip archive that cannot be read: {damage(exc)}"
            found = header_of(entry_head)
            why = cls.header_mismatch(found[0]) if found else "not a delimited text"
            return f"{csvs[0].filename} in the zip archive: {why}" if why else None
        found = header_of(head)
        if found is None:
            return f"it is {describe(head)}"
        why = cls.header_mismatch(found[0])
        return f"{why} (it is {describe(head)})" if why else None

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        with open(path, "rb") as fh:
            if not fh.read(2) == b"PK":
                return [self._read_csv(ctx, path, display, path.name)]
        results: list[FileResult] = []
        with open_zip(path, display, Budget.of(ctx.source.options, entries=DEFAULT_ENTRIES)) as zf:
            for info in zf.infolist():
                entry = info.filename
                if info.is_dir():
                    continue
                if unsafe_entry(entry):
                    results.append(_refused(ctx, entry, f"{display}!{entry}: refused, entry name escapes the archive folder"))
                    continue
                if not csv_entry(entry):
                    results.append(_refused(ctx, entry, f"{display}!{entry}: not a Mailchimp CSV file, not loaded"))
                    continue
                tmp = ctx.scratch.new(f"{ctx.stage_name('mailchimp_entry')}.csv")
                try:
                    try:
                        with zf.open(info) as src, ctx.scratch.open(tmp) as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError, EOFError) as exc:
                        raise InputFileError(f"{display}!{entry}", f"cannot extract zip entry: {damage(exc)}") from None
                    res = self._read_csv(ctx, tmp, f"{display}!{entry}", entry)
                finally:
                    ctx.scratch.remove(tmp)
                res.entry = entry
                results.append(res)
        if not results:
            name = ctx.stage_rows("mailchimp", [], [])
            results.append(FileResult([Part(name, 0)], warnings=[f"{display}: empty zip archive, 0 rows"], status="empty"))
        return results

    def _read_csv(self, ctx: LoadContext, path: Path, display: str, name: str) -> FileResult:
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(
            ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint="mailchimp", display=display
        )
        cols = staged_columns(ctx, part.table)
        if cols:  # an empty (0-byte) file has no header to check
            why = self.header_mismatch(cols)
            if why:
                raise InputFileError(display, f"this is not {self.kind}: {why}")
            if STATUS_COLUMN in cols:
                raise InputFileError(display, f"unexpected {STATUS_COLUMN!r} column in a Mailchimp export")
        status = status_of(name)
        if status is None:
            warnings.append(
                f"{display}: the file name does not tell the member status "
                f"({', '.join(s + '_…' for s in STATUSES)}); {STATUS_COLUMN} left empty"
            )
        value = quote_literal(status) if status else "NULL"
        ctx.con.execute(f"ALTER TABLE temp.{quote_ident(part.table)} ADD COLUMN {quote_ident(STATUS_COLUMN)} VARCHAR DEFAULT {value}")
        part.dates = {c: list(DATE_FORMATS) for c in DATE_COLUMNS if c in cols}
        return FileResult(
            [part],
            encoding=enc.label,
            dialect=dialect,
            warnings=warnings,
            status="loaded" if part.rows_read else "empty",
        )


def _refused(ctx: LoadContext, entry: str, warning: str) -> FileResult:
    name = ctx.stage_rows("mailchimp", [], [])
    return FileResult([Part(name, 0)], entry=entry, warnings=[warning], status="refused")
