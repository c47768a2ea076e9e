"""Cards for the workbench (collected by core.selectors.workbench_cards)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from renda.accounts.models import User
from renda.core.roles import Role
from renda.core.selectors import Card
from renda.core.workflow import overdue_q

from .models import Opinion, Station
from .permissions import opinions_for, opinions_to_draft
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
