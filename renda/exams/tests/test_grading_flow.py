"""Marking short answers by hand: blind (the grader's pages show a paper code, never the
examinee's name, account or slip), two marks within the sitting's gap average, two marks
further apart go to a third grader whose mark is final, nobody marks an answer twice; the
nominee sees nothing before the administrator releases the results; a regrade after a
corrected key lists exactly the results that would change, writes nothing until applied,
and the apply writes and audits each change."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renda.accounts.models import OfficeDuty, User
from renda.core.models import AuditEvent, Organization, Region
from renda.core.roles import Duty, Role
from renda.exams.models import Answer, Attempt, GradingState, QuestionType
from renda.exams.services import edit_question
from renda.exams.services.attempts import save_answer, submit_attempt
from renda.exams.services.grading import (
    grading_queue,
    mark_answer,
    paper_code,
    regrade_plan,
    release_results,
)

from .attempt_setup import INSIDE, answers_of, open_sitting, right_value, start

pytestmark = pytest.mark.django_db

ANSWER_TEXT = "人民代表大会制度是根本政治制度"


def staff(username: str) -> User:
    """A grader: a member of staff of an office with the exams duty."""
    office, _ = Organization.objects.get_or_create(
        code="T-RXW",
        defaults={
            "name": "测试人代选工委",
            "kind": Organization.Kind.OFFICE,
            "region": Region.objects.first(),
        },
    )
    OfficeDuty.objects.get_or_create(organization=office, duty=Duty.EXAMS)
    return User.objects.create(
        username=username, name=f"阅卷{username}", role=Role.STAFF, organization=office
    )


def examinee(username: str, name: str) -> User:
    return User.objects.create(username=username, name=name, role=Role.NOMINEE)


def sit(sitting: Any, user: Any, *, right: bool = True, skip: str = "") -> Attempt:
    """Start, answer every question (right or wrong; `skip` a type left blank), submit."""
    attempt = start(sitting, user)
    for answer in answers_of(attempt):
        kind = answer.question.version.type
        if kind == skip:
            continue
        value = right_value(answer) if right else wrong_value(answer)
        if kind == QuestionType.SHORT_ANSWER:
            value = ANSWER_TEXT
        save_answer(
            actor=user, attempt=attempt, order=answer.order, base_version=0, value=value, ip=INSIDE
        )
    return submit_attempt(actor=user, attempt=attempt, ip=INSIDE)


def wrong_value(answer: Answer) -> Any:
    value = right_value(answer)
    kind = answer.question.version.type
    if kind == QuestionType.TRUE_FALSE:
        return not value
    if kind == QuestionType.SINGLE:
        return (value + 1) % 4
    if kind == QuestionType.MULTIPLE:
        return [p for p in range(4) if p not in value]
    return "错的"


def short_of(attempt: Attempt) -> Answer:
    return Answer.objects.select_related("question").get(
        attempt=attempt, question__version__type=QuestionType.SHORT_ANSWER
    )


def test_the_graders_pages_show_a_paper_code_never_the_name(world: Any, client_for: Any) -> None:
    person = examinee("zhangsf", "张三丰")
    sitting = open_sitting(world.staff, [person])
    attempt = sit(sitting, person)
    enrolment = attempt.enrolment
    answer = short_of(attempt)
    client = client_for("staff")
    queue = client.get(reverse("exams:grading_queue", args=[sitting.pk])).content.decode()
    page = client.get(reverse("exams:grading_mark", args=[sitting.pk, answer.pk])).content.decode()
    code = paper_code(attempt)
    assert code in queue and code in page and ANSWER_TEXT in page
    assert answer.question.version.stem in page  # the question and its reference are shown
    for text in (queue, page):
        for secret in ("张三丰", "zhangsf", enrolment.slip_number):
            assert secret not in text
    # Marking through the page: round 1 lands, and the page is gone for this grader.
    done = client.post(
        reverse("exams:grading_mark", args=[sitting.pk, answer.pk]), {"score": "15", "comment": ""}
    )
    assert done.status_code == 302
    mark = answer.marks.get()
    assert (mark.round, mark.score, mark.grader_id) == (1, Decimal(15), world.staff.pk)
    again = client.get(reverse("exams:grading_mark", args=[sitting.pk, answer.pk]))
    assert again.status_code == 404
    event = AuditEvent.objects.filter(action="exam.answer_mark").get()
    assert event.details["paper_code"] == code and "张三丰" not in str(event.details)


def test_two_marks_within_the_gap_average_and_settle_the_attempt(world: Any) -> None:
    person = examinee("lisi", "李四")
    sitting = open_sitting(world.staff, [person])
    attempt = sit(sitting, person)
    assert attempt.grading == GradingState.AWAITING and attempt.total_score is None
    answer = short_of(attempt)  # a 20-point question: the 20% gap is 4 points
    first, second, third = staff("g1"), staff("g2"), staff("g3")
    mark_answer(actor=first, answer=answer, score=Decimal(16))
    assert [q.round for q in grading_queue(sitting, second)] == [2]
    assert grading_queue(sitting, first) == []  # nobody marks twice
    with pytest.raises(ValidationError):
        mark_answer(actor=first, answer=answer, score=Decimal(17))
    mark_answer(actor=second, answer=answer, score=Decimal(20))  # exactly 4 apart: averages
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.score == Decimal(18)
    assert grading_queue(sitting, third) == []
    assert attempt.grading == GradingState.GRADED
    assert attempt.total_score == Decimal(30) + Decimal(18)  # the objective 30 + the mean
    assert attempt.passed is True and attempt.released_at is None
    with pytest.raises(ValidationError):
        mark_answer(actor=third, answer=answer, score=Decimal(1))  # already final


def test_marks_further_apart_than_the_gap_go_to_a_third_grader(world: Any) -> None:
    person = examinee("wangwu", "王五")
    sitting = open_sitting(world.staff, [person], pass_mark=Decimal(40))
    attempt = sit(sitting, person)
    answer = short_of(attempt)
    first, second, third = staff("g1"), staff("g2"), staff("g3")
    mark_answer(actor=first, answer=answer, score=Decimal(10))
    mark_answer(actor=second, answer=answer, score=Decimal("14.5"))  # 4.5 > 4
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.score is None and attempt.total_score is None
    assert grading_queue(sitting, first) == grading_queue(sitting, second) == []
    (item,) = grading_queue(sitting, third)
    assert (item.answer_pk, item.round) == (answer.pk, 3)
    with pytest.raises(ValidationError):
        mark_answer(actor=third, answer=answer, score=Decimal(21))  # over the question's score
    mark_answer(actor=third, answer=answer, score=Decimal(9))
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.score == Decimal(9)  # the third's mark, not a mean
    assert attempt.total_score == Decimal(39) and attempt.passed is False
    assert [m.round for m in answer.marks.order_by("round")] == [1, 2, 3]


def test_the_gap_is_the_sittings_setting(world: Any) -> None:
    person = examinee("zhaoliu", "赵六")
    sitting = open_sitting(world.staff, [person])
    sitting.grading_gap_percent = 30  # 6 points of 20
    sitting.save(update_fields=["grading_gap_percent"])
    answer = short_of(sit(sitting, person))
    mark_answer(actor=staff("g1"), answer=answer, score=Decimal(10))
    mark_answer(actor=staff("g2"), answer=answer, score=Decimal("14.5"))
    answer.refresh_from_db()
    assert answer.score == Decimal("12.25")


def test_the_nominee_sees_nothing_before_release(world: Any, client_for: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = sit(sitting, world.nominee)
    enrolment = attempt.enrolment
    client = client_for("nominee")
    mine = reverse("exams:my_exams")
    result = reverse("exams:my_result", args=[enrolment.pk])
    result_docx = reverse("exams:my_result_docx", args=[enrolment.pk])
    with pytest.raises(ValidationError, match="没有评阅完成"):
        release_results(actor=world.staff, sitting=sitting)
    answer = short_of(attempt)
    mark_answer(actor=staff("g1"), answer=answer, score=Decimal(12))
    mark_answer(actor=staff("g2"), answer=answer, score=Decimal(14))
    attempt.refresh_from_db()
    assert attempt.total_score == Decimal(43)  # graded, not released
    page = client.get(mine).content.decode()
    assert 'data-testid="my-result"' not in page and "43" not in page
    assert client.get(result).status_code == 404
    assert client.get(result_docx).status_code == 404
    assert release_results(actor=world.staff, sitting=sitting) == 1
    page = client.get(mine).content.decode()
    assert 'data-testid="my-result"' in page and "43" in page and "合格" in page
    shown = client.get(result).content.decode()
    assert "43" in shown and "合格" in shown
    assert client.get(result_docx).status_code == 200
    released = AuditEvent.objects.get(action="exam.results_release")
    assert released.details == {"released": 1, "passed": 1, "failed": 0}
    with pytest.raises(ValidationError, match="已经发布"):
        release_results(actor=world.staff, sitting=sitting)
    with pytest.raises(ValidationError, match="已经发布"):  # no marking after release
        mark_answer(actor=staff("g3"), answer=answer, score=Decimal(1))


def _flip_truth(actor: Any, attempt: Attempt) -> Any:
    """Correct the key of the true/false question on this attempt's paper (a new version)."""
    answer = Answer.objects.select_related("question__version__question").get(
        attempt=attempt, question__version__type=QuestionType.TRUE_FALSE
    )
    version = answer.question.version
    data = dataclasses.replace(version.to_data(), truth=not version.answer["truth"])
    edit_question(actor=actor, question=version.question, data=data)
    return version.question


def test_regrade_dry_run_lists_exactly_the_changes_and_apply_writes_them(
    world: Any, client_for: Any
) -> None:
    a, b, c = examinee("na", "甲考生"), examinee("nb", "乙考生"), examinee("nc", "丙考生")
    sitting = open_sitting(world.staff, [a, b, c], short=False, pass_mark=Decimal(28))
    right = sit(sitting, a)  # 30 of 30
    wrong = sit(sitting, b, right=False)  # 0
    blank = sit(sitting, c, skip=QuestionType.TRUE_FALSE)  # 25, the true/false left blank
    assert (right.total_score, right.passed) == (Decimal(30), True)
    assert blank.total_score == Decimal(25)
    question = _flip_truth(world.staff, right)
    expected = {right.pk}
    if Answer.objects.filter(attempt=wrong, question__version__question=question).exists():
        expected.add(wrong.pk)
    before = sorted(Answer.objects.values_list("pk", "score"))
    changes = regrade_plan(sitting)
    assert {c.attempt_pk for c in changes} == expected
    change = next(c for c in changes if c.attempt_pk == right.pk)
    assert (change.old_total, change.new_total) == (Decimal(30), Decimal(25))
    assert (change.old_passed, change.new_passed) == (True, False) and change.verdict_changes
    page = client_for("staff").get(reverse("exams:grading_regrade", args=[sitting.pk]))
    assert page.content.decode().count('data-testid="regrade-row"') == len(expected)
    assert "甲考生" in page.content.decode() and "丙考生" not in page.content.decode()
    # The dry run (service and page) wrote nothing.
    assert sorted(Answer.objects.values_list("pk", "score")) == before
    right.refresh_from_db()
    assert (right.total_score, right.passed, right.objective_score) == (
        Decimal(30),
        True,
        Decimal(30),
    )
    assert not AuditEvent.objects.filter(action__in=["exam.attempt_regrade", "exam.regrade"])
    applied = client_for("staff").post(reverse("exams:grading_regrade", args=[sitting.pk]))
    assert applied.status_code == 302
    right.refresh_from_db()
    blank.refresh_from_db()
    assert (right.total_score, right.passed, right.objective_score) == (
        Decimal(25),
        False,
        Decimal(25),
    )
    assert (blank.total_score, blank.passed) == (Decimal(25), False)  # untouched
    events = AuditEvent.objects.filter(action="exam.attempt_regrade")
    assert events.count() == len(expected)
    mine = next(e for e in events if e.details["slip"] == right.enrolment.slip_number)
    assert mine.details["total"] == ["30.00", "25.00"] and mine.details["passed"] == [True, False]
    summary = AuditEvent.objects.get(action="exam.regrade")
    assert summary.details["changed"] == len(expected)
    assert regrade_plan(sitting) == []  # applied: nothing left to change


def test_results_are_not_released_while_somebody_is_still_answering(world: Any) -> None:
    done, busy = examinee("done", "交卷者"), examinee("busy", "作答者")
    sitting = open_sitting(world.staff, [done, busy], short=False)
    sit(sitting, done)
    start(sitting, busy)
    with pytest.raises(ValidationError, match="正在作答"):
        release_results(actor=world.staff, sitting=sitting)
    assert not Attempt.objects.filter(released_at__isnull=False).exists()
