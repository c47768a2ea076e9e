"""The staff side of an opinion's workflow (交办 → 办理 → 反馈): assigning it to a handling
unit, the unit's reply or the station's answer on the spot, conversion into a deputy's
suggestion, and the plain steps. Each step calls ``core.workflow.apply_transition`` in the
service's transaction, so every change leaves its event row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core.models import Organization
from renda.core.workflow import apply_transition
from renda.lib.richtext import strip_markup

from ..models import Opinion
from ..permissions import can_work_on_opinion, is_officer_of_unit
from ..workflows import BUTTON_TRANSITIONS, TRIAGE


def require_opinion_worker(actor: User | None, opinion: Opinion) -> None:
    if actor is not None and not can_work_on_opinion(actor, opinion):
        raise PermissionDenied("您无权处理该意见。")


def locked_opinion(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().get(pk=opinion.pk)


def refreshed(opinion: Opinion, locked: Opinion) -> Opinion:
    """Bring the caller's instance up to date (side effects of a step may have written
    fields on their own copy of the row)."""
    fresh = Opinion.objects.get(pk=locked.pk)
    for f in Opinion._meta.concrete_fields:
        setattr(opinion, f.attname, getattr(fresh, f.attname))
    return opinion


@transaction.atomic
def assign_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    unit: Organization,
    is_complex: bool = False,
    note: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """交办 to a handling unit: it must reply within 5 working days (10 if complex)."""
    require_opinion_worker(actor, opinion)
    if not unit.is_handling_unit or not unit.is_active:
        raise ValidationError({"unit": f"{unit.name} 不是在用的承办单位"})
    locked = locked_opinion(opinion)
    if locked.state not in TRIAGE:
        raise ValidationError(f"当前状态为“{locked.get_state_display()}”，不能交办")
    locked.unit = unit
    locked.is_complex = is_complex
    locked.assigned_at = timezone.now()
    locked.save(update_fields=["unit", "is_complex", "assigned_at", "updated_at"])
    apply_transition(
        actor=actor,
        obj=locked,
        transition="assign_complex" if is_complex else "assign",
        note=note or f"交办{unit.name}",
        expected_state=expected_state,
    )
    return refreshed(opinion, locked)


def _answer(
    actor: User | None,
    opinion: Opinion,
    transition: str,
    reply: str,
    reply_class: str,
    expected_state: str | None,
) -> Opinion:
    if reply_class not in Opinion.ReplyClass.values:
        raise ValidationError({"reply_class": "请选择答复类别"})
    reply = strip_markup(reply or "").strip()
    if len(reply) < 5:
        raise ValidationError({"reply": "请填写答复内容（至少5个字）"})
    locked = locked_opinion(opinion)
    apply_transition(
        actor=actor, obj=locked, transition=transition, note=reply, expected_state=expected_state
    )
    locked.reply = reply
    locked.reply_class = reply_class
    locked.replied_at = timezone.now()
    locked.save(update_fields=["reply", "reply_class", "replied_at", "updated_at"])
    return refreshed(opinion, locked)


@transaction.atomic
def reply_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    reply: str,
    reply_class: str,
    expected_state: str | None = None,
) -> Opinion:
    """答复 by the handling unit; the constituent sees it on the tracking page at once and is
    told by SMS, and can rate it."""
    if actor is not None and not is_officer_of_unit(actor, opinion.unit_id):
        raise PermissionDenied("只有承办单位可以答复。")
    return _answer(actor, opinion, "reply", reply, reply_class, expected_state)


@transaction.atomic
def answer_opinion(
    *,
    actor: User | None,
    opinion: Opinion,
    reply: str,
    reply_class: str,
    expected_state: str | None = None,
) -> Opinion:
    """当场答复 by the station (deputy or clerk answered the constituent on the spot)."""
    require_opinion_worker(actor, opinion)
    return _answer(actor, opinion, "answer", reply, reply_class, expected_state)


@transaction.atomic
def take_step(
    *,
    actor: User | None,
    opinion: Opinion,
    transition: str,
    note: str = "",
    expected_state: str | None,
) -> Opinion:
    """A plain step (reject, return, relay, feedback, close): only a note."""
    if transition not in BUTTON_TRANSITIONS:
        raise ValidationError("该操作须通过对应的表单办理")
    locked = locked_opinion(opinion)
    apply_transition(
        actor=actor, obj=locked, transition=transition, note=note, expected_state=expected_state
    )
    return refreshed(opinion, locked)
