"""Cards for the workbench (collected by core.selectors.workbench_cards): the register of
deputies for staff and committee members, a deputy's own status for a deputy."""

from __future__ import annotations

from django.urls import reverse

from renda.accounts.models import User
from renda.core.roles import Role
from renda.core.selectors import Card

from .models import Deputy


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
