"""An optional PDF of the report, printed by Debian's headless Chromium (never downloaded).

The page is A4 with page numbers (the report's ``@page`` rule and its margin boxes, which
Chromium prints), a page break before each section (``@media print``). The charts are drawn
once, in a window as wide as the printed page (:data:`PRINT_WINDOW`), so that what the browser
laid out — and what the tests measured — is what is printed: no label cut, none overlapping.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import RgpdAuditError

CHROMIUM = "/usr/bin/chromium"
# CSS pixels: A4 is 794 px wide at 96 dpi; with the report's margins (12 mm each side) the
# printed column is 703 px, and a 800 px window gives charts of 686 px, which fit it.
PRINT_WINDOW = (800, 1200)


class PdfError(RgpdAuditError):
    """The PDF could not be produced."""


def chromium_path() -> str | None:
    """Debian's Chromium, when installed (``/usr/bin/chromium``, else ``chromium`` on PATH)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


def print_pdf(html: Path, pdf: Path, *, timeout: float = 120) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium, network disabled."""
    exe = chromium_path()
    if exe is None:
        raise PdfError("--pdf needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    cmd = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
        f"--window-size={PRINT_WINDOW[0]},{PRINT_WINDOW[1]}",
        f"--print-to-pdf={pdf.resolve()}", html.resolve().as_uri(),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PdfError(f"{pdf}: Chromium did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"{pdf}: Chromium failed (exit {proc.returncode}): {' / '.join(tail)}")
    return pdf
