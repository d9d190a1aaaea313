"""Excel workbooks (XLSX): every sheet, or the one named in ``options.sheet``.

Cells are kept as text as the user typed them: dates become ISO text (typed later by the
engine like any other date), whole numbers lose Excel's ``.0``. Each sheet is one unit of
provenance; a record's ``_row`` is its row number in the sheet (blank rows are not records
and shift nothing).

- Every non-empty cell is kept: cells right of the header's last cell go to columns named
  ``column_<letter>`` (``column_F``), with a warning; so do header cells left empty. A row
  whose only values are there is a record.
- A formula without a computed value (a workbook written by a program that does not compute
  formulas, such as openpyxl; Excel and LibreOffice always store the value) is a reject
  ``formula_without_value`` naming its cell: its value is unknown, and its formula is not a
  value. The row's other cells are kept in the reject's text.
- The workbook is a zip: its directory is held to the source's budget (``archive.py``) before
  anything is unpacked.

The workbook is read with python-calamine (Rust): on the 105k-row workbook of the scale-300
estate it takes 5.5 s where openpyxl's read-only mode took 36 s, with the same text in
every cell (docs/benchmarks.md, round 3). Calamine parses a whole sheet in memory, so it runs
in a child process (``xlsx_child.py``, which imports nothing of the package) whose memory goes
back to the system when it ends. The child streams the rows to this process as Arrow record
batches over a pipe; they are inserted into the staging table batch by batch, so nothing of
the workbook is written to disk (a killed load leaves no file), and the child dies with its
parent (``PR_SET_PDEATHSIG``, and a broken pipe).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

from ...errors import InputFileError
from ...sql import quote_ident
from .archive import Budget, open_zip
from .base import FileResult, LoadContext, Loader, Part, Reject, unique_columns
from .registry import export_format
from .signature import describe, refuse_unless_recognised
from .xlsx_child import first_row, letters

CHILD = Path(__file__).with_name("xlsx_child.py")
DEFAULT_ENTRIES = 1000
BATCH_ROWS: int | None = None  # rows per batch from the child (None: about 250,000 cells; tests set it)


def xlsx_mismatch(path: Path, head: bytes) -> str | None:
    """Why a file is not an XLSX workbook (None: it is a zip holding a workbook part)."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "it is an Excel 97-2003 workbook (.xls) or another OLE2 document: save it as .xlsx"
    if not head.startswith(b"PK\x03\x04"):
        return f"it is {describe(head)}, not a zip archive"
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return "it is a truncated or damaged zip archive"
    if "xl/workbook.bin" in names:
        return "it is an Excel binary workbook (.xlsb): save it as .xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "it is an OpenDocument file (.ods): save it as .xlsx"
    if not any(n.endswith("workbook.xml") for n in names):
        return "it is a zip archive without a workbook (no xl/workbook.xml)"
    return None


def workbook_header(path: Path) -> list[str] | None:
    """The first row with a value of a workbook's first sheet (read from its first KBs), or
    None; for the signatures of formats that come as workbooks (HubSpot)."""
    try:
        return first_row(path)
    except Exception:  # noqa: BLE001 - a workbook this cannot read: the loader will say why
        return None


@export_format
class XlsxLoader(Loader):
    name = "xlsx"
    title = "Excel workbook (.xlsx), every sheet or a named one"
    kind = "an Excel workbook (.xlsx)"
    version = "2"  # 2: _row is the sheet's row number, cells beyond the header kept, formulas without a value rejected

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        return xlsx_mismatch(path, head)

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        return read_workbook(ctx, path)


def read_workbook(ctx: LoadContext, path: Path) -> list[FileResult]:
    """Every sheet of a workbook (or ``options.sheet``), staged: one result per sheet."""
    display = ctx.display(path)
    budget = Budget.of(ctx.source.options, entries=DEFAULT_ENTRIES)
    open_zip(path, display, budget, "workbook").close()
    reader = _Child(path, ctx.source.options.sheet)
    try:
        return _receive(ctx, reader, display)
    finally:
        reader.close()


class _Child:
    """The child process reading the workbook, and its frames."""

    def __init__(self, path: Path, sheet: str | None):
        if not sys.executable:
            raise RuntimeError("no Python interpreter to run the workbook reader")
        args = json.dumps({"path": str(path), "sheet": sheet, "ppid": os.getpid(), "batch_rows": BATCH_ROWS})
        env = {k: v for k, v in os.environ.items() if not k.startswith("RGPD_AUDIT_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-P", str(CHILD), args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True,
        )

    def frames(self):
        """(kind, payload) frames until the child's output ends."""
        stream = self.proc.stdout
        while True:
            head = stream.read(9)
            if not head:
                return
            if len(head) < 9:
                break
            kind, n = struct.unpack(">cQ", head)
            data = stream.read(n)
            if len(data) < n:
                break
            yield kind, data
        yield b"X", b""  # cut in the middle of a frame

    def stopped(self) -> str:
        code = self.proc.wait()
        if code < 0:
            return f"the workbook reader was killed (signal {-code}; out of memory?)"
        return f"the workbook reader stopped unexpectedly (exit code {code})"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class _Sheet:
    def __init__(self, ctx: LoadContext, title: str):
        self.ctx, self.title = ctx, title
        self.table: str | None = None
        self.names: dict[int, str] = {}  # 0-based column -> column name
        self.rejects: list[Reject] = []
        self.warnings: list[str] = []
        self.rows = 0
        self.empty = False
        self.extra: list[int] = []

    def header(self, cells: list[str | None]) -> None:
        raw = [(c or "").strip() or f"column_{letters(j)}" for j, c in enumerate(cells)]
        names = unique_columns(raw)
        self.names = dict(enumerate(names))
        self.table = self.ctx.stage_name("xlsx")
        cols = ", ".join(f"{quote_ident(n)} VARCHAR" for n in names)
        self.ctx.con.execute(f"CREATE TEMP TABLE {quote_ident(self.table)} (_row BIGINT, {cols})")

    def add_column(self, j: int) -> str:
        taken = set(self.names.values()) | {"_row"}
        name, k = f"column_{letters(j)}", 1
        while name in taken:
            name, k = f"column_{letters(j)}_{k}", k + 1
        self.names[j] = name
        self.extra.append(j)
        self.ctx.con.execute(f"ALTER TABLE {quote_ident(self.table)} ADD COLUMN {quote_ident(name)} VARCHAR")
        return name

    def batch(self, data: bytes) -> None:
        import pyarrow as pa

        tbl = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        cols = [c for c in tbl.column_names if c != "_row"]
        for c in cols:
            j = int(c[1:])
            if j not in self.names:
                self.add_column(j)
        targets = ", ".join(["_row", *(quote_ident(self.names[int(c[1:])]) for c in cols)])
        con = self.ctx.con
        con.register("_xlsx_batch", tbl)
        try:
            con.execute(f"INSERT INTO {quote_ident(self.table)} ({targets}) SELECT * FROM _xlsx_batch")
        finally:
            con.unregister("_xlsx_batch")

    def reject(self, r: dict) -> None:
        refs = [f"{letters(j)}{r['row']}" for j in r["cells"]]
        fields = [self.names.get(j) or f"column_{letters(j)}" for j in r["cells"]]
        values = {self.names.get(int(j)) or f"column_{letters(int(j))}": v for j, v in r["values"].items()}
        self.rejects.append(Reject(
            f"{', '.join(refs)}: formula without a computed value (the workbook was saved by a program that does not "
            "compute formulas; open and save it in Excel or LibreOffice)",
            line=r["row"], record=r["row"], field=", ".join(fields),
            raw=json.dumps(values, ensure_ascii=False) if values else None, code="formula_without_value",
        ))

    def result(self, display: str) -> FileResult:
        where = f"{display}[{self.title}]"
        warnings = [f"{where}: {w}" for w in self.warnings]
        if self.extra:
            named = ", ".join(self.names[j] for j in sorted(self.extra))
            warnings.append(f"{where}: cells right of the header's last column, loaded as {named}")
        if self.rejects:
            first = self.rejects[0].field
            warnings.append(f"{where}: {len(self.rejects)} row(s) with a formula without a computed value rejected (first: row "
                            f"{self.rejects[0].record}, {first})")
        if self.table is None:
            self.table = self.ctx.stage_rows("xlsx", [], [])
            if not self.rejects:
                warnings.append(f"{where}: empty sheet")
            return FileResult([Part(self.table, len(self.rejects), rejects=self.rejects)], entry=self.title,
                              warnings=warnings, status="loaded" if self.rejects else "empty")
        n = self.rows + len(self.rejects)
        if not n:
            warnings.append(f"{where}: header only, 0 rows")
        return FileResult([Part(self.table, n, rejects=self.rejects)], entry=self.title, dialect={"sheet": self.title},
                          warnings=warnings, status="loaded" if n else "empty")


def _receive(ctx: LoadContext, child: _Child, display: str) -> list[FileResult]:
    results: list[FileResult] = []
    sheet: _Sheet | None = None
    for kind, data in child.frames():
        if kind == b"A":
            sheet.batch(data)
            continue
        if kind != b"J":
            raise InputFileError(display, child.stopped())
        msg = json.loads(data)
        if "error" in msg:
            raise InputFileError(display, msg["error"])
        if "done" in msg:
            return results
        if "sheet" in msg:
            sheet = _Sheet(ctx, msg["sheet"])
        if "warning" in msg:
            sheet.warnings.append(msg["warning"])
        if "header" in msg:
            sheet.header(msg["header"])
            if msg.get("header_formulas"):
                cells = ", ".join(f"{letters(j)}{msg['header_row']}" for j in msg["header_formulas"])
                sheet.warnings.append(f"formula without a computed value in the header ({cells}): column named after its letter")
        for r in msg.get("rejects", ()):
            sheet.reject(r)
        if "end" in msg:
            sheet.rows = msg["rows"]
            results.append(sheet.result(display))
            sheet = None
    raise InputFileError(display, child.stopped())
