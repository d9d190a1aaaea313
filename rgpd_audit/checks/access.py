"""Access: who can reach each system, against the roles the policy authorises.

The staff list (source ``use: staff``) gives each person's role and departure date; the
sources whose tables are a ``member_list`` (who holds an account) or an ``access_log`` (who
touched which activity's documents) say who can reach the data.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ..ingest.loaded import loaded_sources
from ..resources import data_text
from ..spec import load_yaml
from ..sql import quote_ident
from .decisions import note as decision_note
from .findings import Query
from .registry import CheckContext, check


@lru_cache(maxsize=1)
def role_labels() -> dict:
    return load_yaml(data_text("roles.yaml"))


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower().strip()) if not unicodedata.combining(c))


def staff_relation(ctx: CheckContext, q: Query) -> str | None:
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
        case = "NULL::VARCHAR"
        if role_col:
            whens = " ".join(f"WHEN {q.bind(_fold(k))} THEN {q.bind(v)}" for k, v in role_labels()["labels"].items())
            case = f"CASE lower(strip_accents(trim(t.{quote_ident(role_col)}))) {whens} END"
        dep = s.date_roles().get("departure", [])
        dep_expr = f"TRY_CAST(t.{quote_ident(dep[0])} AS DATE)" if dep else "NULL::DATE"
        if dep and dep[0] in s.mapped_date_columns:  # dated by the analyst's decision only: read from its text
            fmts = ", ".join(q.bind(f) for f in s.date_formats)
            dep_expr = f"coalesce({dep_expr}, CAST(try_strptime(CAST(t.{quote_ident(dep[0])} AS VARCHAR), [{fmts}]) AS DATE))"
        label = f"t.{quote_ident(role_col)}" if role_col else "NULL::VARCHAR"
        # the analyst's decisions the staff list is read with (who is who, when they left)
        used = s.decisions_used([email], ("subject_key",)) + s.decisions_used(dep[:1], ("date_role",))
        return (
            f"SELECT lower(trim(t.{quote_ident(email)})) AS email, {case} AS role, {label} AS role_label, {dep_expr} AS departure, "
            f"{q.bind(decision_note(used, 'fr'))} AS note_fr, {q.bind(decision_note(used, 'en'))} AS note_en "
            f"FROM raw.{quote_ident(s.name)} t"
        )
    return None


@check("access.former_staff", title_fr="Anciens salariés ayant encore un accès", title_en="Former staff still holding access",
       theme="access", legal_basis="RGPD art. 5.1.f, art. 32", severity="error")
def former_staff(ctx: CheckContext) -> Query | None:
    q = Query()
    staff = staff_relation(ctx, q)
    if staff is None:
        return None
    as_of = q.bind(ctx.as_of)
    for s in loaded_sources(ctx.ws):
        t = s.capability("member_list")
        if t is None:
            continue
        email, status = f"m.{quote_ident(t.col('email'))}", t.col("status")
        statuses = t.facts.get("active_statuses", ())
        active = f"list_contains({q.bind(list(statuses))}::VARCHAR[], lower(m.{quote_ident(status)}))" if status and statuses else "true"
        source, provider = q.bind(s.name), q.bind(s.provider)
        late = f"datediff('day', st.departure, {as_of})"
        q.add(
            "access.former_staff",
            source=source,
            record_key=f"pseudonym({email})",
            subject_ref=f"pseudonym({email})",
            reference_date="st.departure",
            deadline="st.departure",
            days_overdue=late,
            clause="'RGPD art. 32 ; politique : accès réservé au personnel habilité'",
            detail_fr=f"printf('Compte encore actif (%s) %d jours après le départ de la personne (%s).', {provider}, {late}, strftime(st.departure, '%d/%m/%Y')) || st.note_fr",
            detail_en=f"printf('Account still active (%s) %d days after the person left (%s).', {provider}, {late}, strftime(st.departure, '%Y-%m-%d')) || st.note_en",
            finding_key=f"'access.former_staff|' || {source} || '|' || pseudonym({email})",
            from_=(
                f"raw.{quote_ident(t.name)} m JOIN ({staff}) st ON st.email = lower(trim({email})) "
                f"WHERE {active} AND st.departure IS NOT NULL AND st.departure < {as_of}"
            ),
        )
    return q


@check("access.unauthorised_role", title_fr="Accès par des personnes hors des rôles habilités",
       title_en="Access by people outside the authorised roles", theme="access",
       legal_basis="RGPD art. 5.1.f, art. 25, art. 32", severity="error", uses_date=False)
def unauthorised_role(ctx: CheckContext) -> Query | None:
    q = Query()
    staff = staff_relation(ctx, q)
    if staff is None:
        return None
    roles_case = " ".join(
        f"WHEN {q.bind(a.id)} THEN {q.bind(list(a.access_roles))}::VARCHAR[]" for a in ctx.policy.activities
    )
    for s in loaded_sources(ctx.ws):
        t = s.capability("access_log")
        if t is None:
            continue
        member, time = f"e.{quote_ident(t.col('member'))}", f"e.{quote_ident(t.col('time'))}"
        asset = t.col("asset")
        cond = f"nullif(trim(e.{quote_ident(asset)}), '') IS NOT NULL" if asset else "true"
        source = q.bind(s.name)
        allowed = "array_to_string(any_value(allowed), ', ')"
        q.add(
            "access.unauthorised_role",
            activity="e._activity",
            source=source,
            record_key=f"pseudonym(lower({member}))",
            subject_ref=f"pseudonym(lower({member}))",
            reference_date=f"max(TRY_CAST({time} AS DATE))",
            clause=f"'Politique : accès réservé à ' || {allowed}",
            detail_fr=f"printf('%d accès aux documents de l''activité « %s » par une personne du service « %s », non habilité (rôles autorisés : %s).', count(*), e._activity, coalesce(any_value(st.role_label), 'inconnu'), {allowed}) || coalesce(any_value(st.note_fr), '')",
            detail_en=f"printf('%d accesses to documents of activity \"%s\" by someone from \"%s\", not authorised (allowed roles: %s).', count(*), e._activity, coalesce(any_value(st.role_label), 'unknown'), {allowed}) || coalesce(any_value(st.note_en), '')",
            finding_key=f"'access.unauthorised_role|' || {source} || '|' || e._activity || '|' || pseudonym(lower({member}))",
            from_=(
                f"(SELECT *, CASE _activity {roles_case} END AS allowed FROM raw.{quote_ident(t.name)}) e "
                f"LEFT JOIN ({staff}) st ON st.email = lower(trim({member})) "
                f"WHERE e._activity IS NOT NULL AND {cond} AND (st.role IS NULL OR NOT list_contains(e.allowed, st.role)) "
                f"GROUP BY e._activity, lower({member})"
            ),
        )
    return q
