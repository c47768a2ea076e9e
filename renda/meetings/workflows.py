"""The meeting workflow as data (core.workflow): 草稿 → 已通知 → 进行中 → 已闭会.

会议通知 (`services.notify_members`) and 闭会 (`services.close_meeting`) are taken through
their services, which do their own work (the notices, the duty records) in the same
transaction; 开会 is a plain button. This module must not import the app's models at import
time (the models import it for the state choices).
"""

from __future__ import annotations

from typing import Any

from renda.core.roles import Role, has_role
from renda.core.workflow import EffectContext, State, Transition, Workflow, register


def staff_or_system(user: Any, obj: Any) -> bool:
    """Staff, or a background job and the demo loader (actor None)."""
    return user is None or has_role(user, Role.STAFF)


def record_attendance(ctx: EffectContext) -> None:
    """闭会 fixes attendance and writes the duty records, in the transition's transaction."""
    from .services.closing import record_attendance as record

    record(actor=ctx.actor, meeting=ctx.obj)


MEETING = register(
    Workflow(
        code="meeting",
        name="会议",
        initial="draft",
        due_field=None,
        states=(
            State("draft", "草稿"),
            State("notified", "已通知", tone="info"),
            State("in_progress", "进行中", tone="primary"),
            State("closed", "已闭会", terminal=True, tone="success"),
        ),
        transitions=(
            Transition(
                "notify",
                "发出会议通知",
                sources=("draft",),
                target="notified",
                allowed=staff_or_system,
            ),
            Transition(
                "open",
                "宣布开会",
                sources=("notified",),
                target="in_progress",
                allowed=staff_or_system,
            ),
            Transition(
                "close",
                "闭会",
                sources=("in_progress",),
                target="closed",
                allowed=staff_or_system,
                style="success",
                effects=(record_attendance,),
            ),
        ),
    )
)
