"""满意度测评 on the 票决's ballot box: created from a counted 票决 at a 常委会会议, opened on
the members checked in, one ballot per member, sealed and verified like a 票决; counted by the
three-way rule; 不满意 opens a rectification for the lead unit with a deadline, the unit
reports, a later satisfaction vote re-evaluates it (linked both ways) and closes it."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from renda.core import calendar
from renda.core.models import AuditEvent, Notification
from renda.livelihood import chain, services
from renda.livelihood.models import Ballot, Participation, Rectification, Vote
from renda.livelihood.selectors import satisfaction_rows, verify_round
from renda.livelihood.services import satisfaction
from renda.meetings.models import AgendaItem, Meeting

from .factories import (
    a_project,
    ballot_count,
    cast_grades,
    committee_meeting,
    counted_selection,
    grades,
    make_evaluation,
)
from .test_verify import triggers_off

pytestmark = pytest.mark.django_db

S, B, D = "satisfied", "basic", "dissatisfied"


def counted(world: Any, ev: Any, ballots: list[dict[int, str]]) -> Any:
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, ballots)
    services.close_round(actor=world.staff, round_=ev.round)
    return services.count_round(actor=world.staff, round_=ev.round)


def test_created_from_the_chosen_projects_at_a_committee_meeting(world: Any) -> None:
    ev = make_evaluation(world)
    chosen = [c.project_id for c in ev.selection.candidates[:2]]
    assert ev.vote.kind == "satisfaction" and ev.vote.evaluates == ev.selection.vote
    assert [c.project_id for c in ev.candidates] == chosen
    assert ev.vote.pass_base == "valid" and ev.vote.agenda_item is not None
    assert ev.vote.agenda_item.meeting == ev.meeting
    assert AuditEvent.objects.filter(action="livelihood.satisfaction_create").count() == 1
    # The selection's list is untouched: the evaluation has its own list of projects.
    assert ev.vote.candidate_list != ev.selection.candidate_list


def test_what_cannot_be_evaluated(world: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=1)
    meeting = ev.meeting
    lst = services.create_candidate_list(
        actor=world.staff, meeting=ev.selection.meeting, title="乡镇候选", seats=1
    )
    for _ in range(2):
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
    services.confirm_candidate_list(actor=world.staff, candidate_list=lst, decision="通过")
    uncounted = services.create_vote(actor=world.staff, candidate_list=lst)
    with pytest.raises(ValidationError, match="尚未全部计票"):
        satisfaction.create_satisfaction_vote(
            actor=world.staff, meeting=meeting, evaluates=uncounted
        )
    with pytest.raises(ValidationError, match="只能对票决选出的项目"):
        satisfaction.create_satisfaction_vote(actor=world.staff, meeting=meeting, evaluates=ev.vote)
    loser = ev.selection.candidates[-1].project  # on the list but not chosen
    with pytest.raises(ValidationError, match="不是该票决选出的项目"):
        satisfaction.create_satisfaction_vote(
            actor=world.staff, meeting=meeting, evaluates=ev.selection.vote, projects=[loser]
        )
    with pytest.raises(ValidationError, match="常委会会议或人民代表大会会议"):
        satisfaction.create_satisfaction_vote(
            actor=world.staff,
            meeting=_chairs_meeting(world, ev),
            evaluates=ev.selection.vote,
        )
    with pytest.raises(PermissionDenied):
        satisfaction.create_satisfaction_vote(
            actor=world.users["sc_member"], meeting=meeting, evaluates=ev.selection.vote
        )
    # The other pattern: all deputies at a congress session (here the selection's own).
    at_session = satisfaction.create_satisfaction_vote(
        actor=world.staff, meeting=ev.selection.meeting, evaluates=ev.selection.vote
    )
    assert at_session.meeting.kind == Meeting.Kind.CONGRESS and at_session.rounds.count() == 1


def _chairs_meeting(world: Any, ev: Any) -> Meeting:
    from renda.meetings.tests.factories import make_meeting, seat_on_committee

    seat_on_committee(world, ev.selection.deputies[0], role="主任")
    return make_meeting(world, kind=Meeting.Kind.CHAIRPERSONS)


def test_a_member_votes_once_and_only_members_checked_in_vote(world: Any) -> None:
    hall = counted_selection(world, deputies=5, chosen=2)
    meeting = committee_meeting(world, hall.deputies, check_in=4)
    vote = satisfaction.create_satisfaction_vote(
        actor=world.staff, meeting=meeting, evaluates=hall.vote
    )
    round_ = services.open_round(actor=world.staff, round_=vote.rounds.get())
    assert json.loads(round_.manifest)["kind"] == "satisfaction"
    assert round_.roster_size == 4
    by_deputy = dict(zip([d.pk for d in hall.deputies], hall.users, strict=True))
    roster = json.loads(round_.manifest)["roster"]
    voter = by_deputy[roster[0]]
    cand = vote.candidate_list.candidates.first()
    assert cand is not None
    receipt = services.cast_ballot(actor=voter, round_=round_, marks={cand.pk: S})
    assert receipt.valid and len(receipt.tracker) == chain.TRACKER_LENGTH
    with pytest.raises(ValidationError, match="您已投票"):
        services.cast_ballot(actor=voter, round_=round_, marks={cand.pk: D})
    late = next(u for d, u in by_deputy.items() if d not in roster)
    with pytest.raises(ValidationError, match="尚未签到"):
        services.cast_ballot(actor=late, round_=round_, marks={})
    assert Participation.objects.filter(round=round_).count() == 1
    assert ballot_count(round_) == 1


def test_the_count_grades_each_project_and_opens_a_rectification(world: Any) -> None:
    ev = make_evaluation(world, deputies=5, chosen=2)
    # Project 1: 3 满意 of 5 → 满意. Project 2: 1 满意 + 1 基本满意, 2 不满意, 1 unmarked:
    # 2 of 5 is not more than half → 不满意.
    counted_round = counted(
        world,
        ev,
        [
            grades(ev, S, S),
            grades(ev, S, B),
            grades(ev, S, D),
            grades(ev, B, D),
            grades(ev, D, ""),
        ],
    )
    assert counted_round.state == "counted" and counted_round.result["base"] == 5
    rows = {r.candidate.pk: r for r in satisfaction_rows(counted_round)}
    first, second = ev.candidates
    assert (rows[first.pk].satisfied, rows[first.pk].basic, rows[first.pk].dissatisfied) == (
        3,
        1,
        1,
    )
    assert rows[first.pk].grade == S and rows[first.pk].rate == "80.00%"
    assert (rows[second.pk].satisfied, rows[second.pk].basic, rows[second.pk].abstain) == (1, 1, 1)
    assert rows[second.pk].grade == D
    rect = Rectification.objects.get()
    assert rect.project == second.project and rect.vote == ev.vote
    assert rect.lead_unit == second.project.lead_unit and rect.state == "open"
    assert rect.deadline == calendar.add_workdays(timezone.localdate(), 60)
    assert rect.tally == {"satisfied": 1, "basic": 1, "dissatisfied": 2, "abstain": 1, "voters": 5}
    assert AuditEvent.objects.filter(action="livelihood.rectification_open").count() == 1
    # The lead unit's officer is told, with the deadline and a link to the rectification.
    notice = Notification.objects.get(recipient=world.users["handling_officer"])
    assert notice.url == f"/livelihood/rectifications/{rect.pk}/" and "不满意" in notice.title
    outcome = AgendaItem.objects.get(pk=ev.vote.agenda_item_id).outcome
    assert (
        f"{first.project.title}：满意" in outcome and f"{second.project.title}：不满意" in outcome
    )
    # A satisfaction vote chooses nothing, so nothing goes to the reserve.
    with pytest.raises(ValidationError, match="没有未获选"):
        services.reserve_not_chosen(actor=world.staff, vote=ev.vote)


def test_the_deadline_default_is_configurable(world: Any, settings: Any) -> None:
    settings.LIVELIHOOD_RECTIFICATION_WORKDAYS = 10
    ev = make_evaluation(world, deputies=3, chosen=1)
    counted(world, ev, [grades(ev, D), grades(ev, D), grades(ev, B)])
    rect = Rectification.objects.get()
    assert rect.deadline == calendar.add_workdays(timezone.localdate(), 10)
    moved = satisfaction.set_rectification_deadline(
        actor=world.staff,
        rectification=rect,
        deadline=rect.deadline + dt.timedelta(days=30),
        reason="工程受汛期影响",
    )
    assert moved.deadline == rect.deadline + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="理由"):
        satisfaction.set_rectification_deadline(
            actor=world.staff, rectification=rect, deadline=rect.deadline, reason=" "
        )


def test_reply_and_reevaluation_are_linked_and_close_the_rectification(world: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=1)
    counted(world, ev, [grades(ev, D), grades(ev, B), grades(ev, D)])
    rect = Rectification.objects.get()
    officer = world.users["handling_officer"]  # an officer of the lead unit
    assert officer.organization_id == rect.lead_unit_id
    with pytest.raises(ValidationError, match="报送整改情况后"):
        satisfaction.reevaluate(actor=world.staff, rectification=rect, meeting=ev.meeting)
    with pytest.raises(PermissionDenied):
        satisfaction.reply_rectification(
            actor=world.users["deputy"], rectification=rect, reply="已经全部整改到位，群众满意。"
        )
    with pytest.raises(ValidationError):
        satisfaction.reply_rectification(actor=officer, rectification=rect, reply="已整改")
    rect = satisfaction.reply_rectification(
        actor=officer, rectification=rect, reply="已完成路面重铺和排水沟修复，群众反映良好。"
    )
    assert rect.state == "replied" and rect.replied_by == officer
    # The re-evaluation: a later satisfaction vote on that project alone.
    meeting = committee_meeting(world, ev.selection.deputies)
    again = satisfaction.reevaluate(actor=world.staff, rectification=rect, meeting=meeting)
    rect.refresh_from_db()
    assert rect.state == "reevaluating" and rect.reevaluation == again
    assert list(again.reevaluated.all()) == [rect]
    assert [c.project for c in again.candidate_list.candidates.all()] == [rect.project]
    with pytest.raises(ValidationError, match="不能再修改"):
        satisfaction.reply_rectification(
            actor=officer, rectification=rect, reply="补充：另加装路灯二十盏，已通电。"
        )
    re_ev = type(ev)(
        ev.selection, meeting, again, ev.users, list(again.candidate_list.candidates.all())
    )
    counted(world, re_ev, [grades(re_ev, S), grades(re_ev, S), grades(re_ev, B)])
    rect.refresh_from_db()
    assert rect.state == "closed" and rect.outcome == S and rect.closed_at is not None
    assert Rectification.objects.count() == 1  # 满意 now: no new rectification


def test_dissatisfied_again_opens_the_next_rectification(world: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=1)
    counted(world, ev, [grades(ev, D), grades(ev, D), grades(ev, D)])
    first = satisfaction.reply_rectification(
        actor=world.users["handling_officer"],
        rectification=Rectification.objects.get(),
        reply="已制定整改方案，正在施工。",
    )
    meeting = committee_meeting(world, ev.selection.deputies)
    again = satisfaction.reevaluate(actor=world.staff, rectification=first, meeting=meeting)
    re_ev = type(ev)(
        ev.selection, meeting, again, ev.users, list(again.candidate_list.candidates.all())
    )
    counted(world, re_ev, [grades(re_ev, B), grades(re_ev, D), grades(re_ev, "")])
    first.refresh_from_db()
    assert first.state == "closed" and first.outcome == D
    second = Rectification.objects.exclude(pk=first.pk).get()
    assert second.previous == first and second.vote == again and second.state == "open"


def test_verify_ballots_covers_a_satisfaction_vote_and_catches_tampering(world: Any) -> None:
    ev = make_evaluation(world, deputies=4, chosen=2)
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, [grades(ev, S, B), grades(ev, D, S), grades(ev, B, ""), grades(ev, S, S)])
    closed = services.close_round(actor=world.staff, round_=ev.round)
    assert verify_round(closed).ok
    out = StringIO()
    call_command("verify_ballots", str(ev.vote.pk), stdout=out)
    assert "第1轮：通过，4 张选票" in out.getvalue()
    assert chain.grouped(closed.fingerprint) in out.getvalue()
    # The database refuses to change a sealed box (and the vote's kind once frozen).
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.filter(round=closed).update(choices="{}")
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.filter(pk=ev.vote.pk).update(kind="selection")
    with triggers_off():
        b = Ballot.objects.filter(round=closed).order_by("position").first()
        assert b is not None
        flipped = {k: (D if v == S else S) for k, v in json.loads(b.choices).items()}
        Ballot.objects.filter(pk=b.pk).update(choices=chain.canonical(flipped))
    report = verify_round(closed)
    assert not report.ok and "内容与其哈希不符" in report.reason
    with pytest.raises(CommandError):
        call_command("verify_ballots", str(ev.vote.pk), stdout=StringIO())
    with pytest.raises(ValidationError, match="票箱核验未通过"):
        services.count_round(actor=world.staff, round_=closed)
    assert not Rectification.objects.exists()


def test_paper_counts_are_for_selection_votes_only(world: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=1)
    services.open_round(actor=world.staff, round_=ev.round)
    with pytest.raises(ValidationError, match="满意度测评"):
        services.enter_paper_counts(
            actor=world.staff, round_=ev.round, issued=3, returned=3, invalid=0, counts={}
        )
