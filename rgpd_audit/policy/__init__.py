"""The privacy policy as code: what the company promises, as validated YAML.

>>> from rgpd_audit.policy import load_policy
>>> policy = load_policy()               # the bundled INTER INTERIM policy
>>> policy.activity("candidates").retention[0].duration.years
2

The YAML schema is documented in ``docs/policy.md``.
"""

from ..vocab import Category, categories
from .model import (
    EVENTS,
    LEGAL_BASES,
    RECORD_KINDS,
    RIGHTS,
    ROLES,
    Activity,
    Clause,
    Contact,
    ControllerRole,
    Duration,
    DurationSource,
    EnrichmentSource,
    Event,
    GrantedRight,
    Hosting,
    HostingKind,
    Label,
    LegalBase,
    LegalBasisKind,
    Organisation,
    Policy,
    Recipient,
    RecipientKind,
    RecordKind,
    RetentionRule,
    Right,
    Rights,
    Role,
    Source,
    SupervisoryAuthority,
    Title,
    TransferMechanism,
    UnknownPolicyItem,
    load_policy,
)
from .summary import describe_rule, render_summary

__all__ = [
    "EVENTS", "LEGAL_BASES", "RECORD_KINDS", "RIGHTS", "ROLES",
    "Activity", "Category", "Clause", "Contact", "ControllerRole", "Duration", "DurationSource",
    "EnrichmentSource", "Event", "GrantedRight", "Hosting", "HostingKind", "Label", "LegalBase",
    "LegalBasisKind", "Organisation", "Policy", "Recipient", "RecipientKind", "RecordKind",
    "RetentionRule", "Right", "Rights", "Role", "Source", "SupervisoryAuthority", "Title",
    "TransferMechanism", "UnknownPolicyItem",
    "categories", "load_policy", "describe_rule", "render_summary",
]
