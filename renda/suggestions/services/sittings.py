"""Sittings (会议): the congress sessions suggestions and motions are counted in."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.deputies.models import Term

from ..models import (
    Sitting,
)


def open_sitting(term: Term, now: dt.datetime | None = None) -> Sitting | None:
    """The sitting of `term` in session now (between its opening and closing days)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        Sitting.objects.filter(term=term, start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .first()
    )


@transaction.atomic
def create_sitting(
    *,
    actor: User,
    term: Term,
    number: int,
    start_date: dt.date,
    end_date: dt.date,
    motion_deadline: dt.datetime,
) -> Sitting:
    sitting = Sitting(
        term=term,
        number=number,
        start_date=start_date,
        end_date=end_date,
        motion_deadline=motion_deadline,
    )
    sitting.full_clean()
    deadline_day = timezone.localdate(motion_deadline)
    if not start_date <= deadline_day <= end_date:
        raise ValidationError({"motion_deadline": "议案截止时间应在会议期间内。"})
    sitting.save()
    audit.record(actor=actor, action="suggestion.sitting_create", target=sitting)
    return sitting
