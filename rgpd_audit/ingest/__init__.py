"""Reading exports: the source manifest, one loader per export format, and the load engine.

Data flows ``manifest`` (which exports make up an estate, validated YAML) → ``loaders``
(one module per format, all in one registry; each declares what its tables are: the
``capabilities`` later stages select sources by) → ``engine`` (typing, rejects,
provenance, atomic reloads into the workspace). ``loaded`` reads back what was loaded, for
every later stage.
"""

from .engine import LoadReport, SourceSummary, load_estate
from .loaded import LoadedSource, loaded_sources
from .manifest import Manifest, Source, load_manifest

__all__ = ["LoadReport", "LoadedSource", "Manifest", "Source", "SourceSummary", "load_estate", "load_manifest", "loaded_sources"]
