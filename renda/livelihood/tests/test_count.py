"""The count rules: 赞成 must be MORE than half of the base (all / present / valid), the top
N are chosen, a tie at the cut-off goes to a re-vote among the tied for the seats left, fewer
passing than seats is reported, and a box with more ballots than issued is void."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renda.livelihood import rules, services
from renda.livelihood.models import Round

from .factories import cast_all, make_hall, marks


def t(cid: int, yes: int) -> rules.Tally:
    return rules.Tally(cid, yes=yes)


def test_exactly_half_does_not_pass() -> None:
    d = rules.decide([t(1, 5), t(2, 6)], seats=2, base=10)
    assert d.passing == [2] and d.chosen == [2] and d.shortfall == 1 and d.needed == 6


def test_top_n_of_the_passing_are_chosen() -> None:
    d = rules.decide([t(1, 7), t(2, 9), t(3, 8), t(4, 2)], seats=2, base=10)
    assert d.chosen == [2, 3] and d.passing == [2, 3, 1] and not d.tied


def test_a_tie_at_the_cut_off_goes_to_a_revote_among_the_tied() -> None:
    d = rules.decide([t(1, 9), t(2, 7), t(3, 7), t(4, 7)], seats=2, base=10)
    assert d.chosen == [1] and sorted(d.tied) == [2, 3, 4] and d.revote_seats == 1


def test_a_tie_above_the_cut_off_is_no_tie() -> None:
    d = rules.decide([t(1, 8), t(2, 8), t(3, 6)], seats=2, base=10)
    assert sorted(d.chosen) == [1, 2] and not d.tied


def test_void_ballots_count_for_nobody_and_unmarked_is_abstain() -> None:
    full = rules.normalise({1: "yes", 2: "bogus"}, [1, 2, 3])
    assert full == {1: "yes", 2: "abstain", 3: "abstain"}
    assert rules.is_valid({1: "yes", 2: "yes"}, 2) and not rules.is_valid({1: "yes", 2: "yes"}, 1)
    tallies = rules.tally([({1: "yes", 2: "yes"}, False), ({1: "no", 2: "yes"}, True)], [1, 2])
    assert tallies == [rules.Tally(1, 0, 1, 0), rules.Tally(2, 1, 0, 0)]


@given(
    yes=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12),
    seats=st.integers(min_value=1, max_value=6),
    base=st.integers(min_value=1, max_value=30),
)
def test_decision_properties(yes: list[int], seats: int, base: int) -> None:
    d = rules.decide([t(i, y) for i, y in enumerate(yes)], seats=seats, base=base)
    by = dict(enumerate(yes))
    assert len(d.chosen) <= seats
    assert all(by[c] * 2 > base for c in d.chosen + d.tied)
    assert len(d.chosen) + d.revote_seats + d.shortfall <= seats
    if d.tied:
        assert len(d.tied) > d.revote_seats > 0 and len({by[c] for c in d.tied}) == 1
        assert all(by[c] > by[d.tied[0]] for c in d.chosen)
    else:
        assert len(d.chosen) + d.shortfall == seats


@pytest.mark.django_db
def test_tie_opens_a_second_round_among_the_tied(world: Any) -> None:
    hall = make_hall(world, deputies=8, seats=2, candidates=4)
    services.open_round(actor=world.staff, round_=hall.round)
    # Base 8, 5 needed. A: 6; B and C: 5 each, tied at the cut-off; D: 0.
    cast_all(hall, [marks(hall, 0, 1)] * 3 + [marks(hall, 0, 2)] * 3 + [marks(hall, 1, 2)] * 2)
    first = services.close_round(actor=world.staff, round_=hall.round)
    first = services.count_round(actor=world.staff, round_=first)
    a, b, c, _ = (x.pk for x in hall.candidates)
    assert first.result["chosen"] == [a] and sorted(first.result["tied"]) == [b, c]
    second = hall.round
    assert second.number == 2 and second.seats == 1 and sorted(second.candidate_ids) == [b, c]
    assert second.state == Round.State.DRAFT
    # The re-vote: its own freeze, roster and ballots; B wins.
    services.open_round(actor=world.staff, round_=second)
    cast_all(hall, [{b: "yes"}] * 5 + [{c: "yes"}] * 3)
    second = services.count_round(
        actor=world.staff, round_=services.close_round(actor=world.staff, round_=second)
    )
    assert second.result["chosen"] == [b] and not second.result["tied"]
    from renda.livelihood.selectors import chosen_projects

    assert [x.pk for x in chosen_projects(hall.vote)] == [a, b]
    hall.vote.agenda_item.refresh_from_db()
    assert "再次投票" in hall.vote.agenda_item.outcome and "第2轮" in hall.vote.agenda_item.outcome


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pass_base", "chosen"),
    # 10 members, 6 checked in, 5 valid ballots + 1 void; A gets 4 valid 赞成.
    [("all", False), ("present", True), ("valid", True)],
)
def test_pass_base(world: Any, pass_base: str, chosen: bool) -> None:
    hall = make_hall(world, deputies=10, check_in=6, seats=1, candidates=2, pass_base=pass_base)
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(
        hall,
        [marks(hall, 0), marks(hall, 0), marks(hall, 0), marks(hall, 0, 1), {}, marks(hall, 0)],
    )
    counted = services.count_round(
        actor=world.staff, round_=services.close_round(actor=world.staff, round_=hall.round)
    )
    result = counted.result
    assert result["invalid"] == 1 and result["valid"] == 5
    assert result["base"] == {"all": 10, "present": 6, "valid": 5}[pass_base]
    assert (result["chosen"] == [hall.candidates[0].pk]) is chosen
    if not chosen:
        assert result["shortfall"] == 1
        from renda.meetings.models import AgendaItem

        item = AgendaItem.objects.get(pk=hall.vote.agenda_item_id)
        assert "报主席团决定" in item.outcome and item.outcome_kind == "vote"


@pytest.mark.django_db
def test_staff_with_the_livelihood_duty_only_count_and_write_the_agenda_outcome(
    world: Any,
) -> None:
    """预算工委 holds the livelihood duty but not the meetings duty of 办公室: counting a round
    still writes the 表决结果 onto the session's agenda item."""
    from renda.accounts.models import OfficeDuty
    from renda.accounts.services import accounts as account_services
    from renda.core.models import Organization
    from renda.core.roles import Duty, Role

    office = Organization.objects.create(
        name="预算工委", code="T-YGW", kind=Organization.Kind.OFFICE, region=world.county
    )
    OfficeDuty.objects.create(organization=office, duty=Duty.LIVELIHOOD)
    budget_staff = account_services.create_user(
        actor=None,
        username="ygw",
        name="预算工委干部",
        role=Role.STAFF,
        organization=office,
        mobile="13933330000",
        must_change_password=False,
    )
    hall = make_hall(world, deputies=4, seats=1, candidates=2)
    services.open_round(actor=budget_staff, round_=hall.round)
    cast_all(hall, [marks(hall, 0)] * 3 + [marks(hall, 1)])
    closed = services.close_round(actor=budget_staff, round_=hall.round)
    counted = services.count_round(actor=budget_staff, round_=closed)
    assert counted.result["chosen"] == [hall.candidates[0].pk]
    hall.vote.agenda_item.refresh_from_db()
    assert hall.vote.agenda_item.outcome_kind == "vote"
    assert "第1轮票决" in hall.vote.agenda_item.outcome
