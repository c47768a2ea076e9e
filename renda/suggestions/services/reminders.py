"""The nightly deadline job: reminders before a due date, overdue flags and escalation.

- A unit whose answer is due within `remind_workdays` working days is reminded once a day.
- An overdue item is escalated once: it becomes key-supervised (重点督办), and the special
  committee responsible for its field, the staff and the unit are told.
- A co-handling unit whose opinion is overdue is reminded, as is its lead unit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core import calendar as workcal
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import overdue_q

from ..models import Assignment, Suggestion
from ..rules import RULES
from ..workflows import HANDLING_STATES, SUGGESTION


def _officers(unit_ids: list[int]) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id__in=unit_ids, is_active=True
        )
    )


def _remind_due_soon(handling: QuerySet[Suggestion], now: dt.datetime, today: dt.date) -> int:
    """Units whose answer is due within `remind_workdays` working days, once a day."""
    horizon = workcal.due_at(now, workdays=RULES.remind_workdays)
    soon = handling.filter(due_at__gte=now, due_at__lte=horizon).filter(
        Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    )
    count = 0
    for item in soon.prefetch_related("assignments"):
        units = [a.unit_id for a in item.assignments.all() if a.active and a.role != "co"]
        notify(
            actor=None,
            recipients=_officers(units),
            title=f"办理提醒：{item.code} 将于 {timezone.localtime(item.due_at):%Y-%m-%d} 到期",
            body=item.title,
            url=reverse("suggestions:detail", args=[item.pk]),
            sms=True,
        )
        count += 1
    soon.update(reminded_on=today)
    return count


def _escalate_overdue(handling: QuerySet[Suggestion], now: dt.datetime) -> int:
    """Overdue items become key-supervised, once; their units, committee and staff are told."""
    staff = list(User.objects.filter(role=Role.STAFF, is_active=True))
    late = handling.filter(overdue_q(SUGGESTION, now), escalated_at__isnull=True)
    count = 0
    for item in late.select_related("committee").prefetch_related("assignments"):
        units = [a.unit_id for a in item.assignments.all() if a.active]
        committee = (
            list(
                User.objects.filter(organization=item.committee, is_active=True).exclude(
                    role=Role.DEPUTY
                )
            )
            if item.committee_id
            else []
        )
        notify(
            actor=None,
            recipients=_officers(units) + committee + staff,
            title=f"逾期未答复：{item.code} {item.title[:30]}",
            body=f"办理期限 {timezone.localtime(item.due_at):%Y-%m-%d} 已过，已列为重点督办。",
            url=reverse("suggestions:detail", args=[item.pk]),
            sms=True,
        )
        count += 1
    late.update(escalated_at=now, is_key=True, key_reason="逾期未答复，升级督办")
    return count


def _remind_late_opinions(now: dt.datetime, today: dt.date) -> int:
    """Co-handling units whose written opinion is overdue."""
    opinions = Assignment.objects.filter(
        active=True,
        role=Assignment.Role.CO,
        opinion_at__isnull=True,
        opinion_due_at__lt=now,
        suggestion__state__in=HANDLING_STATES,
    ).select_related("suggestion", "unit")
    count = 0
    for a in opinions:
        if a.suggestion.reminded_on == today:
            continue
        notify(
            actor=None,
            recipients=_officers([a.unit_id]),
            title=f"协办意见已逾期：{a.suggestion.code}",
            body="请尽快向主办单位提交书面协办意见。",
            url=reverse("suggestions:detail", args=[a.suggestion_id]),
        )
        count += 1
    return count


@transaction.atomic
def run_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    handling = Suggestion.objects.filter(state__in=HANDLING_STATES)
    counts = {"reminded": _remind_due_soon(handling, now, today)}
    counts["escalated"] = _escalate_overdue(handling, now)
    counts["opinions"] = _remind_late_opinions(now, today)
    audit.record(actor=None, action="suggestion.reminders", username="系统任务", details=counts)
    return counts


def summary(counts: dict[str, int]) -> str:
    return f"提醒 {counts['reminded']} 件，升级督办 {counts['escalated']} 件，协办意见催办 {counts['opinions']} 件"
