"""Hostile files for the container and format tests (tests/hostile/test_containers_*.py,
test_formats_*.py), made in the test: workbooks written as raw XML (fast, and with what
openpyxl cannot write), zips, mailboxes; and the estate around them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from tests.conftest import write_manifest
from tests.hostile import harness

_NS = "http://schemas.openxmlformats.org"
_PARTS = {
    "[Content_Types].xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "{overrides}</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
}


def col(j: int) -> str:
    s, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def cell(ref: str, value) -> str:
    """A cell's XML: text (inline), number, or ``("=", formula)`` without a computed value."""
    if isinstance(value, tuple):
        return f'<c r="{ref}"><f>{escape(value[1])}</f></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def sheet_xml(rows: dict[int, dict[int, object]] | list[list]) -> str:
    """A worksheet's XML: ``rows`` as {row number: {0-based column: value}} or a list of rows from row 1."""
    if isinstance(rows, list):
        rows = {i + 1: {j: v for j, v in enumerate(r) if v is not None} for i, r in enumerate(rows)}
    body = "".join(
        f'<row r="{r}">' + "".join(cell(f"{col(j)}{r}", v) for j, v in sorted(cells.items())) + "</row>"
        for r, cells in sorted(rows.items()) if cells
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'


def shared(sheet: str) -> tuple[str, list[str]]:
    """A sheet's inline strings moved to a shared strings table: (sheet XML, the table)."""
    import re

    table: list[str] = []

    def ref(m):
        table.append(m.group(2))
        return f'<c r="{m.group(1)}" t="s"><v>{len(table) - 1}</v></c>'

    return re.sub(r'<c r="(\w+)" t="inlineStr"><is><t>(.*?)</t></is></c>', ref, sheet), table


def xlsx(sheets: dict[str, str], *, level: int = 6, strings: list[str] | None = None) -> bytes:
    """A workbook from sheet XMLs (``sheet_xml``, or any text, even huge), with a shared
    strings table when ``strings`` is given (see ``shared``)."""
    buf = io.BytesIO()
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}/officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        + "</sheets></workbook>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_NS}/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + (f'<Relationship Id="rIdS" Type="{_NS}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
           if strings is not None else "")
        + "</Relationships>"
    )
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _PARTS["[Content_Types].xml"].format(overrides=overrides))
        zf.writestr("_rels/.rels", _PARTS["_rels/.rels"])
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, n in enumerate(names, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sheets[n])
        if strings is not None:
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_NS}/spreadsheetml/2006/main" count="{len(strings)}">'
                        + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
    return buf.getvalue()


def zip_of(entries: dict[str, bytes | str], *, level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


MAILCHIMP_HEAD = (
    "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,"
    "GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
)


def mailchimp_row(email: str, first: str = "Marie", notes: str = "") -> str:
    return f"{email},{first},Durand,2,2021-03-04 10:11:12,,2021-03-04 10:11:12,192.0.2.1,1,0,Europe/Paris,FR,IDF,2023-05-06 07:08:09,1,a,{notes},\n"


class Estate:
    """A folder with an estate (``estate/``), a workspace (``ws/``) and a system temp folder
    (``systmp/``, the loads' TMPDIR), loaded through the command line with a key set."""

    def __init__(self, root: Path):
        self.root = root
        self.dir = root / "estate"
        self.ws = root / "ws"
        self.tmp = root / "systmp"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(exist_ok=True)

    def write(self, files: dict[str, bytes | str]) -> None:
        for name, data in files.items():
            p = self.dir / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def source(self, name: str, fmt: str, path: str, options: str = "") -> str:
        return (
            f"- name: {name}\n  format: {fmt}\n  path: \"{path}\"\n"
            f"  hosting: {{provider: X, country: FR}}\n" + (f"  options: {options}\n" if options else "")
        )

    def manifest(self, *sources: str) -> Path:
        return write_manifest(self.dir, "".join(sources))

    def env(self) -> dict:
        return {"TMPDIR": str(self.tmp), "TMP": str(self.tmp), "TEMP": str(self.tmp)}

    def load(self, *sources: str, key: str | None = harness.KEY):
        self.manifest(*sources)
        return harness.run_cli(["load", str(self.dir / "manifest.yaml"), "--workspace", str(self.ws)], self.root, key=key,
                               env=self.env())

    def counts(self, key: str | None = harness.KEY) -> list[tuple]:
        return harness.assert_counts_add_up(self.ws, key)

    def no_leak(self, identifiers: list[str]) -> None:
        harness.assert_no_leak([self.ws, self.tmp], identifiers)

    def query(self, sql: str, params=None, key: str | None = harness.KEY) -> list[tuple]:
        from rgpd_audit.workspace import Workspace

        with Workspace(self.ws, key=key, create=False) as ws:
            return ws.con.execute(sql, params or []).fetchall()


def load_error(proc, source: str) -> str:
    """The one-line error of a load whose source failed: exit 2, no traceback, no SQL dump,
    exactly one error line naming the source (``error: <source>: …``, or click's ``Error: …``)."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    for bad in ("Traceback", "LINE 1:", "Binder Error", "Invalid Input Error", "IO Error"):
        assert bad not in proc.stderr, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith((f"error: {source}: ", "Error: "))]
    assert len(errors) == 1 and len(errors[0]) < 600, proc.stderr
    return errors[0]
