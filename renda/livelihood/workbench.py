"""民生实事 on the phone's 待办 list (core.selectors.due_items): for a handling unit's
officer, the unit's sub-items of projects under way that are overdue or due within two weeks
and its overdue milestones; for a supervising deputy, one line per supervised project with
overdue sub-items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from renda.core.selectors import Due
from renda.meetings.permissions import deputy_of

from .models import Milestone, Plan, PlanItem
from .permissions import unit_of
from .progress import HUNDRED, overdue_items_q, overdue_milestones_q

KIND = "民生实事"
MAX_DUE = 20
SOON = dt.timedelta(days=14)


def due(user: Any) -> list[Due]:
    today = timezone.localdate()
    items: list[Due] = []
    unit = unit_of(user)
    if unit is not None:
        items += _unit_items(unit, today)
    deputy = deputy_of(user)
    if deputy is not None:
        items += _supervised(deputy.pk, today)
    return items


def _unit_items(unit: int, today: dt.date) -> list[Due]:
    rows = (
        PlanItem.objects.filter(
            owner_unit_id=unit,
            plan__state=Plan.State.ACTIVE,
            progress__lt=HUNDRED,
            deadline__lte=today + SOON,
            children__isnull=True,
        )
        .select_related("plan__project")
        .order_by("deadline", "id")[:MAX_DUE]
    )
    out = []
    for item in rows:
        late = item.deadline < today
        note = f"{item.plan.project.title} · 时限 {item.deadline:%m月%d日}" + (
            " · 已逾期" if late else ""
        )
        out.append(
            Due(
                KIND,
                f"报送实施进展：{item.title}",
                reverse("livelihood:item_report", args=[item.pk]),
                item.deadline,
                note,
            )
        )
    milestones = (
        Milestone.objects.filter(overdue_milestones_q(today), item__owner_unit_id=unit)
        .select_related("item")
        .order_by("due_on", "id")[:MAX_DUE]
    )
    for m in milestones:
        out.append(
            Due(
                KIND,
                f"实施节点逾期：{m.title}",
                reverse("livelihood:item_report", args=[m.item_id]),
                m.due_on,
                f"{m.item.title} · 计划 {m.due_on:%m月%d日}完成",
            )
        )
    return out


def _supervised(deputy_id: int, today: dt.date) -> list[Due]:
    rows = (
        PlanItem.objects.filter(
            overdue_items_q(today), plan__supervisors__deputy_id=deputy_id, children__isnull=True
        )
        .values("plan_id", "plan__project__title")
        .annotate(n=Count("pk", distinct=True), first=Min("deadline"))
        .order_by("first", "plan_id")[:MAX_DUE]
    )
    return [
        Due(
            KIND,
            f"监督项目有逾期子项：{row['plan__project__title']}",
            reverse("livelihood:supervise_plan", args=[row["plan_id"]]),
            row["first"],
            f"{row['n']} 个子项超过完成时限",
        )
        for row in rows
    ]
