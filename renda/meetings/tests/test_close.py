from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from renda.deputies.models import DutyRecord
from renda.meetings import services
from renda.meetings.models import MeetingMember
from renda.meetings.selectors import attendance_rate

from .factories import a_deputy, deputy_user, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world: Any) -> Any:
    """A session with one member present, one on approved leave, one absent and one 列席
    guest who came, now in progress."""
    present = a_deputy(world, user=world.deputy, name="李明")
    on_leave = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    absent = a_deputy(world, name="赵强")
    meeting = make_meeting(world, start_at=timezone.now() + dt.timedelta(minutes=5))
    guest = a_deputy(world, name="列席者")
    services.invite_member(actor=world.staff, meeting=meeting, deputy=guest)
    services.notify_members(actor=world.staff, meeting=meeting)
    services.check_in_with_code(
        actor=world.deputy, meeting=meeting, code=services.make_code(meeting)
    )
    seat = MeetingMember.objects.get(meeting=meeting, deputy=on_leave)
    services.request_leave(actor=on_leave.user, member=seat, reason="住院")
    services.decide_leave(actor=world.staff, member=seat, approve=True)
    services.mark_paper_sign_in(
        actor=world.staff, member=MeetingMember.objects.get(meeting=meeting, deputy=guest)
    )
    services.open_meeting(actor=world.staff, meeting=meeting)
    return meeting, present, on_leave, absent, guest


def test_closing_turns_attendance_into_duty_records_once(world: Any, held: Any) -> None:
    meeting, present, on_leave, absent, guest = held
    services.close_meeting(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "closed"
    states = dict(meeting.members.values_list("deputy__name", "attendance"))
    assert states == {"李明": "present", "王芳": "leave", "赵强": "absent", "列席者": "present"}
    records = DutyRecord.objects.filter(source_type="meetings.meeting", source_id=str(meeting.pk))
    kinds = sorted(records.values_list("deputy__name", "kind"))
    expected = [
        ("列席者", "meeting_attendance"),
        ("李明", "meeting_attendance"),
        ("王芳", "meeting_leave"),
    ]
    # an unexcused absence is on the record too (出席 / 请假 / 缺席)
    expected.append(("赵强", "meeting_absence"))
    assert kinds == sorted(expected)
    assert records.get(deputy=present).occurred_on == timezone.localtime(meeting.start_at).date()
    # Running the recording again (a retried job) adds nothing; the meeting cannot close twice.
    services.record_attendance(actor=None, meeting=meeting)
    assert records.count() == len(expected)
    with pytest.raises(ValidationError, match="不能执行“闭会”"):
        services.close_meeting(actor=world.staff, meeting=meeting)
    assert records.count() == len(expected)


def test_pending_leave_blocks_closing(world: Any, held: Any) -> None:
    meeting, _, _, absent, _ = held
    absent_user = deputy_user(world, "zhao")
    from renda.deputies.services import update_deputy

    update_deputy(actor=None, deputy=absent, user=absent_user)
    seat = MeetingMember.objects.get(meeting=meeting, deputy=absent)
    services.request_leave(actor=absent_user, member=seat, reason="临时有事")
    with pytest.raises(ValidationError, match="1 份请假申请未审批"):
        services.close_meeting(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "in_progress"
    assert not DutyRecord.objects.exists()


def test_nothing_is_answered_after_closing(world: Any, held: Any) -> None:
    meeting, present, *_ = held
    services.close_meeting(actor=world.staff, meeting=meeting)
    seat = MeetingMember.objects.get(meeting=meeting, deputy=present)
    with pytest.raises(ValidationError, match="已闭会"):
        services.request_leave(actor=world.deputy, member=seat, reason="x")
    with pytest.raises(ValidationError, match="不接受签到"):
        services.check_in_with_code(
            actor=world.deputy, meeting=meeting, code=services.make_code(meeting)
        )


def test_attendance_rate(world: Any, held: Any) -> None:
    meeting, present, on_leave, absent, guest = held
    services.close_meeting(actor=world.staff, meeting=meeting)
    year = timezone.localtime(meeting.start_at).year
    mine = attendance_rate(present, year)
    assert (mine.meetings, mine.present, mine.rate) == (1, 1, 1.0)
    assert attendance_rate(on_leave, year).leave == 1
    assert attendance_rate(absent, year).rate == 0.0
    # 列席 is not a duty to attend: it does not enter the rate.
    assert attendance_rate(guest, year).meetings == 0
    assert attendance_rate(present, year - 1).rate is None


def test_staff_close_from_the_page(world: Any, held: Any, client_for: Any) -> None:
    meeting, *_ = held
    response = client_for("staff").post(f"/meetings/{meeting.pk}/close/", follow=True)
    assert "已记入代表履职档案" in response.content.decode()
    page = client_for("deputy").get(f"/meetings/mine/{meeting.pk}/").content.decode()
    assert "出席情况" in page
    # The deputy's own duty page lists the record the meeting wrote.
    duty = client_for("deputy").get(reverse("deputies:duty_me")).content.decode()
    assert f"出席{meeting.title}" in duty
