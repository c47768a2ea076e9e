"""The constituent-opinion workflow (社情民意: 收集 → 交办 → 办理 → 反馈 → 评价) as data
(core.workflow), after docs/reference/civic.md §5.2 and §5.5.

    submitted ─┬─ answer (当场答复) ─────────────────────────┐
               ├─ reject (不予受理, with reason and channel) │
               ├─ assign / assign_complex → assigned ── reply ┼→ replied ─┬─ rate ok → closed
               │            ▲        └─ return (退回) → submitted        ├─ rate bad → reopened
               └─ convert (转代表建议) → converted ── relay ──┘         ├─ feedback (反馈, stays)
    reopened behaves like submitted (re-triage, re-assign).                └─ close (未评价办结)

Steps that carry data (assign: the unit; reply/answer: the text and class; convert: the
deputy; rate: the rating) are taken by their services, which validate the data and call
``apply_transition`` in the same transaction; the others are plain buttons.

This module must not import the app's models at import time (models import it for the state
choices); predicates import the permissions when called. The side effects live in effects.py,
below both this table and the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

from renda.accounts.models import User
from renda.core.workflow import Deadline, State, Transition, Workflow, register

from .effects import (
    clear_unit,
    store_decision,
    store_feedback,
    tell_station,
    tell_unit,
    text_constituent,
)
from .rules import rules

if TYPE_CHECKING:
    from .models import Opinion

# --- who may take a step ------------------------------------------------------------------


def station_worker(user: User | None, opinion: Opinion) -> bool:
    """County staff, or the clerk of the opinion's station (None: a system job, e.g. the
    demo loader)."""
    from .permissions import can_work_on_opinion

    return user is None or can_work_on_opinion(user, opinion)


def assigned_officer(user: User | None, opinion: Opinion) -> bool:
    from .permissions import is_officer_of_unit

    return user is None or is_officer_of_unit(user, opinion.unit_id)


def constituent_or_station(user: User | AnonymousUser | None, opinion: Opinion) -> bool:
    """The constituent rates on the tracking page (anonymous; the view checked the tracking
    code), or the station records the rating taken by telephone (回访)."""
    if user is None or not isinstance(user, User):
        return True
    return station_worker(user, opinion)


# --- the workflow -------------------------------------------------------------------------

_rules = rules()
TRIAGE = ("submitted", "reopened")

OPINION = register(
    Workflow(
        code="opinion",
        name="社情民意办理",
        initial="submitted",
        states=(
            State("submitted", "待梳理交办", tone="secondary"),
            State("assigned", "承办单位办理中", tone="primary"),
            State("replied", "已答复待评价", tone="info"),
            State("converted", "已转为代表建议", tone="primary"),
            State("reopened", "不满意重新办理", tone="warning"),
            State("closed", "已办结", terminal=True, tone="success"),
            State("rejected", "不予受理", terminal=True, tone="dark"),
        ),
        transitions=(
            Transition(
                "answer",
                "当场答复",
                sources=TRIAGE,
                target="replied",
                allowed=station_worker,
                note="required",
                note_label="答复内容",
                effects=(text_constituent,),
            ),
            Transition(
                "reject",
                "不予受理",
                sources=TRIAGE,
                target="rejected",
                allowed=station_worker,
                note="required",
                note_label="不予受理理由及应当反映的渠道",
                style="outline-danger",
                effects=(store_decision, text_constituent),
            ),
            Transition(
                "assign",
                "交办",
                sources=TRIAGE,
                target="assigned",
                allowed=station_worker,
                deadline=Deadline(workdays=_rules.reply_workdays),
                effects=(tell_unit,),
            ),
            Transition(
                "assign_complex",
                "交办（复杂事项）",
                sources=TRIAGE,
                target="assigned",
                allowed=station_worker,
                deadline=Deadline(workdays=_rules.reply_workdays_complex),
                effects=(tell_unit,),
            ),
            Transition(
                "return",
                "退回（非本单位职责）",
                sources=("assigned",),
                target="submitted",
                allowed=assigned_officer,
                note="required",
                note_label="退回理由",
                style="outline-danger",
                deadline=Deadline(workdays=_rules.reroute_workdays),
                effects=(clear_unit, tell_station),
            ),
            Transition(
                "reply",
                "答复",
                sources=("assigned",),
                target="replied",
                allowed=assigned_officer,
                note="required",
                note_label="答复内容",
                effects=(tell_station, text_constituent),
            ),
            Transition(
                "convert",
                "转为代表建议",
                sources=TRIAGE,
                target="converted",
                allowed=station_worker,
            ),
            Transition(
                "relay",
                "反馈代表建议办理结果",
                sources=("converted",),
                target="replied",
                allowed=station_worker,
                note="required",
                note_label="代表建议的办理结果",
                effects=(store_feedback, text_constituent),
            ),
            Transition(
                "feedback",
                "向群众反馈",
                sources=("replied",),
                target="replied",
                allowed=station_worker,
                note="required",
                note_label="反馈内容（群众在查询页可见）",
                style="outline-primary",
                effects=(store_feedback, text_constituent),
            ),
            Transition(
                "rate_satisfied",
                "满意",
                sources=("replied",),
                target="closed",
                allowed=constituent_or_station,
                style="success",
            ),
            Transition(
                "rate_basic",
                "基本满意",
                sources=("replied",),
                target="closed",
                allowed=constituent_or_station,
                style="outline-success",
            ),
            Transition(
                "rate_dissatisfied",
                "不满意",
                sources=("replied",),
                target="reopened",
                allowed=constituent_or_station,
                style="outline-danger",
                deadline=Deadline(workdays=_rules.reroute_workdays),
                effects=(tell_station,),
            ),
            Transition(
                "close",
                "办结（群众未评价）",
                sources=("replied",),
                target="closed",
                allowed=station_worker,
                note="required",
                note_label="办结说明",
                style="outline-secondary",
            ),
        ),
    )
)

# Plain buttons on the staff detail page; the other steps have their own forms and services.
BUTTON_TRANSITIONS = frozenset({"reject", "return", "relay", "feedback", "close"})
RATING_TRANSITIONS = {
    "satisfied": "rate_satisfied",
    "basic": "rate_basic",
    "dissatisfied": "rate_dissatisfied",
}
