"""A person looked for inside what the load read but did not keep: mail bodies, attachments
and documents (sources with the ``content_parts`` capability).

The texts are not in the workspace, so they are read again at request time, each record
through its loader's ``read_contents`` from the file the load recorded (``load_files.path``
under the estate's folder) and, for a mailbox, the message's stored offset. A record is
returned (its main table: the message, the file; ``Match.inside``) with the reasons found in its texts: ``email`` (the address as a token),
``phone`` (a number with the same digits, French numbers on their last nine), ``name``
(the name's words side by side, in either order: weak, as in the tables' search). A file
missing or changed since the load is reported, not searched. A record whose text the load
kept (``--keep-text``, an encrypted workspace: the ``content_texts`` capability) is searched
in that text, its file not read again (it may have changed or gone since).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..detect.special import normalise
from ..ingest.loaded import loaded_sources
from ..ingest.loaders.base import sha256_file
from ..sql import quote_ident
from ..workspace import Workspace
from .match import REASON_ORDER, Match
from .query import PersonQuery

_EMAIL = re.compile(r"[^\s<>,;:\"()\[\]']+@[a-z0-9.-]*[a-z0-9]")
_PHONE = re.compile(r"\+?[0-9][0-9 .()\-]{6,}[0-9]")
_WORD = re.compile(r"[a-z0-9]+")
FR_PREFIXES = ("", "0", "33", "330", "0033", "00330")


@dataclass
class ContentSearch:
    matches: list[Match] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be searched (no identifier)


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise(text)[0])


def _has_run(words: list[str], run: list[str]) -> bool:
    n = len(run)
    return n > 0 and any(words[i:i + n] == run for i in range(len(words) - n + 1))


def reasons_in(text: str, q: PersonQuery) -> list[str]:
    """What of the person ``text`` holds, strongest first."""
    found = []
    low = text.lower()
    if q.email and q.email in low and q.email in _EMAIL.findall(low):
        found.append("email")
    if q.phone:
        for tok in _PHONE.findall(text):
            d = re.sub(r"\D", "", tok)
            if q.phone.country_code == 33:
                ok = d[-9:] == q.phone.national and d[:-9] in FR_PREFIXES
            else:
                ok = d in (q.phone.digits, "00" + q.phone.digits)
            if ok:
                found.append("phone")
                break
    if q.name:
        name = _words(q.name)
        words = _words(text)
        if _has_run(words, name) or _has_run(words, name[::-1]):
            found.append("name")
    return [r for r in REASON_ORDER if r in found]


def find_in_contents(ws: Workspace, query: PersonQuery, *, sources: list[str] | None = None) -> ContentSearch:
    """Every message or document whose text names the person (read again, never stored)."""
    root = Path(ws.get_setting("estate_root") or ".")
    out = ContentSearch()
    for src in loaded_sources(ws):
        if (sources and src.name not in sources) or not src.has_capability("content_parts") or not src.main_table:
            continue
        mail = src.capability("mail")
        files = src.capability("file_store")
        offset_col = mail.col("offset") if mail else None
        mid_col = mail.col("message_id") if mail else None
        off = f"TRY_CAST(t.{quote_ident(offset_col)} AS BIGINT)" if offset_col else "NULL::BIGINT"
        container = "NULL::VARCHAR"
        if files is not None:  # a folder: each record is a file under the folder the load recorded
            rec = f"t.{quote_ident(files.col('path'))}"
            digest = f"t.{quote_ident(files.col('sha256'))}"
            if files.col("container"):
                container = f"t.{quote_ident(files.col('container'))}"  # a document of an exported (zipped) folder
        else:
            rec = f"coalesce(t.{quote_ident(mid_col)}, '#' || t._row)" if mid_col else "'#' || t._row"
            digest = "lf.sha256"
        activity = f"coalesce(t._activity, {_literal(', '.join(src.activities))})" if src.activities else "t._activity"
        rows = ws.con.execute(
            f"SELECT t._file_id, t._row, {off}, {rec}, {activity}, lf.path, {digest}, {container} FROM raw.{quote_ident(src.name)} t "
            "JOIN load_files lf ON lf.file_id = t._file_id ORDER BY t._file_id, t._row"
        ).fetchall()
        checked: dict[str, bool] = {}
        kept = _kept_texts(ws, src)
        for fid, row, offset, record, act, rel, digest_value, archive in rows:
            if (fid, row) in kept:  # the text kept by --keep-text: searched there, the file not read
                texts = ws.con.execute(kept[(fid, row)][0], kept[(fid, row)][1]).fetchall()
            elif archive:  # a document of an exported (zipped) folder: its entry read again
                zpath = Path(f"{rel}/{archive}")
                zpath = zpath if zpath.is_absolute() else root / zpath
                try:
                    found_digest, texts = src.loader.read_member_contents(zpath, _member(record, archive))
                except Exception as exc:  # noqa: BLE001 - a missing archive or entry is said, not searched
                    out.problems.append(f"{src.name}: {rel}/{archive}: {record} could not be read again ({type(exc).__name__})")
                    continue
                if found_digest != digest_value:
                    out.problems.append(f"{src.name}: {rel}/{archive}: {record} is missing or changed since the load: not searched")
                    continue
            if (fid, row) in kept or archive:
                reasons = []
                for _part, text in texts:
                    reasons += [r for r in reasons_in(text, query) if r not in reasons]
                if reasons:
                    out.matches.append(Match(src.name, src.name, record, act, [r for r in REASON_ORDER if r in reasons],
                                             fid, row, inside=True))
                continue
            if files is not None:
                rel = f"{rel}/{str(record).lstrip('/')}"
            path = Path(rel) if Path(rel).is_absolute() else root / rel
            if rel not in checked:
                checked[rel] = path.is_file() and sha256_file(path) == digest_value
                if not checked[rel]:
                    out.problems.append(f"{src.name}: {rel} is missing or changed since the load: not searched")
            if not checked[rel]:
                continue
            try:
                texts = src.loader.read_contents(path, offset) or []
            except Exception as exc:  # noqa: BLE001 - one unreadable record does not stop the search
                out.problems.append(f"{src.name}: {rel}: record {row} could not be read again ({type(exc).__name__})")
                continue
            reasons: list[str] = []
            for _part, text in texts:
                reasons += [r for r in reasons_in(text, query) if r not in reasons]
            if reasons:
                ordered = [r for r in REASON_ORDER if r in reasons]
                out.matches.append(Match(src.name, src.name, record, act, ordered, fid, row, inside=True))
    return out


def _member(record: str, archive: str) -> str:
    """The entry of an archive a record names: its path, less the folder the archive sits in."""
    parent = "/" + archive.rsplit("/", 1)[0] if "/" in archive else ""
    return record[len(parent):] if parent and record.startswith(parent + "/") else record


def _kept_texts(ws: Workspace, src) -> dict[tuple[int, int], tuple[str, list]]:
    """(``_file_id``, ``_row``) of the records whose text the load kept (``content_texts``,
    ``--keep-text``) -> the query reading their texts."""
    cap = src.capability("content_texts")
    if cap is None:
        return {}
    table, part, text = quote_ident(cap.name), quote_ident(cap.col("part")), quote_ident(cap.col("text"))
    sql = f"SELECT {part}, {text} FROM raw.{table} WHERE _file_id = ? AND _row = ? AND {text} IS NOT NULL ORDER BY {part}"
    keys = ws.con.execute(f"SELECT DISTINCT _file_id, _row FROM raw.{table} WHERE {text} IS NOT NULL").fetchall()
    return {(f, r): (sql, [f, r]) for f, r in keys}


def _literal(value: str) -> str:
    from ..sql import quote_literal

    return quote_literal(value)
