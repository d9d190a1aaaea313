"""Special-category and forbidden data (GDPR Art. 9 and 10, and what the policy excludes).

Reads what the classification stage wrote: ``special_hits`` (per-record hits in free text)
and ``column_map`` (what each column holds).
"""

from __future__ import annotations

from ..ingest.loaded import loaded_sources
from ..policy import categories
from ..sql import quote_ident
from ..vocab import category_label
from .decisions import activity_titler
from .decisions import note as decision_note
from .decisions import unreviewed as unreviewed_note
from .findings import Finding, Query
from .registry import CheckContext, check

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
       title_en="Special-category data in free-text fields", theme="special_categories", legal_basis="RGPD art. 9, art. 10",
       severity="error", uses_date=False)
def free_text(ctx: CheckContext) -> Query | None:
    if not _has_table(ctx, "special_hits"):
        return None
    q = Query()
    labels = categories()
    case_fr = " ".join(f"WHEN {q.bind(k)} THEN {q.bind(v.fr)}" for k, v in labels.items())
    case_en = " ".join(f"WHEN {q.bind(k)} THEN {q.bind(v.en)}" for k, v in labels.items())
    parts = []
    for s in loaded_sources(ctx.ws):
        if not s.main_table:
            continue
        name = q.bind(s.name)
        # the analyst's decisions on the scanned columns: one not personal is not read, one
        # decided for an activity gives its mentions that activity (else the record's)
        cols = s.columns.get(s.name, [])
        skipped = [c for c in cols if (e := s.effective(c, "personal")).decided and e.value is False]
        decided = {c: a.value for c in cols if (a := s.effective(c, "activity")).decided}
        activity = "h.activity"
        if decided:
            activity = ("CASE h.column_name " + " ".join(f"WHEN {q.bind(c)} THEN {q.bind(v)}" for c, v in decided.items())
                        + " ELSE h.activity END")
        used = s.decisions_used(sorted(decided), ("activity",))
        notes = (q.bind(decision_note(used, "fr", activity_titler(ctx.policy, "fr"))),
                 q.bind(decision_note(used, "en", activity_titler(ctx.policy, "en"))))
        not_read = f" AND NOT list_contains({q.bind(skipped)}, h.column_name)" if skipped else ""
        parts.append(
            f"SELECT h.* REPLACE ({activity} AS activity), {s.subject_expr('t')} AS subject_ref, {s.key_expr('t')} AS record_key, "
            f"{notes[0]} AS note_fr, {notes[1]} AS note_en "
            f"FROM special_hits h JOIN raw.{quote_ident(s.name)} t "
            f"ON h.source = {name} AND h.table_name = {name} AND t._file_id = h.file_id AND t._row = h.row_no{not_read} "
            f"LEFT JOIN load_files lf ON lf.file_id = t._file_id"
        )
    if not parts:
        return None
    return q.add(
        "special_category.free_text",
        activity="any_value(activity)",
        source="source",
        record_key="any_value(record_key)",
        subject_ref="any_value(subject_ref)",
        clause="'RGPD art. 9 et 10 ; CNIL : pas de données de santé au recrutement'",
        detail_fr=f"'Mention(s) sensible(s) en texte libre (' || string_agg(DISTINCT column_name, ', ') || ') : ' || string_agg(DISTINCT CASE category {case_fr} ELSE category END, ', ') || '.' || any_value(note_fr)",
        detail_en=f"'Special-category mention(s) in free text (' || string_agg(DISTINCT column_name, ', ') || '): ' || string_agg(DISTINCT CASE category {case_en} ELSE category END, ', ') || '.' || any_value(note_en)",
        finding_key="'special_category.free_text|' || source || '|' || any_value(record_key)",
        # "B3 vu : oui" is the mention the law allows (no copy of the record kept)
        from_=f"({' UNION ALL '.join(parts)}) WHERE term <> 'b3_seen' GROUP BY source, file_id, row_no",
    )


@check("forbidden_data.candidate_identifier", title_fr="Données interdites pour l'activité (NIR, lieu de naissance de candidats)",
       title_en="Data forbidden for the activity (candidates' NIR, birthplace)", theme="special_categories",
       legal_basis="RGPD art. 5.1.c ; décret 2019-341", severity="error", uses_date=False)
def forbidden(ctx: CheckContext) -> Query | None:
    if not _has_table(ctx, "column_map"):
        return None
    q = Query()
    for act, cats in FORBIDDEN.items():
        for s in loaded_sources(ctx.ws):
            if not s.main_table:
                continue
            # each column by the one precedence: the analyst's decision wins (a column confirmed
            # not personal, or of another category, or decided for another activity, is not
            # counted); a classifier's suggestion is used, and the finding says so
            colcats, used, unreviewed = [], [], False
            for col in sorted(s.columns.get(s.name, [])):
                cat, a = s.effective(col, "category"), s.effective(col, "activity")
                if cat.value not in cats or (a.value != act if a.decided else act not in s.activities):
                    continue
                colcats.append((col, cat.value))
                used += s.decisions_used([col], ("category", "activity"))
                unreviewed = unreviewed or cat.unreviewed
            if not colcats:
                continue
            source = s.name
            titler = activity_titler(ctx.policy, "fr")
            note_fr = (unreviewed_note("fr") if unreviewed else "") + decision_note(used, "fr", titler)
            note_en = ((unreviewed_note("en") if unreviewed else "")
                       + decision_note(used, "en", activity_titler(ctx.policy, "en")))

            def filled(c: str) -> str:
                return f"nullif(trim(CAST(t.{quote_ident(c)} AS VARCHAR)), '') IS NOT NULL"

            names_fr = " || ".join(f"CASE WHEN {filled(c)} THEN {q.bind(cats[cat][0] + ' (' + c + ') ')} ELSE '' END" for c, cat in colcats)
            why = "; ".join(dict.fromkeys(cats[cat][1] for _, cat in colcats))
            activity, name = q.bind(act), q.bind(source)
            act_filter = f"(t._activity = {activity} OR t._activity IS NULL)"
            status_col = next((c for c in s.columns.get(source, []) if c.lower() in ("statut", "status", "etape", "étape", "current_stage")), None)
            if status_col:
                # hired people may legitimately be asked for their NIR (payroll declarations)
                act_filter += (f" AND NOT coalesce(regexp_matches(lower(strip_accents(t.{quote_ident(status_col)})), "
                               f"'embauch|en mission|hired|recrute'), false)")
            q.add(
                "forbidden_data.candidate_identifier",
                activity=activity,
                source=name,
                record_key=s.key_expr("t"),
                subject_ref=s.subject_expr("t"),
                clause=q.bind(why),
                detail_fr=f"'Donnée non autorisée pour un candidat : ' || trim({names_fr}) || '.' || {q.bind(note_fr)}",
                detail_en=f"'Data not allowed for a candidate: ' || trim(replace(replace({names_fr}, 'lieu de naissance', 'birthplace'), 'NIR', 'NIR')) || '.' || {q.bind(note_en)}",
                finding_key=f"'forbidden_data.candidate_identifier|' || {name} || '|' || {s.key_expr('t')}",
                from_=(
                    f"raw.{quote_ident(source)} t LEFT JOIN load_files lf ON lf.file_id = t._file_id "
                    f"WHERE {act_filter} AND ({' OR '.join(filled(c) for c, _ in colcats)})"
                ),
            )
    return q or None


@check("mapping.undeclared_category", title_fr="Catégories de données observées mais non déclarées pour l'activité",
       title_en="Data categories observed but not declared for the activity", theme="special_categories",
       legal_basis="RGPD art. 5.1.b-c, art. 13.1.c, art. 30.1.c", severity="warning", severities=("warning", "error"),
       uses_date=False)
def undeclared_category(ctx: CheckContext) -> list[Finding]:
    """Fields (or free-text detections) holding categories the policy does not declare for
    that activity — the "declared vs observed" section of the Art. 30 register, as findings."""
    from ..mapping.observed import compare, observe

    found = [c for c in compare(ctx.policy, observe(ctx.ws, ctx.policy)) if c.finding == "undeclared"]
    titles = dict(ctx.con.execute("SELECT name, title FROM sources").fetchall())
    sources = {s.name: s for s in loaded_sources(ctx.ws)}
    out = []
    for g in found:
        a = ctx.policy.activity(g.activity_id)
        act_fr, act_en = f"{a.section} {a.title.get('fr')}", f"{a.section} {a.title.get('en')}"
        where = ", ".join(titles.get(x) or x for x in g.systems)  # what a reader knows a system by
        # the analyst's decisions the observation rests on: each column's category and activity
        used = [e for system, table, col in g.where if system in sources
                for e in sources[system].decisions_used([col], ("category", "activity"), table)]
        out.append(Finding(
            "mapping.undeclared_category", "error" if g.special else "warning",
            f"Catégorie « {category_label(g.category, 'fr')} » observée dans {where} ({g.columns} colonne(s), {g.detections} détection(s)) sans être déclarée pour l'activité {act_fr}."
            + ("" if g.reviewed else unreviewed_note("fr")) + decision_note(used, "fr", activity_titler(ctx.policy, "fr")),
            f"Category '{category_label(g.category, 'en')}' observed in {where} ({g.columns} column(s), {g.detections} detection(s)) but not declared for activity {act_en}."
            + ("" if g.reviewed else unreviewed_note("en")) + decision_note(used, "en", activity_titler(ctx.policy, "en")),
            activity=g.activity_id, source=g.systems[0] if len(g.systems) == 1 else None, record_key=g.category,
            clause="RGPD art. 13.1.c, art. 30.1.c ; politique : catégories déclarées de l'activité",
            finding_key=f"mapping.undeclared_category|{g.activity_id}|{g.category}",
        ))
    return out
