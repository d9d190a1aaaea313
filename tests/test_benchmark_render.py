"""The benchmark's results table (benchmarks/run.py): ratios on wall and CPU time, notes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _step(wall, cpu, rss=100.0, ok=True, **extra):
    return {"wall_s": wall, "cpu_s": cpu, "rss_mib": rss, "ok": ok, "exit": 0 if ok else 1, **extra}


def test_render_ratios_on_wall_and_cpu_and_failed_steps():
    run = _run_module()
    result = {
        "scale": 10, "records_delimited": 1_000_000, "records_estate": 1_200_000, "bytes_delimited": 2**20 * 50,
        "files_delimited": 3, "transcoded_files": 1,
        "steps": {
            "a": _step(2.0, 4.0), "b": _step(3.0, 5.0, output={"rows_read": 10, "rows_loaded": 9, "rows_rejected": 1}),
            "c": _step(1.0, 3.0), "r": _step(0.5, 1.0), "d": _step(8.0, 8.0, output={"rows": 9}),
            "e": {"ok": False, "error": "boom\nlast line"},
        },
    }
    mach = {"cpus": 2, "cpu": "x", "ram": "1 GiB", "os": "os", "python": "3.11", "duckdb": "1.5.5", "pandas": "3"}
    text = run.render([result], mach, "2026-11-27", "t")
    row = next(line for line in text.splitlines() if line.startswith("| 10 | 1.50"))
    # b/a: 3/2 wall, 5/4 CPU; d/(b+c): 8/4, 8/8; d/(b+r): 8/3.5, 8/6; 3 µs per record
    assert row.startswith("| 10 | 1.50 / 1.25 | 2.00 / 1.00 | 2.29 / 1.33 | 3.0 |")
    assert "| 10 | 1,000,000 / 1,200,000 | 3 files, 50 MiB (1 transcoded) | 2.0 s / 4.0 s / 100 MiB |" in text
    assert "not measured" in text  # the report step failed before measuring
    assert "load read 10 rows, loaded 9, rejected 1; pandas kept 9 rows." in text
    # a missing step gives no ratio rather than a wrong one
    del result["steps"]["c"]
    assert "| 10 | 1.50 / 1.25 | – / – |" in run.render([result], mach, "2026-11-27", "t")
