"""Load quality: rows that could not be loaded are findings too (nothing hidden)."""

from __future__ import annotations

from ..vocab import REJECT_REASONS
from .findings import Query
from .registry import CheckContext, check


def _reason(lang: str) -> str:
    """SQL: the kind of reason of a rejected row (``reason_code``) in words, in ``lang``."""
    q = lambda t: "'" + t.replace("'", "''") + "'"  # noqa: E731
    whens = " ".join(f"WHEN {q(k)} THEN {q(t.label(lang))}" for k, t in REJECT_REASONS.items())
    return f"CASE coalesce(r.reason_code, 'other') {whens} ELSE {q(REJECT_REASONS.label('other', lang))} END"


@check("load.rejected_rows", title_fr="Lignes d'export illisibles (rejetées au chargement)",
       title_en="Unreadable export rows (rejected at load)", theme="load", legal_basis="RGPD art. 5.1.d, art. 5.2",
       severity="warning")
def rejected_rows(ctx: CheckContext) -> Query:
    # The raw text of a rejected row stays in the workspace (load_rejects); findings carry only the reason.
    return Query().add(
        "load.rejected_rows",
        activity="CASE WHEN len(s.activities) = 1 THEN s.activities[1] END",
        source="r.source",
        record_key="r.path || '#' || coalesce('ligne ' || r.line, 'enregistrement ' || r.record)",
        clause="'RGPD art. 5.1.d (exactitude)'",
        detail_fr=f"'Ligne rejetée au chargement : ' || CASE WHEN r.field IS NOT NULL THEN 'valeur illisible dans le champ ' || r.field ELSE {_reason('fr')} END || '.'",
        detail_en=f"'Row rejected at load: ' || CASE WHEN r.field IS NOT NULL THEN 'unreadable value in field ' || r.field ELSE {_reason('en')} END || '.'",
        # keyed by the record number (stable), not the physical line (a later release may find it)
        finding_key="'load.rejected_rows|' || r.source || '|' || r.path || '|' || coalesce(r.record::VARCHAR, 'L' || r.line::VARCHAR, '-')",
        from_="load_rejects r LEFT JOIN sources s ON s.name = r.source",
    )
