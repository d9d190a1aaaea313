"""The labelled corpus of real export formats (corpus.yaml, values frozen in data/*.csv).

``load()`` reads it; ``score(predict, part)`` measures a classifier on one part ("tuning",
"held_back" or "all"): per-category precision and recall, and overall column accuracy.
``predict(header, values)`` returns a category name or None (not personal); ``values`` are
the column's distinct non-empty values, sorted, as the classifier samples them.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NOT_PERSONAL = "not_personal"
PARTS = ("tuning", "held_back")


@dataclass(frozen=True)
class Column:
    format: str
    header: str
    expected: str          # a catalogue name, or "not_personal"
    values: tuple[str, ...]  # every cell, in file order ('' for an empty cell)

    @property
    def sample(self) -> list[str]:
        return sorted({v.strip() for v in self.values if v.strip()})


@dataclass
class Format:
    id: str
    title: str
    part: str
    source: list[str]
    columns: list[Column]

    @property
    def rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0


def spec() -> dict:
    return yaml.safe_load((HERE / "corpus.yaml").read_text(encoding="utf-8"))


def load() -> list[Format]:
    s = spec()
    part_of = {f: p for p in PARTS for f in s["split"][p]}
    out = []
    for f in s["formats"]:
        text = (HERE / "data" / f"{f['id']}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], rows[1:]
        assert header == [c["h"] for c in f["columns"]], f"{f['id']}: data/{f['id']}.csv does not match corpus.yaml"
        cols = [Column(f["id"], c["h"], c["cat"], tuple(r[i] for r in body)) for i, c in enumerate(f["columns"])]
        out.append(Format(f["id"], f["title"], part_of[f["id"]], f["source"], cols))
    return out


@dataclass
class Score:
    part: str
    columns: int = 0
    correct: int = 0
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)  # (format, header, expected, got)

    @property
    def accuracy(self) -> float:
        return self.correct / self.columns if self.columns else 0.0

    def precision(self, cat: str) -> float | None:
        d = self.tp[cat] + self.fp[cat]
        return self.tp[cat] / d if d else None

    def recall(self, cat: str) -> float | None:
        d = self.tp[cat] + self.fn[cat]
        return self.tp[cat] / d if d else None

    def categories(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def support(self, cat: str) -> int:
        return self.tp[cat] + self.fn[cat]


def columns_of(formats: list[Format], part: str) -> list[Column]:
    return [c for f in formats if part == "all" or f.part == part for c in f.columns]


def score(predict: Callable[[Column], str | None], part: str, formats: list[Format] | None = None) -> Score:
    """Score ``predict`` on the columns of one part of the corpus."""
    formats = formats if formats is not None else load()
    sc = Score(part)
    for col in columns_of(formats, part):
        got = predict(col) or NOT_PERSONAL
        sc.columns += 1
        if got == col.expected:
            sc.correct += 1
            sc.tp[got] += 1
        else:
            sc.fp[got] += 1
            sc.fn[col.expected] += 1
            sc.misses.append((col.format, col.header, col.expected, got))
    return sc
