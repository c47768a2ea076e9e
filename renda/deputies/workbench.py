"""Cards for the workbench (collected by core.selectors.workbench_cards): the register of
deputies for staff and committee members, a deputy's own status for a deputy. And the phone's
待办 list (core.selectors.due_items): the deputy's coming 述职 and group activities."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core.roles import Role
from renda.core.selectors import Card, Due

from .models import ActivityParticipant, Deputy, ReportingAssignment
from .permissions import acting_deputy

MAX_DUE = 10


def registry_cards(user: User) -> list[Card]:
    if user.role in {Role.STAFF, Role.SC_MEMBER}:
        active = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        deputies = reverse("deputies:list")
        return [
            Card(
                "在任市级代表", active.filter(term__level="city").count(), f"{deputies}?level=city"
            ),
            Card(
                "在任乡镇代表",
                active.filter(term__level="township").count(),
                f"{deputies}?level=township",
            ),
        ]
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        status = deputy.get_status_display() if deputy else "未关联"
        return [Card("我的代表资格", status, reverse("deputies:me"))]
    return []


def due(user: User) -> list[Due]:
    deputy = acting_deputy(user)
    if deputy is None:
        return []
    return _reporting_items(deputy) + _activity_items(deputy)


def _reporting_items(deputy: Deputy) -> list[Due]:
    """A 述职 still to come, or past with the report text not in yet (then it is overdue)."""
    today = timezone.localdate()
    coming = (
        ReportingAssignment.objects.filter(deputy=deputy, evaluated_at__isnull=True)
        .filter(Q(scheduled_on__gte=today) | Q(report_submitted_at__isnull=True))
        .order_by("scheduled_on", "pk")[:MAX_DUE]
    )
    return [
        Due(
            "述职",
            f"代表述职：向{a.audience}述职",
            reverse("deputies:reporting_assignment", args=[a.pk]),
            a.scheduled_on,
            f"{a.venue} · {'述职报告已提交' if a.report_submitted_at else '请提交述职报告'}",
        )
        for a in coming
    ]


def _activity_items(deputy: Deputy) -> list[Due]:
    """Coming activities the deputy signed up for, and invitations not yet answered."""
    rows = (
        ActivityParticipant.objects.filter(deputy=deputy, activity__starts_at__gte=timezone.now())
        .filter(Q(signed_up_at__isnull=False) | Q(invited=True))
        .select_related("activity")
        .order_by("activity__starts_at", "pk")[:MAX_DUE]
    )
    items = []
    for row in rows:
        activity = row.activity
        verb = "参加活动" if row.signed_up_at else "活动邀请"
        note = f"{activity.get_kind_display()} · {activity.place}"
        items.append(
            Due(
                "活动",
                f"{verb}：{activity.title}",
                reverse("deputies:activity", args=[activity.pk]),
                activity.starts_at,
                note if row.signed_up_at else f"{note} · 请报名",
            )
        )
    return items
