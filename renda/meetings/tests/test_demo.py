from __future__ import annotations

from typing import Any

import pytest

from renda.core.models import Notification, SmsMessage
from renda.deputies.models import DutyRecord
from renda.meetings.demo import seed_meetings
from renda.meetings.models import Meeting

from .factories import a_deputy, seat_on_committee

pytestmark = pytest.mark.django_db


def test_demo_meetings(world: Any) -> None:
    for n in range(5):
        deputy = a_deputy(world, user=world.deputy if n == 0 else None)
        if n < 3:
            seat_on_committee(world, deputy, role="主任" if n == 0 else "委员")
    created = seed_meetings(actor=None)
    assert created == {"会议": 2, "议程": 8}
    standing = Meeting.objects.get(kind="standing")
    assert standing.state == "closed"
    assert sorted(standing.members.values_list("attendance", flat=True)) == [
        "absent",
        "present",
        "present",
    ]
    assert DutyRecord.objects.filter(kind="meeting_attendance").count() == 2
    session = Meeting.objects.get(kind="congress")
    assert session.state == "notified" and session.members.count() == 5
    assert session.motion_deadline is not None
    assert Notification.objects.filter(
        recipient=world.deputy, title__contains=session.title
    ).exists()
    assert not SmsMessage.objects.exists()
    assert seed_meetings(actor=None) == {}
