"""Station services: the only code that writes stations, clerks, the checklist and plans,
rosters and duties, receptions and constituent opinions (docs/architecture.md §4.1), by area.

Each service takes an explicit ``actor`` (None for a background job or the public), runs in
one transaction, validates, writes and records an audit event. Workflow steps go through
``core.workflow.apply_transition`` so that every change of an opinion leaves its event row.
"""

from .intake import (
    CODE_ALPHABET,
    assignment_due,
    issue_rating_code,
    new_form_token,
    new_tracking_code,
    normalise_code,
    rating_code_matches,
    submit_opinion,
)
from .opinions import answer_opinion, assign_opinion, reply_opinion, take_step
from .ratings import rate_opinion
from .receptions import record_reception
from .registry import (
    STATION_FIELDS,
    add_photo,
    assign_clerk,
    assign_deputy,
    create_station,
    remove_clerk,
    remove_deputy,
    save_annual_plan,
    update_checklist_item,
    update_station,
)
from .reminders import remind_overdue_opinions
from .rosters import (
    cancel_slot,
    check_in,
    check_out,
    confirm_attendance,
    create_slot,
    fixed_reception_days,
    plan_rotation,
    publish_slot,
)
from .suggestions import convert_opinion, draft_suggestion, link_suggestion, suggestion_of

__all__ = [
    "CODE_ALPHABET",
    "STATION_FIELDS",
    "add_photo",
    "answer_opinion",
    "assign_clerk",
    "assign_deputy",
    "assign_opinion",
    "assignment_due",
    "cancel_slot",
    "check_in",
    "check_out",
    "confirm_attendance",
    "convert_opinion",
    "create_slot",
    "create_station",
    "draft_suggestion",
    "fixed_reception_days",
    "link_suggestion",
    "new_form_token",
    "new_tracking_code",
    "issue_rating_code",
    "rating_code_matches",
    "normalise_code",
    "plan_rotation",
    "publish_slot",
    "rate_opinion",
    "record_reception",
    "remind_overdue_opinions",
    "remove_clerk",
    "remove_deputy",
    "reply_opinion",
    "save_annual_plan",
    "submit_opinion",
    "suggestion_of",
    "take_step",
    "update_checklist_item",
    "update_station",
]
