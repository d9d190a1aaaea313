"""CRM and e-mailing contact exports: HubSpot contacts (CSV or XLSX) and Brevo contacts.

- ``hubspot``: ``hubspot-crm-exports-all-contacts-YYYY-MM-DD.csv`` or ``.xlsx``, default view
  or "all properties". Every column whose name ends in ``Date`` (``Create Date``, ``Last
  Activity Date``, ``Became a Customer Date``…) is typed as a date: ``YYYY-MM-DD HH:MM``,
  with seconds, ISO ``T`` forms, or a bare date. Signature: an ``Email`` column and one of
  HubSpot's own properties (``Record ID``, ``Create Date``, ``Contact owner``, ``Lifecycle
  Stage``…), so that a plain CSV of contacts is not taken for one; in a workbook, every sheet.
- ``brevo``: ``;``-separated, UTF-8 or Windows-1252, ``ADDED_TIME`` / ``MODIFIED_TIME`` as
  ``DD-MM-YYYY`` (a time may follow). Signature: an ``EMAIL`` column and ``ADDED_TIME`` or
  ``MODIFIED_TIME`` (Brevo always exports both).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InputFileError
from .base import Capability, FileResult, LoadContext, Loader, staged_columns
from .registry import export_format
from .signature import delimited_mismatch, has_column, refuse_unless_recognised
from .textfile import read_delimited
from .xlsx import read_workbook, workbook_header, xlsx_mismatch

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
# Properties every HubSpot contacts export has one of (default view: Record ID, Contact owner,
# Create Date…; "all properties": the same among ~180), and a plain list of contacts has not.
HUBSPOT_PROPERTIES = (
    "Record ID", "Contact ID", "Create Date", "Contact owner", "Last Activity Date", "Lead Status",
    "Marketing contact status", "Lifecycle Stage", "Associated Company", "Primary Associated Company ID",
    "Last Modified Date", "Original Source", "Became a Customer Date", "Legal basis for processing contact's data",
)
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
    kind = "a HubSpot contacts export"
    version = "2"  # 2: a workbook's _row is the sheet's row number (see xlsx.py)

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        if not has_column(columns, "Email"):
            return "no Email column"
        names = {c.strip() for c in columns}  # HubSpot's own spelling (Brevo's CONTACT ID is not HubSpot's)
        if not names & set(HUBSPOT_PROPERTIES):
            return f"no HubSpot property column ({', '.join(HUBSPOT_PROPERTIES[:4])}…)"
        return None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        if head.startswith(b"PK"):  # a workbook: its first row here, every sheet's header once read
            why = xlsx_mismatch(path, head)
            header = workbook_header(path) if why is None else None
            return why or (cls.header_mismatch(header) if header is not None else None)
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        with open(path, "rb") as fh:
            workbook = fh.read(2) == b"PK"
        if workbook:
            results = read_workbook(ctx, path)
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
        why = self.header_mismatch(cols)
        if why:
            raise InputFileError(display, f"this is not {self.kind}: {why}")
        if not any(find_column(cols, c) for c in HUBSPOT_ID_COLUMNS):
            warnings.append(f"{display}: no {' or '.join(HUBSPOT_ID_COLUMNS)} column; records have no HubSpot id")
        part.dates = {c: list(HUBSPOT_DATE_FORMATS) for c in cols if c.rstrip().endswith("Date")}


@export_format
class BrevoLoader(Loader):
    name = "brevo"
    date_roles = {"ADDED_TIME": "creation", "MODIFIED_TIME": "record_change"}  # a sync or an edit is no contact
    capabilities = (Capability("mailing_list", {"email": "EMAIL"}),)
    lazy_staging = True  # only reads the staged columns' names
    title = "Brevo (ex-Sendinblue) contacts export (semicolon, UTF-8 or Windows-1252)"
    kind = "a Brevo contacts export"
    version = "1"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        if not has_column(columns, "EMAIL"):
            return "no EMAIL column"
        if not any(has_column(columns, c) for c in BREVO_DATE_COLUMNS):
            return f"no {' or '.join(BREVO_DATE_COLUMNS)} column (Brevo always exports them)"
        return None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint="brevo")
        cols = staged_columns(ctx, part.table)
        if cols:
            why = self.header_mismatch(cols)
            if why:
                raise InputFileError(display, f"this is not {self.kind}: {why}")
            dates = {}
            for wanted in BREVO_DATE_COLUMNS:
                col = find_column(cols, wanted)
                if col is None:
                    warnings.append(f"{display}: no {wanted} column (Brevo always exports it)")
                else:
                    dates[col] = list(BREVO_DATE_FORMATS)
            part.dates = dates
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="loaded" if part.rows_read else "empty")]
