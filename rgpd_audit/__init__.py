"""rgpd-audit: a GDPR (RGPD) audit and data-mapping workbench.

The package is split by stage of the data flow:

- ``policy``      the privacy policy as validated YAML (what the company promises)
- ``manifest``    the source manifest (which exports make up an estate)
- ``loaders``     one module per export format, all registered in one registry
- ``workspace``   the DuckDB workspace (schema, migrations, encryption at rest)
- ``checks``      audit checks returning findings as rows
- ``cli``         the ``rgpd-audit`` command line, the only place that prints
"""

__version__ = "0.1.0"
