"""Data-subject requests: answers due within one month of receipt (GDPR Art. 12(3)).

A request counts as open on the audit date when it was received by then and not answered
(or refused) by then, so an audit "as of" a past date gives the answer right on that date.
Past its deadline in force (extended or not) -> error; due within 7 days -> warning.
"""

from __future__ import annotations

from ..sql import quote_literal
from .registry import CheckContext, check

WARN_DAYS = 7


@check(
    "requests.overdue",
    title_fr="Demandes de personnes en retard ou à échéance proche",
    title_en="Data-subject requests overdue or due soon",
    theme="requests",
    legal_basis="RGPD art. 12(3)",
)
def overdue(ctx: CheckContext) -> str:
    as_of = f"DATE {quote_literal(ctx.as_of.isoformat())}"
    return f"""
    WITH open_requests AS (
        SELECT *, coalesce(extended_deadline, deadline) AS due, date_diff('day', coalesce(extended_deadline, deadline), {as_of}) AS late
        FROM dsar_requests
        WHERE received <= {as_of} AND (answered IS NULL OR answered > {as_of})
    )
    SELECT
        'requests.overdue' AS check_id,
        CASE WHEN late > 0 THEN 'error' ELSE 'warning' END AS severity,
        NULL AS activity,
        'dsar_requests' AS source,
        'DSAR-' || id AS record_key,
        subject_ref,
        received AS reference_date,
        due AS deadline,
        CASE WHEN late > 0 THEN late END::INTEGER AS days_overdue,
        'RGPD art. 12(3)' AS clause,
        CASE WHEN late > 0
            THEN 'Demande n° ' || id || ' (' || type || ') reçue le ' || strftime(received, '%d/%m/%Y') || ' : sans réponse, échéance '
                 || strftime(due, '%d/%m/%Y') || CASE WHEN extended THEN ' (prolongée)' ELSE '' END || ' dépassée de ' || late || ' jour(s).'
            ELSE 'Demande n° ' || id || ' (' || type || ') reçue le ' || strftime(received, '%d/%m/%Y') || ' : réponse due le '
                 || strftime(due, '%d/%m/%Y') || ', dans ' || (-late) || ' jour(s).'
        END AS detail_fr,
        CASE WHEN late > 0
            THEN 'Request #' || id || ' (' || type || ') received ' || strftime(received, '%Y-%m-%d') || ': unanswered, deadline '
                 || strftime(due, '%Y-%m-%d') || CASE WHEN extended THEN ' (extended)' ELSE '' END || ' passed by ' || late || ' day(s).'
            ELSE 'Request #' || id || ' (' || type || ') received ' || strftime(received, '%Y-%m-%d') || ': answer due '
                 || strftime(due, '%Y-%m-%d') || ', in ' || (-late) || ' day(s).'
        END AS detail_en,
        'requests.overdue|' || id AS finding_key
    FROM open_requests
    WHERE late > 0 OR late >= -{WARN_DAYS}
    ORDER BY id
    """
