"""Load quality: rows that could not be loaded are findings too (nothing hidden)."""

from __future__ import annotations

from .registry import CheckContext, check


@check("load.rejected_rows", title_fr="Lignes d'export illisibles (rejetées au chargement)",
       title_en="Unreadable export rows (rejected at load)", theme="load", legal_basis="RGPD art. 5.1.d, art. 5.2")
def rejected_rows(ctx: CheckContext) -> str:
    # The raw text of a rejected row stays in the workspace (load_rejects); findings carry only the reason.
    return (
        "SELECT 'load.rejected_rows' AS check_id, 'warning' AS severity, CASE WHEN len(s.activities) = 1 THEN s.activities[1] END AS activity, r.source, "
        "r.path || '#' || coalesce('ligne ' || r.line, 'enregistrement ' || r.record) AS record_key, NULL::VARCHAR AS subject_ref, "
        "NULL::DATE, NULL::DATE, NULL::INTEGER, 'RGPD art. 5.1.d (exactitude)' AS clause, "
        "'Ligne rejetée au chargement : ' || CASE WHEN r.field IS NOT NULL THEN 'valeur illisible dans le champ ' || r.field ELSE r.reason END || '.' AS detail_fr, "
        "'Row rejected at load: ' || CASE WHEN r.field IS NOT NULL THEN 'unreadable value in field ' || r.field ELSE r.reason END || '.' AS detail_en, "
        "'load.rejected_rows|' || r.source || '|' || r.path || '|' || coalesce(r.line, -1) || '|' || coalesce(r.record, -1) AS finding_key "
        "FROM load_rejects r LEFT JOIN sources s ON s.name = r.source"
    )
