"""Load quality: a source losing too many rows, why, and options naming columns that do not exist.

A source whose rejected rows exceed :data:`REJECT_SHARE` of the rows read is not a few bad
lines: its settings are probably wrong (a ``date_format`` that does not fit, a delimiter).
``load`` says so loudly with a diagnosis where one can be made, and the checks report it as
an error (``load.rejected_share``). The diagnosis looks at the *shape* of the values that did
not parse, never shows them (they are personal data).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..workspace import Workspace

# Above this share of the rows read, a source's rejects are an error finding and a loud line.
REJECT_SHARE = 0.05

# The shapes a date column's values take, most specific first: (regex, what it looks like).
_DATE_SHAPES = [
    (re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2})?)?"), "yyyy-mm-dd", "%Y-%m-%d"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$"), "/", None),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$"), "-", None),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$"), ".", None),
]


@dataclass
class SourceQuality:
    source: str
    rows_read: int
    rows_rejected: int

    @property
    def share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


def over_share(ws: Workspace, share: float = REJECT_SHARE) -> list[SourceQuality]:
    """The sources whose rejected rows exceed ``share`` of the rows read."""
    rows = ws.con.execute(
        "SELECT source, sum(rows_read)::BIGINT, sum(rows_rejected)::BIGINT FROM load_files "
        "GROUP BY source HAVING sum(rows_read) > 0 AND sum(rows_rejected) > ? * sum(rows_read) ORDER BY source",
        [share],
    ).fetchall()
    return [SourceQuality(s, int(r), int(j)) for s, r, j in rows]


def date_shape(values: list[str]) -> tuple[str, str] | None:
    """What a list of date texts looks like (``dd/mm/yyyy``…) and the format reading it; None
    when they take no single known shape."""
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return None
    for rx, sep_or_name, fmt in _DATE_SHAPES:
        ms = [rx.match(v) for v in values]
        if not all(ms):
            continue
        if fmt is not None:
            return sep_or_name, fmt
        sep = sep_or_name
        first = max(int(m.group(1)) for m in ms)
        second = max(int(m.group(2)) for m in ms)
        day_first = first > 12 or second <= 12  # a first part above 12 is a day; both ≤ 12: the French order
        if second > 12 and first <= 12:
            day_first = False
        if day_first:
            return f"dd{sep}mm{sep}yyyy", f"%d{sep}%m{sep}%Y"
        return f"mm{sep}dd{sep}yyyy", f"%m{sep}%d{sep}%Y"
    return None


def diagnose(ws: Workspace, source: str, date_format: str | list[str] | None) -> str | None:
    """Why a source lost rows, when the rejects tell: dates of another shape than the declared
    format (one sentence, no value shown)."""
    rows = ws.con.execute(
        "SELECT field, list(reason ORDER BY record NULLS LAST)[1:200], count(*) FROM load_rejects "
        "WHERE source = ? AND reason_code = 'bad_date' AND field IS NOT NULL GROUP BY field ORDER BY 3 DESC LIMIT 1",
        [source],
    ).fetchall()
    if not rows:
        return None
    field, reasons, _ = rows[0]
    marker = "not a valid date "
    values = [r.split(marker, 1)[1] for r in reasons if marker in r]
    shape = date_shape(values)
    declared = date_format if isinstance(date_format, str) else ", ".join(date_format or []) or None
    says = f"the manifest says {declared}" if declared else "the manifest declares no date_format"
    if shape is None:
        return f"the dates of {field!r} take several shapes ({says})"
    looks, fmt = shape
    return f"the dates of {field!r} look like {looks}, {says} (date_format: {fmt!r}?)"


def did_you_mean(name: str, columns: list[str]) -> str:
    """`` (did you mean 'X'?)`` for the loaded column closest to ``name``, else ''."""
    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    if not close:
        low = {c.lower(): c for c in columns}
        close = [low[name.lower()]] if name.lower() in low else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_option_columns(options: dict, columns: list[str]) -> list[str]:
    """Warnings for the columns a source's ``options`` name that its main table lacks, each
    with the closest loaded column."""
    named: list[tuple[str, str]] = []
    for opt in ("key", "client_column", "retention_column"):
        if options.get(opt):
            named.append((opt, options[opt]))
    for kind, cols in (options.get("subject") or {}).items():
        for c in [cols] if isinstance(cols, str) else list(cols or []):
            named.append((f"subject.{kind}", c))
    status = options.get("status") or {}
    if isinstance(status, dict) and status.get("column"):
        named.append(("status.column", status["column"]))
    split = options.get("split_by") or {}
    if isinstance(split, dict) and split.get("column"):
        named.append(("split_by.column", split["column"]))
    present = set(columns)
    return [f"options.{opt}: no column {col!r} in the loaded files{did_you_mean(col, columns)}"
            for opt, col in named if col not in present]
