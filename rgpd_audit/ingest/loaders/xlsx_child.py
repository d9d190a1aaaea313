"""The XLSX reader's child process: run as a script by ``xlsx.py`` (which also imports its
XML helpers: where a sheet is, the first row of a workbook).

It reads one workbook with python-calamine and streams the cells, as text, to its parent over
its standard output: nothing is written to disk. It imports nothing of the package (only the
standard library, pyarrow and python-calamine), so it starts in about 0.2 s.

- It dies with its parent: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux, and it stops at the
  first write once its parent is gone (broken pipe).
- Frames: one byte of kind and eight of length (big-endian), then the payload: ``J`` a JSON
  object, ``A`` an Arrow IPC stream of one record batch (``_row`` then ``c<j>``, the text of
  column ``j``, 0 = A; only columns holding a value in the batch beyond the header's).
- Per sheet: ``{"sheet"}``, ``{"header", "header_row"}`` (or ``{"empty": true}``), batches and
  ``{"rejects"}``, then ``{"end", "rows"}``; at the end ``{"done": true}``; ``{"error"}`` stops.

Rows are numbered as in the sheet (its own row numbers: blank rows and rejected rows never
shift the next ones). A cell holding a formula without a computed value (a workbook written
by a program that does not compute formulas, such as openpyxl: calamine gives an empty cell)
makes its row a reject: the sheet's XML is scanned for such cells first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import struct
import sys
import zipfile

BATCH_CELLS = 250_000  # cells per batch sent (a batch of a 16-column sheet: 15,625 rows)


def die_with_parent(ppid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - best effort: the broken pipe stops the child too
            pass
    if os.getppid() != ppid:  # the parent died before prctl
        os._exit(1)


class Out:
    def __init__(self, stream):
        self.stream = stream

    def send(self, obj: dict) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        self.stream.write(struct.pack(">cQ", b"J", len(data)) + data)
        self.stream.flush()

    def send_batch(self, batch) -> None:
        import pyarrow as pa

        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        buf = sink.getvalue()
        self.stream.write(struct.pack(">cQ", b"A", buf.size))
        self.stream.write(memoryview(buf))
        self.stream.flush()


def letters(j: int) -> str:
    """Column letters of a 0-based column index: 0 -> A, 26 -> AA."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def _index(col: bytes) -> int:
    n = 0
    for ch in col:
        n = n * 26 + (ch - 64)
    return n - 1


def cell_text(v):
    if v is None or v == "":
        return None
    t = type(v)
    if t is str:
        return v
    if t is float:
        return str(int(v)) if v.is_integer() else str(v)
    if t is bool:
        return "true" if v else "false"
    if t is dt.datetime:
        return v.isoformat(sep=" ") if (v.hour or v.minute or v.second or v.microsecond) else v.date().isoformat()
    if t is dt.date:
        return v.isoformat()
    s = str(v)
    return s or None


# --- the sheet's XML: where it is, and its formulas without a computed value ----------------

_MAIN_REL = "/officeDocument"


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target path in the zip) of a part (``xl/workbook.xml``)."""
    import posixpath
    import xml.etree.ElementTree as ET

    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = ET.fromstring(zf.read(rels_path))
    except KeyError:
        return {}
    out = {}
    for el in root:
        target = el.get("Target") or ""
        if el.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[el.get("Id")] = (el.get("Type") or "", path)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML entry in the zip."""
    import xml.etree.ElementTree as ET

    book = next((p for t, p in _rels(zf, "").values() if t.endswith(_MAIN_REL)), "xl/workbook.xml")
    rels = _rels(zf, book)
    root = ET.fromstring(zf.read(book))
    out = {}
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if rid in rels and el.get("name") is not None:
            out[el.get("name")] = rels[rid][1]
    return out


def _shared_strings(zf: zipfile.ZipFile, book: str, upto: int) -> list[str]:
    """The workbook's shared strings 0..``upto`` (streamed: a big table is not read past them)."""
    import xml.etree.ElementTree as ET

    part = next((p for t, p in _rels(zf, book).values() if t.endswith("/sharedStrings")), None)
    out: list[str] = []
    if part is None or upto < 0:
        return out
    try:
        fh = zf.open(part)
    except KeyError:
        return out
    with fh:
        for _, el in ET.iterparse(fh, events=("end",)):
            if el.tag.rsplit("}", 1)[-1] == "si":
                out.append("".join(t.text or "" for t in el.iter() if t.tag.rsplit("}", 1)[-1] == "t"))
                el.clear()
                if len(out) > upto:
                    break
    return out


def first_row(path, limit: int = 4 << 20) -> list[str] | None:
    """The first row holding a value of a workbook's first sheet, as text (its header, for a
    signature), reading at most ``limit`` bytes of its XML; None when not found there."""
    with zipfile.ZipFile(path) as zf:
        book = next((p for t, p in _rels(zf, "").values() if t.endswith(_MAIN_REL)), "xl/workbook.xml")
        parts = sheet_parts(zf)
        if not parts:
            return None
        entry = next(iter(parts.values()))
        buf = b""
        with zf.open(entry) as fh:
            while len(buf) < limit:
                chunk = fh.read(64 * 1024)
                buf += chunk
                cells = []
                for m in _ROW.finditer(buf):
                    cells = [_cell_value(c) for c in _CELL.finditer(m.group(2) or b"")]
                    if any(v for _, v in cells):
                        break
                else:
                    cells = []
                if cells or not chunk:
                    break
        if not cells:
            return None
        wanted = [int(v) for kind, v in cells if kind == b"s" and v.isdigit()]
        shared = _shared_strings(zf, book, max(wanted, default=-1))
        out = []
        for kind, v in cells:
            if kind == b"s":
                out.append(shared[int(v)] if v.isdigit() and int(v) < len(shared) else "")
            else:
                out.append(v)
        return out


def _cell_value(m: re.Match) -> tuple[bytes, str]:
    import html

    attrs, inner = m.group(1), m.group(2) or b""
    t = _T.search(attrs)
    kind = t.group(1) if t else b"n"
    if kind == b"inlineStr":
        text = b"".join(re.findall(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", inner, re.S))
    else:
        v = _V.search(inner)
        text = (v.group(1) or b"") if v else b""
    return kind, html.unescape(text.decode("utf-8", "replace")).strip()


_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_R = re.compile(rb'\br="([A-Z]*)([0-9]*)"')
_T = re.compile(rb'\bt="(\w+)"')
CHUNK = 1 << 20


def _may_have_formulas(data: bytes) -> bool:
    return b"<f" in data or b":f>" in data or b":f " in data


def formula_cells(zf: zipfile.ZipFile, entry: str) -> dict[int, list[int]]:
    """Row number (1-based) -> 0-based columns of the cells holding a formula without a
    computed value. One pass reads the XML (zipfile checks its CRC and declared size); a
    second, exact one runs only when the first saw a formula."""
    seen = False
    with zf.open(entry) as fh:
        tail = b""
        while chunk := fh.read(CHUNK):
            if _may_have_formulas(chunk) or _may_have_formulas(tail + chunk[:8]):
                seen = True
                break
            tail = chunk[-8:]
    if not seen:
        return {}
    out: dict[int, list[int]] = {}
    row_no = 0
    with zf.open(entry) as fh:
        buf = b""
        while True:
            chunk = fh.read(CHUNK)
            buf += chunk
            end = 0
            for m in _ROW.finditer(buf):
                end = m.end()
                r = _R.search(m.group(1))
                row_no = int(r.group(2)) if r and r.group(2) else row_no + 1
                body = m.group(2)
                if not body or not _may_have_formulas(body):
                    continue
                col = -1
                for c in _CELL.finditer(body):
                    attrs, inner = c.group(1), c.group(2)
                    r = _R.search(attrs)
                    col = _index(r.group(1)) if r and r.group(1) else col + 1
                    if not inner or not _F.search(inner):
                        continue
                    v = _V.search(inner)
                    t = _T.search(attrs)
                    kind = t.group(1) if t else b"n"
                    value = v.group(1) if v else None
                    if v is None or (not (value or b"").strip() and kind not in (b"str", b"inlineStr")):
                        out.setdefault(row_no, []).append(col)
            buf = buf[end:]
            if not chunk:
                break
    return out


# --- the rows -----------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org"
_PROBE = {
    "[Content_Types].xml": f'<Types xmlns="{_NS}/package/2006/content-types"><Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_NS}/package/2006/relationships"><Relationship Id="rId1" '
    f'Type="{_NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{_NS}/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_NS}/package/2006/relationships"><Relationship Id="rId1" '
    f'Type="{_NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData><row r="3">'
    '<c r="B3" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>',
}


def iter_rows_origin(CalamineWorkbook) -> tuple[bool, bool]:
    """Whether ``iter_rows`` starts at row 1 and at column A rather than at the sheet's first
    used cell (python-calamine 0.9 starts at row 1 but at the first used column; this has
    changed between versions): measured on a one-cell workbook (B3) made in memory."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, xml in _PROBE.items():
            zf.writestr(name, xml)
    buf.seek(0)
    rows = list(CalamineWorkbook.from_filelike(buf).get_sheet_by_index(0).iter_rows())
    return len(rows) == 3, len(rows[-1]) == 2



def stream_sheet(out: Out, title: str, sheet, formulas: dict[int, list[int]], origin: tuple[bool, bool],
                 batch_rows: int | None = None) -> None:
    import pyarrow as pa

    start = sheet.start
    r0, c0 = start if start else (0, 0)
    if origin[0]:
        r0 = 0  # iter_rows gives the rows above the first used cell too
    if origin[1]:
        c0 = 0
    rows = sheet.iter_rows() if start else iter(())
    phys = r0
    header = None
    for row in rows:
        phys += 1
        vals = [cell_text(c) for c in row]
        if any(v is not None and v.strip() for v in vals):
            header = vals
            break
    if header is None:
        # an empty sheet: formula cells without a value, if any, are its only records (rejected)
        out.send({"empty": True})
        rejects = [{"row": r, "cells": formulas[r], "values": {}} for r in sorted(formulas)]
        if rejects:
            out.send({"rejects": rejects})
        out.send({"end": title, "rows": 0})
        return
    last = max(i for i, v in enumerate(header) if v is not None and v.strip())
    hw = c0 + last + 1  # the header's columns: A to its last non-empty cell
    # rows above the header holding only formulas without a value are records too (rejected)
    early = [{"row": r, "cells": formulas.pop(r), "values": {}} for r in sorted(formulas) if r < phys]
    out.send({"header": [None] * c0 + header[: last + 1], "header_row": phys, "header_formulas": formulas.pop(phys, [])})
    width = hw - c0  # values of header columns in a row list: [0, width)
    batch_rows = batch_rows or max(1000, BATCH_CELLS // max(1, hw))
    nums: list[int] = []
    batch: list[list] = []
    extra: set[int] = set()  # 0-based columns beyond the header holding a value in this batch
    rejects: list[dict] = early
    staged = 0

    def flush():
        cols = {"_row": pa.array(nums, pa.int64())}
        n = len(nums)
        for j in range(hw):
            k = j - c0
            cols[f"c{j}"] = pa.array([r[k] for r in batch], pa.string()) if k >= 0 else pa.nulls(n, pa.string())
        for j in sorted(extra):
            k = j - c0
            cols[f"c{j}"] = pa.array([r[k] if k < len(r) else None for r in batch], pa.string())
        if rejects:
            out.send({"rejects": rejects[:]})
            rejects.clear()
        if n:
            out.send_batch(pa.RecordBatch.from_pydict(cols))
        nums.clear()
        batch.clear()
        extra.clear()

    for row in rows:
        phys += 1
        vals = [cell_text(c) for c in row]
        cells = formulas.pop(phys, None)
        if cells is not None:
            rejects.append({"row": phys, "cells": cells, "values": {str(c0 + k): v for k, v in enumerate(vals) if v is not None}})
            continue
        if not any(v is not None and v.strip() for v in vals):
            continue  # a blank row is not a record (and shifts nothing: rows keep the sheet's numbers)
        if len(vals) > width and any(v is not None and v.strip() for v in vals[width:]):
            extra.update(c0 + k for k in range(width, len(vals)) if vals[k] is not None and vals[k].strip())
        nums.append(phys)
        batch.append(vals)
        staged += 1
        if len(nums) >= batch_rows:
            flush()
    for row_no in sorted(r for r in formulas if r > phys):  # beyond the cells calamine saw
        rejects.append({"row": row_no, "cells": formulas[row_no], "values": {}})
    if nums or rejects:
        flush()
    out.send({"end": title, "rows": staged})


class _Scan:
    """``formula_cells`` of a sheet's XML, in a thread of its own."""

    def __init__(self, path: str, entry: str | None):
        import threading

        self.cells: dict[int, list[int]] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path, entry), daemon=True) if entry else None
        if self.thread is not None:
            self.thread.start()

    def _run(self, path: str, entry: str) -> None:
        try:
            with zipfile.ZipFile(path) as zf:
                self.cells = formula_cells(zf, entry)
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self.error = exc

    def result(self) -> dict[int, list[int]]:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.cells


def run(args: dict, out: Out) -> None:
    from python_calamine import CalamineWorkbook

    path, wanted = args["path"], args.get("sheet")
    try:
        wb = CalamineWorkbook.from_path(path)
        names = list(wb.sheet_names)
    except Exception as exc:  # noqa: BLE001 - any reader error: the file is not a workbook we can read
        out.send({"error": f"not a readable XLSX workbook: {_first_line(exc)}"})
        return
    if wanted is not None and wanted not in names:
        out.send({"error": f"no sheet named {wanted!r}; sheets: {', '.join(names)}"})
        return
    origin = iter_rows_origin(CalamineWorkbook)
    kinds = {}
    for meta in getattr(wb, "sheets_metadata", None) or []:
        kinds[meta.name] = str(meta.typ).rsplit(".", 1)[-1]
    with zipfile.ZipFile(path) as zf:
        try:
            parts = sheet_parts(zf)
        except Exception:  # noqa: BLE001 - no map of the sheets: formulas are then not looked for
            parts = {}
    for title in names:
        if wanted is not None and title != wanted:
            continue
        out.send({"sheet": title})
        if kinds.get(title, "WorkSheet") != "WorkSheet":
            out.send({"empty": True, "warning": f"a {kinds[title]}, no cells"})
            out.send({"end": title, "rows": 0})
            continue
        try:
            entry = parts.get(title)
            if entry is None:
                out.send({"warning": "the sheet's XML was not found: formulas without a computed value not looked for"})
            # the XML is scanned while calamine parses the sheet (both release the GIL)
            scan = _Scan(path, entry)
            sheet = wb.get_sheet_by_name(title)
            stream_sheet(out, title, sheet, scan.result(), origin, args.get("batch_rows"))
        except (BrokenPipeError, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the parent names the file and the sheet
            out.send({"error": f"cannot read sheet {title!r}: {_first_line(exc)}"})
            return
    out.send({"done": True})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else ""
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in msg:
        msg = "damaged entry (CRC mismatch)"
    return f"{type(exc).__name__}: {msg}"[:300] if msg else type(exc).__name__


def main() -> None:
    args = json.loads(sys.argv[1])
    die_with_parent(int(args["ppid"]))
    out = Out(sys.stdout.buffer)
    sys.stdout = sys.stderr  # nothing else may write into the frames
    try:
        run(args, out)
    except BrokenPipeError:  # the parent is gone or stopped reading
        os._exit(0)
    except MemoryError:
        out.send({"error": "not enough memory to read the workbook"})
    out.stream.flush()


if __name__ == "__main__":
    main()
