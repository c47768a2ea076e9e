"""催办: the daily reminder about overdue opinions (run by Huey, see tasks.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from renda.accounts.models import User
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import overdue_q

from ..effects import station_staff
from ..models import Opinion
from ..workflows import OPINION


def remind_overdue_opinions(*, now: dt.datetime | None = None) -> int:
    """催办: once a day, tell the handling unit (and the station) about each overdue opinion.
    Returns how many opinions were reminded. Run by Huey (tasks.py)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Opinion.objects.filter(overdue_q(OPINION, now))
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("unit")
    )
    count = 0
    for opinion in overdue.iterator(chunk_size=500):
        with transaction.atomic():
            recipients: list[User] = list(station_staff(opinion.station_id))
            if opinion.state == "assigned" and opinion.unit_id:
                recipients += list(
                    User.objects.filter(
                        role=Role.HANDLING_OFFICER,
                        organization_id=opinion.unit_id,
                        is_active=True,
                    )
                )
            notify(
                actor=None,
                recipients=recipients,
                title=f"社情民意{opinion.number}已逾期（{opinion.get_state_display()}）",
                url=f"/stations/opinions/{opinion.pk}/",
            )
            Opinion.objects.filter(pk=opinion.pk).update(reminded_on=today)
            count += 1
    return count
