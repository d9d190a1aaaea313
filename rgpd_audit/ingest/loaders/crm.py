"""CRM and e-mailing contact exports: HubSpot contacts (CSV or XLSX) and Brevo contacts.

- ``hubspot``: ``hubspot-crm-exports-all-contacts-YYYY-MM-DD.csv`` or ``.xlsx``, default view
  or "all properties". Every column whose name ends in ``Date`` (``Create Date``, ``Last
  Activity Date``, ``Became a Customer Date``…) is typed as a date: ``YYYY-MM-DD HH:MM``,
  with seconds, ISO ``T`` forms, or a bare date. The header must have an ``Email`` column.
- ``brevo``: ``;``-separated, UTF-8 or Windows-1252, ``ADDED_TIME`` / ``MODIFIED_TIME`` as
  ``DD-MM-YYYY`` (a time may follow). The header must have an ``EMAIL`` column.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ...errors import InputFileError
from .base import FileResult, LoadContext, Loader, staged_columns
from .registry import export_format
from .textfile import read_delimited
from .xlsx import XlsxLoader

HUBSPOT_DATE_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d",
]
HUBSPOT_ID_COLUMNS = ("Record ID", "Contact ID")
BREVO_DATE_COLUMNS = ("ADDED_TIME", "MODIFIED_TIME")
BREVO_DATE_FORMATS = ["%d-%m-%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S"]


def find_column(columns: list[str], wanted: str) -> str | None:
    """The column named ``wanted``, ignoring case and surrounding spaces."""
    w = wanted.strip().lower()
    return next((c for c in columns if c.strip().lower() == w), None)


@export_format
class HubspotLoader(Loader):
    name = "hubspot"
    date_roles = {"Create Date": "creation"}  # "Last Activity Date" also logs outbound e-mails: the manifest decides
    lazy_staging = True  # only reads the staged columns' names
    title = "HubSpot contacts export (CSV or XLSX, default view or all properties)"
    version = "1"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        if zipfile.is_zipfile(path):  # an XLSX workbook
            results = XlsxLoader().read(ctx, path)
            for res in results:
                for part in res.parts:
                    self._check(ctx, part, f"{display}[{res.entry}]", res.warnings)
            return results
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint="hubspot")
        self._check(ctx, part, display, warnings)
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="loaded" if part.rows_read else "empty")]

    def _check(self, ctx: LoadContext, part, display: str, warnings: list[str]) -> None:
        cols = staged_columns(ctx, part.table)
        if not cols:
            return  # empty file or sheet: nothing to check, recorded as empty
        if find_column(cols, "Email") is None:
            raise InputFileError(display, "not a HubSpot contacts export: no Email column")
        if not any(find_column(cols, c) for c in HUBSPOT_ID_COLUMNS):
            warnings.append(f"{display}: no {' or '.join(HUBSPOT_ID_COLUMNS)} column; records have no HubSpot id")
        part.dates = {c: list(HUBSPOT_DATE_FORMATS) for c in cols if c.rstrip().endswith("Date")}


@export_format
class BrevoLoader(Loader):
    name = "brevo"
    date_roles = {"ADDED_TIME": "creation", "MODIFIED_TIME": "record_change"}  # a sync or an edit is no contact
    lazy_staging = True  # only reads the staged columns' names
    title = "Brevo (ex-Sendinblue) contacts export (semicolon, UTF-8 or Windows-1252)"
    version = "1"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint="brevo")
        cols = staged_columns(ctx, part.table)
        if cols:
            if find_column(cols, "EMAIL") is None:
                raise InputFileError(display, "not a Brevo export: no EMAIL column")
            dates = {}
            for wanted in BREVO_DATE_COLUMNS:
                col = find_column(cols, wanted)
                if col is None:
                    warnings.append(f"{display}: no {wanted} column (Brevo always exports it)")
                else:
                    dates[col] = list(BREVO_DATE_FORMATS)
            part.dates = dates
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="loaded" if part.rows_read else "empty")]
