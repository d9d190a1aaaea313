"""DSN, déclaration sociale nominative: one rubric per line, ``code,'value'``.

Blocks are positional: an ``S21.G00.30`` block starts an individual, and the contract
blocks (``S21.G00.40``) and contract ends (``S21.G00.62``) that follow belong to it, until
the next individual. A block instance starts when the block code changes or when its
rubric numbers stop increasing (two contracts in a row). Three entities:

- main table: individuals (``nir``, ``family_name``, ``usage_name``, ``first_names``, ``sex``,
  ``birth_date``, ``staff_number``), with the declaration's ``period`` (S20.G00.05.005),
  ``siren`` (S21.G00.06.001), ``nic`` (S21.G00.11.001) and ``siret``;
- ``contracts``: ``start_date``, ``job_title``, ``nature`` (03 = contrat de mission),
  ``planned_end``, linked by ``individual_index`` (the individual's ``_row``) and ``nir``;
- ``contract_ends``: ``end_date``, ``reason``, linked by ``individual_index``, ``nir`` and
  ``contract_index`` (the contract's ``_row``).

Other rubrics of those blocks are kept as columns named by their code. ``line`` is the
line where the block starts. Dates ``JJMMAAAA`` are declared, typed by the engine. A line
that is not ``code,'value'`` is rejected with its line number; the rest is read. DSN files
are small (one month of one company): they are parsed in Python. Signature: a line
``code,'value'`` among the first non-blank lines.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ...errors import InputFileError
from .base import Capability, FileResult, LoadContext, Loader, Part, Reject
from .registry import export_format
from .signature import HEAD_BYTES, describe, refuse_unless_recognised, text_of

RUBRIC = re.compile(r"^(S\d{2}\.G\d{2}\.\d{2})\.(\d{3}),'(.*)'$")
CODE_ONLY = re.compile(r"^S\d{2}\.G\d{2}\.\d{2}\.\d{3}")

INDIVIDUAL, CONTRACT, END = "S21.G00.30", "S21.G00.40", "S21.G00.62"
DECLARATION, COMPANY, ESTABLISHMENT = "S20.G00.05", "S21.G00.06", "S21.G00.11"

FIELDS = {
    INDIVIDUAL: {"001": "nir", "002": "family_name", "003": "usage_name", "004": "first_names", "005": "sex",
                 "006": "birth_date", "019": "staff_number"},
    CONTRACT: {"001": "start_date", "006": "job_title", "007": "nature", "010": "planned_end"},
    END: {"001": "end_date", "002": "reason"},
}
HEAD = {
    INDIVIDUAL: ["line", "period", "siren", "nic", "siret"],
    CONTRACT: ["line", "individual_index", "nir"],
    END: ["line", "individual_index", "nir", "contract_index"],
}
DATES = {INDIVIDUAL: ["birth_date", "period"], CONTRACT: ["start_date", "planned_end"], END: ["end_date"]}
DSN_DATE = ["%d%m%Y"]


def decode(data: bytes, declared: str | None) -> tuple[str, str]:
    """(text, encoding label): the declared encoding, else UTF-8 (with or without BOM), else ISO-8859-1."""
    if declared:
        codec = {"iso-8859-15": "iso8859_15", "latin-1": "latin-1"}.get(declared, declared)
        return data.decode(codec, errors="replace"), declared
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


class _Block:
    def __init__(self, kind: str, line: int, head: dict):
        self.kind, self.line, self.values, self.last = kind, line, dict(head), ""

    def set(self, rubric: str, value: str | None) -> None:
        name = FIELDS[self.kind].get(rubric, f"{self.kind}.{rubric}")
        self.values[name] = value
        self.last = rubric


def parse(text: str) -> tuple[dict[str, list[_Block]], list[Reject], list[str], int]:
    """Blocks by kind, rejected lines, warnings, and the number of well-formed rubric lines."""
    blocks: dict[str, list[_Block]] = {INDIVIDUAL: [], CONTRACT: [], END: []}
    rejects: list[Reject] = []
    warnings: list[str] = []
    decl: dict[str, str | None] = {}
    current: dict[str, _Block | None] = {INDIVIDUAL: None, CONTRACT: None, END: None}
    prev_block, prev_rubric, good = None, "", 0
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = RUBRIC.match(line)
        if not m:
            if CODE_ONLY.match(line) and "," not in line:
                reason = "malformed rubric line: no comma between code and value"
            elif CODE_ONLY.match(line):
                reason = "malformed rubric line: value not enclosed in single quotes"
            else:
                reason = "malformed rubric line: expected code,'value' (code like S21.G00.30.001)"
            rejects.append(Reject(reason=reason, line=n, raw=raw))
            continue
        good += 1
        block, rubric, value = m.group(1), m.group(2), m.group(3)
        value = value if value != "" else None
        new = block != prev_block or rubric <= prev_rubric
        prev_block, prev_rubric = block, rubric
        if block == DECLARATION and new:
            decl = {}  # a new declaration: forget the previous company and individual
            current = {INDIVIDUAL: None, CONTRACT: None, END: None}
        if block == DECLARATION and rubric == "005":
            decl["period"] = value
        elif block == COMPANY and rubric == "001":
            decl["siren"] = value
        elif block == ESTABLISHMENT and rubric == "001":
            decl["nic"] = value
        if block not in FIELDS:
            continue
        if new:
            ind = current[INDIVIDUAL]
            if block == INDIVIDUAL:
                siret = (decl.get("siren") or "") + (decl.get("nic") or "") if decl.get("siren") and decl.get("nic") else None
                head = {"line": str(n), "period": decl.get("period"), "siren": decl.get("siren"), "nic": decl.get("nic"), "siret": siret}
                current = {INDIVIDUAL: _Block(block, n, head), CONTRACT: None, END: None}
            else:
                if ind is None:
                    warnings.append(f"line {n}: {block} block before any individual (S21.G00.30)")
                head = {"line": str(n), "individual_index": str(len(blocks[INDIVIDUAL])) if ind is not None else None}
                if block == END:
                    con = current[CONTRACT]
                    if con is None:
                        warnings.append(f"line {n}: {block} block before any contract (S21.G00.40)")
                    head["contract_index"] = str(len(blocks[CONTRACT])) if con is not None else None
                current[block] = _Block(block, n, head)
            blocks[block].append(current[block])
        current[block].set(rubric, value)
    return blocks, rejects, warnings, good


def _stage(ctx: LoadContext, kind: str, blocks: list[_Block]) -> tuple[str, list[str]]:
    columns = HEAD[kind] + list(FIELDS[kind].values())
    extra = sorted({k for b in blocks for k in b.values if k not in columns})
    columns += extra
    rows = [[b.values.get(c) for c in columns] for b in blocks]
    return ctx.stage_rows(f"dsn_{kind[-2:]}", columns, rows), columns


@export_format
class DsnLoader(Loader):
    name = "dsn"
    capabilities = (Capability("payroll"),)
    title = "DSN, déclaration sociale nominative (individuals, contracts, contract ends)"
    kind = "a DSN file"
    version = "1"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        text = text_of(head)
        if text is None:
            return f"it is {describe(head)}"
        lines = text.splitlines()
        if len(head) >= HEAD_BYTES:
            lines = lines[:-1]  # the last line may be cut
        lines = [ln.strip() for ln in lines if ln.strip()]
        if not lines or any(RUBRIC.match(ln) for ln in lines[:20]):
            return None
        return f"no line of the form code,'value' (e.g. S10.G00.00.001,'…') among its first lines (it is {describe(head)})"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        text, label = decode(path.read_bytes(), ctx.source.options.encoding)
        blocks, rejects, warnings, good = parse(text)
        if good == 0 and text.strip():
            raise InputFileError(display, f"this is not {self.kind}: no line of the form code,'value' (e.g. S21.G00.30.001,'…')")
        warnings = [f"{display}: {w}" for w in warnings]
        for kind in (CONTRACT, END):  # the individual's NIR on its contracts and ends
            for b in blocks[kind]:
                idx = b.values.get("individual_index")
                b.values["nir"] = blocks[INDIVIDUAL][int(idx) - 1].values.get("nir") if idx is not None else None
        parts = []
        for kind, entity in ((INDIVIDUAL, None), (CONTRACT, "contracts"), (END, "contract_ends")):
            table, cols = _stage(ctx, kind, blocks[kind])
            n = len(blocks[kind])
            parts.append(
                Part(
                    table,
                    n + (len(rejects) if entity is None else 0),
                    entity=entity,
                    rejects=rejects if entity is None else [],
                    dates={c: DSN_DATE for c in DATES[kind]},
                )
            )
        status = "empty" if good == 0 else "loaded"
        if good == 0:
            warnings.append(f"{display}: empty file, 0 rows")
        dialect = {"delimiter": ",", "quote": "'", "layout": "one rubric per line"}
        return [FileResult(parts, encoding=label, dialect=dialect, warnings=warnings, status=status)]
