"""The record of processing activities (GDPR Art. 30), from the policy and the observed data.

>>> import datetime as dt
>>> from rgpd_audit.policy import load_policy
>>> from rgpd_audit.ropa import build_register
>>> reg = build_register(load_policy(), None, as_of=dt.date(2026, 11, 27))
>>> [s.id for s in reg.processor]
['client_datasets', 'client_web_apps']

``build_register`` returns plain data in one language; ``write_xlsx`` and ``write_html``
lay it out (CNIL model register: an organisation sheet, one sheet per activity, and a
"declared vs observed" sheet). See ``docs/register.md``.
"""

from __future__ import annotations

from pathlib import Path

from .builder import ActivitySheet, Field, Gap, Register, build_register, category_label

XLSX_NAME = "registre-art30.xlsx"
HTML_NAME = "registre-art30.html"

# The writers (openpyxl, jinja2) are imported when first used: the checks build the
# register without writing it.
_WRITERS = {"render_html": ".html", "write_html": ".html", "write_xlsx": ".xlsx"}


def __getattr__(name: str):
    if name in _WRITERS:
        from importlib import import_module

        value = getattr(import_module(_WRITERS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_register(reg: Register, out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``registre-art30.xlsx`` and ``registre-art30.html`` into ``out_dir``."""
    from .html import write_html
    from .xlsx import write_xlsx

    out = Path(out_dir)
    return write_xlsx(reg, out / XLSX_NAME), write_html(reg, out / HTML_NAME)


__all__ = [
    "ActivitySheet", "Field", "Gap", "Register", "build_register", "category_label",
    "render_html", "write_html", "write_xlsx", "write_register", "XLSX_NAME", "HTML_NAME",
]
