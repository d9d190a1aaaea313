"""Excel workbooks (XLSX): every sheet, or the one named in ``options.sheet``.

Cells are kept as text as the user typed them: dates become ISO text (typed later by the
engine like any other date), whole numbers lose Excel's ``.0``. Each sheet is one unit of
provenance.

The workbook is read with python-calamine (Rust): on the 105k-row workbook of the scale-300
estate it takes 5.5 s where openpyxl's read-only mode took 36 s, with the same text in
every cell (docs/benchmarks.md, round 3). Calamine parses a whole sheet in memory, so it runs
in a child process that writes the records as Parquet; the memory goes back to the system
when the child ends.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident, quote_literal
from .base import FileResult, LoadContext, Loader, unique_columns
from .registry import export_format


def cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ") if (v.hour or v.minute or v.second) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v)
    return s if s != "" else None


@export_format
class XlsxLoader(Loader):
    name = "xlsx"
    title = "Excel workbook (.xlsx), every sheet or a named one"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        display = ctx.display(path)
        wanted = ctx.source.options.sheet
        outdir = Path(tempfile.mkdtemp(prefix="xlsx-", dir=ctx.scratch.folder))  # TODO(#15): stream, no file
        try:
            sheets = _in_child(parse_workbook, str(path), wanted, str(outdir))
            if isinstance(sheets, str):  # an error message from the child
                raise InputFileError(display, sheets)
            results = []
            for sh in sheets:
                title = sh["title"]
                if sh["columns"] is None:
                    name = ctx.stage_rows("xlsx", [], [])
                    results.append(FileResult([_part(name, 0)], entry=title, warnings=[f"{display}[{title}]: empty sheet"], status="empty"))
                    continue
                name = ctx.stage_name("xlsx")
                ctx.con.execute(f"CREATE TEMP TABLE {quote_ident(name)} AS SELECT * FROM read_parquet({quote_literal(sh['file'])})")
                n = sh["rows"]
                warnings = [f"{display}[{title}]: header only, 0 rows"] if not n else []
                results.append(
                    FileResult([_part(name, n)], entry=title, dialect={"sheet": title}, warnings=warnings, status="loaded" if n else "empty")
                )
            return results
        finally:
            shutil.rmtree(outdir, ignore_errors=True)


def _in_child(fn, *args):
    """``fn(*args)`` in a fresh process: the memory calamine takes for a whole sheet is given
    back to the system when the child ends, instead of staying in the load's process."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        return pool.submit(fn, *args).result()


def parse_workbook(path: str, wanted: str | None, outdir: str, batch_size: int = 50_000) -> list[dict] | str:
    """Read a workbook with python-calamine: per sheet (or only ``wanted``), the header (first
    row with text), then the records as text, written to ``outdir`` as Parquet with ``_row``.

    Returns, per sheet, ``{"title", "columns" (None: empty sheet), "rows", "file"}``, or an
    error message (a string) for the parent to raise with the file's name.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(path)
        names = list(wb.sheet_names)
    except Exception as exc:
        return f"not a readable XLSX workbook: {exc}"
    if wanted is not None and wanted not in names:
        return f"no sheet named {wanted!r}; sheets: {', '.join(names)}"
    out = []
    for i, title in enumerate(names):
        if wanted is not None and title != wanted:
            continue
        try:
            rows_iter = _rows(wb.get_sheet_by_name(title))
            header = None
            for row in rows_iter:
                if any(c is not None and str(c).strip() for c in row):
                    header = row
                    break
            if header is None:
                out.append({"title": title, "columns": None, "rows": 0, "file": None})
                continue
            width = max(i + 1 for i, c in enumerate(header) if c is not None and str(c).strip())
            cols = unique_columns([cell_text(c) or "" for c in header[:width]])
            schema = pa.schema([("_row", pa.int64())] + [(c, pa.string()) for c in cols])
            file = str(Path(outdir) / f"{i}.parquet")
            n = 0
            with pq.ParquetWriter(file, schema) as writer:
                batch: list[list] = []

                def flush(writer=writer, batch=batch, width=width, schema=schema):
                    arrays = [pa.array(range(n - len(batch) + 1, n + 1), pa.int64())]  # noqa: B023 - n of this sheet, read when called
                    arrays += [pa.array([r[j] for r in batch], pa.string()) for j in range(width)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                    batch.clear()

                for row in rows_iter:
                    vals = [cell_text(c) for c in row[:width]]
                    if all(v is None or not v.strip() for v in vals):
                        continue  # Excel's blank rows are not records
                    batch.append(vals + [None] * (width - len(vals)))
                    n += 1
                    if len(batch) >= batch_size:
                        flush()
                if batch or n == 0:
                    flush()
        except Exception as exc:
            return f"cannot read sheet {title!r}: {exc}"
        out.append({"title": title, "columns": cols, "rows": n, "file": file})
    return out


def _rows(sheet):
    """The sheet's rows, streamed, from column A: calamine starts at the first used cell and
    gives "" for an empty one (openpyxl gave None and started at A1)."""
    start = sheet.start
    pad = [None] * (start[1] if start else 0)
    for row in sheet.iter_rows():
        yield pad + [None if c == "" else c for c in row]


def _part(name: str, n: int):
    from .base import Part

    return Part(name, n)
