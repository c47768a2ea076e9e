"""The side effects of the opinion workflow's steps (core.workflow runs them after a step):
telling the handling unit, the station and the constituent, and storing what a step's note
carries. Below both the workflow table (workflows.py names them) and the services (which send
the constituent the first message), so neither imports the other for them. They reach
`notifications` and `sms_constituent` through their modules, so that the demo loader can
silence them while it loads a past year."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core import notifications
from renda.core.roles import Role
from renda.core.workflow import EffectContext

if TYPE_CHECKING:  # the models import the workflow table, which imports this module
    from .models import Opinion


def station_staff(station_id: int | None) -> QuerySet[User]:
    """Who is told about a station's opinion: its clerks, or county staff when it has none."""
    clerks = User.objects.filter(
        station_clerkships__station_id=station_id or 0,
        station_clerkships__is_active=True,
        is_active=True,
    )
    if station_id is not None and clerks.exists():
        return clerks
    return User.objects.filter(role=Role.STAFF, is_active=True).exclude(
        station_clerkships__is_active=True
    )


def sms_constituent(opinion: Opinion, what: str) -> None:
    """Tell the constituent, if they left a mobile number, once the change is committed (a
    rolled-back change sends nothing). The text carries no content, only the code."""
    phone = opinion.contact_phone
    if not phone:
        return
    text = (
        f"【智慧人大】您反映的社情民意（查询码{opinion.formatted_code}）有新进展：{what}。"
        "请凭查询码在人大之家查看。"
    )
    transaction.on_commit(lambda: notifications.sms_backend().send(mobile=phone, text=text))


def tell_unit(ctx: EffectContext) -> None:
    opinion = ctx.obj
    notifications.notify(
        actor=ctx.actor,
        recipients=User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id=opinion.unit_id, is_active=True
        ),
        title=f"社情民意{opinion.number}：{ctx.transition.label}，请按期答复",
        body=ctx.note,
        url=reverse("stations:opinion_detail", args=[opinion.pk]),
    )


def tell_station(ctx: EffectContext) -> None:
    notifications.notify(
        actor=ctx.actor,
        recipients=station_staff(ctx.obj.station_id),
        title=f"社情民意{ctx.obj.number}：{ctx.transition.label}",
        body=ctx.note,
        url=reverse("stations:opinion_detail", args=[ctx.obj.pk]),
    )


def text_constituent(ctx: EffectContext) -> None:
    """SMS to the constituent, if they left a number, after the change is committed."""
    sms_constituent(ctx.obj, ctx.transition.label)


def clear_unit(ctx: EffectContext) -> None:
    ctx.obj.unit = None
    ctx.obj.save(update_fields=["unit", "updated_at"])


def store_feedback(ctx: EffectContext) -> None:
    ctx.obj.feedback = ctx.note
    ctx.obj.fed_back_at = timezone.now()
    ctx.obj.save(update_fields=["feedback", "fed_back_at", "updated_at"])


def store_decision(ctx: EffectContext) -> None:
    ctx.obj.decision_note = ctx.note
    ctx.obj.save(update_fields=["decision_note", "updated_at"])
