"""Budget-supervision cards for the workbench (collected by core.selectors.workbench_cards)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from renda.accounts.models import User
from renda.budget.models import Alert, AlertLevel, Inquiry
from renda.budget.selectors.agenda import alerts_on_agenda_count
from renda.budget.services.inquiries import AWAITING, overdue_q
from renda.core.roles import Role
from renda.core.selectors import Card
from renda.core.sources import has_target
from renda.suggestions.models import Suggestion


def cards(user: User) -> list[Card]:
    if user.role == Role.STAFF:
        alerts = reverse("budget:alerts")
        inquiries = reverse("budget:inquiries")
        severe = Alert.objects.filter(
            status=Alert.Status.OPEN, level=AlertLevel.SEVERE, handling=Alert.Handling.NEW
        ).count()
        counts = Inquiry.objects.aggregate(
            responded=Count("pk", filter=Q(state="responded")),
            overdue=Count("pk", filter=overdue_q()),
        )
        return [
            Card(
                "未处理的严重预警",
                severe,
                f"{alerts}?level={AlertLevel.SEVERE}&status=open&handling=new",
            ),
            Card("待审核的问询函答复", counts["responded"], f"{inquiries}?state=responded"),
            Card("逾期未答复的问询函", counts["overdue"], f"{inquiries}?overdue=on"),
        ]
    if user.role == Role.SC_MEMBER:
        agenda = alerts_on_agenda_count()
        return [Card("提请常委会审议的预警事项", agenda, reverse("budget:agenda"))]
    if user.role == Role.DATA_PROVIDER and user.organization_id:
        waiting = Inquiry.objects.filter(
            addressee_id=user.organization_id, state__in=AWAITING
        ).count()
        return [Card("待答复的问询函", waiting, reverse("budget:inquiries"))]
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        offered = (
            Alert.objects.filter(~has_target(Alert, Suggestion), offered_to=deputy).count()
            if deputy
            else 0
        )
        # Most deputies never receive one: the card appears only when there is something.
        if offered:
            return [Card("转交我的预算监督预警", offered, reverse("budget:offered_alerts"))]
    return []
