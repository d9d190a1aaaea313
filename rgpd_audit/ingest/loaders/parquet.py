"""Parquet files, read by DuckDB. Columns keep their types; text stays text.

Signature: ``PAR1`` at both ends of the file (a truncated file lacks the footer). A file DuckDB
still cannot read is a one-line error naming it (DuckDB's first line, never its dump).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import FileResult, LoadContext, Loader, Part
from .registry import export_format
from .signature import describe, refuse_unless_recognised


@export_format
class ParquetLoader(Loader):
    name = "parquet"
    title = "Apache Parquet"
    kind = "a Parquet file"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        if not head.startswith(b"PAR1"):
            return f"it is {describe(head)}"
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 4))
            tail = fh.read(4)
        if size < 12 or tail != b"PAR1":
            return "it starts like a Parquet file but has no Parquet footer (truncated?)"
        return None

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        name = ctx.stage_name("parquet")
        try:
            ctx.con.execute(
                f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT row_number() OVER () AS _row, * "
                f"FROM read_parquet({quote_literal(str(path))})"
            )
        except Exception as exc:  # duckdb.Error: its first line (the rest is a dump of the reader's state)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            first = re.sub(r"^[A-Z][A-Za-z ]{0,30} Error: ", "", first)[:300]  # DuckDB's error class
            raise InputFileError(ctx.display(path), f"not a readable Parquet file: {first}") from None
        n = ctx.con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0]
        return [FileResult([Part(name, n)], status="loaded" if n else "empty")]
