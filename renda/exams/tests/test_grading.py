"""Objective grading (Moodle's rules): choices through the examinee's shuffled option order,
multiple choice as the sum of chosen weights × score floored at 0, thirds that add up to
full marks, true/false, fill-in after normalising full-width letters and spaces; short
answers are left for graders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from renda.exams.models import QuestionVersion
from renda.exams.services.grading import normalise, score_value


def version(kind: str, weights: tuple[str, ...] = (), answer: dict[str, Any] | None = None) -> Any:
    return QuestionVersion(
        type=kind,
        stem="题",
        options=[{"text": f"选项{i}", "weight": w} for i, w in enumerate(weights)],
        answer=answer or {},
    )


TEN = Decimal(10)


def test_single_choice_maps_the_shown_position_back_to_the_option() -> None:
    single = version("single", ("0", "100", "0", "0"))
    shown = [2, 1, 3, 0]  # the examinee saw option 1 second (position 1)
    assert score_value(single, shown, 1, TEN) == TEN
    assert score_value(single, shown, 0, TEN) == 0
    assert score_value(single, [], 1, TEN) == TEN  # no shuffle
    assert score_value(single, shown, None, TEN) == 0
    assert score_value(single, shown, True, TEN) == 0  # a bool is not a position


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([0, 1], "10.00"),
        ([0], "5.00"),
        ([0, 2], "0.00"),  # 50 − 50
        ([2], "0.00"),  # −50 floored at 0, never negative
        ([0, 1, 2], "5.00"),
        ([0, 1, 3], "10.00"),
        ([0, 0, 1], "10.00"),  # a position counted once
        ([], "0.00"),
    ],
)
def test_multiple_choice_sums_the_chosen_weights_floored_at_zero(
    chosen: list[int], expected: str
) -> None:
    multiple = version("multiple", ("50", "50", "-50", "0"))
    assert score_value(multiple, [], chosen, TEN) == Decimal(expected)


def test_moodle_thirds_give_full_marks() -> None:
    thirds = version("multiple", ("33.33333", "33.33333", "33.33334", "-100"))
    assert score_value(thirds, [], [0, 1, 2], Decimal(3)) == Decimal(3)
    assert score_value(thirds, [], [0], Decimal(3)) == Decimal("1.00")
    assert score_value(thirds, [], [0, 1, 2, 3], Decimal(3)) == 0


def test_true_false_and_fill_in() -> None:
    truth = version("true_false", answer={"truth": False})
    assert score_value(truth, [], False, TEN) == TEN
    assert score_value(truth, [], True, TEN) == 0
    assert score_value(truth, [], 0, TEN) == 0  # 0 is not False here
    fill = version("fill_in", answer={"accepted": ["全国人大常委会", "NPC Standing Committee"]})
    assert score_value(fill, [], " 全国人大 常委会　", TEN) == TEN
    assert score_value(fill, [], "ＮＰＣ　ｓｔａｎｄｉｎｇ committee", TEN) == TEN
    assert score_value(fill, [], "全国人大", TEN) == 0
    assert normalise("Ａ　Ｂ１ c") == "ab1c"


def test_short_answers_wait_for_graders() -> None:
    short = version("short_answer", answer={"reference": "要点"})
    assert score_value(short, [], "我的回答", TEN) is None
