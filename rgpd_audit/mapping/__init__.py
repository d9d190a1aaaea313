"""Mapping: which data category and activity each loaded column holds.

``classify`` suggests (column names, validated values, free-text terms); ``file`` keeps the
analyst's reviewed decisions in ``mapping.yaml``; ``review`` is the review form of
JupyterLab; ``datamap`` and ``observed`` give what the workspace shows per system and
activity (the data map, and "declared vs observed" for the checks and the Art. 30 record).
"""

from .file import (
    DECIDED,
    ColumnEntry,
    Mapping,
    MappingDiff,
    apply_mapping,
    read_mapping,
    sync_mapping,
    validate_mapping,
    write_mapping,
    write_mapping_file,
)

__all__ = [
    "DECIDED", "ColumnEntry", "Mapping", "MappingDiff", "apply_mapping", "read_mapping", "sync_mapping",
    "validate_mapping", "write_mapping", "write_mapping_file",
]
