"""Load quality: rows that could not be loaded are findings too (nothing hidden)."""

from __future__ import annotations

from ..ingest.quality import REJECT_SHARE, diagnose, over_share
from ..vocab import REJECT_REASONS
from .findings import Finding, Query
from .registry import CheckContext, check


def _reason(lang: str) -> str:
    """SQL: the kind of reason of a rejected row (``reason_code``) in words, in ``lang``."""
    q = lambda t: "'" + t.replace("'", "''") + "'"  # noqa: E731
    whens = " ".join(f"WHEN {q(k)} THEN {q(t.label(lang))}" for k, t in REJECT_REASONS.items())
    return f"CASE coalesce(r.reason_code, 'other') {whens} ELSE {q(REJECT_REASONS.label('other', lang))} END"


@check("load.rejected_rows", title_fr="Lignes d'export illisibles (rejetées au chargement)",
       title_en="Unreadable export rows (rejected at load)", theme="load", legal_basis="RGPD art. 5.1.d, art. 5.2",
       severity="warning", uses_date=False)
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


@check("load.rejected_share", title_fr="Source en grande partie illisible (trop de lignes rejetées)",
       title_en="Source largely unreadable (too many rows rejected)", theme="load",
       legal_basis="RGPD art. 5.1.d, art. 5.2", severity="error", uses_date=False)
def rejected_share(ctx: CheckContext) -> list[Finding]:
    # Above REJECT_SHARE the audit of the source rests on a fraction of its rows: its settings
    # (date_format, delimiter, encoding) are probably wrong, and every other check is blind there.
    from ..ingest.loaded import loaded_sources

    options = {s.name: s.options for s in loaded_sources(ctx.ws)}
    pct = f"{REJECT_SHARE:.0%}"
    out = []
    for q in over_share(ctx.ws):
        why = diagnose(ctx.ws, q.source, options.get(q.source, {}).get("date_format"))
        out.append(Finding(
            "load.rejected_share", None,
            f"{q.rows_rejected} lignes sur {q.rows_read} rejetées au chargement (plus de {pct}) : les contrôles ne voient "
            f"qu'une partie de la source ; revoir ses réglages dans le manifeste{' — ' + why if why else ''}.",
            f"{q.rows_rejected} of {q.rows_read} rows rejected at load (over {pct}): the checks see only part of the "
            f"source; review its settings in the manifest{' — ' + why if why else ''}.",
            source=q.source, record_key=q.source, clause="RGPD art. 5.1.d (exactitude)",
            finding_key=f"load.rejected_share|{q.source}",
        ))
    return out
