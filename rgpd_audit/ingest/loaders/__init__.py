"""Export formats: one module each, all registered in one registry (``registry``)."""

from . import registry
from .base import FileResult, LoadContext, Loader, Part, Reject
from .registry import export_format

__all__ = ["registry", "export_format", "Loader", "LoadContext", "FileResult", "Part", "Reject"]
