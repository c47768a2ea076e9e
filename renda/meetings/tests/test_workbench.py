"""Meetings on the 待办 list: a member's notices to answer and the day's check-in, staff's
leave requests to decide; never another member's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from renda.meetings import services
from renda.meetings.models import MeetingMember
from renda.meetings.workbench import due

from .factories import a_deputy, deputy_user, make_meeting

pytestmark = pytest.mark.django_db


def seat(meeting: Any, deputy: Any) -> MeetingMember:
    return MeetingMember.objects.get(meeting=meeting, deputy=deputy)


@pytest.fixture
def people(world: Any) -> Any:
    me = a_deputy(world, user=world.deputy, name="李明")
    other = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    return me, other


def titles(user: Any) -> list[str]:
    return [d.title for d in due(user)]


def test_a_notice_to_answer_until_it_is_answered(world: Any, people: Any) -> None:
    me, other = people
    later = make_meeting(
        world, title="第三次常委会会议", start_at=timezone.now() + dt.timedelta(days=3)
    )
    draft = make_meeting(world, title="草稿会议", start_at=timezone.now() + dt.timedelta(days=4))
    assert titles(world.deputy) == []  # nothing notified yet
    services.notify_members(actor=world.staff, meeting=later)
    [item] = due(world.deputy)
    assert (item.kind, item.title) == ("会议", "答复会议通知：第三次常委会会议")
    assert item.url == f"/meetings/mine/{later.pk}/" and item.due == later.start_at
    assert draft.title not in " ".join(titles(world.deputy))
    services.confirm_attendance(actor=world.deputy, member=seat(later, me))
    assert titles(world.deputy) == []
    # The other member still has it: each sees their own seat only.
    assert titles(other.user) == ["答复会议通知：第三次常委会会议"]


def test_on_the_day_the_check_in_is_due(world: Any, people: Any) -> None:
    me, other = people
    soon = timezone.now() + dt.timedelta(minutes=10)
    if timezone.localtime(soon).date() != timezone.localdate():
        soon = timezone.now()  # just before midnight: the meeting starts now
    meeting = make_meeting(world, title="今天的会议", start_at=soon)
    services.notify_members(actor=world.staff, meeting=meeting)
    services.confirm_attendance(actor=world.deputy, member=seat(meeting, me))
    [item] = due(world.deputy)
    assert item.title == "会议签到：今天的会议"
    assert item.due == meeting.start_at + dt.timedelta(minutes=meeting.checkin_after_minutes)
    # A member whose leave is waiting is not asked to check in.
    services.request_leave(actor=other.user, member=seat(meeting, other), reason="出差")
    assert titles(other.user) == []
    services.mark_paper_sign_in(actor=world.staff, member=seat(meeting, me))
    assert titles(world.deputy) == []


def test_refused_leave_reminds_the_member(world: Any, people: Any) -> None:
    me, _ = people
    meeting = make_meeting(
        world, title="第五次会议", start_at=timezone.now() + dt.timedelta(days=2)
    )
    services.notify_members(actor=world.staff, meeting=meeting)
    services.request_leave(actor=world.deputy, member=seat(meeting, me), reason="家中有事")
    assert titles(world.deputy) == []
    services.decide_leave(
        actor=world.staff, member=seat(meeting, me), approve=False, note="会议重要"
    )
    assert titles(world.deputy) == ["请假未获批准：第五次会议"]


def test_staff_see_leave_requests_one_line_per_meeting(world: Any, people: Any) -> None:
    me, other = people
    meeting = make_meeting(
        world, title="第六次会议", start_at=timezone.now() + dt.timedelta(days=2)
    )
    services.notify_members(actor=world.staff, meeting=meeting)
    assert titles(world.staff) == []
    services.request_leave(actor=world.deputy, member=seat(meeting, me), reason="出差")
    services.request_leave(actor=other.user, member=seat(meeting, other), reason="培训")
    [item] = due(world.staff)
    assert item.title == "审批请假：第六次会议" and item.note == "2 人请假待审批"
    assert item.url == f"/meetings/{meeting.pk}/members/?show=leave"
    # Deputies and committee members do not decide leave.
    assert "审批请假：第六次会议" not in titles(world.deputy)
    assert titles(world.sc_member) == []
    services.decide_leave(actor=world.staff, member=seat(meeting, me), approve=True, note="")
    assert due(world.staff)[0].note == "1 人请假待审批"
