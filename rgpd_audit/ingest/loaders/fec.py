"""FEC, Fichier des Écritures Comptables (LPF art. A47 A-1; BOFiP BOI-CF-IOR-60-40-20).

- File name ``<SIREN>FEC<AAAAMMJJ>.txt`` (closing date of the financial year): every row gets
  ``siren`` and ``fiscal_year_close`` (a timestamp, midnight of the closing date); a name that does not follow the rule
  is warned about and leaves both NULL.
- Header line required, one separator (tab or ``|``, sniffed between those two only), the 18
  legal columns, or the variant with ``Montant`` + ``Sens`` (D/C) in place of ``Debit`` /
  ``Credit``: that variant also gets ``Debit`` and ``Credit`` so that downstream SQL is the
  same for both. Column names are matched case-insensitively and written in their legal
  spelling.
- Dates ``AAAAMMJJ``, amounts with a decimal comma: declared, typed by the engine.
- Encodings: ISO 8859-15 (the legal one), ASCII, UTF-8 (with BOM), Windows-1252. Without an
  ``options.encoding`` hint, a file that is not UTF-8 is read as ISO 8859-15, or as
  Windows-1252 when it holds bytes 0x80–0x9F (``’``, ``€`` in cp1252), which ISO 8859-15
  never uses for text.
- ``tiers_type``: ``supplier`` for the 401 accounts, ``client`` for the 411 accounts.

The file is read by DuckDB's CSV reader (``textfile.read_delimited``), staged as a view;
derived columns are a view over it, computed in SQL by the engine's single INSERT that reads
the file, never row by row in Python. A ``Sens`` other than D / C is a row check (the row is
rejected with that reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from stdnum.fr import siren as siren_check

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import Capability, FileResult, LoadContext, Loader, Part, staged_columns
from .registry import export_format
from .signature import describe, header_of, refuse_unless_recognised, text_of
from .textfile import detect_encoding, read_delimited, read_head, sniff_delimiter

BASE_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib",
)
DEBIT_CREDIT = ("Debit", "Credit")
MONTANT_SENS = ("Montant", "Sens")
TAIL_COLUMNS = ("EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")
KNOWN = BASE_COLUMNS + DEBIT_CREDIT + MONTANT_SENS + TAIL_COLUMNS
DATE_COLUMNS = ("EcritureDate", "PieceDate", "DateLet", "ValidDate")
AMOUNT_COLUMNS = ("Debit", "Credit", "Montant", "Montantdevise")
SENS_DEBIT = ("D", "DEBIT", "DÉBIT")
SENS_CREDIT = ("C", "CREDIT", "CRÉDIT")

FILE_NAME = re.compile(r"^(\d{9})FEC(\d{8})(?!\d)", re.IGNORECASE)


def parse_file_name(name: str) -> tuple[str | None, str | None, list[str]]:
    """(siren, fiscal_year_close as YYYY-MM-DD, warnings) from ``<SIREN>FEC<AAAAMMJJ>.txt``."""
    m = FILE_NAME.match(name)
    if not m:
        return None, None, [f"{name}: file name does not follow <SIREN>FEC<AAAAMMJJ>.txt; siren and fiscal_year_close left empty"]
    siren, date = m.group(1), m.group(2)
    warnings = []
    if not siren_check.is_valid(siren):
        warnings.append(f"{name}: {siren} is not a valid SIREN (check digit); kept as written")
    try:
        close = dt.datetime.strptime(date, "%Y%m%d").date().isoformat()
    except ValueError:
        warnings.append(f"{name}: {date} in the file name is not a valid closing date (AAAAMMJJ); fiscal_year_close left empty")
        close = None
    return siren, close, warnings


def _header(head: str, delimiter: str) -> list[str]:
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return [c.strip() for c in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]


def header_mismatch(header: list[str]) -> str | None:
    """Why a header is not a FEC's (None: it holds the mandatory columns of one variant)."""
    present = {c.lower() for c in header}
    wanted = BASE_COLUMNS + (MONTANT_SENS if montant_variant(header) else DEBIT_CREDIT) + TAIL_COLUMNS
    missing = [c for c in wanted if c.lower() not in present]
    if missing:
        return (f"missing columns {', '.join(missing)} (the first line must be the header, separated by tabs or |; "
                f"it has {len(header)} field(s))")
    return None


def montant_variant(header: list[str]) -> bool:
    present = {c.lower() for c in header}
    return not all(c.lower() in present for c in DEBIT_CREDIT) and all(c.lower() in present for c in MONTANT_SENS)


def check_header(display: str, header: list[str]) -> bool:
    """Raise unless the header holds the mandatory columns; True for the Montant/Sens variant."""
    why = header_mismatch(header)
    if why:
        raise InputFileError(display, f"this is not {FecLoader.kind}: {why}")
    return montant_variant(header)


@export_format
class FecLoader(Loader):
    name = "fec"
    date_roles = {"fiscal_year_close": "fiscal_year_close", "EcritureDate": "creation"}
    record_kind = "accounting_document"
    capabilities = (
        # purchases: the entries of the supplier accounts (PCG class 401), per third-party account
        # an invoice credits the supplier's account, its payment debits it
        Capability("purchase_ledger", {"account": "CompteNum", "third_party": "CompAuxNum", "date": "EcritureDate", "credit": "Credit"},
                   optional=frozenset({"credit"}), facts={"supplier_account_prefix": "401"}),
        # every entry, per third-party account (suppliers 401, clients 411): what keeps an account
        # of the third-party master file for as long as the entries themselves are kept
        Capability("ledger", {"account": "CompteNum", "third_party": "CompAuxNum", "date": "EcritureDate"}),
    )
    derived_columns = ("siren", "fiscal_year_close", "tiers_type")
    title = "FEC, Fichier des Écritures Comptables (tab or |, Debit/Credit or Montant/Sens)"
    kind = "a FEC file"
    version = "1"
    lazy_staging = True

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        """The 18 legal columns (or the Montant/Sens variant) on the first line, tab or |."""
        if not head:
            return "empty file (a FEC starts with its header line)"
        found = header_of(head, "\t|")
        if found is None:
            return f"it is {describe(head)}" if text_of(head) is None else None
        return header_mismatch(found[0])

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        opts = ctx.source.options
        if path.stat().st_size == 0:
            raise InputFileError(display, f"this is not {self.kind}: empty file (a FEC starts with its header line)")
        if opts.delimiter is None:  # a declared delimiter is checked below, with the declared encoding
            refuse_unless_recognised(self, ctx, path)
        enc = _fec_encoding(path, opts.encoding)
        head = read_head(path, enc)
        delim = opts.delimiter or sniff_delimiter(head, "\t|")
        montant = check_header(display, _header(head, delim))
        siren, close, warnings = parse_file_name(path.name)
        part, dialect, w, enc = read_delimited(ctx, path, encoding=enc.label, delimiter=delim, hint="fec", display=display, quote="", lazy=True)
        warnings += w
        part = _derive(ctx, part, montant, siren, close)
        status = "empty" if part.rows_read == 0 else "loaded"
        dialect = {**dialect, "variant": "Montant/Sens" if montant else "Debit/Credit"}
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status=status)]


def _fec_encoding(path: Path, declared: str | None):
    enc = detect_encoding(path, declared)
    if declared is None and enc.label == "cp1252" and not enc.transcode:
        # Not UTF-8 and no byte 0x80–0x9F: the legal encoding, ISO 8859-15 (€ œ Œ Š…).
        enc = detect_encoding(path, "iso-8859-15")
    return enc


def _derive(ctx: LoadContext, part: Part, montant: bool, siren: str | None, close: str | None) -> Part:
    """Canonical column names, Debit/Credit for the Montant/Sens variant, siren, close date, tiers_type."""
    con = ctx.con
    cols = staged_columns(ctx, part.table)
    canon = {k.lower(): k for k in KNOWN}
    select, names = [], []
    for c in cols:
        name = canon.get(c.strip().lower(), c)
        if re.fullmatch(r"column\d+", c) and not con.execute(
            f"SELECT count(*) FROM {quote_ident(part.table)} WHERE nullif(trim({quote_ident(c)}), '') IS NOT NULL"
        ).fetchone()[0]:
            continue  # the empty column a trailing separator makes
        select.append(f"{quote_ident(c)} AS {quote_ident(name)}")
        names.append(name)
    src = quote_ident(part.table)
    checks = list(part.checks)
    if montant:
        sens = f"upper(trim({quote_ident(_orig(cols, 'Sens'))}))"
        ok = f"{sens} IN ({', '.join(quote_literal(s) for s in SENS_DEBIT + SENS_CREDIT)})"
        checks.append((f"NOT coalesce({ok}, false)", "Sens", "Sens: must be D or C"))
        mt = quote_ident(_orig(cols, "Montant"))
        debits = ", ".join(quote_literal(s) for s in SENS_DEBIT)
        if "Debit" not in names:
            select.append(f"CASE WHEN {sens} IN ({debits}) THEN {mt} ELSE '0,00' END AS \"Debit\"")
        if "Credit" not in names:
            select.append(f"CASE WHEN {sens} IN ({debits}) THEN '0,00' ELSE {mt} END AS \"Credit\"")
    compte = f"trim({quote_ident(_orig(cols, 'CompteNum'))})"
    select += [
        f"{quote_literal(siren) if siren else 'NULL'}::VARCHAR AS siren",
        # typed here (a constant of the file): the engine types only the text columns
        f"{quote_literal(close) if close else 'NULL'}::TIMESTAMP AS fiscal_year_close",
        f"(CASE WHEN starts_with({compte}, '401') THEN 'supplier' WHEN starts_with({compte}, '411') THEN 'client' END)::VARCHAR AS tiers_type",
    ]
    name = ctx.stage_name("fec")
    if part.collect is not None:  # a view over the file's view: nothing is read here
        con.execute(f"CREATE TEMP VIEW {quote_ident(name)} AS SELECT _row, {', '.join(select)} FROM {src}")
    else:
        con.execute(f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT _row, {', '.join(select)} FROM {src} ORDER BY _row")
        con.execute(f"DROP TABLE {src}")
    return Part(
        name,
        part.rows_read,
        rejects=list(part.rejects),
        dates={c: ["%Y%m%d"] for c in DATE_COLUMNS},
        amounts=list(AMOUNT_COLUMNS),
        checks=checks,
        collect=part.collect,
    )


def _orig(cols: list[str], canonical: str) -> str:
    """The staging column holding a legal column (header names are matched case-insensitively)."""
    for c in cols:
        if c.strip().lower() == canonical.lower():
            return c
    raise KeyError(canonical)  # pragma: no cover - check_header guarantees it
