"""Export formats: one module each, all registered in one registry (``registry``)."""

from . import registry
from .base import FileResult, LoadContext, Loader, Part, Reject
from .registry import register

__all__ = ["registry", "register", "Loader", "LoadContext", "FileResult", "Part", "Reject"]
