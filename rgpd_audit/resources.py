"""Where the files shipped with the package are: the bundled policy, the sample estate, the
notebooks. Found through ``importlib.resources``, so they are there in a wheel installed with
``pip install .`` as in a clone; nothing here points into a repository checkout.

The notebooks (``notebooks/`` in the repository) and the sample estate (``data/sample/``)
are package data of ``rgpd_audit.notebooks`` and ``rgpd_audit.sample_estate``
(``[tool.setuptools.package-dir]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

NOTEBOOKS_PACKAGE = "rgpd_audit.notebooks"
SAMPLE_PACKAGE = "rgpd_audit.sample_estate"


def _folder(package: str) -> Path:
    """The folder of a data package, as a real path (the package is installed unzipped)."""
    return Path(str(resources.files(package)))


def data_text(name: str) -> str:
    """The text of a data file shipped in ``rgpd_audit/data/`` (legal facts, catalogues…)."""
    return resources.files("rgpd_audit.data").joinpath(name).read_text(encoding="utf-8")


def bundled_policy() -> Path:
    """The default policy: INTER INTERIM's, shipped inside the package."""
    return Path(str(resources.files("rgpd_audit"))) / "policy" / "inter_interim.yaml"


def sample_dir() -> Path:
    """The sample estate (``data/sample/`` in the repository)."""
    return _folder(SAMPLE_PACKAGE)


def sample_manifest() -> Path:
    """The sample estate's manifest."""
    return sample_dir() / "manifest.yaml"


def notebooks_dir() -> Path:
    """The notebooks shipped with the package (``notebooks/`` in the repository)."""
    return _folder(NOTEBOOKS_PACKAGE)


def notebooks() -> list[Path]:
    """Every notebook shipped with the package, in order."""
    return sorted(notebooks_dir().glob("*.ipynb"))


def copy_notebooks(target: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the notebooks into ``target`` (an analyst's audit folder), keeping existing
    copies unless ``overwrite``; returns the notebooks written."""
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for nb in notebooks():
        dest = target / nb.name
        if dest.exists() and not overwrite:
            continue
        shutil.copyfile(nb, dest)
        written.append(dest)
    return written
