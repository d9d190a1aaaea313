"""Generic delimited text: CSV/TSV with , ; | or tab, any of the usual encodings."""

from __future__ import annotations

from pathlib import Path

from .base import FileResult, LoadContext, Loader
from .registry import export_format
from .textfile import read_delimited


@export_format
class DelimitedLoader(Loader):
    name = "csv"
    lazy_staging = True  # only reads the staged columns' names
    title = "CSV / TSV (any delimiter and encoding)"
    version = "1"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        opts = ctx.source.options
        part, dialect, warnings, enc = read_delimited(ctx, path, encoding=opts.encoding, delimiter=opts.delimiter)
        status = "empty" if part.rows_read == 0 else "loaded"
        return [FileResult([part], encoding=enc.label, dialect=dialect, warnings=warnings, status=status)]
