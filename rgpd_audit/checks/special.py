"""Special-category and forbidden data (GDPR Art. 9 and 10, and what the policy excludes).

Reads what the classification stage wrote: ``special_hits`` (per-record hits in free text)
and ``column_map`` (what each column holds).
"""

from __future__ import annotations

from ..policy import categories
from ..vocab import category_label
from ..sql import quote_ident, quote_literal
from .registry import CheckContext, check
from ..ingest.loaded import loaded_sources

# Categories that must not be held for a given kind of data subject (law.md: NIR and
# identity documents only once hired; never from mere candidates).
FORBIDDEN = {
    "candidates": {
        "user.government_id.national_identification_number": ("NIR", "décret 2019-341 ; CNIL guide recrutement : NIR seulement à l'embauche"),
        "user.x_rgpd.place_of_birth": ("lieu de naissance", "CNIL guide recrutement : données non nécessaires avant l'embauche (RGPD art. 5.1.c)"),
    }
}


def _has_table(ctx: CheckContext, name: str) -> bool:
    return bool(ctx.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'ws' AND schema_name = 'main' AND table_name = ?", [name]
    ).fetchone()[0])


@check("special_category.free_text", title_fr="Données sensibles dans des champs libres",
       title_en="Special-category data in free-text fields", theme="special_categories", legal_basis="RGPD art. 9, art. 10")
def free_text(ctx: CheckContext) -> str | None:
    if not _has_table(ctx, "special_hits"):
        return None
    labels = categories()
    case_fr = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v.fr)}" for k, v in labels.items())
    case_en = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v.en)}" for k, v in labels.items())
    srcs = {s.name: s for s in loaded_sources(ctx.ws)}
    parts = []
    for name, s in srcs.items():
        if not s.main_table:
            continue
        parts.append(
            f"SELECT h.*, {s.subject_expr('t')} AS subject_ref FROM special_hits h JOIN raw.{quote_ident(s.name)} t "
            f"ON h.source = {quote_literal(s.name)} AND h.table_name = {quote_literal(s.name)} AND t._file_id = h.file_id AND t._row = h.row_no"
        )
    if not parts:
        return None
    hits = " UNION ALL ".join(parts)
    return (
        "SELECT 'special_category.free_text' AS check_id, 'error' AS severity, any_value(activity) AS activity, source, "
        "source || '#' || file_id || ':' || row_no AS record_key, any_value(subject_ref), NULL::DATE, NULL::DATE, NULL::INTEGER, "
        "'RGPD art. 9 et 10 ; CNIL : pas de données de santé au recrutement' AS clause, "
        f"'Mention(s) sensible(s) en texte libre (' || string_agg(DISTINCT column_name, ', ') || ') : ' || string_agg(DISTINCT CASE category {case_fr} ELSE category END, ', ') || '.' AS detail_fr, "
        f"'Special-category mention(s) in free text (' || string_agg(DISTINCT column_name, ', ') || '): ' || string_agg(DISTINCT CASE category {case_en} ELSE category END, ', ') || '.' AS detail_en, "
        "'special_category.free_text|' || source || '|' || file_id || '|' || row_no AS finding_key "
        # "B3 vu : oui" is the mention the law allows (no copy of the record kept)
        f"FROM ({hits}) WHERE term <> 'b3_seen' GROUP BY source, file_id, row_no"
    )


@check("forbidden_data.candidate_identifier", title_fr="Données interdites pour l'activité (NIR, lieu de naissance de candidats)",
       title_en="Data forbidden for the activity (candidates' NIR, birthplace)", theme="special_categories",
       legal_basis="RGPD art. 5.1.c ; décret 2019-341")
def forbidden(ctx: CheckContext) -> str | None:
    if not _has_table(ctx, "column_map"):
        return None
    srcs = {s.name: s for s in loaded_sources(ctx.ws)}
    parts = []
    for act, cats in FORBIDDEN.items():
        rows = ctx.con.execute(
            f"SELECT source, table_name, column_name, category FROM column_map WHERE status <> 'not_personal' "
            f"AND category IN ({', '.join(quote_literal(c) for c in cats)}) ORDER BY ALL"
        ).fetchall()
        by_source: dict[str, list[tuple[str, str]]] = {}
        for source, table, col, cat in rows:
            s = srcs.get(source)
            if s is None or act not in s.activities or table != source:
                continue
            by_source.setdefault(source, []).append((col, cat))
        for source, colcats in by_source.items():
            s = srcs[source]
            filled = " OR ".join(f"nullif(trim(CAST(t.{quote_ident(c)} AS VARCHAR)), '') IS NOT NULL" for c, _ in colcats)
            names_fr = " || ".join(
                f"CASE WHEN nullif(trim(CAST(t.{quote_ident(c)} AS VARCHAR)), '') IS NOT NULL THEN {quote_literal(cats[cat][0] + ' (' + c + ') ')} ELSE '' END"
                for c, cat in colcats
            )
            why = "; ".join(dict.fromkeys(cats[cat][1] for _, cat in colcats))
            act_filter = f"(t._activity = {quote_literal(act)} OR t._activity IS NULL)"
            status_col = next((c for c in s.columns.get(source, []) if c.lower() in ("statut", "status", "etape", "étape", "current_stage")), None)
            if status_col:
                # hired people may legitimately be asked for their NIR (payroll declarations)
                act_filter += (f" AND NOT coalesce(regexp_matches(lower(strip_accents(t.{quote_ident(status_col)})), "
                               f"'embauch|en mission|hired|recrute'), false)")
            parts.append(
                f"SELECT 'forbidden_data.candidate_identifier' AS check_id, 'error' AS severity, {quote_literal(act)} AS activity, {quote_literal(source)} AS source, "
                f"{s.key_expr('t')} AS record_key, {s.subject_expr('t')} AS subject_ref, NULL::DATE, NULL::DATE, NULL::INTEGER, {quote_literal(why)} AS clause, "
                f"'Donnée non autorisée pour un candidat : ' || trim({names_fr}) || '.' AS detail_fr, "
                f"'Data not allowed for a candidate: ' || trim(replace(replace({names_fr}, 'lieu de naissance', 'birthplace'), 'NIR', 'NIR')) || '.' AS detail_en, "
                f"'forbidden_data.candidate_identifier|' || {quote_literal(source)} || '|' || t._file_id || '#' || t._row AS finding_key "
                f"FROM raw.{quote_ident(source)} t LEFT JOIN load_files lf ON lf.file_id = t._file_id WHERE {act_filter} AND ({filled})"
            )
    return " UNION ALL ".join(parts) if parts else None


@check("mapping.undeclared_category", title_fr="Catégories de données observées mais non déclarées pour l'activité",
       title_en="Data categories observed but not declared for the activity", theme="special_categories",
       legal_basis="RGPD art. 5.1.b-c, art. 13.1.c, art. 30.1.c")
def undeclared_category(ctx: CheckContext) -> list:
    """Fields (or free-text detections) holding categories the policy does not declare for
    that activity — the "declared vs observed" section of the Art. 30 register, as findings."""
    from ..mapping.observed import compare, observe
    from .registry import Finding

    found = [c for c in compare(ctx.policy, observe(ctx.ws, ctx.policy)) if c.finding == "undeclared"]
    out = []
    for g in found:
        a = ctx.policy.activity(g.activity_id)
        act_fr, act_en = f"{a.section} {a.title.get('fr')}", f"{a.section} {a.title.get('en')}"
        where = ", ".join(g.systems)
        out.append(Finding(
            "mapping.undeclared_category", "error" if g.special else "warning",
            f"Catégorie « {category_label(g.category, 'fr')} » observée dans {where} ({g.columns} colonne(s), {g.detections} détection(s)) sans être déclarée pour l'activité {act_fr}.",
            f"Category '{category_label(g.category, 'en')}' observed in {where} ({g.columns} column(s), {g.detections} detection(s)) but not declared for activity {act_en}.",
            activity=g.activity_id, source=g.systems[0] if len(g.systems) == 1 else None, record_key=g.category,
            clause="RGPD art. 13.1.c, art. 30.1.c ; politique : catégories déclarées de l'activité",
            finding_key=f"mapping.undeclared_category|{g.activity_id}|{g.category}",
        ))
    return out
