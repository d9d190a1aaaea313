"""Reading a few rows of each candidate source with its own loader, to see its columns.

The files are read by the format's loader exactly as ``load`` would (same encoding and
delimiter detection, the same renamed columns, a mailbox's messages, a zip's entries, a
workbook's sheets) into a DuckDB connection in memory, and nothing is written to disk (the
loaders' scratch is in memory, as for an encrypted workspace). What is kept per column: its
name, up to ``SAMPLE`` distinct non-empty values (for the classifier and the date formats,
never written to the draft), and whether it is complete and unique (a candidate key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...ingest.loaders import registry
from ...ingest.loaders.base import LoadContext, staged_columns
from ...ingest.manifest import Hosting, Source
from ...ingest.scratch import Scratch
from ...sql import quote_ident

SAMPLE = 500        # distinct values per column, for the classifier and the date formats
UNIQUE_ROWS = 200_000  # rows checked for a key (complete and unique)


@dataclass
class ColumnProbe:
    name: str
    values: list[str]               # distinct non-empty values (a sample)
    filled: int = 0                 # rows with a value (among the rows checked)
    distinct: int = 0


@dataclass
class Probe:
    """What the loader read of one source's files (its main table)."""

    rows: int = 0
    columns: dict[str, ColumnProbe] = field(default_factory=dict)
    declared_dates: list[str] = field(default_factory=list)   # date columns the loader types itself
    own_formats: list[str] = field(default_factory=list)      # those it gives its own date formats (not to sniff)
    encodings: list[str] = field(default_factory=list)
    delimiters: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    error: str | None = None


def probe(fmt: str, files: list[Path], folder: Path) -> Probe:
    """Read ``files`` with the loader of ``fmt`` and describe the columns of its main table."""
    import duckdb

    loader = registry.get(fmt)()
    src = Source(name="draft", format=fmt, path=files[0].name, hosting=Hosting(provider="draft", country="FR"))
    con = duckdb.connect()
    scratch = Scratch(con, folder, encrypted=True)  # in memory: nothing written next to the exports
    ctx = LoadContext(con, src, scratch, display_root=folder, lazy_delimited=bool(getattr(loader, "lazy_staging", False)))
    out = Probe()
    try:
        mains: list[str] = []
        for path in files:
            for res in loader.read(ctx, path):
                if res.encoding and res.encoding not in out.encodings:
                    out.encodings.append(res.encoding)
                delim = res.dialect.get("delimiter")
                if delim and delim not in out.delimiters:
                    out.delimiters.append(delim)
                for part in res.parts:
                    if part.entity is not None:
                        if part.entity not in out.entities:
                            out.entities.append(part.entity)
                        continue
                    mains.append(part.table)
                    out.declared_dates.extend(c for c in part.dates if c not in out.declared_dates)
                    out.own_formats.extend(c for c, f in part.dates.items() if f and c not in out.own_formats)
        _describe(con, ctx, mains, out)
    except Exception as exc:  # noqa: BLE001 - a file its loader refuses: the draft says so
        out.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        scratch.close()
        con.close()
    return out


def _describe(con, ctx: LoadContext, tables: list[str], out: Probe) -> None:
    if not tables:
        return
    cols: list[str] = []
    for t in tables:
        cols.extend(c for c in staged_columns(ctx, t) if c not in cols)
    union = " UNION ALL BY NAME ".join(f"(SELECT * EXCLUDE (_row) FROM {quote_ident(t)} LIMIT {UNIQUE_ROWS})" for t in tables)
    con.execute(f"CREATE TEMP TABLE _draft_rows AS SELECT * FROM ({union}) LIMIT {UNIQUE_ROWS}")
    out.rows = con.execute("SELECT count(*) FROM _draft_rows").fetchone()[0]
    for c in cols:
        q = quote_ident(c)
        v = f"nullif(trim(CAST({q} AS VARCHAR)), '')"
        filled, distinct = con.execute(f"SELECT count({v}), count(DISTINCT {v}) FROM _draft_rows").fetchone()
        values = [r[0] for r in con.execute(
            f"SELECT DISTINCT {v} AS v FROM _draft_rows WHERE {v} IS NOT NULL ORDER BY v LIMIT {SAMPLE}").fetchall()]
        out.columns[c] = ColumnProbe(c, values, filled, distinct)
    con.execute("DROP TABLE _draft_rows")
