"""Access: who can reach each system, against the roles the policy authorises.

The staff list (source ``use: staff``) gives each person's role and departure date; the
sources whose tables are a ``member_list`` (who holds an account) or an ``access_log`` (who
touched which activity's documents) say who can reach the data.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from ..spec import load_yaml

from ..sql import quote_ident, quote_literal
from .registry import CheckContext, check
from ..ingest.loaded import LoadedSource, Table, loaded_sources


@lru_cache(maxsize=1)
def role_labels() -> dict:
    return load_yaml(resources.files("rgpd_audit.data").joinpath("roles.yaml").read_text(encoding="utf-8"))


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower().strip()) if not unicodedata.combining(c))


def staff_relation(ctx: CheckContext) -> str | None:
    """SQL: email (lower), role (policy role or NULL), departure (DATE) per staff member."""
    for s in loaded_sources(ctx.ws):
        if s.use != "staff" or not s.main_table:
            continue
        cols = s.columns.get(s.name, [])
        email = (s.subject_columns().get("email") or [None])[0]
        if email is None:
            continue
        folded = {_fold(c): c for c in cols}
        role_col = next((folded[_fold(c)] for c in role_labels()["role_columns"] if _fold(c) in folded), None)
        mapping = role_labels()["labels"]
        case = "NULL::VARCHAR"
        if role_col:
            whens = " ".join(
                f"WHEN {quote_literal(_fold(k))} THEN {quote_literal(v)}" for k, v in mapping.items()
            )
            case = f"CASE lower(strip_accents(trim(t.{quote_ident(role_col)}))) {whens} END"
        dep = s.date_roles().get("departure", [])
        dep_expr = f"TRY_CAST(t.{quote_ident(dep[0])} AS DATE)" if dep else "NULL::DATE"
        label = f"t.{quote_ident(role_col)}" if role_col else "NULL::VARCHAR"
        return (
            f"SELECT lower(trim(t.{quote_ident(email)})) AS email, {case} AS role, {label} AS role_label, {dep_expr} AS departure "
            f"FROM raw.{quote_ident(s.name)} t"
        )
    return None


def _member_tables(ctx: CheckContext) -> list[tuple[LoadedSource, Table]]:
    return [(s, t) for s in loaded_sources(ctx.ws) if (t := s.capability("member_list"))]


@check("access.former_staff", title_fr="Anciens salariés ayant encore un accès", title_en="Former staff still holding access",
       theme="access", legal_basis="RGPD art. 5.1.f, art. 32")
def former_staff(ctx: CheckContext) -> str | None:
    staff = staff_relation(ctx)
    if staff is None:
        return None
    as_of = f"DATE {quote_literal(ctx.as_of.isoformat())}"
    parts = []
    for s, t in _member_tables(ctx):
        email, status = t.col("email"), t.col("status")
        statuses = ", ".join(quote_literal(v) for v in t.facts.get("active_statuses", ()))
        active = f"lower(m.{quote_ident(status)}) IN ({statuses})" if status and statuses else "true"
        parts.append(
            f"SELECT 'access.former_staff' AS check_id, 'error' AS severity, NULL::VARCHAR AS activity, {quote_literal(s.name)} AS source, "
            f"pseudonym(m.{quote_ident(email)}) AS record_key, pseudonym(m.{quote_ident(email)}) AS subject_ref, st.departure AS reference_date, "
            f"st.departure AS deadline, datediff('day', st.departure, {as_of}) AS days_overdue, 'RGPD art. 32 ; politique : accès réservé au personnel habilité' AS clause, "
            f"printf('Compte encore actif (%s) %d jours après le départ de la personne (%s).', {quote_literal(s.provider)}, datediff('day', st.departure, {as_of}), strftime(st.departure, '%d/%m/%Y')) AS detail_fr, "
            f"printf('Account still active (%s) %d days after the person left (%s).', {quote_literal(s.provider)}, datediff('day', st.departure, {as_of}), strftime(st.departure, '%Y-%m-%d')) AS detail_en, "
            f"'access.former_staff|' || {quote_literal(s.name)} || '|' || pseudonym(m.{quote_ident(email)}) AS finding_key "
            f"FROM raw.{quote_ident(t.name)} m JOIN ({staff}) st ON st.email = lower(trim(m.{quote_ident(email)})) "
            f"WHERE {active} AND st.departure IS NOT NULL AND st.departure < {as_of}"
        )
    return " UNION ALL ".join(parts) if parts else None


@check("access.unauthorised_role", title_fr="Accès par des personnes hors des rôles habilités",
       title_en="Access by people outside the authorised roles", theme="access", legal_basis="RGPD art. 5.1.f, art. 25, art. 32")
def unauthorised_role(ctx: CheckContext) -> str | None:
    staff = staff_relation(ctx)
    if staff is None:
        return None
    allowed = {a.id: list(a.access_roles) for a in ctx.policy.activities}
    roles_case = " ".join(
        f"WHEN {quote_literal(a)} THEN {('[' + ', '.join(quote_literal(r) for r in rs) + ']::VARCHAR[]')}" for a, rs in allowed.items()
    )
    parts = []
    for s in loaded_sources(ctx.ws):
        t = s.capability("access_log")
        if t is None:
            continue
        member, time, asset = (quote_ident(c) if c else None for c in (t.col("member"), t.col("time"), t.col("asset")))
        cond = f"nullif(trim(e.{asset}), '') IS NOT NULL" if asset else "true"
        parts.append(
            f"SELECT 'access.unauthorised_role' AS check_id, 'error' AS severity, e._activity AS activity, {quote_literal(s.name)} AS source, "
            f"pseudonym(lower(e.{member})) AS record_key, pseudonym(lower(e.{member})) AS subject_ref, max(TRY_CAST(e.{time} AS DATE)) AS reference_date, "
            f"NULL::DATE AS deadline, NULL::INTEGER AS days_overdue, 'Politique : accès réservé à ' || array_to_string(any_value(allowed), ', ') AS clause, "
            f"printf('%d accès aux documents de l''activité « %s » par une personne du service « %s », non habilité (rôles autorisés : %s).', count(*), e._activity, coalesce(any_value(st.role_label), 'inconnu'), array_to_string(any_value(allowed), ', ')) AS detail_fr, "
            f"printf('%d accesses to documents of activity \"%s\" by someone from \"%s\", not authorised (allowed roles: %s).', count(*), e._activity, coalesce(any_value(st.role_label), 'unknown'), array_to_string(any_value(allowed), ', ')) AS detail_en, "
            f"'access.unauthorised_role|' || {quote_literal(s.name)} || '|' || e._activity || '|' || pseudonym(lower(e.{member})) AS finding_key "
            f"FROM (SELECT *, CASE _activity {roles_case} END AS allowed FROM raw.{quote_ident(t.name)}) e "
            f"LEFT JOIN ({staff}) st ON st.email = lower(trim(e.{member})) "
            f"WHERE e._activity IS NOT NULL AND {cond} AND (st.role IS NULL OR NOT list_contains(e.allowed, st.role)) "
            f"GROUP BY e._activity, lower(e.{member})"
        )
    return " UNION ALL ".join(parts) if parts else None
