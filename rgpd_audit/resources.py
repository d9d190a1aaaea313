"""Where bundled resources and the sample estate live."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def bundled_policy() -> Path:
    """The default policy: INTER INTERIM's, shipped inside the package."""
    return PACKAGE_DIR / "policy" / "inter_interim.yaml"


def sample_manifest() -> Path:
    """The sample estate's manifest, in the repository clone."""
    return REPO_DIR / "data" / "sample" / "manifest.yaml"
