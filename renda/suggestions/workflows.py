"""The suggestion (建议) and motion (议案) workflows as data (core.workflow).

Who may take a step is a role or a predicate on the object (the lead deputy, an officer of the
lead unit…); the deadlines come from `rules.RULES`. Steps that carry more than a note (交办
with units, 答复 with a class, 评价 with a rating) are taken through their services, which
validate the extra data and then call `apply_transition` in the same transaction; the other
steps are plain buttons (`BUTTON_TRANSITIONS`).

This module must not import the app's models at import time (models import it for the state
choices), so predicates import what they need when called.
"""

from __future__ import annotations

from typing import Any

from renda.core.roles import Duty, Role
from renda.core.workflow import Deadline, EffectContext, State, Transition, Workflow, register

from .rules import RULES

STAFF = frozenset({Role.STAFF})
DEPUTY = frozenset({Role.DEPUTY})
OFFICER = frozenset({Role.HANDLING_OFFICER})


def is_lead_deputy(user: Any, obj: Any) -> bool:
    deputy_id = getattr(getattr(user, "deputy", None), "pk", None)
    return deputy_id is not None and obj.lead_deputy_id == deputy_id


def submitter(user: Any, obj: Any) -> bool:
    """The lead deputy submits online; staff submit a paper item they registered for him, or
    a motion the presidium converted into a suggestion."""
    if getattr(user, "role", None) == Role.STAFF:
        return obj.source in ("paper", "motion")
    return obj.source == "online" and is_lead_deputy(user, obj)


# --- side effects of the plain buttons (the services notify for their own steps) -------------


def tell_deputies(ctx: EffectContext) -> None:
    from renda.core.notifications import notify

    users = [
        s.deputy.user
        for s in ctx.obj.signatures.filter(confirmed_at__isnull=False).select_related(
            "deputy__user"
        )
        if s.deputy.user_id
    ]
    notify(
        actor=ctx.actor,
        recipients=users,
        title=f"“{ctx.obj.title[:30]}”：{ctx.transition.label}",
        body=ctx.note,
        url=_detail_url(ctx.obj),
    )


def tell_units(ctx: EffectContext) -> None:
    from renda.accounts.models import User
    from renda.core.notifications import notify

    units = ctx.obj.assignments.filter(active=True).values_list("unit_id", flat=True)
    notify(
        actor=ctx.actor,
        recipients=User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id__in=list(units), is_active=True
        ),
        title=f"{ctx.obj.code}：{ctx.transition.label}",
        body=ctx.note,
        url=_detail_url(ctx.obj),
    )


def tell_staff(ctx: EffectContext) -> None:
    from renda.accounts.models import User
    from renda.core.notifications import notify

    notify(
        actor=ctx.actor,
        recipients=User.objects.filter(role=Role.STAFF, is_active=True),
        title=f"{ctx.obj.code}：{ctx.transition.label}，请审核",
        body=ctx.note,
        url=_detail_url(ctx.obj),
    )


def revoke_points(ctx: EffectContext) -> None:
    """An item that no longer stands (withdrawn, merged into another, not accepted) earns no
    duty points: its records get reversals (deputies' `revoke_duty`, append-only)."""
    from renda.deputies.services import revoke_duty

    revoke_duty(actor=ctx.actor, source=ctx.obj, reason=ctx.transition.label)


def _detail_url(obj: Any) -> str:
    from django.urls import reverse

    name = (
        "suggestions:detail" if obj.workflow_code == "suggestion" else "suggestions:motion_detail"
    )
    return reverse(name, args=[obj.pk])


def _answering_unit(user: Any, obj: Any) -> bool:
    """An officer of the lead unit (主办), or of a split unit (分办), with an active assignment."""
    org = getattr(user, "organization_id", None)
    if org is None:
        return False
    return bool(
        obj.assignments.filter(active=True, unit_id=org, role__in=("lead", "split")).exists()
    )


def may_return(user: Any, obj: Any) -> bool:
    """Lead or split unit, inside the return window (co units return their part through
    `services.return_assignment` without moving the item)."""
    from django.utils import timezone

    org = getattr(user, "organization_id", None)
    if org is None:
        return False
    return bool(
        obj.assignments.filter(
            active=True,
            unit_id=org,
            role__in=("lead", "split"),
            return_until__gte=timezone.now(),
        ).exists()
    )


def is_lead_unit(user: Any, obj: Any) -> bool:
    org = getattr(user, "organization_id", None)
    return org is not None and bool(
        obj.assignments.filter(active=True, unit_id=org, role__in=("lead", "split")).exists()
    )


def staff_or_lead_deputy(user: Any, obj: Any) -> bool:
    return getattr(user, "role", None) == Role.STAFF or is_lead_deputy(user, obj)


SUGGESTION = register(
    Workflow(
        code="suggestion",
        name="代表建议办理",
        initial="draft",
        states=(
            State("draft", "草稿"),
            State("submitted", "待登记", tone="info"),
            State("registered", "待交办", tone="info"),
            State("assigned", "办理中", tone="primary"),
            State("extension_requested", "申请延期", tone="warning"),
            State("returned", "退回待重新交办", tone="warning"),
            State("replied", "已答复待评价", tone="primary"),
            State("rehandling", "重新办理", tone="danger"),
            State("tracking", "跟踪办理", tone="info"),
            State("closed", "已办结", terminal=True, tone="success"),
            State("merged", "已并案", terminal=True),
            State("withdrawn", "已撤回", terminal=True),
            State("not_accepted", "不予立案", terminal=True),
        ),
        transitions=(
            Transition(
                "submit",
                "提交",
                sources=("draft",),
                target="submitted",
                roles=DEPUTY | STAFF,
                duty=Duty.SUGGESTIONS,
                allowed=submitter,
                note="none",
                deadline=Deadline(workdays=RULES.assign_workdays),
            ),
            Transition(
                "withdraw",
                "撤回",
                sources=("submitted", "registered"),
                target="withdrawn",
                roles=DEPUTY,
                allowed=is_lead_deputy,
                note="required",
                note_label="撤回理由",
                style="outline-danger",
                effects=(revoke_points,),
            ),
            Transition(
                "register",
                "登记编号",
                sources=("submitted",),
                target="registered",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="none",
            ),
            Transition(
                "reject",
                "不予立案",
                sources=("submitted", "registered"),
                target="not_accepted",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="required",
                note_label="不予立案的理由（将告知代表）",
                style="outline-danger",
                effects=(tell_deputies, revoke_points),
            ),
            Transition(
                "merge",
                "并案",
                sources=("submitted", "registered"),
                target="merged",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="optional",
                effects=(revoke_points,),
            ),
            Transition(
                "assign",
                "交办",
                sources=("registered", "returned"),
                target="assigned",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                deadline=Deadline(months=RULES.reply_months),
                note="optional",
                note_label="交办说明",
            ),
            Transition(
                "return",
                "退回",
                sources=("assigned",),
                target="returned",
                roles=OFFICER,
                allowed=may_return,
                note="required",
                note_label="退回理由（非本单位职责的依据）",
                deadline=Deadline(workdays=RULES.assign_workdays),
                style="outline-warning",
            ),
            Transition(
                "request_extension",
                "申请延期",
                sources=("assigned",),
                target="extension_requested",
                roles=OFFICER,
                allowed=is_lead_unit,
                note="required",
                note_label="延期理由（代表可见）",
                style="outline-warning",
                effects=(tell_staff,),
            ),
            Transition(
                "approve_extension",
                "批准延期",
                sources=("extension_requested",),
                target="assigned",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="optional",
                deadline=Deadline(months=RULES.max_months, since=lambda s: s.assigned_at),
                style="success",
                effects=(tell_units, tell_deputies),
            ),
            Transition(
                "reject_extension",
                "不批准延期",
                sources=("extension_requested",),
                target="assigned",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="required",
                note_label="不批准的理由",
                style="outline-danger",
                effects=(tell_units,),
            ),
            Transition(
                "reply",
                "答复",
                sources=("assigned", "extension_requested", "rehandling", "tracking"),
                target="replied",
                roles=OFFICER,
                allowed=is_lead_unit,
                note="none",
                deadline=Deadline(workdays=RULES.rating_workdays),
            ),
            Transition(
                "rate_close",
                "评价并办结",
                sources=("replied",),
                target="closed",
                roles=DEPUTY | STAFF,
                duty=Duty.SUGGESTIONS,
                allowed=staff_or_lead_deputy,
                note="optional",
            ),
            Transition(
                "rate_track",
                "评价（继续跟踪办理）",
                sources=("replied",),
                target="tracking",
                roles=DEPUTY | STAFF,
                duty=Duty.SUGGESTIONS,
                allowed=staff_or_lead_deputy,
                note="optional",
                deadline=Deadline(months=RULES.track_months),
            ),
            Transition(
                "rate_dissatisfied",
                "不满意，要求重新办理",
                sources=("replied",),
                target="rehandling",
                roles=DEPUTY | STAFF,
                duty=Duty.SUGGESTIONS,
                allowed=staff_or_lead_deputy,
                note="optional",
                deadline=Deadline(months=RULES.rehandle_months),
            ),
            Transition(
                "close",
                "办结",
                sources=("replied", "tracking"),
                target="closed",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="required",
                note_label="办结说明（如代表逾期未评价）",
                style="outline-success",
                effects=(tell_deputies,),
            ),
        ),
    )
)

# Plain buttons on the detail page; the other steps have their own forms.
BUTTON_TRANSITIONS = frozenset(
    {"withdraw", "reject", "request_extension", "approve_extension", "reject_extension", "close"}
)
# States in which a unit is working on the item (overdue = a unit is late).
HANDLING_STATES = ("assigned", "extension_requested", "rehandling", "tracking")
# States after a reply exists: the item may be published.
ANSWERED_STATES = ("replied", "rehandling", "tracking", "closed")
OPEN_STATES = (
    "submitted",
    "registered",
    "assigned",
    "extension_requested",
    "returned",
    "replied",
    "rehandling",
    "tracking",
)

MOTION = register(
    Workflow(
        code="motion",
        name="代表议案",
        initial="draft",
        states=(
            State("draft", "草稿"),
            State("submitted", "待主席团决定", tone="info"),
            State("referred", "交专门委员会审议", tone="primary"),
            State("on_agenda", "列入会议议程", terminal=True, tone="success"),
            State("converted", "转为建议办理", terminal=True, tone="info"),
            State("refused", "不列入议程", terminal=True),
            State("withdrawn", "已撤回", terminal=True),
        ),
        transitions=(
            Transition(
                "submit",
                "提交议案",
                sources=("draft",),
                target="submitted",
                roles=DEPUTY,
                allowed=is_lead_deputy,
                note="none",
            ),
            Transition(
                "withdraw",
                "撤回",
                sources=("submitted",),
                target="withdrawn",
                roles=DEPUTY,
                allowed=is_lead_deputy,
                note="required",
                note_label="撤回理由",
                style="outline-danger",
                effects=(revoke_points,),
            ),
            Transition(
                "place_on_agenda",
                "列入会议议程",
                sources=("submitted", "referred"),
                target="on_agenda",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="optional",
                note_label="主席团决定",
                style="success",
            ),
            Transition(
                "refer",
                "交专门委员会审议",
                sources=("submitted",),
                target="referred",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="optional",
                note_label="主席团决定",
            ),
            Transition(
                "convert",
                "转为建议",
                sources=("submitted", "referred"),
                target="converted",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="optional",
                note_label="主席团决定",
            ),
            Transition(
                "refuse",
                "不列入议程",
                sources=("submitted", "referred"),
                target="refused",
                roles=STAFF,
                duty=Duty.SUGGESTIONS,
                note="required",
                note_label="理由（将告知代表）",
                style="outline-danger",
            ),
        ),
    )
)
MOTION_BUTTONS = frozenset({"withdraw"})
