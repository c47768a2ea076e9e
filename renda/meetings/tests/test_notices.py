from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renda.core.models import Notification, SmsMessage
from renda.meetings import services
from renda.meetings.models import MeetingMember
from renda.meetings.selectors import unanswered

from .factories import a_deputy, deputy_user, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: Any) -> Any:
    me = a_deputy(world, user=world.deputy, name="李明")
    other = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    offline = a_deputy(world, name="赵强")  # no account: SMS only
    meeting = make_meeting(world)
    return meeting, me, other, offline


def seat(meeting: Any, deputy: Any) -> MeetingMember:
    return MeetingMember.objects.get(meeting=meeting, deputy=deputy)


def test_notice_goes_once_by_inbox_and_sms(world: Any, setup: Any) -> None:
    meeting, me, other, offline = setup
    assert services.notify_members(actor=world.staff, meeting=meeting) == 3
    meeting.refresh_from_db()
    assert meeting.state == "notified"
    assert Notification.objects.filter(title__startswith="会议通知").count() == 2
    texts = SmsMessage.objects.filter(kind="text")
    assert sorted(m.mobile for m in texts) == sorted([me.mobile, other.mobile, offline.mobile])
    assert "身份证" not in texts.first().params  # type: ignore[union-attr]
    # Again: nothing is sent twice.
    assert services.notify_members(actor=world.staff, meeting=meeting) == 0
    assert SmsMessage.objects.filter(kind="text").count() == 3
    assert Notification.objects.filter(title__startswith="会议通知").count() == 2
    # A member invited later gets the notice on the next run, alone.
    guest = a_deputy(world, name="钱进")
    MeetingMember.objects.filter(deputy=guest).delete()
    services.invite_member(actor=world.staff, meeting=meeting, deputy=guest)
    assert services.notify_members(actor=world.staff, meeting=meeting) == 1
    assert SmsMessage.objects.filter(kind="text").count() == 4


def test_receipts_and_the_unanswered_list(world: Any, setup: Any) -> None:
    meeting, me, other, offline = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    mine = seat(meeting, me)
    assert services.mark_notice_read(actor=world.deputy, member=mine)
    assert not services.mark_notice_read(actor=world.deputy, member=mine)
    services.confirm_attendance(actor=world.deputy, member=mine)
    theirs = seat(meeting, other)
    services.request_leave(actor=other.user, member=theirs, reason="外出学习")
    assert [m.deputy.name for m in unanswered(meeting)] == ["赵强"]
    theirs.refresh_from_db()
    assert (theirs.response, theirs.leave, theirs.leave_reason) == ("leave", "pending", "外出学习")


def test_leave_needs_a_reason_and_only_ones_own(world: Any, setup: Any) -> None:
    meeting, me, other, _ = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    with pytest.raises(ValidationError, match="请填写请假事由"):
        services.request_leave(actor=world.deputy, member=seat(meeting, me), reason="  ")
    with pytest.raises(PermissionDenied, match="本人"):
        services.request_leave(actor=world.deputy, member=seat(meeting, other), reason="代请")
    with pytest.raises(PermissionDenied, match="本人"):
        services.confirm_attendance(actor=world.staff, member=seat(meeting, me))
    assert seat(meeting, me).response == "" and seat(meeting, other).response == ""


def test_staff_approve_or_refuse_leave(world: Any, setup: Any) -> None:
    meeting, me, other, _ = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    mine = services.request_leave(actor=world.deputy, member=seat(meeting, me), reason="住院")
    with pytest.raises(PermissionDenied):
        services.decide_leave(actor=world.sc_member, member=mine, approve=True)
    with pytest.raises(ValidationError, match="不准假时请填写理由"):
        services.decide_leave(actor=world.staff, member=mine, approve=False)
    done = services.decide_leave(actor=world.staff, member=mine, approve=True)
    assert done.leave == "approved" and done.leave_decided_by == world.staff
    assert Notification.objects.filter(
        recipient=world.deputy, title__startswith="请假申请已准假"
    ).exists()
    with pytest.raises(ValidationError, match="没有待审批"):
        services.decide_leave(actor=world.staff, member=mine, approve=True)
    with pytest.raises(ValidationError, match="没有待审批"):
        services.decide_leave(
            actor=world.staff, member=seat(meeting, other), approve=False, note="x"
        )


def test_draft_meeting_is_not_shown_to_members(world: Any, setup: Any, client_for: Any) -> None:
    meeting, *_ = setup
    client = client_for("deputy")
    assert client.get(f"/meetings/mine/{meeting.pk}/").status_code == 404
    services.notify_members(actor=world.staff, meeting=meeting)
    page = client.get(f"/meetings/mine/{meeting.pk}/")
    assert page.status_code == 200 and "确认参会" in page.content.decode()


def test_phone_pages_answer_the_notice(world: Any, setup: Any, client_for: Any) -> None:
    meeting, me, *_ = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    client = client_for("deputy")
    client.get(f"/meetings/mine/{meeting.pk}/")
    assert seat(meeting, me).read_at is not None
    page = client.post(f"/meetings/mine/{meeting.pk}/leave/", {"reason": ""})
    assert "请按提示修改" in page.content.decode()
    assert seat(meeting, me).response == ""
    client.post(f"/meetings/mine/{meeting.pk}/leave/", {"reason": "出差"})
    assert seat(meeting, me).leave == "pending"
    client.post(f"/meetings/mine/{meeting.pk}/confirm/")
    assert (seat(meeting, me).response, seat(meeting, me).leave) == ("confirmed", "")
    listing = client.get("/meetings/mine/").content.decode()
    assert meeting.title in listing and "<table" not in listing


def test_staff_page_lists_who_has_not_answered(world: Any, setup: Any, client_for: Any) -> None:
    meeting, me, *_ = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    services.confirm_attendance(actor=world.deputy, member=seat(meeting, me))
    page = client_for("sc_member").get(f"/meetings/{meeting.pk}/members/?show=unanswered")
    text = page.content.decode()
    assert "王芳" in text and "赵强" in text and "李明" not in text
    assert "准假" not in text  # SC members read; they do not decide


def test_staff_list_the_leave_requests_with_the_waiting_ones_first(
    world: Any, setup: Any, client_for: Any
) -> None:
    meeting, me, other, offline = setup
    services.notify_members(actor=world.staff, meeting=meeting)
    services.request_leave(actor=world.deputy, member=seat(meeting, me), reason="出差")
    services.request_leave(actor=other.user, member=seat(meeting, other), reason="外出学习")
    services.decide_leave(actor=world.staff, member=seat(meeting, me), approve=True, note="")
    page = client_for("staff").get(f"/meetings/{meeting.pk}/members/?show=leave")
    rows = page.content.decode().split('data-testid="member-list"')[1].split("<tbody>")[1]
    # The waiting request (王芳's) comes before the decided one; nobody else is listed.
    assert rows.index(other.name) < rows.index(me.name)
    assert offline.name not in rows and rows.count("<tr>") == 2
    assert 'data-testid="show-leave"' in page.content.decode()
