"""rgpd-audit: a GDPR (RGPD) audit and data-mapping workbench.

The package is split by stage, in the order data flows; a stage imports the stages above
it, never one below (``tests/test_architecture.py``)::

    exports ─▶ ingest ─▶ workspace ◀─ policy
                             │
                          mapping ─▶ checks ─▶ pipeline ─▶ ropa, report ─▶ dsar ─▶ cli

- core        ``errors``, ``spec`` (YAML → pydantic), ``sql`` (quoting), ``vocab`` (every
              closed list with its French and English labels), ``legal`` (dated legal facts:
              EEA, adequacy, transfer mechanisms), ``dates`` (the one date rule: periods and
              deadlines, in Python and SQL), ``holds`` (what the law keeps after an erasure
              request: accounting, payroll, employment claims), ``resources`` (files shipped
              with the package), ``plugins``, ``data/`` (YAML data)
- ``policy``    the privacy policy as validated YAML (what the company promises)
- ``workspace`` the DuckDB workspace (schema, migrations, encryption at rest, pseudonyms)
- ``ingest``    reading exports: the manifest, one loader per format (each declaring what its
              tables are), the load engine (typing, rejects, provenance), what was loaded
- ``mapping``   which category and activity each column holds: classification, the
              reviewed mapping file, the review form, the data map, declared vs observed
- ``checks``    findings as of a date, each check a registered function returning rows
- ``pipeline``  load → map → check in one call (what ``check`` and ``report`` run)
- ``ropa``      the Art. 30 record of processing activities (controller and processor)
- ``report``    the management report: notebooks run by papermill, panels, charts, HTML
- ``dsar``      data-subject requests: find a person, access package, erasure plan, log
- ``cli``       the ``rgpd-audit`` command line, the only place that prints or exits
- ``sample``    the sample estate's generator (a development tool, ``[sample]`` extra)
"""

__version__ = "0.2.0"
