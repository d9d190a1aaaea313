"""Step (a) of the benchmark: DuckDB's own ``read_csv`` of the delimited files, options by hand.

The practical limit for ``rgpd-audit load``: one ``CREATE TABLE AS SELECT * FROM read_csv(...)``
per file into a DuckDB database file, every column as text (``all_varchar``, the cheapest
read there is: no type sniffing), delimiter / quote / encoding given as an analyst who knows
the exports would give them, and ``ignore_errors=true`` because the estate holds malformed
lines on purpose (the sniffer fails on them otherwise). No rejects table, no typing, no provenance.

DuckDB 1.5's built-in readers are UTF-8, UTF-16 and latin-1, and its latin-1 reader refuses
the bytes 0x80-0x9F that Windows-1252 uses for ``’ € œ``. Those files are transcoded to UTF-8
first with Python's C charmap codec, timed as part of this step: that is 4-7 times faster than
the ``encodings`` extension (PyPI ``duckdb-extension-encodings``, ``encoding='CP1252'``) on
the same file (docs/benchmarks.md).

Usage (normally run by ``benchmarks/run.py`` in its own process):

    python benchmarks/raw_duckdb.py PLAN.json DATABASE.duckdb
"""

from __future__ import annotations

import codecs
import json
import sys
import tempfile
from pathlib import Path

import duckdb


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def transcode(src: Path, dst: Path) -> None:
    with open(src, "rb") as fi, open(dst, "w", encoding="utf-8", newline="") as fo:
        while chunk := fi.read(8 << 20):
            fo.write(codecs.decode(chunk, "cp1252", "replace"))


def main(plan_path: str, db_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    con = duckdb.connect(db_path)
    rows = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, f in enumerate(plan["files"]):
            path = Path(f["path"])
            encoding = f["duckdb_encoding"]
            if f["transcode"]:
                dst = Path(tmp) / f"{i}.csv"
                transcode(path, dst)
                path, encoding = dst, "utf-8"
            con.execute(
                f"CREATE TABLE t{i} AS SELECT * FROM read_csv({q(str(path))}, header=true, all_varchar=true, "
                f"delim={q(f['delimiter'])}, quote={q(f['quote'])}, escape={q(f['quote'])}, encoding={q(encoding)}, ignore_errors=true)"
            )
            rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    con.close()
    print(json.dumps({"rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
