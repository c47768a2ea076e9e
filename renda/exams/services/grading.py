"""Objective grading at submission (Moodle's rules, reference/exam.md §1.5 and §1.7).

An answer is stored in the positions the examinee was shown; `PaperQuestion.option_order`
maps each position back to the version's option. Single and multiple choice score
sum(weights of the chosen options) × score, floored at 0 and capped at the score, so a
wrong option with a negative weight takes marks away but never below nothing. True/false
and fill-in are right or wrong; fill-in compares after normalising (full-width to half-width,
no spaces, case folded). Short answers return None: graders mark them (a later part)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..models import PaperQuestion, QuestionType, QuestionVersion

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
OBJECTIVE_TYPES = (
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL_IN,
)


def normalise(text: str) -> str:
    """What a typed answer means: NFKC folds full-width letters, digits and the ideographic
    space to their plain forms; then every space goes and case no longer counts."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).casefold()


def _original(option_order: Sequence[int], position: int) -> int:
    return option_order[position] if option_order else position


def _weights(version: QuestionVersion) -> list[Decimal]:
    return [Decimal(str(o.get("weight", "0"))) for o in version.options]


def _choice_score(
    version: QuestionVersion, option_order: Sequence[int], positions: Sequence[int], score: Decimal
) -> Decimal:
    weights = _weights(version)
    total = sum((weights[_original(option_order, p)] for p in set(positions)), Decimal(0))
    earned = score * total / HUNDRED
    return min(max(earned, Decimal(0)), score).quantize(CENT, ROUND_HALF_UP)


def score_value(
    version: QuestionVersion, option_order: Sequence[int], value: Any, score: Decimal
) -> Decimal | None:
    """The score of one answer, or None when a grader must mark it. A value that does not
    fit the question (the services refuse those at saving) scores nothing."""
    kind = version.type
    if kind == QuestionType.SHORT_ANSWER:
        return None
    if value is None or value == "" or value == []:
        return Decimal(0).quantize(CENT)
    if kind == QuestionType.SINGLE:
        if not isinstance(value, int) or isinstance(value, bool):
            return Decimal(0).quantize(CENT)
        return _choice_score(version, option_order, [value], score)
    if kind == QuestionType.MULTIPLE:
        if not isinstance(value, list):
            return Decimal(0).quantize(CENT)
        return _choice_score(version, option_order, value, score)
    if kind == QuestionType.TRUE_FALSE:
        truth = (version.answer or {}).get("truth")
        return (score if value is truth else Decimal(0)).quantize(CENT)
    if kind == QuestionType.FILL_IN:
        accepted = {normalise(a) for a in (version.answer or {}).get("accepted", ())}
        right = isinstance(value, str) and normalise(value) in accepted
        return (score if right else Decimal(0)).quantize(CENT)
    return None


def grade(question: PaperQuestion, value: Any) -> Decimal | None:
    return score_value(question.version, question.option_order or [], value, question.score)
