"""Item statistics (试题分析), as Moodle computes them per question over attempts
(reference/exam.md §1.6). For one question, over the s attempts that answered it:

- x = mark / max mark (so papers that gave the question different scores still compare);
- facility index  F = mean(x) × 100 (higher = easier);
- standard deviation SD = sqrt(Σ(x − x̄)² / (s − 1)) × 100, in percent of the max mark;
- rest = the attempt's total − this mark;
- discrimination index D = 100 · cov(x, rest) / sqrt(var(x) · var(rest)) (the corrected
  item-total correlation, sample (s − 1) covariances);
- discriminative efficiency E = 100 · cov(x, rest) / covmax, where covmax is the covariance of
  x and rest each sorted on its own (the largest covariance those values allow).

A figure that cannot be computed (fewer than two attempts, no spread) is None. Flags compare
the figures with thresholds that are data (`FlagRules`; settings.EXAM_ITEM_FLAGS overrides
them). With a few dozen nominees per sitting these figures are noisy: the page aggregates
every sitting by default."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from ..models import Answer, AttemptState, ExamSitting, QuestionType

Number = float | Decimal | int


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def covariance(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Sample covariance (divisor s − 1); needs s ≥ 2."""
    mx, my = _mean(xs), _mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


@dataclass(frozen=True)
class ItemFigures:
    count: int
    facility: float | None  # percent
    sd: float | None  # percent of the max mark
    discrimination: float | None  # percent
    efficiency: float | None  # percent


def item_figures(
    marks: Sequence[Number], max_marks: Sequence[Number], totals: Sequence[Number]
) -> ItemFigures:
    """The four figures for one question from each attempt's mark, the question's max mark
    on that paper and the attempt's total."""
    s = len(marks)
    if s == 0:
        return ItemFigures(0, None, None, None, None)
    xs = [float(m) / float(mx) for m, mx in zip(marks, max_marks, strict=True)]
    rest = [float(t) - float(m) for t, m in zip(totals, marks, strict=True)]
    facility = _mean(xs) * 100
    if s < 2:
        return ItemFigures(s, facility, None, None, None)
    var_x = covariance(xs, xs)
    sd = math.sqrt(var_x) * 100
    var_r = covariance(rest, rest)
    cov = covariance(xs, rest)
    product = var_x * var_r
    discrimination = 100 * cov / math.sqrt(product) if product > 0 else None
    covmax = covariance(sorted(xs), sorted(rest))
    efficiency = 100 * cov / covmax if covmax > 0 else None
    return ItemFigures(s, facility, sd, discrimination, efficiency)


@dataclass(frozen=True)
class FlagRules:
    """Facility above `too_easy` or below `too_hard` (percent), discrimination below
    `negative_discrimination`; `min_count` attempts before anything is flagged."""

    too_easy: float = 90.0
    too_hard: float = 20.0
    negative_discrimination: float = 0.0
    min_count: int = 2


def flag_rules() -> FlagRules:
    overrides: dict[str, Any] = getattr(settings, "EXAM_ITEM_FLAGS", {}) or {}
    return replace(FlagRules(), **overrides)


FLAG_LABELS = {
    "too_easy": "过易",
    "too_hard": "过难",
    "negative": "区分度为负",
}


def flags(figures: ItemFigures, rules: FlagRules) -> list[str]:
    if figures.count < rules.min_count or figures.facility is None:
        return []
    found = []
    if figures.facility > rules.too_easy:
        found.append("too_easy")
    if figures.facility < rules.too_hard:
        found.append("too_hard")
    if (
        figures.discrimination is not None
        and figures.discrimination < rules.negative_discrimination
    ):
        found.append("negative")
    return found


@dataclass(frozen=True)
class ItemRow:
    question_pk: int
    code: str
    type_label: str
    stem: str
    figures: ItemFigures
    flags: list[str] = field(default_factory=list)

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[f] for f in self.flags]


def graded_answers(sitting: ExamSitting | None = None) -> QuerySet[Answer]:
    """Answers that count: scored, on a submitted attempt whose total is known."""
    answers = Answer.objects.filter(
        attempt__state=AttemptState.SUBMITTED,
        attempt__total_score__isnull=False,
        score__isnull=False,
    )
    if sitting is not None:
        answers = answers.filter(attempt__enrolment__sitting=sitting)
    return answers


def item_statistics(
    sitting: ExamSitting | None = None, rules: FlagRules | None = None
) -> list[ItemRow]:
    """One row per question (its stable identity, over every version shown) over all the
    attempts that count, in question-code order."""
    rules = rules or flag_rules()
    rows = graded_answers(sitting).values_list(
        "question__version__question_id",
        "question__version__question__code",
        "question__version__type",
        "question__version__stem",
        "score",
        "question__score",
        "attempt__total_score",
    )
    grouped: dict[int, dict[str, Any]] = {}
    for qid, code, kind, stem, score, max_score, total in rows:
        item = grouped.setdefault(
            qid, {"code": code, "type": kind, "stem": stem, "m": [], "x": [], "t": []}
        )
        item["m"].append(score)
        item["x"].append(max_score)
        item["t"].append(total)
    labels = dict(QuestionType.choices)
    out = []
    for qid, item in sorted(grouped.items(), key=lambda kv: kv[1]["code"]):
        figures = item_figures(item["m"], item["x"], item["t"])
        out.append(
            ItemRow(
                qid,
                item["code"],
                str(labels.get(item["type"], item["type"])),
                item["stem"],
                figures,
                flags(figures, rules),
            )
        )
    return out
