"""The content benchmark runs end to end on a few items (not a timed test: it checks that
benchmarks/contents.py still works with the loaders and finds what it wrote)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "contents.py"


def test_content_benchmark_small(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--items", "60", "--work", str(tmp_path / "w"), "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["mail"]["records"] == 60 and res["mail"]["nir_hits"] == 2  # one message in fifty has a NIR
    assert res["mail"]["pdf_parts"] == 15  # one in four has a PDF
    assert res["docs"]["records"] == 60 and res["docs"]["pdf_parts"] == 36
    assert res["pdf"]["files"] == 36 and res["pdf"]["text_mb"] > 0
    assert all(res[k]["peak_rss_mib"] > 0 for k in ("mail", "docs", "pdf"))
