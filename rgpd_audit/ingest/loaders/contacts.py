"""Address-book exports: Google Contacts CSV and Outlook.com CSV.

- ``google_contacts``: UTF-8 with BOM, fixed first columns (``First Name``… ``Labels``) then
  numbered groups (``E-mail 1 - Value``, ``Phone 1 - Value``, ``Address 1 - …``) that grow
  with the data. Several values in one cell are joined by `` ::: `` and kept as they are: the
  classification and DSAR stages split them. ``Birthday`` is *not* typed as a date: Google
  writes ``--04-12`` when the year is unknown, and typing would reject those contacts.
- ``outlook_csv``: the 61-column Outlook.com export (``E-mail Address``, ``Mobile Phone``…);
  ``Birthday`` may be ``0/0/00``, so no column is typed.

Signatures (checked before reading, and on the header DuckDB read): ``First Name`` plus an
e-mail column (Google: an ``E-mail N - Value`` or, for an address book without e-mails, a
``Phone N - Value``; Outlook: ``E-mail Address``, ``E-mail 2 Address`` or ``E-mail 3 Address``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import InputFileError
from .base import FileResult, LoadContext, Loader, staged_columns
from .crm import find_column
from .registry import export_format
from .signature import delimited_mismatch, refuse_unless_recognised
from .textfile import read_delimited

GOOGLE_EMAIL = re.compile(r"^E-mail \d+ - Value$", re.IGNORECASE)
GOOGLE_PHONE = re.compile(r"^Phone \d+ - Value$", re.IGNORECASE)
OUTLOOK_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")


def _read(ctx: LoadContext, loader: Loader, path: Path, hint: str):
    refuse_unless_recognised(loader, ctx, path)
    opts = ctx.source.options
    part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint=hint)
    cols = staged_columns(ctx, part.table)
    if cols:
        why = loader.header_mismatch(cols)
        if why:
            raise InputFileError(ctx.display(path), f"this is not {loader.kind}: {why}")
    return part, dialect, warnings, enc, cols


def _result(part, dialect, warnings, enc) -> list[FileResult]:
    return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="loaded" if part.rows_read else "empty")]


@export_format
class GoogleContactsLoader(Loader):
    name = "google_contacts"
    lazy_staging = True  # only reads the staged columns' names
    title = "Google Contacts CSV export (UTF-8 with BOM, ' ::: ' between values)"
    kind = "a Google Contacts export"
    version = "1"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        missing = []
        if find_column(columns, "First Name") is None:
            missing.append("First Name")
        if not any(GOOGLE_EMAIL.match(c.strip()) or GOOGLE_PHONE.match(c.strip()) for c in columns):
            missing.append("E-mail 1 - Value (or Phone 1 - Value)")
        return f"no {' and no '.join(missing)} column" if missing else None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        part, dialect, warnings, enc, cols = _read(ctx, self, path, "google_contacts")
        if cols and not any(GOOGLE_EMAIL.match(c.strip()) for c in cols):
            warnings.append(f"{display}: no E-mail N - Value column (no contact has an e-mail address)")
        return _result(part, dialect, warnings, enc)


@export_format
class OutlookCsvLoader(Loader):
    name = "outlook_csv"
    lazy_staging = True  # only reads the staged columns' names
    title = "Outlook.com contacts CSV export (61 columns)"
    kind = "an Outlook contacts export"
    version = "1"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        missing = []
        if find_column(columns, "First Name") is None:
            missing.append("First Name")
        if not any(find_column(columns, c) for c in OUTLOOK_EMAILS):
            missing.append(" / ".join(OUTLOOK_EMAILS))
        return f"no {' and no '.join(missing)} column" if missing else None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        part, dialect, warnings, enc, _ = _read(ctx, self, path, "outlook_csv")
        return _result(part, dialect, warnings, enc)
