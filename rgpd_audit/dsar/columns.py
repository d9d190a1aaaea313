"""Which columns of a loaded table identify the person: e-mail, phone, name, birth date.

Resolved in this order, the first that says something wins:

1. the ``column_map`` table (classification): columns flagged ``subject_key``, typed by their
   category (``user.contact.email``, ``user.contact.phone_number``, ``user.name``,
   ``user.demographic.date_of_birth``);
2. the manifest ``options.subject`` of the source (column names as in the export; a loader that
   renames headers resolves them, :meth:`LoadedSource.resolve_column`);
3. header heuristics (``email``, ``Téléphone``, ``Nom`` + ``Prénom``, ``from_name``…).

E-mail addresses are searched in every text column anyway (an address is unambiguous, and one
written in a comment or a ``To:`` header is a record about the person too).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ingest.loaded import LoadedSource
from ..ingest.loaders.base import header_key
from ..workspace import Workspace


def _fold(s: str) -> str:
    return s.translate(str.maketrans("éèêàâîïôûùç", "eeeaaiiouuc"))


PHONE_WORDS = ("phone", "telephone", "tel", "mobile", "portable", "gsm", "sms", "cell")
FIRST_KEYS = {"first name", "firstname", "prenom", "given name", "first names", "prenoms", "given names"}
LAST_KEYS = {"last name", "lastname", "nom", "surname", "family name", "nom de famille", "usage name", "nom d usage"}
FULL_KEYS = {"name", "full name", "nom complet", "display name", "fn", "from name", "member", "member name",
             "contact", "ct contact", "compauxlib", "nom prenom", "prenom nom", "shared by"}
BIRTH_KEYS = {"birth date", "date of birth", "birthdate", "dob", "date de naissance", "naissance", "birthday"}


@dataclass
class Identifiers:
    """The identifying columns of one table (``names``: groups of columns read together)."""

    text_columns: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    names: list[list[str]] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    origin: str = "heuristic"  # column_map | manifest | heuristic


def table_columns(ws: Workspace, table: str) -> dict[str, str]:
    rows = ws.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'ws' AND schema_name = 'raw' "
        "AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {c: t for c, t in rows}


def _as_list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _from_column_map(ws: Workspace, source: str, table: str, cols: list[str]) -> Identifiers | None:
    has = ws.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND table_name = 'column_map'"
    ).fetchone()[0]
    if not has:
        return None
    rows = ws.con.execute(
        "SELECT column_name, coalesce(category, '') FROM column_map WHERE source = ? AND table_name = ? "
        "AND subject_key AND status <> 'not_personal' ORDER BY column_name",
        [source, table],
    ).fetchall()
    rows = [(c, cat) for c, cat in rows if c in cols]
    if not rows:
        return None
    ids = Identifiers(origin="column_map")
    names = [c for c, cat in rows if cat == "user.name" or cat.startswith("user.name.")]
    ids.phones = [c for c, cat in rows if "phone" in cat]
    ids.birth_dates = [c for c, cat in rows if cat == "user.demographic.date_of_birth"]
    if names:
        ids.names = [names]
    return ids


def _from_manifest(src: LoadedSource, table: str) -> Identifiers | None:
    subject = (src.options or {}).get("subject") or {}
    if not subject:
        return None
    ids = Identifiers(origin="manifest")
    ids.phones = [c for c in (src.resolve_column(n, table) for n in _as_list(subject.get("phone"))) if c]
    names = [c for c in (src.resolve_column(n, table) for n in _as_list(subject.get("name"))) if c]
    ids.names = [names] if names else []
    bd = src.resolve_column(subject["birth_date"], table) if subject.get("birth_date") else None
    ids.birth_dates = [bd] if bd else []
    if not (ids.phones or ids.names or ids.birth_dates):
        return None  # the subject columns are not in this table (e.g. a child table)
    return ids


def _heuristic(cols: list[str]) -> Identifiers:
    ids = Identifiers(origin="heuristic")
    keys = {c: _fold(header_key(c)) for c in cols if not c.startswith("_")}
    ids.phones = [c for c, k in keys.items() if any(w in k.split() or k.startswith(w) for w in PHONE_WORDS)
                  and "domain" not in k and "date" not in k]
    first = [c for c, k in keys.items() if k in FIRST_KEYS]
    last = [c for c, k in keys.items() if k in LAST_KEYS]
    if first and last:
        ids.names.append([last[0], first[0]])
    ids.names += [[c] for c, k in keys.items() if k in FULL_KEYS]
    ids.birth_dates = [c for c, k in keys.items() if k in BIRTH_KEYS]
    return ids


def identifiers(ws: Workspace, src: LoadedSource, table: str) -> Identifiers:
    """The identifying columns of ``raw.<table>`` (a table of source ``src``)."""
    types = table_columns(ws, table)
    cols = list(types)
    ids = _from_column_map(ws, src.name, table, cols) or _from_manifest(src, table) or _heuristic(cols)
    ids.text_columns = [c for c, t in types.items() if t == "VARCHAR" and not c.startswith("_")]
    return ids
