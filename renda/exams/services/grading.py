"""Objective grading at submission (Moodle's rules, reference/exam.md §1.5 and §1.7).

An answer is stored in the positions the examinee was shown; `PaperQuestion.option_order`
maps each position back to the version's option. Single and multiple choice score
sum(weights of the chosen options) × score, floored at 0 and capped at the score, so a
wrong option with a negative weight takes marks away but never below nothing. True/false
and fill-in are right or wrong; fill-in compares after normalising (full-width to half-width,
no spaces, case folded). Short answers return None: graders mark them.

Marking by hand (阅卷), below: two graders mark each short answer blind — they see a paper
code (`paper_code`), never the examinee's name or account. The rule for the final score
(reference/exam.md names none, so this is ours): when the two marks differ by no more than
the sitting's `grading_gap_percent` of the question's score, the final score is their mean
(rounded half up to 0.01); when they differ by more, a third grader marks it and the third
mark is the final score. An attempt whose every answer has a final score gets its
`total_score` and `passed` (total ≥ the sitting's pass mark). Nothing is shown to the
examinee until an administrator releases the sitting's results (`release_results`).

Regrading after a corrected key (Moodle's "regrade" with a dry run): editing a question adds
a version with the corrected key; `regrade_plan` scores every objective answer of the
sitting again against the question's current version (when it is the same type with the
same number of options, so the positions shown still mean the same options) and lists the
results that would change, writing nothing; `apply_regrade` writes them and audits each."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from renda.core import audit

from ..models import (
    Answer,
    Attempt,
    AttemptState,
    ExamSitting,
    GraderMark,
    GradingRound,
    GradingState,
    PaperQuestion,
    QuestionType,
    QuestionVersion,
)
from ..permissions import require_grader, require_sitting_manager

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


# --- marking short answers by hand -----------------------------------------------------------


def paper_code(attempt: Attempt | int) -> str:
    """What a grader sees instead of a name: a code derived from the attempt with the
    server's secret (no name, slip number or seat can be read back from it)."""
    pk = attempt if isinstance(attempt, int) else attempt.pk
    return "卷" + salted_hmac("renda.exams.paper_code", str(pk)).hexdigest()[:8].upper()


def gap_limit(sitting: ExamSitting, score: Decimal) -> Decimal:
    """The largest difference between the two marks that still averages."""
    return (score * Decimal(sitting.grading_gap_percent) / HUNDRED).quantize(CENT, ROUND_HALF_UP)


def final_score(marks: Sequence[Decimal], limit: Decimal) -> tuple[Decimal | None, bool]:
    """(final score or None, whether a third grader is needed) from the marks in round
    order: two within `limit` → their mean; two further apart → a third is needed; three →
    the third's mark."""
    if len(marks) >= 3:
        return Decimal(marks[2]).quantize(CENT), False
    if len(marks) < 2:
        return None, False
    first, second = Decimal(marks[0]), Decimal(marks[1])
    if abs(first - second) > limit:
        return None, True
    return ((first + second) / 2).quantize(CENT, ROUND_HALF_UP), False


def short_answers(sitting: ExamSitting) -> QuerySet[Answer]:
    """The short answers of the sitting's submitted attempts."""
    return Answer.objects.filter(
        attempt__enrolment__sitting=sitting,
        attempt__state=AttemptState.SUBMITTED,
        question__version__type=QuestionType.SHORT_ANSWER,
    )


@dataclass(frozen=True)
class QueueItem:
    answer_pk: int
    code: str
    order: int
    round: int
    max_score: Decimal


def grading_queue(sitting: ExamSitting, grader: Any) -> list[QueueItem]:
    """What this grader may mark now: answers with fewer than two marks that they have not
    marked, and answers whose two marks are too far apart and that they marked neither
    time (the third grader is a third person)."""
    rows = (
        short_answers(sitting)
        .filter(score__isnull=True, attempt__released_at__isnull=True)
        .exclude(marks__grader=grader)
        .annotate(mark_count=Count("marks"))
        .select_related("question", "question__version")
        .prefetch_related("marks")
        .order_by("attempt_id", "order")
    )
    queue = []
    for answer in rows:
        count = answer.mark_count  # type: ignore[attr-defined]
        if count < 2:
            round_ = count + 1
        else:
            marks = [m.score for m in sorted(answer.marks.all(), key=lambda m: m.round)]
            _, third = final_score(marks, gap_limit(sitting, answer.question.score))
            if not third:
                continue
            round_ = GradingRound.THIRD
        queue.append(
            QueueItem(
                answer.pk,
                paper_code(answer.attempt_id),
                answer.order,
                round_,
                answer.question.score,
            )
        )
    return queue


def _settle(attempt: Attempt) -> bool:
    """Total and pass once every answer has its final score; the caller holds the lock."""
    scores = list(Answer.objects.filter(attempt=attempt).values_list("score", flat=True))
    known = [score for score in scores if score is not None]
    if len(known) < len(scores):
        return False
    total = sum(known, Decimal(0))
    attempt.total_score = total
    attempt.passed = total >= attempt.enrolment.sitting.pass_mark
    attempt.grading = GradingState.GRADED
    attempt.save(update_fields=["total_score", "passed", "grading"])
    return True


@transaction.atomic
def mark_answer(*, actor: Any, answer: Answer, score: Decimal, comment: str = "") -> GraderMark:
    """One grader's mark of one short answer, in the next round it needs (1, 2, or 3 when
    the first two are too far apart). Refused: a grader marking an answer twice, a mark
    outside 0–the question's score, an answer already final, a released result."""
    require_grader(actor)
    if actor is None:
        raise ValidationError("评阅必须由阅卷人本人提交。")
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("enrolment__sitting")
        .get(pk=answer.attempt_id)
    )
    locked = (
        Answer.objects.select_for_update().select_related("question__version").get(pk=answer.pk)
    )
    sitting = attempt.enrolment.sitting
    if (
        attempt.state != AttemptState.SUBMITTED
        or locked.question.version.type != QuestionType.SHORT_ANSWER
    ):
        raise ValidationError("这道题不需要人工评阅。")
    if attempt.released_at is not None:
        raise ValidationError("成绩已经发布，不能再评阅。")
    maximum = locked.question.score
    if not Decimal(0) <= score <= maximum:
        raise ValidationError({"score": f"给分应在 0–{maximum} 分之间"})
    marks = list(GraderMark.objects.filter(answer=locked).order_by("round"))
    if any(m.grader_id == actor.pk for m in marks):
        raise ValidationError("您已经评阅过这道题，同一道题不能由同一人评阅两次。")
    limit = gap_limit(sitting, maximum)
    final, third = final_score([m.score for m in marks], limit)
    if final is not None or (len(marks) == 2 and not third):
        raise ValidationError("这道题已经评定，不需要再评阅。")
    mark = GraderMark.objects.create(
        answer=locked,
        grader=actor,
        round=len(marks) + 1,
        score=score.quantize(CENT, ROUND_HALF_UP),
        comment=comment.strip(),
    )
    final, third = final_score([m.score for m in marks] + [mark.score], limit)
    locked.score = final
    locked.save(update_fields=["score"])
    settled = _settle(attempt) if final is not None else False
    audit.record(
        actor=actor,
        action="exam.answer_mark",
        target=attempt.enrolment,
        details={
            "paper_code": paper_code(attempt),
            "q": locked.order,
            "round": mark.round,
            "score": mark.score,
            "gap_limit": limit,
            "needs_third": third,
            "final": final,
            "attempt_graded": settled,
        },
    )
    return mark


# --- release ---------------------------------------------------------------------------------


@transaction.atomic
def release_results(*, actor: Any, sitting: ExamSitting) -> int:
    """Publish the sitting's results (all of them at once): refused while any submitted
    attempt is still being marked. Returns how many results were released."""
    require_sitting_manager(actor)
    attempts = list(
        Attempt.objects.select_for_update()
        .filter(enrolment__sitting=sitting, state=AttemptState.SUBMITTED)
        .order_by("pk")
    )
    if not attempts:
        raise ValidationError("本场考试还没有交卷的答卷。")
    if Attempt.objects.filter(enrolment__sitting=sitting, state=AttemptState.IN_PROGRESS).exists():
        raise ValidationError("还有考生正在作答，交卷后才能发布成绩。")
    waiting = [a for a in attempts if a.total_score is None]
    if waiting:
        raise ValidationError(f"还有 {len(waiting)} 份答卷没有评阅完成，不能发布成绩。")
    fresh = [a for a in attempts if a.released_at is None]
    if not fresh:
        raise ValidationError("本场考试的成绩已经发布。")
    now = timezone.now()
    Attempt.objects.filter(pk__in=[a.pk for a in fresh]).update(released_at=now, released_by=actor)
    audit.record(
        actor=actor,
        action="exam.results_release",
        target=sitting,
        details={
            "released": len(fresh),
            "passed": sum(1 for a in fresh if a.passed),
            "failed": sum(1 for a in fresh if not a.passed),
        },
    )
    return len(fresh)


# --- regrade after a corrected key --------------------------------------------------------------


def key_version(question: PaperQuestion) -> QuestionVersion:
    """The version whose key grades this paper question: the question's current version
    when it can stand in for the one shown (same type, same number of options)."""
    shown = question.version
    current = shown.question.current
    if (
        current is not None
        and current.pk != shown.pk
        and current.type == shown.type
        and len(current.options or ()) == len(shown.options or ())
    ):
        return current
    return shown


@dataclass(frozen=True)
class RegradeChange:
    attempt_pk: int
    name: str
    slip: str
    old_objective: Decimal | None
    new_objective: Decimal
    old_total: Decimal | None
    new_total: Decimal | None
    old_passed: bool | None
    new_passed: bool | None
    answers: dict[int, tuple[Decimal | None, Decimal]] = field(default_factory=dict)

    @property
    def verdict_changes(self) -> bool:
        return self.old_passed != self.new_passed


def _regrade(sitting: ExamSitting, attempts: Sequence[Attempt]) -> list[RegradeChange]:
    answers = (
        Answer.objects.filter(attempt__in=attempts)
        .select_related("question__version__question__current")
        .order_by("attempt_id", "order")
    )
    by_attempt: dict[int, list[Answer]] = {}
    for answer in answers:
        by_attempt.setdefault(answer.attempt_id, []).append(answer)
    changes = []
    for attempt in attempts:
        own = by_attempt.get(attempt.pk, [])
        moved: dict[int, tuple[Decimal | None, Decimal]] = {}
        objective = Decimal(0)
        short_total: Decimal | None = Decimal(0)
        for answer in own:
            question = answer.question
            if question.version.type == QuestionType.SHORT_ANSWER:
                if answer.score is None or short_total is None:
                    short_total = None
                else:
                    short_total += answer.score
                continue
            new = score_value(
                key_version(question), question.option_order or [], answer.value, question.score
            )
            assert new is not None
            objective += new
            if new != answer.score:
                moved[answer.order] = (answer.score, new)
        if not moved:
            continue
        total = None if short_total is None else objective + short_total
        changes.append(
            RegradeChange(
                attempt_pk=attempt.pk,
                name=attempt.enrolment.user.name or attempt.enrolment.user.get_username(),
                slip=attempt.enrolment.slip_number,
                old_objective=attempt.objective_score,
                new_objective=objective,
                old_total=attempt.total_score,
                new_total=total,
                old_passed=attempt.passed,
                new_passed=None if total is None else total >= sitting.pass_mark,
                answers=moved,
            )
        )
    return changes


def _submitted(sitting: ExamSitting) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(enrolment__sitting=sitting, state=AttemptState.SUBMITTED)
        .select_related("enrolment__user")
        .order_by("enrolment__seat")
    )


def regrade_plan(sitting: ExamSitting) -> list[RegradeChange]:
    """The dry run: whose objective score, total and pass/fail would change. Writes nothing."""
    return _regrade(sitting, list(_submitted(sitting)))


@transaction.atomic
def apply_regrade(*, actor: Any, sitting: ExamSitting) -> list[RegradeChange]:
    """Write what the dry run shows (computed again under lock) and audit each change."""
    require_sitting_manager(actor)
    attempts = list(_submitted(sitting).select_for_update(of=("self",)))
    changes = _regrade(sitting, attempts)
    for change in changes:
        for order, (_, new) in change.answers.items():
            Answer.objects.filter(attempt_id=change.attempt_pk, order=order).update(score=new)
        Attempt.objects.filter(pk=change.attempt_pk).update(
            objective_score=change.new_objective,
            total_score=change.new_total,
            passed=change.new_passed,
        )
        audit.record(
            actor=actor,
            action="exam.attempt_regrade",
            target=next(a for a in attempts if a.pk == change.attempt_pk).enrolment,
            details={
                "slip": change.slip,
                "objective": [change.old_objective, change.new_objective],
                "total": [change.old_total, change.new_total],
                "passed": [change.old_passed, change.new_passed],
                "answers": {str(k): [v[0], v[1]] for k, v in change.answers.items()},
            },
        )
    audit.record(
        actor=actor,
        action="exam.regrade",
        target=sitting,
        details={
            "changed": len(changes),
            "verdicts_changed": sum(1 for c in changes if c.verdict_changes),
        },
    )
    return changes
