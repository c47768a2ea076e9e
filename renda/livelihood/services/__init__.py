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
from .counting import count_round
from .paper import enter_paper_counts
from .votes import close_round, create_vote, open_round, set_rules

__all__ = [
    "Receipt",
    "add_candidate",
    "cast_ballot",
    "close_round",
    "confirm_candidate_list",
    "count_round",
    "create_candidate_list",
    "create_project",
    "create_vote",
    "enter_paper_counts",
    "open_round",
    "remove_candidate",
    "set_rules",
    "set_seats",
]
