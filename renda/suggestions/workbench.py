"""Cards for the workbench (collected by core.selectors.workbench_cards)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from renda.core.roles import Role
from renda.core.selectors import Card
from renda.core.workflow import overdue_q

from .models import Suggestion
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
