"""Excel workbooks (XLSX): every sheet, or the one named in ``options.sheet``.

Cells are kept as text as the user typed them: dates become ISO text (typed later by the
engine like any other date), whole numbers lose Excel's ``.0``. Each sheet is one unit of
provenance.

The workbook is read with python-calamine (Rust): on the 105k-row workbook of the scale-300
estate it takes 5.5 s where openpyxl's read-only mode took 36 s, with the same text in
every cell (docs/benchmarks.md, round 3).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputFileError
from .base import FileResult, LoadContext, Loader, unique_columns
from .registry import register


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


@register
class XlsxLoader(Loader):
    name = "xlsx"
    title = "Excel workbook (.xlsx), every sheet or a named one"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        from python_calamine import CalamineWorkbook

        display = ctx.display(path)
        try:
            wb = CalamineWorkbook.from_path(str(path))
            names = list(wb.sheet_names)
        except Exception as exc:
            raise InputFileError(display, f"not a readable XLSX workbook: {exc}") from None
        wanted = ctx.source.options.sheet
        if wanted is not None and wanted not in names:
            raise InputFileError(display, f"no sheet named {wanted!r}; sheets: {', '.join(names)}")
        results = []
        for title in names:
            if wanted is not None and title != wanted:
                continue
            try:
                # empty cells are "" here (None in openpyxl); leading blank rows are kept
                sheet_rows = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
            except Exception as exc:
                raise InputFileError(f"{display}[{title}]", f"cannot read the sheet: {exc}") from None
            rows_iter = ([None if c == "" else c for c in row] for row in sheet_rows)
            header = None
            for row in rows_iter:
                if any(c is not None and str(c).strip() for c in row):
                    header = row
                    break
            if header is None:
                name = ctx.stage_rows("xlsx", [], [])
                results.append(FileResult([_part(name, 0)], entry=title, warnings=[f"{display}[{title}]: empty sheet"], status="empty"))
                continue
            width = max(i + 1 for i, c in enumerate(header) if c is not None and str(c).strip())
            cols = unique_columns([cell_text(c) or "" for c in header[:width]])
            data = []
            for row in rows_iter:
                vals = [cell_text(c) for c in row[:width]]
                if all(v is None or not v.strip() for v in vals):
                    continue  # Excel's trailing blank rows are not records
                data.append(vals + [None] * (width - len(vals)))
            name = ctx.stage_rows("xlsx", cols, data)
            warnings = [f"{display}[{title}]: header only, 0 rows"] if not data else []
            results.append(
                FileResult([_part(name, len(data))], entry=title, dialect={"sheet": title}, warnings=warnings, status="loaded" if data else "empty")
            )
        return results


def _part(name: str, n: int):
    from .base import Part

    return Part(name, n)
