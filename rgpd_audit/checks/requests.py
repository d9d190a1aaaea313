"""Data-subject requests: answers due within one month of receipt (GDPR Art. 12(3)).

A request counts as open on the audit date when it was received by then and not answered
(or refused) by then, so an audit "as of" a past date gives the answer right on that date.
Past its deadline in force (extended or not) -> error; due within 7 days -> warning. The
deadline is the last day to answer: overdue from the day after (:mod:`rgpd_audit.dates`).
"""

from __future__ import annotations

from ..dates import overdue_sql
from .findings import Query
from .registry import CheckContext, check

WARN_DAYS = 7


@check(
    "requests.overdue",
    title_fr="Demandes de personnes en retard ou à échéance proche",
    title_en="Data-subject requests overdue or due soon",
    theme="requests",
    legal_basis="RGPD art. 12(3)",
    severity="error",
    severities=("error", "warning"),
)
def overdue(ctx: CheckContext) -> Query:
    q = Query()
    as_of, warn = q.bind(ctx.as_of), q.bind(WARN_DAYS)
    open_requests = (
        f"(SELECT *, coalesce(extended_deadline, deadline) AS due, "
        f"date_diff('day', coalesce(extended_deadline, deadline), {as_of}) AS late, "
        f"{overdue_sql('coalesce(extended_deadline, deadline)', as_of)} AS overdue "
        f"FROM dsar_requests WHERE received <= {as_of} AND (answered IS NULL OR answered > {as_of})) r"
    )
    return q.add(
        "requests.overdue",
        severity="CASE WHEN overdue THEN 'error' ELSE 'warning' END",
        source="'dsar_requests'",
        record_key="'DSAR-' || id",
        subject_ref="subject_ref",
        reference_date="received",
        deadline="due",
        days_overdue="CASE WHEN overdue THEN late END",
        clause="'RGPD art. 12(3)'",
        detail_fr=(
            "CASE WHEN overdue"
            " THEN 'Demande n° ' || id || ' (' || type || ') reçue le ' || strftime(received, '%d/%m/%Y') || ' : sans réponse, échéance '"
            " || strftime(due, '%d/%m/%Y') || CASE WHEN extended THEN ' (prolongée)' ELSE '' END || ' dépassée de ' || late || ' jour(s).'"
            " ELSE 'Demande n° ' || id || ' (' || type || ') reçue le ' || strftime(received, '%d/%m/%Y') || ' : réponse due le '"
            " || strftime(due, '%d/%m/%Y') || ', dans ' || (-late) || ' jour(s).' END"
        ),
        detail_en=(
            "CASE WHEN overdue"
            " THEN 'Request #' || id || ' (' || type || ') received ' || strftime(received, '%Y-%m-%d') || ': unanswered, deadline '"
            " || strftime(due, '%Y-%m-%d') || CASE WHEN extended THEN ' (extended)' ELSE '' END || ' passed by ' || late || ' day(s).'"
            " ELSE 'Request #' || id || ' (' || type || ') received ' || strftime(received, '%Y-%m-%d') || ': answer due '"
            " || strftime(due, '%Y-%m-%d') || ', in ' || (-late) || ' day(s).' END"
        ),
        finding_key="'requests.overdue|' || id",
        from_=f"{open_requests} WHERE overdue OR late >= -{warn}",
    )
