"""One way to bring in built-in modules and extensions (loaders, checks, CLI commands)."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points


def import_modules(modules: tuple[str, ...], group: str | None = None) -> None:
    """Import built-in modules, then the entry points of ``group``.

    A built-in module missing from a build is skipped; an import error inside a module
    that exists is raised, never hidden.
    """
    for mod in modules:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
    if group:
        for ep in entry_points(group=group):
            ep.load()
