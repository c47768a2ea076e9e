"""Casting: once per deputy (a second attempt by any route is told 您已投票 and leaves one
ballot), only deputies on the round's roster (checked in when it opened), only while open;
a ballot with too many 赞成 is cast and stored as void; a crash mid-cast stores neither row."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from renda.livelihood import rules, services
from renda.livelihood.models import Ballot, Participation
from renda.livelihood.services.casting import ALREADY as ALREADY_MSG
from renda.livelihood.services.casting import CLOSED as CLOSED_MSG
from renda.meetings import services as meeting_services
from renda.meetings.models import MeetingMember
from renda.meetings.tests.factories import a_deputy, deputy_user

from .factories import ballot_count, box_ballots, make_hall, marks

pytestmark = pytest.mark.django_db


def refused(message: str, call: Any) -> None:
    before = (ballot_count(), Participation.objects.count())
    with pytest.raises(ValidationError) as error:
        call()
    assert message in "；".join(error.value.messages)
    assert (ballot_count(), Participation.objects.count()) == before


@pytest.fixture
def hall(world: Any) -> Any:
    hall = make_hall(world, deputies=4, check_in=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    return hall


def test_a_second_cast_is_refused_and_one_ballot_stays(world: Any, hall: Any) -> None:
    receipt = services.cast_ballot(actor=world.deputy, round_=hall.round, marks=marks(hall, 0))
    assert len(receipt.tracker) == 10 and receipt.valid
    refused(
        "您已投票", lambda: services.cast_ballot(actor=world.deputy, round_=hall.round, marks={})
    )
    assert ballot_count(hall.round) == 1
    assert Participation.objects.filter(round=hall.round).count() == 1


def test_the_database_refuses_a_second_participation(world: Any, hall: Any) -> None:
    """Two devices at once: if both passed the service's check, the unique key lets only one
    insert through."""
    services.cast_ballot(actor=world.deputy, round_=hall.round, marks={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(round=hall.round, deputy=hall.deputies[0])


def test_a_replayed_post_through_the_page_is_told_already_voted(
    world: Any, hall: Any, client_for: Any
) -> None:
    client = client_for("deputy")
    url = f"/livelihood/rounds/{hall.round.pk}/ballot/"
    data = {"step": "cast", f"c_{hall.candidates[0].pk}": "yes"}
    first = client.post(url, data)
    assert "投票成功" in first.content.decode()
    second = client.post(url, data)
    assert "您已投票" in second.content.decode()
    assert ballot_count(hall.round) == 1


def test_not_checked_in_not_a_member_and_observer_cannot_vote(world: Any, hall: Any) -> None:
    late = hall.users[3]  # a member who had not checked in when the round opened
    member = MeetingMember.objects.get(meeting=hall.meeting, deputy=hall.deputies[3])
    meeting_services.mark_paper_sign_in(actor=world.staff, member=member)
    refused("尚未签到", lambda: services.cast_ballot(actor=late, round_=hall.round, marks={}))
    outsider = deputy_user(world, "outsider")
    a_deputy(world, user=outsider)
    refused(
        "不是本次会议的代表",
        lambda: services.cast_ballot(actor=outsider, round_=hall.round, marks={}),
    )
    refused(
        "不是本次会议的代表",
        lambda: services.cast_ballot(actor=world.staff, round_=hall.round, marks={}),
    )


def test_before_open_and_after_close_cannot_vote(world: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    refused(
        "尚未开始", lambda: services.cast_ballot(actor=world.deputy, round_=hall.round, marks={})
    )
    services.open_round(actor=world.staff, round_=hall.round)
    services.close_round(actor=world.staff, round_=hall.round)
    refused(
        "投票已经结束",
        lambda: services.cast_ballot(actor=world.deputy, round_=hall.round, marks={}),
    )


def test_too_many_yes_is_cast_as_a_void_ballot(world: Any, hall: Any) -> None:
    receipt = services.cast_ballot(actor=world.deputy, round_=hall.round, marks=marks(hall, 0, 1))
    assert not receipt.valid
    ((_nonce, packed),) = box_ballots(hall.round).values()
    ids = [int(i) for i in hall.round.candidate_ids]
    assert not rules.is_valid(rules.unpack(packed, ids), hall.round.seats)
    refused(
        "不属于本轮",
        lambda: services.cast_ballot(actor=hall.users[1], round_=hall.round, marks={999999: "yes"}),
    )


def test_a_crash_mid_cast_stores_both_rows_or_neither(world: Any, hall: Any) -> None:
    with (
        mock.patch(
            "renda.livelihood.services.casting._put_in_box", side_effect=RuntimeError("断电")
        ),
        pytest.raises(RuntimeError),
    ):
        services.cast_ballot(actor=world.deputy, round_=hall.round, marks=marks(hall, 0))
    assert ballot_count() == 0 and Participation.objects.count() == 0
    with (
        mock.patch("renda.core.audit.record", side_effect=RuntimeError("断电")),
        pytest.raises(RuntimeError),
    ):
        services.cast_ballot(actor=world.deputy, round_=hall.round, marks=marks(hall, 0))
    assert ballot_count() == 0 and Participation.objects.count() == 0
    # After the crash the deputy can still vote, once.
    services.cast_ballot(actor=world.deputy, round_=hall.round, marks=marks(hall, 0))
    assert ballot_count() == 1 and Participation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_casts_side_by_side_and_a_close_among_them_lose_nothing(world: Any) -> None:
    """Casts no longer queue on the round: 8 deputies cast at once, the chair closes while
    they do, and some double-tap. Every acknowledged cast is a sealed ballot, every refused one
    left nothing, one participation per ballot, and the sealed box verifies."""
    import threading

    from django.db import connection, connections

    from renda.livelihood.selectors import verify_round

    if connection.vendor != "postgresql":
        pytest.skip("threads sharing one SQLite test database serialise anyway")
    many = make_hall(world, deputies=8, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=many.round)
    round_ = many.round
    acked: list[str] = []
    refused_casts: list[str] = []
    start = threading.Barrier(11)

    def cast(user: Any) -> None:
        try:
            start.wait()
            receipt = services.cast_ballot(actor=user, round_=round_, marks=marks(many, 0))
            acked.append(receipt.tracker)
        except ValidationError as error:
            refused_casts.append(error.messages[0])
        finally:
            connections.close_all()

    def close() -> None:
        try:
            start.wait()
            services.close_round(actor=world.staff, round_=round_)
        finally:
            connections.close_all()

    # Deputies 0 and 1 tap twice at once.
    users = [*many.users, many.users[0], many.users[1]]
    threads = [threading.Thread(target=cast, args=(u,)) for u in users]
    threads.append(threading.Thread(target=close))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    round_.refresh_from_db()
    assert round_.state == "closed"
    sealed = set(Ballot.objects.filter(round=round_).values_list("tracker", flat=True))
    assert sealed == set(acked)
    assert Participation.objects.filter(round=round_).count() == len(acked) == round_.ballots_cast
    assert len(acked) + len(refused_casts) == 10
    assert all(m in (ALREADY_MSG, CLOSED_MSG) for m in refused_casts)
    assert len(acked) <= 8  # a double tap is never given two receipts
    assert box_ballots(round_) == {}
    assert verify_round(round_).ok
