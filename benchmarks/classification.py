"""Precision and recall of the column classifier on the labelled corpus of real export formats.

The corpus (tests/classification_corpus: 24 documented export formats, values frozen in CSV
files, each column labelled with its expected category) is split by format into a tuning part
and a held-back part (corpus.yaml says how). For each part this prints the overall column
accuracy, precision and recall per category, and the misses; rows per second are the corpus
rows classified per second of ``classify`` (sampling from DuckDB excluded: the values are
given, as the sample ``suggest`` draws).

Example:

    python benchmarks/classification.py                 # both parts, misses listed
    python benchmarks/classification.py --part held_back --json /tmp/cls.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rgpd_audit.mapping.classify import classify  # noqa: E402
from rgpd_audit.policy import categories  # noqa: E402
from tests.classification_corpus import PARTS, Column, Score, load, score  # noqa: E402


def predict(col: Column) -> str | None:
    """What ``suggest`` stores for a column: the classifier's category, if the catalogue has it."""
    cat = classify(col.header, col.sample).category
    return cat if cat in categories() else None


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def report(sc: Score, rows: int, seconds: float, misses: bool = True) -> str:
    lines = [f"## {sc.part}: {sc.columns} columns, accuracy {sc.accuracy:.3f} ({sc.correct}/{sc.columns}), "
             f"{rows / seconds:,.0f} rows/s", "",
             "| category | support | precision | recall |", "|---|---:|---:|---:|"]
    for cat in sc.categories():
        lines.append(f"| `{cat}` | {sc.support(cat)} | {fmt(sc.precision(cat))} | {fmt(sc.recall(cat))} |")
    if misses and sc.misses:
        lines += ["", "misses (format, header: expected -> got):"]
        lines += [f"- {f}, `{h}`: {e} -> {g}" for f, h, e, g in sc.misses]
    return "\n".join(lines)


def run(parts: list[str]) -> dict[str, tuple[Score, int, float]]:
    formats = load()
    out = {}
    for part in parts:
        rows = sum(f.rows for f in formats if part == "all" or f.part == part)
        t0 = time.perf_counter()
        sc = score(predict, part, formats)
        out[part] = (sc, rows, time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=[*PARTS, "all"], action="append", help="part(s) to score (default: both)")
    ap.add_argument("--no-misses", action="store_true", help="do not list the misclassified columns")
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON")
    a = ap.parse_args(argv)
    results = run(a.part or list(PARTS))
    for sc, rows, secs in results.values():
        print(report(sc, rows, secs, misses=not a.no_misses))
        print()
    if a.json:
        a.json.write_text(json.dumps({p: {
            "columns": sc.columns, "correct": sc.correct, "accuracy": sc.accuracy, "rows": rows, "seconds": secs,
            "per_category": {c: {"support": sc.support(c), "precision": sc.precision(c), "recall": sc.recall(c)}
                             for c in sc.categories()},
            "misses": sc.misses} for p, (sc, rows, secs) in results.items()}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
