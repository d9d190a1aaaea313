"""Write a :class:`Register` as one self-contained HTML page (Jinja2, inline CSS, no links out)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .builder import Register

TEMPLATE = "register.html.j2"


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("rgpd_audit.ropa", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(reg: Register) -> str:
    """The register as an HTML string."""
    return _env().get_template(TEMPLATE).render(reg=reg)


def write_html(reg: Register, path: str | Path) -> Path:
    """Write the register page to ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(reg), encoding="utf-8")
    return path
