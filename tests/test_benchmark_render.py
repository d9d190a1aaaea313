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


def test_render_monthly_job_ratios_and_stage_lines(tmp_path):
    run = _run_module()
    log = tmp_path / "g.log"
    log.write_text("Audit date: 2026-12-27\nload: skipped, nothing changed (0.3 s)\nmap: skipped, nothing changed (0.0 s)\n"
                   "check: 1.6 s\nnotebook 00_chargement: 0.8 s\nReport: x\n", encoding="utf-8")
    stages = run.stage_lines(log)
    assert stages == {"load": "skipped 0.3", "map": "skipped 0.0", "check": "1.6", "notebook 00_chargement": "0.8"}
    result = {
        "scale": 10, "records_delimited": 1_000, "records_estate": 1_200, "bytes_delimited": 2**20,
        "files_delimited": 3, "transcoded_files": 0, "report_bytes": 3_600_000,
        "steps": {"a": _step(2.0, 2.0), "b": _step(3.0, 3.0), "c": _step(1.0, 1.0), "e": _step(4.0, 4.0),
                  "f": _step(8.0, 6.0), "g": _step(2.0, 3.0, stages=stages)},
    }
    mach = {"cpus": 2, "cpu": "x", "ram": "1 GiB", "os": "os", "python": "3.11", "duckdb": "1.5.5", "pandas": "3"}
    text = run.render([result], mach, "2026-11-27", "t")
    row = next(line for line in text.splitlines() if line.startswith("| 10 | 8.0 s"))
    # f/a 8/2 wall, 6/2 CPU; (b+c+e)/a = 8/2; g/f 2/8 wall, 3/6 CPU
    assert "| 4.00 / 3.00 | 4.00 |" in row and "| 0.25 / 0.50 |" in row
    assert "load skipped 0.3, map skipped 0.0, check 1.6" in row and row.endswith("| 3.60 MB |")
