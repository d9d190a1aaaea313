"""Parquet files, read by DuckDB. Columns keep their types; text stays text."""

from __future__ import annotations

from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import FileResult, LoadContext, Loader, Part
from .registry import export_format


@export_format
class ParquetLoader(Loader):
    name = "parquet"
    title = "Apache Parquet"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        name = ctx.stage_name("parquet")
        try:
            ctx.con.execute(
                f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT row_number() OVER () AS _row, * "
                f"FROM read_parquet({quote_literal(str(path))})"
            )
        except Exception as exc:
            raise InputFileError(ctx.display(path), f"not a readable Parquet file: {exc}") from None
        n = ctx.con.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0]
        return [FileResult([Part(name, n)], status="loaded" if n else "empty")]
