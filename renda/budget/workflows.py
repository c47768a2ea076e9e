"""The inquiry (问询函) workflow as data (core.workflow), after the finance-side 问询函 screens
(reference budget.md §1.3): staff draft and issue it with a due date in working days, the
addressed organisation's data-provider officer answers, staff accept (办结) or return it,
and a returned letter is answered again with a new deadline.

Steps that carry more than a note (issuing with a deadline, answering with a finding and
files) go through budget/inquiries.py, which validates and then calls `apply_transition`.
Must not import the app's models at import time (models import this module for choices).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from renda.accounts.models import User
from renda.core.roles import Duty, Role
from renda.core.workflow import State, Transition, Workflow, register

STAFF = frozenset({Role.STAFF})
PROVIDER = frozenset({Role.DATA_PROVIDER})


def is_addressee_officer(user: User | AnonymousUser, obj: Any) -> bool:
    """A data-provider officer of the organisation the letter is addressed to."""
    return user is not None and getattr(user, "organization_id", None) == obj.addressee_id


INQUIRY = register(
    Workflow(
        code="budget_inquiry",
        name="预算问询函",
        initial="draft",
        states=(
            State("draft", "待发出"),
            State("issued", "待答复", tone="primary"),
            State("responded", "已答复", tone="info"),
            State("returned", "已退回重答", tone="warning"),
            State("closed", "已办结", terminal=True, tone="success"),
            State("withdrawn", "已撤回", terminal=True),
        ),
        transitions=(
            Transition(
                "issue",
                "发出",
                sources=("draft",),
                target="issued",
                roles=STAFF,
                duty=Duty.BUDGET,
                note="optional",
            ),
            Transition(
                "respond",
                "答复",
                sources=("issued", "returned"),
                target="responded",
                roles=PROVIDER,
                allowed=is_addressee_officer,
                note="required",
                note_label="答复说明",
            ),
            Transition(
                "accept",
                "办结",
                sources=("responded",),
                target="closed",
                roles=STAFF,
                duty=Duty.BUDGET,
                note="optional",
                note_label="办结意见",
                style="success",
            ),
            Transition(
                "return",
                "退回重答",
                sources=("responded",),
                target="returned",
                roles=STAFF,
                duty=Duty.BUDGET,
                note="required",
                note_label="退回理由",
                style="warning",
            ),
            Transition(
                "withdraw",
                "撤回",
                sources=("draft", "issued"),
                target="withdrawn",
                roles=STAFF,
                duty=Duty.BUDGET,
                note="required",
                note_label="撤回理由",
                style="outline-secondary",
            ),
        ),
    )
)
