"""JSON (an array of objects, or an object holding one) and NDJSON (one object per line).

Nested values are kept as JSON text. A line of NDJSON that is not a JSON object is
rejected with its line number. Signatures: JSON starts with ``[`` or ``{``; NDJSON has a line
starting with ``{`` among its first lines.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import InputFileError
from .base import FileResult, LoadContext, Loader, Reject, unique_columns
from .registry import export_format
from .signature import describe, refuse_unless_recognised, text_of


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _one_line_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _stage(ctx: LoadContext, records: list[tuple[int, dict]], hint: str):
    cols: dict[str, None] = {}
    for _, r in records:
        for k in r:
            cols.setdefault(str(k), None)
    names = list(cols)
    rows = [[_text(r.get(k)) for k in names] for _, r in records]
    return ctx.stage_rows(hint, unique_columns(names), rows, [n for n, _ in records]), names


@export_format
class NdjsonLoader(Loader):
    name = "ndjson"
    title = "Newline-delimited JSON (.ndjson, .jsonl)"
    kind = "a newline-delimited JSON file"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        text = text_of(head)
        if text is None:
            return f"it is {describe(head)}"
        lines = [ln.strip() for ln in text.lstrip("\ufeff").splitlines() if ln.strip()]
        if lines and lines[0].startswith("[") and not _one_line_json(lines[0]):
            return "it is a JSON array spread over lines: use format json"
        if not lines or any(ln.startswith("{") for ln in lines[:20]):
            return None
        return f"none of its first lines is a JSON object (it is {describe(head)})"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        from .base import Part

        refuse_unless_recognised(self, ctx, path)
        records: list[tuple[int, dict]] = []
        rejects: list[Reject] = []
        read = 0
        with open(path, encoding="utf-8-sig", errors="strict") as fh:
            try:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    read += 1
                    # the record number is the physical line number
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError as exc:
                        rejects.append(Reject(f"invalid JSON: {exc.msg}", line=lineno, raw=line.rstrip("\n")[:2000]))
                        continue
                    if not isinstance(obj, dict):
                        rejects.append(Reject("not a JSON object", line=lineno, raw=line.rstrip("\n")[:2000]))
                        continue
                    records.append((lineno, obj))
            except UnicodeDecodeError as exc:
                raise InputFileError(ctx.display(path), f"not UTF-8 ({exc.reason})") from None
        name, _ = _stage(ctx, records, "ndjson")
        warnings = [f"{ctx.display(path)}: empty file, 0 rows"] if read == 0 else []
        return [FileResult([Part(name, read, rejects=rejects)], encoding="utf-8", warnings=warnings, status="loaded" if read else "empty")]


@export_format
class JsonLoader(Loader):
    name = "json"
    title = "JSON array of objects (or an object holding one array)"
    kind = "a JSON file"

    @classmethod
    def mismatch(cls, path: Path, head: bytes) -> str | None:
        text = text_of(head)
        if text is None:
            return f"it is {describe(head)}"
        body = text.lstrip("\ufeff \t\r\n")
        lines = [ln for ln in body.splitlines() if ln.strip()]
        if len(lines) > 1 and lines[1].lstrip().startswith("{") and _one_line_json(lines[0]):
            return "it holds one JSON object per line: use format ndjson"
        if body[:1] in ("", "[", "{"):
            return None
        return f"it does not start with [ or {{ (it is {describe(head)})"

    def read(self, ctx: LoadContext, path: Path) -> list[FileResult]:
        from .base import Part

        refuse_unless_recognised(self, ctx, path)
        display = ctx.display(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise InputFileError(display, f"not UTF-8 ({exc.reason})") from None
        except json.JSONDecodeError as exc:
            raise InputFileError(display, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        if isinstance(data, dict):
            arrays = [(k, v) for k, v in data.items() if isinstance(v, list)]
            if len(arrays) != 1:
                raise InputFileError(display, "expected an array of objects, or an object holding exactly one array")
            data = arrays[0][1]
        if not isinstance(data, list):
            raise InputFileError(display, "expected an array of objects")
        records, rejects = [], []
        for i, obj in enumerate(data, 1):
            if isinstance(obj, dict):
                records.append((i, obj))
            else:
                rejects.append(Reject("not a JSON object", record=i, raw=_text(obj)))
        name, _ = _stage(ctx, records, "json")
        warnings = [f"{display}: empty array, 0 rows"] if not data else []
        return [FileResult([Part(name, len(data), rejects=rejects)], encoding="utf-8", warnings=warnings, status="loaded" if data else "empty")]
