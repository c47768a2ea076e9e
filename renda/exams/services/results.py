"""Results (成绩): one examinee's score report and the sitting's report for the standing
committee (who sat, scores, passed/failed, who was absent). Reads only; releasing is
services.grading.release_results, and looking at a result is audited (`record_result_view`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from renda.core import audit

from ..models import Answer, Attempt, AttemptState, ExamSitting, QuestionType, Section


def person_name(user: Any) -> str:
    return str(getattr(user, "name", "") or user.get_username())


@dataclass(frozen=True)
class ReportLine:
    label: str
    score: Decimal
    earned: Decimal | None


@dataclass(frozen=True)
class ScoreReport:
    attempt: Attempt
    name: str
    slip: str
    sitting: ExamSitting
    lines: list[ReportLine]
    objective: Decimal | None
    total: Decimal | None
    full: Decimal
    passed: bool | None

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "评阅中"
        return "合格" if self.passed else "不合格"


def score_report(attempt: Attempt) -> ScoreReport:
    """Scores by section and question type (never a question or its key)."""
    answers = Answer.objects.filter(attempt=attempt).select_related("question__version")
    groups: dict[tuple[str, str], list[Answer]] = {}
    for answer in answers.order_by("order"):
        key = (answer.question.section, answer.question.version.type)
        groups.setdefault(key, []).append(answer)
    sections = dict(Section.choices)
    types = dict(QuestionType.choices)
    lines = []
    for (section, kind), rows in groups.items():
        earned = (
            None
            if any(a.score is None for a in rows)
            else sum((a.score for a in rows if a.score is not None), Decimal(0))
        )
        lines.append(
            ReportLine(
                f"{sections.get(section, section)} · {types.get(kind, kind)}（{len(rows)} 题）",
                sum((a.question.score for a in rows), Decimal(0)),
                earned,
            )
        )
    enrolment = attempt.enrolment
    return ScoreReport(
        attempt=attempt,
        name=person_name(enrolment.user),
        slip=enrolment.slip_number,
        sitting=enrolment.sitting,
        lines=lines,
        objective=attempt.objective_score,
        total=attempt.total_score,
        full=sum((line.score for line in lines), Decimal(0)),
        passed=attempt.passed,
    )


@dataclass(frozen=True)
class SittingRow:
    seat: int
    name: str
    slip: str
    status: str  # 合格 / 不合格 / 缺考 / 评阅中 / 作答中
    total: Decimal | None
    attempt_pk: int | None
    released: bool


@dataclass(frozen=True)
class SittingReport:
    sitting: ExamSitting
    rows: list[SittingRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def sat(self) -> int:
        return sum(1 for r in self.rows if r.status != "缺考")

    @property
    def passed(self) -> int:
        return self.count("合格")

    @property
    def failed(self) -> int:
        return self.count("不合格")

    @property
    def absent(self) -> int:
        return self.count("缺考")

    @property
    def pending(self) -> int:
        return self.count("评阅中") + self.count("作答中")


def _status(attempt: Attempt | None) -> str:
    if attempt is None or attempt.state == AttemptState.NOT_STARTED:
        return "缺考"
    if attempt.state == AttemptState.IN_PROGRESS:
        return "作答中"
    if attempt.passed is None:
        return "评阅中"
    return "合格" if attempt.passed else "不合格"


def sitting_report(sitting: ExamSitting, *, released_only: bool = False) -> SittingReport:
    """Every enrolled examinee in seat order; one who never started is absent (缺考).
    `released_only` is the committee's view: a score not yet released reads 评阅中, with no
    figure, whatever the markers have entered so far."""
    attempts = {a.enrolment_id: a for a in Attempt.objects.filter(enrolment__sitting=sitting)}
    rows = []
    for enrolment in sitting.enrolments.select_related("user").order_by("seat"):
        attempt = attempts.get(enrolment.pk)
        released = bool(attempt and attempt.released_at)
        status = _status(attempt)
        hidden = released_only and not released and status != "缺考"
        rows.append(
            SittingRow(
                seat=enrolment.seat,
                name=person_name(enrolment.user),
                slip=enrolment.slip_number,
                status="评阅中" if hidden else status,
                total=None if hidden or attempt is None else attempt.total_score,
                attempt_pk=attempt.pk if attempt else None,
                released=released,
            )
        )
    return SittingReport(sitting, rows)


@transaction.atomic
def record_result_view(*, actor: Any, target: Any, kind: str) -> None:
    """A score report or sitting report was opened (page, print or Word)."""
    audit.record(actor=actor, action="exam.result_view", target=target, details={"kind": kind})
