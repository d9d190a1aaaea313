"""The one registry of export formats.

Built-in formats register themselves exactly as an extension would: a module defines a
``Loader`` subclass decorated with ``@export_format``. Third-party packages can add formats
through the ``rgpd_audit.loaders`` entry-point group.
"""

from __future__ import annotations

from ...plugins import import_modules

_REGISTRY: dict[str, type] = {}
_LOADED = False

BUILTIN_MODULES = (
    "rgpd_audit.ingest.loaders.delimited",
    "rgpd_audit.ingest.loaders.xlsx",
    "rgpd_audit.ingest.loaders.jsonfmt",
    "rgpd_audit.ingest.loaders.parquet",
    "rgpd_audit.ingest.loaders.mailchimp",
    "rgpd_audit.ingest.loaders.crm",
    "rgpd_audit.ingest.loaders.contacts",
    "rgpd_audit.ingest.loaders.vcard",
    "rgpd_audit.ingest.loaders.mbox",
    "rgpd_audit.ingest.loaders.dropbox",
    "rgpd_audit.ingest.loaders.fec",
    "rgpd_audit.ingest.loaders.sage",
    "rgpd_audit.ingest.loaders.dsn",
    "rgpd_audit.ingest.loaders.documents",
)


def export_format(cls):
    """Class decorator: make a loader available under ``cls.name``."""
    name = cls.name
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"export format {name!r} is registered twice")
    _REGISTRY[name] = cls
    return cls


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import_modules(BUILTIN_MODULES, "rgpd_audit.loaders")


def names() -> list[str]:
    _ensure_loaded()
    return sorted(_REGISTRY)


def get(name: str):
    _ensure_loaded()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown export format {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def all_loaders() -> dict[str, type]:
    _ensure_loaded()
    return dict(_REGISTRY)


def recognise(path) -> dict[str, str | None]:
    """Every format's verdict on a file: None when it may be of that format, else why it is not
    (the loader's ``mismatch``, from the file's name and first bytes; cheap). Generic formats
    (``csv``, ``xlsx``, ``json``…) accept more files than the named ones: prefer a named one."""
    from pathlib import Path

    from .signature import read_head

    p = Path(path)
    head = read_head(p)
    out: dict[str, str | None] = {}
    for name, cls in sorted(all_loaders().items()):
        try:
            out[name] = cls.mismatch(p, head)
        except Exception as exc:  # noqa: BLE001 - a third-party signature's bug: not this format
            out[name] = f"its signature failed: {type(exc).__name__}"
    return out
