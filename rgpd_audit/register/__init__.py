"""The record of processing activities (GDPR Art. 30), from the policy and the observed data.

>>> import datetime as dt
>>> from rgpd_audit.policy import load_policy
>>> from rgpd_audit.register import build_register
>>> reg = build_register(load_policy(), None, as_of=dt.date(2026, 11, 27))
>>> [s.id for s in reg.processor]
['client_datasets', 'client_web_apps']

``build_register`` returns plain data in one language; ``write_xlsx`` and ``write_html``
lay it out (CNIL model register: an organisation sheet, one sheet per activity, and a
"declared vs observed" sheet). See ``docs/register.md``.
"""

from __future__ import annotations

from pathlib import Path

from .builder import ActivitySheet, Field, Gap, Register, build_register, category_label, safeguard
from .html import render_html, write_html
from .xlsx import write_xlsx

XLSX_NAME = "registre-art30.xlsx"
HTML_NAME = "registre-art30.html"


def write_register(reg: Register, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``registre-art30.xlsx`` and ``registre-art30.html`` into ``out_dir``."""
    out = Path(out_dir)
    return write_xlsx(reg, out / XLSX_NAME), write_html(reg, out / HTML_NAME)


__all__ = [
    "ActivitySheet", "Field", "Gap", "Register", "build_register", "category_label", "safeguard",
    "render_html", "write_html", "write_xlsx", "write_register", "XLSX_NAME", "HTML_NAME",
]
