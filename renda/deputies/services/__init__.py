"""The only code that writes deputies' data: the registry (terms, delegations, deputies,
memberships) and duty records with their score rules."""

from .accounts import create_deputy_account, issue_term_accounts
from .duty import (
    AUTOMATIC_KINDS,
    add_duty_record,
    create_score_rule,
    record_duty,
    revoke_duty,
)
from .registry import (
    EDITABLE_FIELDS,
    add_membership,
    create_constituency,
    create_delegation,
    create_deputies_in_bulk,
    create_deputy,
    create_term,
    end_mandate,
    end_membership,
    update_deputy,
)

__all__ = [
    "AUTOMATIC_KINDS",
    "EDITABLE_FIELDS",
    "add_duty_record",
    "add_membership",
    "create_constituency",
    "create_delegation",
    "create_deputies_in_bulk",
    "create_deputy",
    "create_deputy_account",
    "issue_term_accounts",
    "create_score_rule",
    "create_term",
    "end_mandate",
    "end_membership",
    "record_duty",
    "revoke_duty",
    "update_deputy",
]
