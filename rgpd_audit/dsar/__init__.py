"""Data-subject requests (GDPR Art. 12-22): find a person, answer, plan erasure, keep the register.

>>> from rgpd_audit.dsar import PersonQuery, find_person
>>> q = PersonQuery.make(email="aissa.ndiaye@example.fr", phone="06 12 34 56 78")
>>> found = find_person(ws, q)          # every record, with the reason of each match
>>> found.to_frame()                    # the analyst's table (never log it)

Modules, one job each: ``query`` (normalising identifiers), ``columns`` (which columns
identify a person), ``match`` (the SQL search), ``cover`` (what Art. 15 asks to tell, from the
policy), ``export`` (access package, portability file), ``erase`` (erasure plan, field by
field), ``keep`` (what the law keeps of a record: holds, suppression lists), ``claims`` (legal
claims in progress the analyst declares), ``plan_files`` (the plan's pages and JSON),
``requests`` (the request log and Art. 12(3) deadlines). Identifiers never reach logs:
only the workspace pseudonym does.
"""

from ..ingest.loaded import loaded_sources
from .claims import Claim, load_claims
from .erase import ErasePlan, PlanItem, erase_plan, write_plan
from .export import AccessPackage, export_access, portable_sources
from .match import FindResult, Match, find_person
from .query import DsarError, PersonQuery, normalise_email, normalise_phone
from .requests import (
    REQUEST_TYPES,
    Request,
    close_request,
    extend_request,
    extended_deadline,
    get_request,
    list_requests,
    register_request,
    requests_frame,
    response_deadline,
)

__all__ = [
    "AccessPackage", "Claim", "DsarError", "ErasePlan", "FindResult", "Match", "PersonQuery", "PlanItem", "REQUEST_TYPES",
    "Request", "close_request", "erase_plan", "export_access", "extend_request", "extended_deadline", "find_person",
    "get_request", "list_requests", "load_claims", "loaded_sources", "normalise_email", "normalise_phone", "portable_sources",
    "register_request", "requests_frame", "response_deadline", "write_plan",
]
