"""Sage 100 third parties (table F_COMPTET): clients, suppliers and others in one export.

Usually ``;``-separated and Windows-1252 (both detected). Columns ``CT_Num, CT_Intitule,
CT_Type`` (0 client, 1 supplier, 2 employee, 3 other), ``CT_Contact``, addresses,
``CT_Telephone``, ``CT_EMail``, ``CT_Sommeil`` (dormant)… The loader adds ``tiers_type``
(``client`` / ``supplier`` / ``other``) from ``CT_Type`` so that ``split_by`` and checks read
a word rather than a Sage code. Signature: ``CT_Num`` and ``CT_Intitule`` in the header.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident
from .base import Capability, FileResult, LoadContext, Loader, staged_columns
from .crm import find_column
from .registry import export_format
from .signature import delimited_mismatch, refuse_unless_recognised
from .textfile import read_delimited

REQUIRED = ("CT_Num", "CT_Intitule")
TYPE_COLUMN = "tiers_type"


@export_format
class SageTiersLoader(Loader):
    name = "sage_tiers"
    date_roles = {"CT_DateCreate": "creation", "cbModification": "record_change"}
    # the account (number, name) the accounting entries refer to, and its contact's details,
    # which are no accounting record (Code de commerce L123-22 keeps books and vouchers)
    capabilities = (
        Capability("third_party_master",
                   {"account": "CT_Num", "label": "CT_Intitule", "contact": "CT_Contact", "phone": "CT_Telephone",
                    "fax": "CT_Telecopie", "email": "CT_EMail"},
                   optional=frozenset({"contact", "phone", "fax", "email"}),
                   facts={"contact_roles": ("contact", "phone", "fax", "email")}),
    )
    derived_columns = (TYPE_COLUMN,)
    title = "Sage 100 third parties (F_COMPTET: clients and suppliers)"
    kind = "a Sage F_COMPTET export"
    version = "1"

    @classmethod
    def header_mismatch(cls, columns: list[str]) -> str | None:
        missing = [c for c in REQUIRED if find_column(columns, c) is None]
        return f"no {', '.join(missing)} column" if missing else None

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return delimited_mismatch(head, cls.header_mismatch)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter, hint="sage")
        cols = staged_columns(ctx, part.table)
        if cols:
            why = self.header_mismatch(cols)
            if why:
                raise InputFileError(display, f"this is not {self.kind}: {why}")
            if find_column(cols, TYPE_COLUMN) is not None:
                raise InputFileError(display, f"unexpected {TYPE_COLUMN!r} column in a Sage export")
            ct_type = find_column(cols, "CT_Type")
            if ct_type is None:
                warnings.append(f"{display}: no CT_Type column, {TYPE_COLUMN} left empty")
                expr = "NULL"
            else:
                c = f"trim({quote_ident(ct_type)})"
                expr = (
                    f"CASE WHEN {c} = '0' OR lower({c}) = 'client' THEN 'client' "
                    f"WHEN {c} = '1' OR lower({c}) = 'fournisseur' THEN 'supplier' ELSE 'other' END"
                )
            t = f"temp.{quote_ident(part.table)}"
            ctx.con.execute(f"ALTER TABLE {t} ADD COLUMN {quote_ident(TYPE_COLUMN)} VARCHAR")
            if part.rows_read:
                ctx.con.execute(f"UPDATE {t} SET {quote_ident(TYPE_COLUMN)} = {expr}")
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status="loaded" if part.rows_read else "empty")]
