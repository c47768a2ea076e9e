"""Opening: only with the session in progress and its check-in quorum met; it freezes the
candidates, seats, rules and the roster (members checked in at that moment) under a SHA-256
hash that the page shows; any later change is refused by the services and by the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from renda.livelihood import chain, services
from renda.livelihood.models import Candidate, CandidateList, Round, Vote

from .factories import a_project, make_hall

pytestmark = pytest.mark.django_db


def test_open_needs_the_quorum(world: Any) -> None:
    hall = make_hall(world, deputies=4, check_in=2, seats=1, candidates=2)
    with pytest.raises(ValidationError, match="签到人数不足法定人数"):
        services.open_round(actor=world.staff, round_=hall.round)
    assert Round.objects.get(pk=hall.round.pk).state == "draft"


def test_two_thirds_quorum(world: Any) -> None:
    # Two thirds of 6 is 4: three of six checked in is not enough.
    hall = make_hall(world, deputies=6, check_in=3, seats=1, candidates=2)
    services.set_rules(actor=world.staff, vote=hall.vote, pass_base="all", quorum="two_thirds")
    with pytest.raises(ValidationError, match="至少需要 4 人"):
        services.open_round(actor=world.staff, round_=hall.round)


def test_open_freezes_a_manifest_with_the_checked_in_roster(world: Any, client_for: Any) -> None:
    hall = make_hall(world, deputies=4, check_in=3, seats=1, candidates=3)
    opened = services.open_round(actor=world.staff, round_=hall.round)
    manifest = json.loads(opened.manifest)
    assert opened.manifest_hash == chain.sha256(opened.manifest)
    assert manifest["roster"] == sorted(d.pk for d in hall.deputies[:3])
    assert manifest["seats"] == 1 and manifest["pass_base"] == "all"
    assert [c["id"] for c in manifest["candidates"]] == [c.pk for c in hall.candidates]
    assert (opened.members_total, opened.roster_size) == (4, 3)
    page = client_for("staff").get(f"/livelihood/votes/{hall.vote.pk}/").content.decode()
    assert chain.grouped(opened.manifest_hash) in page


def test_changes_after_opening_are_refused_by_the_services(world: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    lst = hall.candidate_list
    with pytest.raises(ValidationError, match="不能再修改"):
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
    with pytest.raises(ValidationError, match="不能再修改"):
        services.remove_candidate(actor=world.staff, candidate=hall.candidates[0])
    with pytest.raises(ValidationError, match="不能再修改"):
        services.set_seats(actor=world.staff, candidate_list=lst, seats=2)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.set_rules(actor=world.staff, vote=hall.vote, pass_base="valid", quorum="majority")
    with pytest.raises(ValidationError, match="已经开始"):
        services.open_round(actor=world.staff, round_=hall.round)


def test_changes_after_opening_are_refused_by_the_database(world: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    attempts = [
        lambda: Candidate.objects.create(
            candidate_list=hall.candidate_list, project=a_project(world), order=9
        ),
        lambda: Candidate.objects.filter(pk=hall.candidates[0].pk).delete(),
        lambda: Candidate.objects.filter(pk=hall.candidates[0].pk).update(order=7),
        lambda: Vote.objects.filter(pk=hall.vote.pk).update(seats=2),
        lambda: Vote.objects.filter(pk=hall.vote.pk).update(pass_base="valid"),
        lambda: CandidateList.objects.filter(pk=hall.candidate_list.pk).update(seats=3),
        lambda: Round.objects.filter(pk=hall.round.pk).update(manifest="{}"),
        lambda: Round.objects.filter(pk=hall.round.pk).update(seats=2),
        lambda: Round.objects.filter(pk=hall.round.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    # What the count needs may still be written: the state moves on.
    services.close_round(actor=world.staff, round_=hall.round)


def test_a_list_needs_more_candidates_than_seats_and_the_presidium(world: Any) -> None:
    hall = make_hall(world, deputies=2, seats=1, candidates=2)
    lst = services.create_candidate_list(
        actor=world.staff, meeting=hall.meeting, title="乡镇候选", seats=2
    )
    for _ in range(2):
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
    with pytest.raises(ValidationError, match="候选项目须多于应选数"):
        services.confirm_candidate_list(actor=world.staff, candidate_list=lst, decision="通过")
    with pytest.raises(ValidationError, match="主席团确认后"):
        services.create_vote(actor=world.staff, candidate_list=lst)
    services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
    confirmed = services.confirm_candidate_list(
        actor=world.staff, candidate_list=lst, decision="主席团第三次会议通过"
    )
    assert confirmed.confirmed_at is not None and confirmed.confirmed_by == world.staff
    with pytest.raises(ValidationError, match="主席团已确认"):
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
    vote = services.create_vote(actor=world.staff, candidate_list=lst)
    assert vote.agenda_item is not None and vote.agenda_item.kind == "vote"
