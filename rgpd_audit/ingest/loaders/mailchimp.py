"""Mailchimp audience exports: the zip of per-status CSV files, or one of those CSV files.

The export has no status column: the file name is the status (``subscribed_…``,
``unsubscribed_…``, ``cleaned_…``, ``nonsubscribed_…``, also under the older
``members_export_<hex>/`` folder). The loader adds a ``status`` column from it. Columns
differ per file (``LAST_CHANGED`` / ``UNSUB_TIME`` / ``CLEAN_TIME``, legacy ``LATITUDE`` /
``LONGITUDE``, ``TAGS``): the engine unions them by name.

Zip entries are streamed to a private file in the workspace's ``tmp`` folder under a
generated name (an entry's own name is never used as a path). An entry whose name is
absolute or climbs with ``..`` is refused: a ``refused`` result with 0 rows and a warning.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import FileResult, LoadContext, Loader, Part, staged_columns
from .registry import export_format
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


@export_format
class MailchimpLoader(Loader):
    name = "mailchimp"
    # the subscription (opt-in, its confirmation, or the import: CONFIRM_TIME) is the collection; a
    # change, a bounce (cleaned) or an unsubscription never restarts a clock counted from a contact
    date_roles = {"OPTIN_TIME": "creation", "CONFIRM_TIME": "creation", "LAST_CHANGED": "record_change",
                  "CLEAN_TIME": "record_change", "UNSUB_TIME": "opt_out"}
    title = "Mailchimp audience export (zip of subscribed / unsubscribed / cleaned CSV files)"
    version = "1"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        if not zipfile.is_zipfile(path):
            return [self._read_csv(ctx, path, display, path.name)]
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(display, f"not a readable zip archive: {exc}") from None
        results: list[FileResult] = []
        with zf:
            for info in zf.infolist():
                entry = info.filename
                if info.is_dir():
                    continue
                if unsafe_entry(entry):
                    results.append(_refused(ctx, entry, f"{display}!{entry}: refused, entry name escapes the archive folder"))
                    continue
                if info.compress_size and info.file_size > MAX_RATIO * info.compress_size and info.file_size > MAX_PLAIN:
                    results.append(_refused(ctx, entry, f"{display}!{entry}: refused, expands {info.file_size // info.compress_size}× (zip bomb?)"))
                    continue
                base = PurePosixPath(entry).name
                if entry.startswith("__MACOSX/") or base.startswith("._") or not base.lower().endswith(".csv"):
                    results.append(_refused(ctx, entry, f"{display}!{entry}: not a Mailchimp CSV file, not loaded"))
                    continue
                tmp = ctx.scratch.new(f"{ctx.stage_name('mailchimp_entry')}.csv")
                try:
                    try:
                        with zf.open(info) as src, ctx.scratch.open(tmp) as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                    except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError) as exc:
                        raise InputFileError(f"{display}!{entry}", f"cannot extract zip entry: {exc}") from None
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
            missing = [c for c in REQUIRED if c not in cols]
            if missing:
                raise InputFileError(display, f"not a Mailchimp audience export: no {', '.join(missing)} column")
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


# An entry that expands more than MAX_RATIO times and beyond MAX_PLAIN bytes is refused.
MAX_RATIO = 200
MAX_PLAIN = 256 * 1024 * 1024


def _refused(ctx: LoadContext, entry: str, warning: str) -> FileResult:
    name = ctx.stage_rows("mailchimp", [], [])
    return FileResult([Part(name, 0)], entry=entry, warnings=[warning], status="refused")
