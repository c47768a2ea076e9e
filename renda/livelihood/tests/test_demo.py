"""The livelihood demo (renda/livelihood/demo/) on top of the demo registry: last year's
vote counted from ballots cast through the casting service, its chain verifying and its 公告
matching the ballots; the plans; the satisfaction vote with its rectification; this year's
open call; and a second load that writes nothing."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from renda.livelihood.demo import PARKING, ROAD, SEATS, load_demo_livelihood
from renda.livelihood.models import (
    Ballot,
    Call,
    Participation,
    Plan,
    Proposal,
    Rectification,
    Round,
    Vote,
)
from renda.livelihood.selectors import chosen_projects, public_result, verify_round
from renda.suggestions.demo import demo_year

pytestmark = pytest.mark.django_db


def test_the_livelihood_demo() -> None:
    """One load (it takes a while) for every check; each failing check is reported."""
    call_command("seed_demo", force=True, registry_only=True, stdout=io.StringIO())
    loaded = load_demo_livelihood(actor=None)
    failures = []
    for check in CHECKS:
        try:
            check(loaded)
        except AssertionError as error:
            failures.append(f"{check.__name__}: {error}")
    assert failures == []


def _valid_marks(round_: Round) -> list[dict[str, str]]:
    rows = Ballot.objects.filter(round=round_, valid=True).values_list("choices", flat=True)
    return [json.loads(c) for c in rows]


def check_last_years_vote_chose_fifteen_with_the_road(loaded: dict[str, int]) -> None:
    year = demo_year(timezone.localdate()) - 1
    vote = Vote.objects.get(kind="selection", candidate_list__title__startswith=str(year))
    assert vote.meeting.state == "closed" and vote.meeting.start_at.year == year
    chosen = [c.project.title for c in chosen_projects(vote)]
    assert len(chosen) == SEATS and ROAD in chosen and PARKING in chosen
    round_ = vote.rounds.get()
    assert round_.state == Round.State.COUNTED and round_.result["chosen"]
    # Every deputy checked in voted, once; one ballot is void (too many 赞成).
    assert round_.ballots_cast == round_.roster_size == loaded["选票"]
    assert Participation.objects.filter(round=round_).count() == round_.ballots_cast
    assert round_.result["invalid"] == 1 and round_.members_total == 205
    # The losers went to the reserve; one of them was carried into this year's call.
    assert Proposal.objects.filter(first_call__year=year, state="reserved").count() == 1


def check_every_demo_ballot_box_verifies(loaded: dict[str, int]) -> None:
    rounds = Round.objects.filter(state=Round.State.COUNTED)
    assert rounds.count() == 2
    for round_ in rounds:
        assert verify_round(round_).ok, verify_round(round_).reason
    out = io.StringIO()
    for vote in Vote.objects.all():
        call_command("verify_ballots", str(vote.pk), stdout=out)
    assert "不符" not in out.getvalue()


def check_the_public_notice_counts_are_the_ballots(loaded: dict[str, int]) -> None:
    for vote in Vote.objects.all():
        for published in public_result(vote):
            marks = _valid_marks(published.round)
            counted = {
                cid: Counter(m[str(cid)] for m in marks) for cid in published.round.candidate_ids
            }
            if vote.kind == "selection":
                assert published.rows
                for row in published.rows:
                    c = counted[row.candidate.pk]
                    assert (row.yes, row.no, row.abstain) == (c["yes"], c["no"], c["abstain"])
            else:
                assert published.grades
                for g in published.grades:
                    c = counted[g.candidate.pk]
                    assert (g.satisfied, g.basic, g.dissatisfied, g.abstain) == (
                        c["satisfied"],
                        c["basic"],
                        c["dissatisfied"],
                        c["abstain"],
                    )
        page = Client().get(f"/livelihood/public/votes/{vote.pk}/")
        assert page.status_code == 200


def check_plans_satisfaction_and_rectification(loaded: dict[str, int]) -> None:
    plans = Plan.objects.select_related("project")
    assert plans.count() == SEATS
    assert plans.filter(state=Plan.State.COMPLETED).count() == SEATS - 1
    lagging = plans.get(project__title=PARKING)
    assert lagging.state == Plan.State.ACTIVE and lagging.progress < 100
    assert lagging.inspections.exists() and lagging.supervisors.count() >= 3
    for plan in plans:
        items = list(plan.items.all())
        assert len(items) >= 2 and all(i.budget > 0 for i in items)
        assert sum(i.budget for i in items) <= plan.project.estimated_cost
        assert all(i.milestones.exists() and i.reports.exists() for i in items)
    evaluation = Vote.objects.get(kind="satisfaction")
    assert evaluation.meeting.kind == "standing" and evaluation.meeting.state == "closed"
    grades = {g.candidate.project.title: g.grade for g in public_result(evaluation)[0].grades}
    assert len(grades) == SEATS and grades[PARKING] == "dissatisfied"
    assert "basic" in grades.values() and list(grades.values()).count("dissatisfied") == 1
    rect = Rectification.objects.get()
    assert rect.project.title == PARKING and rect.lead_unit.code == "ZF-ZJJ"
    assert rect.state == Rectification.State.REPLIED and rect.reply


def check_this_years_call_is_open_with_proposals_of_every_kind(loaded: dict[str, int]) -> None:
    today = timezone.localdate()
    call = Call.objects.get(year=demo_year(today) + 1)
    assert call.accepting(today)
    proposals = Proposal.objects.filter(call=call)
    kinds = set(proposals.values_list("proposer_kind", flat=True))
    assert kinds == {"public", "deputy", "department", "township", "village"}
    assert all(p.tracking_code for p in proposals)
    states = Counter(proposals.values_list("state", flat=True))
    assert states["accepted"] >= 3 and states["rejected"] == 1 and states["reserved"] == 1
    assert states["screening"] >= 1 and states["submitted"] >= 3
    rejected = proposals.get(state="rejected")
    assert "负面清单" in rejected.decision_note and not rejected.screening.burden_ok
    carried = proposals.exclude(first_call=call).get()
    assert carried.first_call.year == call.year - 2


def check_a_second_load_writes_nothing(loaded: dict[str, int]) -> None:
    counts = (Proposal.objects.count(), Ballot.objects.count(), Plan.objects.count())
    assert load_demo_livelihood(actor=None) == {}
    assert (Proposal.objects.count(), Ballot.objects.count(), Plan.objects.count()) == counts


CHECKS = (
    check_last_years_vote_chose_fifteen_with_the_road,
    check_every_demo_ballot_box_verifies,
    check_the_public_notice_counts_are_the_ballots,
    check_plans_satisfaction_and_rectification,
    check_this_years_call_is_open_with_proposals_of_every_kind,
    check_a_second_load_writes_nothing,  # last: it loads again
)
