"""Cards for the workbench (collected by core.selectors.workbench_cards) and the phone's 待办
list (core.selectors.due_items): replies a deputy has to rate (满意度测评) and invitations to
co-sign; for a handling officer, the suggestions their unit has to answer and the co-handling
opinions it owes, each with its deadline."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from renda.core.roles import Role
from renda.core.selectors import Card, Due
from renda.core.workflow import overdue_q

from .models import Assignment, Signature, Suggestion
from .selectors import handled_by
from .workflows import SUGGESTION

OPEN_STATES = ("assigned", "extension_requested", "rehandling", "tracking")


def cards(user: Any) -> list[Card]:
    home = reverse("suggestions:home")
    if user.role == Role.STAFF:
        counts = Suggestion.objects.aggregate(
            submitted=Count("pk", filter=Q(state="submitted")),
            registered=Count("pk", filter=Q(state="registered") | Q(state="returned")),
            overdue=Count("pk", filter=overdue_q(SUGGESTION)),
        )
        return [
            Card("待登记建议", counts["submitted"], f"{home}?state=submitted"),
            Card("待交办建议", counts["registered"], f"{home}?state=registered"),
            Card("逾期未答复建议", counts["overdue"], f"{home}?overdue=on"),
        ]
    if user.role == Role.SC_MEMBER:
        return [Card("建议办理统计", "查看", reverse("suggestions:stats"))]
    if user.role == Role.HANDLING_OFFICER and user.organization_id:
        mine = Suggestion.objects.filter(handled_by(user.organization_id), state__in=OPEN_STATES)
        return [Card("本单位在办建议", mine.count(), reverse("suggestions:unit_home"))]
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        waiting = (
            Suggestion.objects.filter(lead_deputy=deputy, state="replied").count() if deputy else 0
        )
        return [Card("待我评价的建议", waiting, reverse("suggestions:deputy_home"))]
    return []


KIND = "建议"
# A reminder list, not the unit's desk: the most urgent ones (the desk lists them all).
MAX_DUE = 30


def due(user: Any) -> list[Due]:
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        return _deputy_items(deputy) if deputy is not None else []
    if user.role == Role.HANDLING_OFFICER and user.organization_id:
        return _unit_items(user.organization_id)
    return []


def _deputy_items(deputy: Any) -> list[Due]:
    to_rate = Suggestion.objects.filter(lead_deputy=deputy, state="replied").order_by(
        "due_at", "pk"
    )[:MAX_DUE]
    items = [
        Due(
            KIND,
            f"评价办理答复：{s.title}",
            reverse("suggestions:detail", args=[s.pk]) + "#rate",
            s.due_at,
            f"{s.code} · 满意度测评" if s.code else "满意度测评",
        )
        for s in to_rate
    ]
    # Invitations to co-sign a draft (a 建议 or a 议案); submitting the draft drops them.
    invited = (
        Signature.objects.filter(deputy=deputy, is_lead=False, confirmed_at__isnull=True)
        .filter(Q(suggestion__state="draft") | Q(motion__state="draft"))
        .select_related("suggestion", "motion")
        .order_by("-invited_at", "pk")[:MAX_DUE]
    )
    for sig in invited:
        if sig.suggestion is not None:
            title, url = (
                sig.suggestion.title,
                reverse("suggestions:detail", args=[sig.suggestion_id]),
            )
            what = "建议"
        else:
            assert sig.motion is not None
            title, url = (
                sig.motion.title,
                reverse("suggestions:motion_detail", args=[sig.motion_id]),
            )
            what = "议案"
        items.append(Due(KIND, f"联名邀请：{title}", url, None, f"邀请您联名{what}，请确认或谢绝"))
    return items


def _unit_items(unit_id: int) -> list[Due]:
    answering = Assignment.objects.filter(
        unit_id=unit_id, active=True, role__in=(Assignment.Role.LEAD, Assignment.Role.SPLIT)
    ).values("suggestion_id")
    to_answer = Suggestion.objects.filter(pk__in=answering, state__in=OPEN_STATES).order_by(
        "due_at", "pk"
    )[:MAX_DUE]
    items = [
        Due(
            KIND,
            f"答复建议：{s.title}",
            reverse("suggestions:detail", args=[s.pk]),
            s.due_at,
            f"{s.code} · {SUGGESTION.label(s.state)}",
        )
        for s in to_answer
    ]
    opinions = (
        Assignment.objects.filter(
            unit_id=unit_id,
            active=True,
            role=Assignment.Role.CO,
            opinion_at__isnull=True,
            suggestion__state__in=OPEN_STATES,
        )
        .select_related("suggestion")
        .order_by("opinion_due_at", "pk")[:MAX_DUE]
    )
    items += [
        Due(
            KIND,
            f"协办意见：{a.suggestion.title}",
            reverse("suggestions:detail", args=[a.suggestion_id]),
            a.opinion_due_at,
            f"{a.suggestion.code} · 向主办单位提出协办意见",
        )
        for a in opinions
    ]
    return items
