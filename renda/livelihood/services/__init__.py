"""The only code that writes livelihood's data."""

from .candidates import (
    add_candidate,
    confirm_candidate_list,
    create_candidate_list,
    create_project,
    remove_candidate,
    set_seats,
)
from .casting import Receipt, cast_ballot
from .collection import (
    carry_reserved,
    close_call,
    convert_opinion,
    convert_suggestion,
    create_call,
    merge_proposals,
    propose_as_deputy,
    publish_call,
    register_proposal,
    submit_public_proposal,
)
from .counting import count_round
from .paper import enter_paper_counts
from .screening import (
    accept_proposal,
    build_candidate_list,
    reject_proposal,
    reserve_not_chosen,
    reserve_proposal,
    review_proposal,
)
from .votes import close_round, create_vote, open_round, set_rules

__all__ = [
    "Receipt",
    "accept_proposal",
    "add_candidate",
    "build_candidate_list",
    "carry_reserved",
    "cast_ballot",
    "close_call",
    "close_round",
    "confirm_candidate_list",
    "convert_opinion",
    "convert_suggestion",
    "count_round",
    "create_call",
    "create_candidate_list",
    "create_project",
    "create_vote",
    "enter_paper_counts",
    "merge_proposals",
    "open_round",
    "propose_as_deputy",
    "publish_call",
    "register_proposal",
    "reject_proposal",
    "remove_candidate",
    "reserve_not_chosen",
    "reserve_proposal",
    "review_proposal",
    "set_rules",
    "set_seats",
    "submit_public_proposal",
]
