from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renda.deputies.services import end_mandate
from renda.deputies.tests.factories import make_term
from renda.meetings import services
from renda.meetings.models import Meeting, MeetingMember
from renda.meetings.rules import QUORUM_RULES, Quorum

from .factories import a_deputy, make_meeting, seat_on_committee

pytestmark = pytest.mark.django_db


def test_congress_session_members_are_the_serving_deputies(world: Any) -> None:
    serving = [a_deputy(world) for _ in range(3)]
    gone = a_deputy(world)
    end_mandate(actor=None, deputy=gone, ended_on=dt.date(2024, 5, 1), reason="moved")
    meeting = make_meeting(world)
    members = set(meeting.members.values_list("deputy_id", flat=True))
    assert members == {d.pk for d in serving}
    assert meeting.state == "draft"
    assert meeting.title == "冷水江市人民代表大会第18届第" + f"{meeting.number}次会议"


def test_standing_committee_meeting_takes_committee_members_on_the_day(world: Any) -> None:
    chair, member, left = a_deputy(world), a_deputy(world), a_deputy(world)
    a_deputy(world)  # a deputy not on the committee
    seat_on_committee(world, chair, role="主任")
    seat_on_committee(world, member)
    seat_on_committee(world, left, end_date=dt.date(2023, 1, 1))
    meeting = make_meeting(world, kind=Meeting.Kind.STANDING)
    assert set(meeting.members.values_list("deputy_id", flat=True)) == {chair.pk, member.pk}
    chairs = make_meeting(world, kind=Meeting.Kind.CHAIRPERSONS)
    assert list(chairs.members.values_list("deputy_id", flat=True)) == [chair.pk]


def test_standing_meeting_without_committee_is_refused(world: Any) -> None:
    a_deputy(world)
    with pytest.raises(ValidationError, match="常委会组成人员"):
        make_meeting(world, kind=Meeting.Kind.STANDING)
    assert not Meeting.objects.exists()


def test_bad_input_is_refused_in_chinese_and_writes_nothing(world: Any) -> None:
    a_deputy(world)
    start = timezone.now()
    term = make_term(world)
    make_meeting(world, number=3)
    cases = [
        ({"number": 3}, "已有第3次"),
        ({"end_at": start - dt.timedelta(hours=1)}, "结束时间不能早于开始时间"),
        ({"start_at": dt.datetime(2026, 1, 1, 9), "end_at": dt.datetime(2026, 1, 1, 12)}, "时区"),
        ({"kind": Meeting.Kind.STANDING, "motion_deadline": start}, "议案截止"),
    ]
    for change, message in cases:
        fields: dict[str, Any] = {
            "actor": world.staff,
            "kind": Meeting.Kind.CONGRESS,
            "term": term,
            "number": 4,
            "start_at": start,
            "end_at": start + dt.timedelta(hours=2),
            "venue": "会议室",
            **change,
        }
        with pytest.raises(ValidationError) as error:
            services.create_meeting(**fields)
        assert message in "；".join(error.value.messages), change
    assert Meeting.objects.count() == 1


def test_only_staff_create_meetings(world: Any) -> None:
    a_deputy(world)
    for persona in ("sc_member", "deputy", "handling_officer"):
        with pytest.raises(PermissionDenied):
            services.create_meeting(
                actor=world.users[persona],
                kind=Meeting.Kind.CONGRESS,
                term=make_term(world),
                number=1,
                start_at=timezone.now(),
                end_at=timezone.now(),
                venue="会议室",
            )
    assert not Meeting.objects.exists()


def test_invite_observer_once(world: Any) -> None:
    a_deputy(world)
    meeting = make_meeting(world, kind=Meeting.Kind.CONGRESS)
    guest = a_deputy(world)
    MeetingMember.objects.filter(meeting=meeting, deputy=guest).delete()
    member = services.invite_member(actor=world.staff, meeting=meeting, deputy=guest)
    assert member.role == "observe"
    with pytest.raises(ValidationError, match="已在本次会议"):
        services.invite_member(actor=world.staff, meeting=meeting, deputy=guest)


@pytest.mark.parametrize(
    ("total", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (25, 13), (205, 103), (0, 1)]
)
def test_quorum_is_more_than_half_of_all_members(total: int, needed: int) -> None:
    assert QUORUM_RULES[Quorum.MAJORITY].needed(total) == needed


def test_two_thirds_rule(world: Any) -> None:
    assert QUORUM_RULES[Quorum.TWO_THIRDS].needed(3) == 2
    assert QUORUM_RULES[Quorum.TWO_THIRDS].needed(4) == 3
