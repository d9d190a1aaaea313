"""The Art. 15 access package and the Art. 20 portability file.

``export_access`` writes a folder ``acces_<pseudonym>/`` and its zip next to it:

- per loaded table holding the person's records, ``<table>.csv`` (spreadsheet-safe: a value
  or a column name a spreadsheet would run as a formula gets a leading apostrophe) and
  ``<table>.json``, internal ``_`` columns dropped (a source loaded as several tables, such
  as a mailbox, gives one pair per table);
- ``index.html``: the cover page (French by default) per activity concerned (:mod:`.cover`);
- ``portabilite.json``: the records of sources whose activities rely on consent or contract,
  as structured JSON (Art. 20).

Only strong matches are exported; weak name-only candidates never are. Names of files and
folders carry the pseudonym, never the e-mail. A folder or file that cannot be written
(disk full, read-only, a file in the way) is an error naming it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RgpdAuditError
from ..ingest.loaded import LoadedSource, loaded_sources
from ..policy import Policy, UnknownPolicyItem
from ..sql import FORMULA_START, quote_ident, quote_literal
from ..workspace import Workspace, io_errors
from .cover import activities_concerned, render_cover
from .match import FindResult, find_person, person_rows_sql
from .query import PersonQuery

log = logging.getLogger(__name__)

PORTABLE_BASES = ("consent", "contract")


@dataclass
class AccessPackage:
    folder: Path
    zip_path: Path
    files: list[str] = field(default_factory=list)
    found: FindResult | None = None


def _stage(ws: Workspace, src: LoadedSource, table: str, query: PersonQuery) -> list[str] | None:
    """Put the person's rows of a table in ``temp._dsar_rows``; returns the exported columns."""
    built = person_rows_sql(ws, src, table, query)
    if built is None:
        return None
    sql, params = built
    ws.con.execute(f"CREATE OR REPLACE TEMP TABLE _dsar_rows AS {sql}", params)
    if not ws.con.execute("SELECT count(*) FROM temp._dsar_rows").fetchone()[0]:
        return None
    return [r[0] for r in ws.con.execute("DESCRIBE temp._dsar_rows").fetchall() if not r[0].startswith("_")]


_FORMULA = re.compile(FORMULA_START)


def safe_headers(cols: list[str]) -> list[str]:
    """The CSV header of each column: a name a spreadsheet would run as a formula
    (``=HYPERLINK(…)``, ``+cmd``, ``@SUM``) gets a leading apostrophe, as values do (and
    `` (2)``… if that makes it equal to another column's name)."""
    out, taken = [], set(cols)
    for c in cols:
        if not _FORMULA.match(c):
            out.append(c)
            continue
        h, n = "'" + c, 2
        while h in taken:
            h, n = f"'{c} ({n})", n + 1
        taken.add(h)
        out.append(h)
    return out


def _safe_value(col: str) -> str:
    """A text column's values, spreadsheet-safe (the rule of :func:`rgpd_audit.sql.spreadsheet_safe`)."""
    c = quote_ident(col)
    return f"CASE WHEN regexp_matches({c}, {quote_literal(FORMULA_START)}) THEN {quote_literal(chr(39))} || {c} ELSE {c} END"


def _write_table(ws: Workspace, cols: list[str], base: Path) -> list[Path]:
    types = dict((r[0], r[1]) for r in ws.con.execute("DESCRIBE temp._dsar_rows").fetchall())
    plain = ", ".join(quote_ident(c) for c in cols)
    safe = ", ".join(
        f"{_safe_value(c) if types[c] == 'VARCHAR' else quote_ident(c)} AS {quote_ident(h)}"
        for c, h in zip(cols, safe_headers(cols))
    )
    csv_path, json_path = base.with_suffix(".csv"), base.with_suffix(".json")
    ws.con.execute(f"COPY (SELECT {safe} FROM temp._dsar_rows ORDER BY _file_id, _row) TO {quote_literal(str(csv_path))} (HEADER, DELIMITER ',')")
    ws.con.execute(f"COPY (SELECT {plain} FROM temp._dsar_rows ORDER BY _file_id, _row) TO {quote_literal(str(json_path))} (FORMAT json, ARRAY true)")
    return [csv_path, json_path]


def _jsonable(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    return v


def _rows(ws: Workspace, cols: list[str]) -> list[dict]:
    cur = ws.con.execute(f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM temp._dsar_rows ORDER BY _file_id, _row")
    return [{c: _jsonable(v) for c, v in zip(cols, row) if v is not None} for row in cur.fetchall()]


def portable_sources(policy: Policy, sources: list[LoadedSource]) -> dict[str, list[str]]:
    """Sources whose activities rely on consent or contract, with those bases."""
    out: dict[str, list[str]] = {}
    for s in sources:
        bases: list[str] = []
        for a in s.activities:
            try:
                bases += [b.basis for b in policy.activity(a).legal_bases if b.basis in PORTABLE_BASES]
            except UnknownPolicyItem:
                continue
        if bases:
            out[s.name] = sorted(set(bases))
    return out


def export_access(
    ws: Workspace,
    policy: Policy,
    query: PersonQuery,
    out_dir: str | Path,
    *,
    lang: str = "fr",
    as_of: dt.date | None = None,
) -> AccessPackage:
    """Write the access package (folder + zip) of the person into ``out_dir``."""
    found = find_person(ws, query)
    out_dir = Path(out_dir)
    with io_errors(out_dir / f"acces_{found.subject_ref}", RgpdAuditError, " (cannot write the access package)"):
        return _export(ws, policy, query, found, out_dir, lang, as_of)


def _export(ws: Workspace, policy: Policy, query: PersonQuery, found: FindResult, out_dir: Path, lang: str,
            as_of: dt.date | None) -> AccessPackage:
    sources = {s.name: s for s in loaded_sources(ws)}
    folder = out_dir / f"acces_{found.subject_ref}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    portable = portable_sources(policy, list(sources.values()))
    portability = {
        "format": "rgpd-audit/portability", "version": 1, "subject_ref": found.subject_ref,
        "organisation": policy.organisation.name, "generated_on": as_of.isoformat() if as_of else None, "sources": [],
    }
    files: list[str] = []
    tables = list(dict.fromkeys((m.source, m.table) for m in found.strong))
    try:
        for source, table in tables:
            src = sources[source]
            cols = _stage(ws, src, table, query)
            if cols is None:
                continue
            files += [p.name for p in _write_table(ws, cols, folder / table)]
            if source in portable:
                entry = next((e for e in portability["sources"] if e["source"] == source), None)
                if entry is None:
                    entry = {"source": source, "title": src.title, "activities": src.activities,
                             "legal_bases": portable[source], "tables": {}}
                    portability["sources"].append(entry)
                entry["tables"][table] = _rows(ws, cols)
    finally:
        ws.con.execute("DROP TABLE IF EXISTS temp._dsar_rows")
    (folder / "portabilite.json").write_text(json.dumps(portability, ensure_ascii=False, indent=2), encoding="utf-8")
    files.append("portabilite.json")
    acts = activities_concerned(policy, found, sources, lang, as_of)
    (folder / "index.html").write_text(render_cover(policy, found, acts, lang=lang, as_of=as_of, files=files), encoding="utf-8")
    files.insert(0, "index.html")
    zip_path = Path(shutil.make_archive(str(folder), "zip", root_dir=folder))
    log.info("dsar export %s: %d file(s), %d record(s)", found.subject_ref, len(files), len(found.strong))
    return AccessPackage(folder, zip_path, files, found)


__all__ = ["AccessPackage", "export_access", "portable_sources", "safe_headers"]
