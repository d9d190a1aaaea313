"""Where the workspace is: one rule for the command line and the notebooks.

1. the folder given (``--workspace``, or a notebook's ``workspace`` parameter);
2. else ``$RGPD_AUDIT_WORKSPACE``;
3. else the nearest ``.rgpd-audit/`` folder found walking up from the current folder (the
   command line) or from the notebook's folder (a notebook: its kernel's folder);
4. else, for the commands that fill a workspace (``load``, ``report``) only, a new
   ``.rgpd-audit/`` in the current folder. Nothing else creates one: a notebook or a
   ``check`` that finds no workspace says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAME = ".rgpd-audit"
WORKSPACE_ENV = "RGPD_AUDIT_WORKSPACE"

HOW = {
    "given": ("indiqué en paramètre", "given as a parameter"),
    "env": (f"${WORKSPACE_ENV}", f"${WORKSPACE_ENV}"),
    "found": ("trouvé en remontant les dossiers", "found walking up the folders"),
    "new": ("nouveau, dans le dossier courant", "new, in the current folder"),
}


@dataclass(frozen=True)
class Located:
    """A workspace folder and how it was found (``given``, ``env``, ``found``, ``new``)."""

    path: Path
    how: str

    def describe(self, lang: str = "fr") -> str:
        fr, en = HOW[self.how]
        return f"{self.path} ({fr if lang == 'fr' else en})"


def nearest(start: str | Path) -> Path | None:
    """The nearest ``.rgpd-audit/`` folder in ``start`` or one of its parents."""
    here = Path(start).absolute()
    for folder in (here, *here.parents):
        candidate = folder / DEFAULT_NAME
        if candidate.is_dir():
            return candidate
    return None


def locate(given: str | Path | None = None, *, start: str | Path | None = None,
           create_here: bool = False, environ: dict | None = None) -> Located | None:
    """Apply the rule; None when no workspace is found and ``create_here`` is False.

    ``start`` is where the walk up begins (the current folder by default); a relative
    ``given`` path is taken from the current folder, as any path a user types.
    """
    env = os.environ if environ is None else environ
    if given not in (None, ""):
        return Located(Path(given), "given")
    if env.get(WORKSPACE_ENV):
        return Located(Path(env[WORKSPACE_ENV]), "env")
    start = Path.cwd() if start is None else Path(start)
    found = nearest(start)
    if found is not None:
        return Located(found, "found")
    if create_here:
        return Located(start / DEFAULT_NAME, "new")
    return None


def not_found(start: str | Path | None = None, lang: str = "en") -> str:
    """What to say when no workspace is found."""
    where = Path.cwd() if start is None else Path(start)
    if lang == "fr":
        return (f"aucun espace de travail : ni paramètre workspace, ni ${WORKSPACE_ENV}, ni dossier {DEFAULT_NAME}/ "
                f"dans {where} ou au-dessus")
    return (f"no workspace found: no --workspace, no ${WORKSPACE_ENV}, no {DEFAULT_NAME}/ folder in {where} "
            "or above; run `rgpd-audit load` first")
