"""Cards for the workbench (collected by core.selectors.workbench_cards) and the phone's 待办
list (core.selectors.due_items): a deputy's coming station duty (进站) and 双联 contact tasks
(constituents not contacted this quarter, opinions to draft a suggestion from); a standing-
committee member's linked deputies not contacted this quarter."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core.roles import Role
from renda.core.selectors import Card, Due
from renda.core.workflow import overdue_q
from renda.deputies.models import Deputy

from .models import DutyAssignment, DutySlot, Opinion, Station
from .permissions import constituents_for, opinions_for, opinions_to_draft
from .selectors.liaison import Quarter, constituents_with_contacts, uncontacted_links
from .services.liaison import min_constituents
from .workflows import OPINION


def registry_cards(user: User) -> list[Card]:
    """The register of stations, shown with the register of deputies before the day's work."""
    if user.role in {Role.STAFF, Role.SC_MEMBER}:
        active = Station.objects.filter(is_active=True).count()
        return [Card("代表工作站点", active, reverse("stations:list"))]
    return []


def cards(user: User) -> list[Card]:
    opinions = reverse("stations:opinion_list")
    if user.role == Role.STAFF:
        # Scoped like the list: a station clerk counts only their own station's opinions.
        counts = opinions_for(user).aggregate(
            submitted=Count("pk", filter=Q(state="submitted")),
            overdue=Count("pk", filter=overdue_q(OPINION)),
        )
        return [
            Card("待梳理交办的群众意见", counts["submitted"], f"{opinions}?state=submitted"),
            Card("逾期的群众意见", counts["overdue"], f"{opinions}?overdue=on"),
        ]
    if user.role == Role.HANDLING_OFFICER and user.organization_id:
        mine = Opinion.objects.filter(state="assigned", unit_id=user.organization_id).count()
        return [Card("本单位待办群众意见", mine, opinions)]
    if user.role == Role.DEPUTY:
        duties = reverse("stations:my_duties")
        cards = [Card("我的进站安排", "查看", duties)]
        to_draft = opinions_to_draft(user).count()
        if to_draft:
            cards.append(Card("转给我的群众意见（待起草建议）", to_draft, f"{duties}#opinions"))
        return cards
    return []


# A reminder list: the next few duty days, the first links not contacted.
MAX_DUE = 10


def due(user: User) -> list[Due]:
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        if deputy is None:
            return []
        return _duty_items(deputy) + _constituent_items(user) + _opinion_items(user)
    if user.role == Role.SC_MEMBER:
        return _link_items(user)
    return []


def _duty_items(deputy: Deputy) -> list[Due]:
    """The coming duty days not yet done (today's until the deputy checks out)."""
    today = timezone.localdate()
    coming = (
        DutyAssignment.objects.filter(
            deputy=deputy, slot__date__gte=today, checked_out_at__isnull=True
        )
        .exclude(slot__status=DutySlot.Status.CANCELLED)
        .select_related("slot", "slot__station")
        .order_by("slot__date", "slot__start_time", "pk")[:MAX_DUE]
    )
    url = reverse("stations:my_duties")
    items = []
    for a in coming:
        slot = a.slot
        start = timezone.make_aware(dt.datetime.combine(slot.date, slot.start_time))
        when = f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M}"
        note = " · ".join(x for x in (when, slot.place, "已签到" if a.checked_in_at else "") if x)
        items.append(Due("进站", f"进站值班：{slot.station.name}", url, start, note))
    return items


def _constituent_items(user: User) -> list[Due]:
    quarter = Quarter.of(timezone.localdate())
    listed = [
        c.quarter_contacts  # type: ignore[attr-defined]
        for c in constituents_with_contacts(quarter, constituents_for(user)).only("pk")
    ]
    minimum = min_constituents()
    url = reverse("stations:liaison_mine")
    items = []
    waiting = sum(1 for n in listed if not n)
    if waiting:
        items.append(
            Due("双联", f"联系群众：本季度还有 {waiting} 人未联系", url, quarter.end, quarter.label)
        )
    if len(listed) < minimum:
        items.append(
            Due(
                "双联",
                f"联系群众名单不足 {minimum} 人",
                url,
                None,
                f"现有 {len(listed)} 人，请补充联系对象",
            )
        )
    return items


def _opinion_items(user: User) -> list[Due]:
    return [
        Due(
            "群众意见",
            f"据群众意见起草建议：{o.content[:30]}",
            reverse("stations:opinion_draft_suggestion", args=[o.pk]),
            None,
            o.station.name if o.station else "",
        )
        for o in opinions_to_draft(user)[:MAX_DUE]
    ]


def _link_items(user: User) -> list[Due]:
    quarter = Quarter.of(timezone.localdate())
    links = uncontacted_links(quarter).filter(member=user)[:MAX_DUE]
    url = reverse("stations:liaison_mine")
    return [
        Due("双联", f"联系代表：{link.deputy.name}", url, quarter.end, f"{quarter.label}尚未联系")
        for link in links
    ]
