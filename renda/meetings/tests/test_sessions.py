"""A congress session registered on the suggestions desk (会议 for motions) is a Meeting: its
dates read back and the deputies are its members (the suggestions tests file motions in it;
meetings' tests do not import the app above them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from renda.meetings.models import Meeting

from .factories import a_deputy

pytestmark = pytest.mark.django_db


def test_sitting_form_registers_a_congress_meeting(world: Any, client_for: Any) -> None:
    deputy = a_deputy(world)
    today = timezone.localdate()
    data = {
        "term": deputy.term_id,
        "number": 4,
        "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=2)).isoformat(),
        "motion_deadline": f"{today + dt.timedelta(days=1):%Y-%m-%d}T17:00",
    }
    client = client_for("staff")
    bad = client.post("/suggestions/sittings/", {**data, "motion_deadline": "2001-01-01T17:00"})
    assert "议案截止时间应在会议期间内" in bad.content.decode()
    assert not Meeting.objects.exists()
    assert client.post("/suggestions/sittings/", data).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.number, meeting.start_date, meeting.end_date) == (
        "congress",
        4,
        today,
        today + dt.timedelta(days=2),
    )
    assert list(meeting.members.values_list("deputy_id", flat=True)) == [deputy.pk]
    page = client.get("/suggestions/sittings/").content.decode()
    assert meeting.title in page
