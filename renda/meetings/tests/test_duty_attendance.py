"""The year's attendance on a deputy's duty pages (the deputy's own page, the yearly report
staff read, its Word file): 出席 / 请假 / 缺席 and the rate, counted from the closed meetings
the deputy had to attend that year, matching the rows."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from docx import Document

from renda.meetings import services
from renda.meetings.models import Meeting, MeetingMember

from .factories import a_deputy, make_meeting

pytestmark = pytest.mark.django_db


def hold(world: Any, me: Any, *, start: dt.datetime, answer: str, close: bool = True) -> Meeting:
    """A meeting `me` attends (present), is excused from (leave) or misses (absent)."""
    meeting = make_meeting(world, start_at=start)
    services.notify_members(actor=world.staff, meeting=meeting)
    seat = MeetingMember.objects.get(meeting=meeting, deputy=me)
    if answer == "present":
        services.mark_paper_sign_in(actor=world.staff, member=seat)
    elif answer == "leave":
        services.request_leave(actor=world.deputy, member=seat, reason="出差")
        services.decide_leave(actor=world.staff, member=seat, approve=True)
    services.open_meeting(actor=world.staff, meeting=meeting)
    if close:
        services.close_meeting(actor=world.staff, meeting=meeting)
    return meeting


@pytest.fixture
def me(world: Any) -> Any:
    me = a_deputy(world, user=world.deputy, name="李明")
    a_deputy(world, name="王芳")  # another member, whose rows must not count
    now = timezone.now()
    for hours, answer in ((1, "present"), (2, "present"), (3, "leave"), (4, "absent")):
        hold(world, me, start=now - dt.timedelta(hours=hours), answer=answer)
    hold(world, me, start=now - dt.timedelta(minutes=20), answer="absent", close=False)
    hold(world, me, start=now - dt.timedelta(days=400), answer="absent")  # another year
    return me


def figures(html: str) -> list[str]:
    panel = html.split('data-testid="panel-attendance"')[1].split('class="card mb-3"')[0]
    return [part.split("<")[0] for part in panel.split('data-testid="figure">')[1:]]


def test_the_figures_match_the_rows(world: Any, me: Any) -> None:
    year = timezone.localdate().year
    rows = MeetingMember.objects.filter(
        deputy=me, role="attend", meeting__state="closed", meeting__start_at__year=year
    )
    assert sorted(rows.values_list("attendance", flat=True)) == [
        "absent",
        "leave",
        "present",
        "present",
    ]


def test_the_deputy_sees_their_attendance(world: Any, me: Any, client_for: Any) -> None:
    html = client_for("deputy").get("/suggestions/duty/me/").content.decode()
    assert f"{timezone.localdate().year}年会议出席" in html
    assert figures(html) == ["2", "1", "1", "50%"]
    assert "应出席的 4 次会议" in html


def test_staff_read_it_on_the_yearly_report_and_in_word(
    world: Any, me: Any, client_for: Any
) -> None:
    year = timezone.localdate().year
    client = client_for("staff")
    html = client.get(f"/suggestions/duty/{me.pk}/{year}/").content.decode()
    assert figures(html) == ["2", "1", "1", "50%"]
    # The registry page of the deputy shows this year's too, with the way to the report.
    page = client.get(f"/deputies/{me.pk}/").content.decode()
    assert figures(page) == ["2", "1", "1", "50%"]
    assert f'href="/suggestions/duty/{me.pk}/{year}/"' in page
    last = client.get(f"/suggestions/duty/{me.pk}/{year - 1}/").content.decode()
    assert figures(last) == ["0", "0", "1", "0%"]
    word = client.get(f"/suggestions/duty/{me.pk}/{year}/report.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "会议出席：出席 2，请假 1，缺席 1，出席率 50%。" in text


def test_a_year_without_meetings_shows_no_rate(world: Any, client_for: Any) -> None:
    a_deputy(world, user=world.deputy, name="李明")
    html = client_for("deputy").get("/suggestions/duty/me/").content.decode()
    assert figures(html) == ["0", "0", "0", "—"]
