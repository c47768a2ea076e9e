"""The 满意度测评 rule as a pure function (civic.md §4.6): 满意 if 满意 > half of the voters,
else 基本满意 if 满意 + 基本满意 > half, else 不满意; strictly more than half, so exactly half
is not enough. Marks, validity and the tally of a 测评票."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renda.livelihood import rules
from renda.livelihood.rules import SatisfactionChoice, VoteKind, satisfaction_result

S, B, D = "satisfied", "basic", "dissatisfied"


def counts(satisfied: int, basic: int, dissatisfied: int = 0) -> dict[str, int]:
    return {S: satisfied, B: basic, D: dissatisfied}


@pytest.mark.parametrize(
    ("satisfied", "basic", "voters", "grade"),
    [
        # even base: half of 10 is 5
        (6, 0, 10, S),
        (5, 0, 10, D),  # exactly half 满意, nothing else: 满意 + 基本满意 = 5 is not > 5
        (5, 1, 10, B),  # exactly half 满意 is not 满意; with one 基本满意 it is 基本满意
        (3, 2, 10, D),  # 满意 + 基本满意 exactly half: 不满意 ("含半数")
        (3, 3, 10, B),
        (0, 6, 10, B),
        (0, 0, 10, D),
        # odd base: half of 9 is 4.5
        (5, 0, 9, S),
        (4, 1, 9, B),
        (4, 0, 9, D),
        (0, 5, 9, B),
        # 镇海's published rows (29 members voting): 28/1/0 and 17/11/1 are 满意
        (28, 1, 29, S),
        (17, 11, 29, S),
        (14, 1, 29, B),
        (14, 0, 29, D),
        # nobody voted: 0 is not more than half of 0
        (0, 0, 0, D),
    ],
)
def test_the_three_way_rule_at_its_boundaries(
    satisfied: int, basic: int, voters: int, grade: str
) -> None:
    assert (
        satisfaction_result(counts(satisfied, basic, voters - satisfied - basic), voters) == grade
    )


def test_unmarked_items_count_in_the_base_for_no_grade() -> None:
    # 10 voters: 5 满意, 5 left the project unmarked; 5 is not more than half of 10.
    assert satisfaction_result({S: 5}, 10) == D
    # The same five with no one unmarked would have been 10 voters all 满意.
    assert satisfaction_result({S: 5}, 5) == S


@given(
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
)
def test_the_rule_matches_its_definition(s: int, b: int, d: int, unmarked: int) -> None:
    voters = s + b + d + unmarked
    half = Fraction(voters, 2)
    expected = S if s > half else B if s + b > half else D
    assert satisfaction_result(counts(s, b, d), voters) == expected


@given(st.integers(min_value=1, max_value=300), st.data())
def test_more_satisfied_never_lowers_the_grade(voters: int, data: st.DataObject) -> None:
    s = data.draw(st.integers(min_value=0, max_value=voters - 1))
    b = data.draw(st.integers(min_value=0, max_value=voters - 1 - s))
    order = {D: 0, B: 1, S: 2}
    # One 基本满意 (or 不满意) voter turning 满意 never lowers the grade.
    before = satisfaction_result(counts(s, b), voters)
    after = satisfaction_result(counts(s + 1, max(b - 1, 0)), voters)
    assert order[after] >= order[before]


def test_marks_and_validity_follow_the_kind() -> None:
    kind = VoteKind.SATISFACTION
    marks = rules.normalise({1: "satisfied", 2: "yes", 3: "dissatisfied"}, [1, 2, 3, 4], kind)
    # 赞成 is no mark of a 测评票: like an unmarked item it is 弃权 (未评价).
    assert marks == {1: S, 2: "abstain", 3: D, 4: "abstain"}
    assert rules.is_valid({1: S, 2: S, 3: S}, 1, kind)  # no "more than seats" on a 测评票
    # A 票决 still ignores satisfaction marks and voids a ballot with too many 赞成.
    assert rules.normalise({1: "satisfied"}, [1]) == {1: "abstain"}
    assert not rules.is_valid({1: "yes", 2: "yes"}, 1)
    assert set(rules.marks_of(kind)) == {*SatisfactionChoice.values, "abstain"}


def test_the_tally_counts_valid_ballots_and_unmarked_items() -> None:
    ballots = [
        ({1: S, 2: B}, True),
        ({1: S, 2: "abstain"}, True),
        ({1: D, 2: D}, True),
        ({1: S, 2: S}, False),  # a ballot marked invalid counts for nobody
    ]
    by_id = {t.candidate_id: t for t in rules.satisfaction_tally(ballots, [1, 2])}
    assert (by_id[1].satisfied, by_id[1].basic, by_id[1].dissatisfied, by_id[1].abstain) == (
        2,
        0,
        1,
        0,
    )
    assert (by_id[2].satisfied, by_id[2].basic, by_id[2].dissatisfied, by_id[2].abstain) == (
        0,
        1,
        1,
        1,
    )


def test_the_rate_and_the_configurable_deadline(settings: object) -> None:
    assert rules.satisfaction_rate({S: 2, B: 1}, 4) == 0.75
    assert rules.satisfaction_rate({}, 0) is None
    assert rules.satisfaction_rules().rectification_workdays == 60
    settings.LIVELIHOOD_RECTIFICATION_WORKDAYS = 20  # type: ignore[attr-defined]
    assert rules.satisfaction_rules().rectification_workdays == 20
