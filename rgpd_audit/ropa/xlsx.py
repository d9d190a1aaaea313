"""Write a :class:`Register` as an XLSX workbook in the layout of the CNIL model register.

One sheet "Organisation", one sheet per activity (controller's record first, then the
processor's), one "Déclaré vs observé" sheet. Header styling, wrapped text, column widths.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from .builder import ActivitySheet, Field, Register

_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14, color="1F3864")
_LABEL_FONT = Font(bold=True)
_LABEL_FILL = PatternFill("solid", fgColor="DCE6F1")
_WARN_FILL = PatternFill("solid", fgColor="FCE4D6")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="B4B4B4")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.fill, cell.font, cell.alignment, cell.border = _HEADER_FILL, _HEADER_FONT, _WRAP, _BORDER


def _title(ws: Worksheet, text: str, subtitle: str) -> None:
    ws.cell(row=1, column=1, value=text).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=subtitle).font = Font(italic=True, color="595959")


def _fields(ws: Worksheet, start: int, fields: list[Field]) -> None:
    for i, f in enumerate(fields, start=start):
        label = ws.cell(row=i, column=1, value=f.label)
        label.font, label.fill = _LABEL_FONT, _LABEL_FILL
        ws.cell(row=i, column=2, value=f.value)
        ws.cell(row=i, column=3, value=f.basis or None)
        for col in (1, 2, 3):
            cell = ws.cell(row=i, column=col)
            cell.alignment, cell.border = _WRAP, _BORDER
            if f.warning and col == 2:
                cell.fill = _WARN_FILL
        lines = sum(max(1, len(part) // 90 + 1) for part in str(f.value).split("\n"))
        ws.row_dimensions[i].height = min(409, 15 * lines)


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width


def _activity(wb: Workbook, reg: Register, sheet: ActivitySheet) -> None:
    ws = wb.create_sheet(sheet.sheet_name)
    _title(ws, f"{sheet.section} — {sheet.title}", reg.t(f"{sheet.register}_register"))
    _header(ws, 4, [reg.t("field"), reg.t("content"), reg.t("basis")])
    _fields(ws, 5, sheet.fields)
    _widths(ws, [38, 100, 30])
    ws.freeze_panes = "A5"


def _gaps(wb: Workbook, reg: Register) -> None:
    ws = wb.create_sheet(reg.t("gaps_sheet"))
    _title(ws, reg.t("gaps_sheet"), reg.t("gaps_intro"))
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=False)
    cols = ["gap_activity", "gap_category", "gap_label", "gap_special", "gap_finding", "gap_systems",
            "gap_columns", "gap_records"]
    _header(ws, 4, [reg.t(c) for c in cols])
    row = 5
    if not reg.data_loaded:
        ws.cell(row=row, column=1, value=reg.t("no_data")).alignment = _WRAP
    for g in reg.gaps:
        values = [g.activity, g.category or None, g.label or None, reg.t("yes") if g.special else reg.t("no"),
                  g.finding_label, ", ".join(g.systems) or None, g.columns or None, g.detections or None]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment, cell.border = _WRAP, _BORDER
            if g.finding == "undeclared":
                cell.fill = _WARN_FILL
        row += 1
    _widths(ws, [45, 48, 45, 10, 32, 30, 10, 14])
    ws.freeze_panes = "A5"
    ws.auto_filter.ref = f"A4:H{max(row - 1, 4)}"


def write_xlsx(reg: Register, path: str | Path) -> Path:
    """Write the register workbook to ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = reg.t("organisation_sheet")
    _title(ws, reg.t("title"), f"{reg.organisation_name} — {reg.t('as_of')} {reg.date(reg.as_of)}")
    _header(ws, 4, [reg.t("field"), reg.t("content"), reg.t("basis")])
    _fields(ws, 5, reg.organisation)
    _widths(ws, [38, 80, 30])
    for sheet in reg.activities:
        _activity(wb, reg, sheet)
    _gaps(wb, reg)
    wb.properties.title = reg.t("title")
    wb.properties.creator = "rgpd-audit"
    # file metadata from the register's dates (openpyxl still stamps "modified" when saving)
    wb.properties.created = dt.datetime.combine(reg.created, dt.time())
    wb.save(path)
    return path
