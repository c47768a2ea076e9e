"""Item statistics against figures worked out by hand (reference/exam.md §1.6): facility,
standard deviation, discrimination index (the corrected item-total correlation) and
discriminative efficiency (cov / cov of the independently sorted arrays); figures that
cannot be computed are None; flags come from thresholds that are data; the page lists one
row per question over every attempt that has its total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from renda.exams.models import Answer, Question
from renda.exams.services.attempts import save_answer, submit_attempt
from renda.exams.services.blueprints import save_blueprint
from renda.exams.services.statistics import (
    FlagRules,
    ItemFigures,
    flag_rules,
    flags,
    item_figures,
    item_statistics,
)

from .attempt_setup import INSIDE, answers_of, open_sitting, start
from .builders import cell, nominees, stock


def test_figures_of_a_negatively_discriminating_item() -> None:
    # marks out of 10: x = 1, 0, .5, 1 → mean .625; rest = 20, 45, 20, 40 (mean 31.25).
    # Σdx² = .6875 → var .229167, SD = 47.87 %; Σdr² = 518.75 → var 172.9167;
    # Σdx·dr = −8.125 → cov −2.708333; D = 100·cov/√(var·var) = −43.02;
    # sorted x (0, .5, 1, 1) with sorted rest (20, 20, 40, 45): Σ = 16.875 → covmax 5.625,
    # E = 100·cov/covmax = −48.15.
    figures = item_figures([10, 0, 5, 10], [10, 10, 10, 10], [30, 45, 25, 50])
    assert figures.count == 4
    assert figures.facility == pytest.approx(62.5)
    assert figures.sd == pytest.approx(47.87, abs=0.01)
    assert figures.discrimination == pytest.approx(-43.02, abs=0.01)
    assert figures.efficiency == pytest.approx(-48.15, abs=0.01)
    assert flags(figures, FlagRules()) == ["negative"]


def test_figures_that_cannot_be_computed_are_none() -> None:
    assert item_figures([], [], []) == ItemFigures(0, None, None, None, None)
    one = item_figures([Decimal(3)], [Decimal(5)], [Decimal(40)])
    assert (one.facility, one.sd, one.discrimination) == (pytest.approx(60.0), None, None)
    same = item_figures([5, 5, 5], [5, 5, 5], [10, 20, 30])  # everybody right: no spread
    assert same.facility == pytest.approx(100.0) and same.sd == 0
    assert same.discrimination is None and same.efficiency is None
    assert flags(same, FlagRules()) == ["too_easy"]
    assert flags(one, FlagRules()) == []  # one attempt flags nothing


def test_marks_are_taken_as_a_share_of_the_papers_score() -> None:
    # The same question scored 5 on one paper and 10 on another: 5/10 and 5/5.
    figures = item_figures([5, 5], [10, 5], [50, 60])
    assert figures.facility == pytest.approx(75.0)


def test_flag_thresholds_are_data() -> None:
    hard = ItemFigures(10, 15.0, 20.0, 30.0, 40.0)
    assert flags(hard, FlagRules()) == ["too_hard"]
    assert flags(hard, FlagRules(too_hard=10.0)) == []
    with override_settings(EXAM_ITEM_FLAGS={"too_hard": 10.0, "too_easy": 80.0}):
        assert flag_rules() == FlagRules(too_easy=80.0, too_hard=10.0)


@pytest.mark.django_db
def test_statistics_per_question_over_the_sittings_attempts(world: Any, client_for: Any) -> None:
    # Two true/false questions (5 points each, key 对) on every paper; five examinees:
    # Q1 answers 对对对错错 → x = 1,1,1,0,0; Q2 answers 对对错对错 → x = 1,1,0,1,0.
    # Q1: facility 60; var_x = 1.2/4 = .3 → SD 54.77 %; rest = Q2 marks 5,5,0,5,0 (mean 3),
    # var 30/4 = 7.5; cov = (.8+.8−1.2−1.2+1.8)/4 = .25 → D = 25/√2.25 = 16.67;
    # covmax = (1.8+1.8+.8+.8+.8)/4 = 1.5 → E = 16.67. Q2 is the mirror image.
    stock(world.staff, "监察法", "true_false", [1, 2])
    plan = save_blueprint(
        actor=world.staff,
        blueprint=None,
        name="统计规则",
        position_category="supervisory",
        parallel_forms=1,
        cells=[cell("监察法", "true_false", 2, score="5")],
    )
    people = nominees(5)
    sitting = open_sitting(world.staff, people, blueprint=plan, pass_mark=Decimal(6))
    codes = sorted(Question.objects.filter(topic__name="监察法").values_list("code", flat=True))
    pattern = {
        codes[0]: [True, True, True, False, False],
        codes[1]: [True, True, False, True, False],
    }
    for index, person in enumerate(people):
        attempt = start(sitting, person)
        for answer in answers_of(attempt):
            value = pattern[answer.question.version.question.code][index]
            save_answer(
                actor=person,
                attempt=attempt,
                order=answer.order,
                base_version=0,
                value=value,
                ip=INSIDE,
            )
        submit_attempt(actor=person, attempt=attempt, ip=INSIDE)
    assert Answer.objects.filter(score=5).count() == 6
    rows = item_statistics(sitting, FlagRules(too_hard=65.0))
    assert [r.code for r in rows] == codes
    for row in rows:
        assert row.figures.count == 5
        assert row.figures.facility == pytest.approx(60.0)
        assert row.figures.sd == pytest.approx(54.77, abs=0.01)
        assert row.figures.discrimination == pytest.approx(16.67, abs=0.01)
        assert row.figures.efficiency == pytest.approx(16.67, abs=0.01)
        assert row.flag_labels == ["过难"]
    assert item_statistics(sitting) and all(not r.flags for r in item_statistics(sitting))
    page = client_for("staff").get(reverse("exams:item_stats"), {"sitting": sitting.pk})
    text = page.content.decode()
    assert text.count('data-testid="item-row"') == 2
    assert "60.0%" in text and "54.8" in text and "16.7" in text
