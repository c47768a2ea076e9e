from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from renda.meetings import services
from renda.meetings.models import CheckIn, MeetingMember
from renda.meetings.selectors import attendance_summary

from .factories import a_deputy, deputy_user, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world: Any) -> Any:
    me = a_deputy(world, user=world.deputy, name="李明")
    other = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    third = a_deputy(world, name="赵强")
    meeting = make_meeting(world, start_at=timezone.now() + dt.timedelta(minutes=10))
    services.notify_members(actor=world.staff, meeting=meeting)
    return meeting, me, other, third


def refused(message: str, call: Any) -> None:
    before = CheckIn.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert message in "；".join(error.value.messages)
    assert CheckIn.objects.count() == before


def test_member_checks_in_once_with_the_code(world: Any, setup: Any) -> None:
    meeting, me, *_ = setup
    code = services.make_code(meeting)
    row = services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code)
    assert row.member.deputy == me and row.method == "code"
    refused(
        "不能重复签到",
        lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code),
    )


def test_the_database_allows_one_check_in_per_member(world: Any, setup: Any) -> None:
    meeting, me, *_ = setup
    member = MeetingMember.objects.get(meeting=meeting, deputy=me)
    CheckIn.objects.create(
        member=member, meeting=meeting, method="code", checked_in_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            member=member, meeting=meeting, method="paper", checked_in_at=timezone.now()
        )


def test_not_a_member_cannot_check_in(world: Any, setup: Any) -> None:
    meeting, *_ = setup
    outsider = deputy_user(world, "outsider")
    a_deputy(world, user=outsider)  # a deputy of the term, registered after the meeting
    code = services.make_code(meeting)
    refused(
        "不是本次会议的参会人员",
        lambda: services.check_in_with_code(actor=outsider, meeting=meeting, code=code),
    )
    # An account without a deputy record (staff scanning the screen) is refused the same way.
    refused(
        "不是本次会议的参会人员",
        lambda: services.check_in_with_code(actor=world.staff, meeting=meeting, code=code),
    )


def test_code_of_another_meeting_and_forged_codes(world: Any, setup: Any) -> None:
    meeting, *_ = setup
    other = make_meeting(world)
    services.notify_members(actor=world.staff, meeting=other)
    theirs = services.make_code(other)
    refused(
        "不是本次会议的签到码",
        lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=theirs),
    )
    # The other meeting's number with this meeting's signature, or a tampered signature.
    mine = services.make_code(meeting)
    swapped = f"{other.pk}" + mine[len(str(meeting.pk)) :]
    refused(
        "签到码无效",
        lambda: services.check_in_with_code(actor=world.deputy, meeting=other, code=swapped),
    )
    refused(
        "签到码无效",
        lambda: services.check_in_with_code(
            actor=world.deputy, meeting=meeting, code=mine[:-2] + "xx"
        ),
    )


def test_expired_code(world: Any, setup: Any) -> None:
    meeting, *_ = setup
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=11)):
        old = services.make_code(meeting)
    refused(
        "已过期", lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=old)
    )
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=9)):
        recent = services.make_code(meeting)
    assert services.check_in_with_code(actor=world.deputy, meeting=meeting, code=recent)


def test_outside_the_window(world: Any, setup: Any) -> None:
    meeting, *_ = setup
    with time_machine.travel(meeting.start_at - dt.timedelta(minutes=61)):
        code = services.make_code(meeting)
        refused(
            "签到尚未开始",
            lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code),
        )
    with time_machine.travel(meeting.start_at + dt.timedelta(minutes=31)):
        code = services.make_code(meeting)
        refused(
            "签到已于",
            lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code),
        )


def test_no_check_in_for_someone_else(world: Any, setup: Any, client_for: Any) -> None:
    """The code names the meeting, not a person: the page checks in whoever is logged in, and
    a deputy cannot use the staff's paper sign-in for a colleague."""
    meeting, me, other, _ = setup
    code = services.make_code(meeting)
    client = client_for("deputy")
    theirs = MeetingMember.objects.get(meeting=meeting, deputy=other)
    assert client.post(f"/meetings/members/{theirs.pk}/paper/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.mark_paper_sign_in(actor=world.deputy, member=theirs)
    response = client.post(
        "/meetings/check-in/", {"code": code, "deputy": other.pk, "member": theirs.pk}
    )
    assert response.status_code == 302
    assert list(CheckIn.objects.values_list("member__deputy__name", flat=True)) == ["李明"]


def test_check_in_page_refuses_in_chinese(world: Any, setup: Any, client_for: Any) -> None:
    meeting, *_ = setup
    client = client_for("deputy")
    page = client.get("/meetings/check-in/?code=bogus").content.decode()
    assert "签到码无效" in page
    code = services.make_code(meeting)
    page = client.get(f"/meetings/check-in/?code={code}").content.decode()
    assert meeting.title in page and 'data-testid="check-in"' in page
    client.post("/meetings/check-in/", {"code": code})
    again = client.post("/meetings/check-in/", {"code": code}).content.decode()
    assert "不能重复签到" in again
    assert CheckIn.objects.count() == 1


def test_paper_sign_in_and_the_live_count(world: Any, setup: Any, client_for: Any) -> None:
    meeting, me, other, third = setup
    summary = attendance_summary(meeting)
    assert (summary.total, summary.present, summary.needed, summary.quorum_met) == (3, 0, 2, False)
    services.check_in_with_code(
        actor=world.deputy, meeting=meeting, code=services.make_code(meeting)
    )
    member = MeetingMember.objects.get(meeting=meeting, deputy=third)
    client = client_for("staff")
    assert client.post(f"/meetings/members/{member.pk}/paper/").status_code == 302
    assert CheckIn.objects.get(member=member).recorded_by == world.staff
    leave = MeetingMember.objects.get(meeting=meeting, deputy=other)
    services.request_leave(actor=other.user, member=leave, reason="出差")
    services.decide_leave(actor=world.staff, member=leave, approve=True)
    summary = attendance_summary(meeting)
    assert (summary.present, summary.on_leave, summary.absent, summary.quorum_met) == (
        2,
        1,
        0,
        True,
    )
    fragment = client.get(f"/meetings/{meeting.pk}/count/").content.decode()
    assert "符合法定人数" in fragment and 'hx-trigger="every 5s"' in fragment


def test_venue_screen_shows_a_qr_code_of_a_valid_code(
    world: Any, setup: Any, client_for: Any
) -> None:
    meeting, *_ = setup
    page = client_for("staff").get(f"/meetings/{meeting.pk}/venue/").content.decode()
    assert "<svg" in page and "hx-get" in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_make_one_check_in(world: Any, setup: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    meeting, *_ = setup
    code = services.make_code(meeting)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def scan() -> None:
        barrier.wait()
        try:
            services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused", "refused", "refused"]
    assert CheckIn.objects.count() == 1
