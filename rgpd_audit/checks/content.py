"""What people write inside messages, attachments, documents and free-text cells.

Reads the hits the loaders' content scanner kept (the ``content_hits`` capability: one row
per hit, with its category, detector, masked evidence and offset, joined to its message or
file through ``(_file_id, _row)``) and scans the free-text columns of the sources whose
activity forbids an identifier (a NIR in a candidate's comment) with the same detectors
(:mod:`rgpd_audit.detect`). One finding per message, file or free-text cell: the activity,
the categories, the part and the masked evidence — never the text.
"""

from __future__ import annotations

from ..detect.identifiers import find_identifiers, mask_nir
from ..ingest.loaded import loaded_sources
from ..sql import quote_ident
from ..vocab import category_label
from .findings import Finding
from .registry import CheckContext, check
from .special import FORBIDDEN

NIR = "user.government_id.national_identification_number"
MAX_EVIDENCE = 3  # masked evidences quoted per finding


def _hits(ctx: CheckContext, s) -> list[tuple]:
    """(record key, subject, activity, part, category, detector, evidence) of a source's hits."""
    hits = s.capability("content_hits")
    if hits is None or not s.main_table:
        return []
    acts = s.activities
    default = acts[0] if len(acts) == 1 else None
    h = hits.columns
    return ctx.con.execute(
        f"SELECT {s.key_expr('t')}, {s.subject_expr('t')}, coalesce(t._activity, ?), c.{quote_ident(h['part'])}, "
        f"c.{quote_ident(h['category'])}, c.{quote_ident(h['detector'])}, c.{quote_ident(h['evidence'])} "
        f"FROM raw.{quote_ident(hits.name)} c JOIN raw.{quote_ident(s.name)} t ON t._file_id = c._file_id AND t._row = c._row "
        f"LEFT JOIN load_files lf ON lf.file_id = t._file_id "
        f"ORDER BY 1, TRY_CAST(c.{quote_ident(h['offset'])} AS BIGINT), 4, 5",
        [default],
    ).fetchall()


def _group(rows):
    out: dict[tuple, list[tuple]] = {}
    for r in rows:
        out.setdefault((r[0], r[1], r[2]), []).append(r)
    return out


def _where(s, lang: str) -> str:
    fr = {"mail": "message", "file_store": "fichier"}
    en = {"mail": "message", "file_store": "file"}
    for cap in ("mail", "file_store"):
        if s.has_capability(cap):
            return (fr if lang == "fr" else en)[cap]
    return "enregistrement" if lang == "fr" else "record"


@check("special_category.content", title_fr="Données sensibles écrites dans des messages, pièces jointes ou documents",
       title_en="Special-category data written in messages, attachments or documents", theme="special_categories",
       legal_basis="RGPD art. 9, art. 10", severity="error", uses_date=False)
def special_content(ctx: CheckContext) -> list[Finding]:
    out = []
    for s in loaded_sources(ctx.ws):
        rows = [r for r in _hits(ctx, s) if r[5] != "b3_seen" and not r[4].startswith(("user.contact.", "user.financial.", "user.government_id."))]
        for (key, subject, activity), hs in _group(rows).items():
            cats_fr = ", ".join(dict.fromkeys(category_label(r[4], "fr") for r in hs))
            cats_en = ", ".join(dict.fromkeys(category_label(r[4], "en") for r in hs))
            parts = ", ".join(dict.fromkeys(r[3] for r in hs))
            ev = " | ".join(dict.fromkeys(r[6] for r in hs[:MAX_EVIDENCE]))
            out.append(Finding(
                "special_category.content", None,
                f"Mention(s) sensible(s) dans un {_where(s, 'fr')} ({parts}) : {cats_fr}. Extrait masqué : {ev}",
                f"Special-category mention(s) in a {_where(s, 'en')} ({parts}): {cats_en}. Masked excerpt: {ev}",
                activity=activity, source=s.name, record_key=key, subject_ref=subject,
                clause="RGPD art. 9 et 10 ; CNIL : pas de données de santé au recrutement",
                finding_key=f"special_category.content|{s.name}|{key}",
            ))
    return out


@check("forbidden_data.content_identifier", title_fr="Identifiant interdit pour l'activité écrit dans un message, un document ou un champ libre",
       title_en="Identifier forbidden for the activity written in a message, a document or a free-text field",
       theme="special_categories", legal_basis="RGPD art. 5.1.c ; décret 2019-341", severity="error", uses_date=False)
def forbidden_content(ctx: CheckContext) -> list[Finding]:
    out = []
    for s in loaded_sources(ctx.ws):
        for act, cats in FORBIDDEN.items():
            if act not in s.activities or NIR not in cats:
                continue
            label, why = cats[NIR]
            rows = [r for r in _hits(ctx, s) if r[4] == NIR and r[2] in (act, None)]
            for (key, subject, _activity), hs in _group(rows).items():
                parts = ", ".join(dict.fromkeys(r[3] for r in hs))
                ev = " | ".join(dict.fromkeys(r[6] for r in hs[:MAX_EVIDENCE]))
                out.append(Finding(
                    "forbidden_data.content_identifier", None,
                    f"{label} d'un candidat écrit dans un {_where(s, 'fr')} ({parts}) : {ev}.",
                    f"A candidate's {label} written in a {_where(s, 'en')} ({parts}): {ev}.",
                    activity=act, source=s.name, record_key=key, subject_ref=subject, clause=why,
                    finding_key=f"forbidden_data.content_identifier|{s.name}|{key}",
                ))
            out += _free_text(ctx, s, act, label, why)
    return out


def _free_text(ctx: CheckContext, s, act: str, label: str, why: str) -> list[Finding]:
    """A NIR written in a free-text cell (a comment, notes) of a source of the activity."""
    if not s.main_table or not _has(ctx, "column_map"):
        return []
    from ..mapping.classify.suggest import free_text_columns

    # a column the analyst says is not personal is not read
    personal = {c: s.effective(c, "personal") for c in s.columns.get(s.name, [])}
    cols = [c for src, t, c in free_text_columns(ctx.ws) if src == s.name and t == s.name
            and not (c in personal and personal[c].decided and personal[c].value is False)]
    out = []
    for col in cols:
        c = quote_ident(col)
        rows = ctx.con.execute(
            f"SELECT {s.key_expr('t')}, {s.subject_expr('t')}, t._activity, CAST(t.{c} AS VARCHAR) FROM raw.{quote_ident(s.name)} t "
            f"LEFT JOIN load_files lf ON lf.file_id = t._file_id WHERE t.{c} IS NOT NULL "
            f"AND regexp_matches(CAST(t.{c} AS VARCHAR), '[1-478][ .-]?[0-9]{{2}}') ORDER BY 1"
        ).fetchall()
        for key, subject, activity, text in rows:
            if activity not in (act, None):
                continue
            nirs = [text[f.start:f.end] for f in find_identifiers(text) if f.kind == "nir"]
            if not nirs:
                continue
            ev = mask_nir(nirs[0])
            out.append(Finding(
                "forbidden_data.content_identifier", None,
                f"{label} d'un candidat écrit dans le champ libre « {col} » : {ev}.",
                f"A candidate's {label} written in the free-text field '{col}': {ev}.",
                activity=act, source=s.name, record_key=key, subject_ref=subject, clause=why,
                finding_key=f"forbidden_data.content_identifier|{s.name}|{key}|{col}",
            ))
    return out


def _has(ctx: CheckContext, name: str) -> bool:
    return bool(ctx.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND schema_name = 'main' AND table_name = ?", [name]
    ).fetchone()[0])
