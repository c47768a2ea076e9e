"""Sittings (会议): the congress sessions suggestions and motions are counted in. A session is
a meetings.Meeting of kind "congress"; this module finds the one in session and registers a
new one through the meetings app's service."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.deputies.models import Term
from renda.meetings.models import Meeting
from renda.meetings.services import create_meeting

# A session registered by its dates opens at 9:00 on its first day and closes at 18:00 on its
# last (local time), so its dates read back unchanged.
OPENS = dt.time(9)
CLOSES = dt.time(18)


def open_sitting(term: Term, now: dt.datetime | None = None) -> Meeting | None:
    """The congress session of `term` in session now (between its opening and closing days)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        Meeting.objects.filter(
            term=term,
            kind=Meeting.Kind.CONGRESS,
            start_at__date__lte=today,
            end_at__date__gte=today,
        )
        .select_related("term")
        .order_by("-start_at")
        .first()
    )


@transaction.atomic
def create_sitting(
    *,
    actor: User | None,
    term: Term,
    number: int,
    start_date: dt.date,
    end_date: dt.date,
    motion_deadline: dt.datetime,
) -> Meeting:
    deadline_day = timezone.localdate(motion_deadline)
    if not start_date <= deadline_day <= end_date:
        raise ValidationError({"motion_deadline": "议案截止时间应在会议期间内。"})
    zone = timezone.get_current_timezone()
    sitting = create_meeting(
        actor=actor,
        kind=Meeting.Kind.CONGRESS,
        term=term,
        number=number,
        start_at=dt.datetime.combine(start_date, OPENS, tzinfo=zone),
        end_at=dt.datetime.combine(end_date, CLOSES, tzinfo=zone),
        venue="",
        motion_deadline=motion_deadline,
    )
    audit.record(actor=actor, action="suggestion.sitting_create", target=sitting)
    return sitting
