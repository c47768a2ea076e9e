"""Attempts: started once, inside the window, from the room's network, with the room's
password (each refusal in Chinese and recorded); the server's stored deadline is the only
clock (a "restart" changes nothing); saves are last-write-wins over the version a tab saw;
saves after deadline + grace are refused and recorded; overdue attempts are submitted on the
server by the periodic task or when touched; the proctor extends time with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.exams.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptState,
    EventKind,
    GradingState,
    SubmitReason,
)
from renda.exams.services import attempts as services
from renda.exams.tasks import submit_overdue_attempts

from .attempt_setup import (
    INSIDE,
    OUTSIDE,
    answers_of,
    enrolment_of,
    open_sitting,
    right_value,
    start,
)
from .builders import nominees

pytestmark = pytest.mark.django_db


def _start(world: Any, sitting: Any, password: str | None = None, ip: str = INSIDE) -> Any:
    return services.start_attempt(
        actor=world.nominee,
        enrolment=enrolment_of(sitting, world.nominee),
        password=sitting.password if password is None else password,
        ip=ip,
    )


def test_starting_is_refused_outside_the_window_network_or_password(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    with pytest.raises(ValidationError, match="不在本考场允许的范围内"):
        _start(world, sitting, ip=OUTSIDE)
    with pytest.raises(ValidationError, match="考场口令不正确"):
        _start(world, sitting, password="000000" if sitting.password != "000000" else "1")
    with (
        time_machine.travel(sitting.starts_at - dt.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="考试尚未开始"),
    ):
        _start(world, sitting)
    with (
        time_machine.travel(sitting.ends_at + dt.timedelta(seconds=1)),
        pytest.raises(ValidationError, match="本场考试已经结束"),
    ):
        _start(world, sitting)
    attempt = Attempt.objects.get()
    assert attempt.state == AttemptState.NOT_STARTED and not attempt.answers.exists()
    reasons = list(
        AttemptEvent.objects.filter(kind=EventKind.START_REFUSED)
        .order_by("pk")
        .values_list("details__reason", flat=True)
    )
    assert reasons == ["entry", "password", "entry", "entry"]
    refused = AuditEvent.objects.filter(action="exam.attempt_refused")
    assert refused.count() == 4 and sitting.password not in str(list(refused.values("details")))


def test_five_wrong_passwords_lock_the_start_for_ten_minutes(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    wrong = "x" + sitting.password
    for _ in range(5):
        with pytest.raises(ValidationError, match="考场口令不正确"):
            _start(world, sitting, password=wrong)
    with pytest.raises(ValidationError, match="连续输错 5 次"):
        _start(world, sitting)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert _start(world, sitting).state == AttemptState.IN_PROGRESS


def test_an_attempt_starts_once_with_a_stored_deadline(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = _start(world, sitting)
    assert attempt.state == AttemptState.IN_PROGRESS
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=60)
    assert attempt.answers.count() == attempt.paper.questions.count() == 6
    again = _start(world, sitting, password="wrong")  # resuming needs no password
    assert again.pk == attempt.pk and again.started_at == attempt.started_at
    assert AttemptEvent.objects.filter(kind=EventKind.START).count() == 1
    assert AuditEvent.objects.filter(action="exam.attempt_start").count() == 1
    with pytest.raises(PermissionDenied):
        services.start_attempt(
            actor=world.staff,
            enrolment=enrolment_of(sitting, world.nominee),
            password=sitting.password,
            ip=INSIDE,
        )


def test_the_sitting_end_bounds_the_deadline(world: Any) -> None:
    now = timezone.now()
    sitting = open_sitting(
        world.staff,
        [world.nominee],
        starts_at=now - dt.timedelta(minutes=50),
        ends_at=now + dt.timedelta(minutes=20),
    )
    attempt = _start(world, sitting)
    assert attempt.deadline == sitting.ends_at
    assert 19 * 60 <= services.remaining_seconds(attempt) <= 20 * 60


def _save(attempt: Any, user: Any, order: int, base: int, value: Any, ip: str = INSIDE) -> Any:
    return services.save_answer(
        actor=user, attempt=attempt, order=order, base_version=base, value=value, ip=ip
    )


def test_two_tabs_a_stale_save_is_refused_and_the_newer_answer_returned(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    first = answers_of(attempt)[0]  # a single-choice question
    tab_a = _save(attempt, world.nominee, first.order, 0, 1)
    assert (tab_a.status, tab_a.version, tab_a.value) == (200, 1, 1)
    assert 59 * 60 <= tab_a.remaining <= 60 * 60
    tab_b = _save(attempt, world.nominee, first.order, 0, 2)  # based on the version it saw
    assert (tab_b.status, tab_b.version, tab_b.value) == (409, 1, 1)
    assert Answer.objects.get(pk=first.pk).value == 1
    again = _save(attempt, world.nominee, first.order, 1, 2)
    assert (again.status, again.version) == (200, 2)
    assert AttemptEvent.objects.filter(kind=EventKind.SAVE).count() == 2


def test_values_that_do_not_fit_the_question_are_refused(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    by_type = {a.question.version.type: a for a in answers_of(attempt)}
    single, multiple = by_type["single"], by_type["multiple"]
    assert _save(attempt, world.nominee, single.order, 0, 4).status == 400  # 4 options: 0–3
    assert _save(attempt, world.nominee, single.order, 0, True).status == 400
    assert _save(attempt, world.nominee, multiple.order, 0, [0, 9]).status == 400
    assert _save(attempt, world.nominee, by_type["true_false"].order, 0, "yes").status == 400
    assert _save(attempt, world.nominee, by_type["fill_in"].order, 0, "x" * 201).status == 400
    assert _save(attempt, world.nominee, 99, 0, 1).status == 404  # not on this paper
    saved = _save(attempt, world.nominee, multiple.order, 0, [3, 0, 3])
    assert saved.status == 200 and saved.value == [0, 3]
    other = nominees(1)[0]
    with pytest.raises(PermissionDenied):
        _save(attempt, other, single.order, 0, 1)
    outside = _save(attempt, world.nominee, single.order, 0, 1, ip=OUTSIDE)
    assert outside.status == 403 and "网络" in outside.error
    assert Answer.objects.get(pk=single.pk).value is None


def test_saves_after_deadline_and_grace_are_refused_recorded_and_submit(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    first = answers_of(attempt)[0]
    grace = services.grace_seconds()
    assert grace == 15
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=grace - 1)):
        late_but_ok = _save(attempt, world.nominee, first.order, 0, 1)
    assert late_but_ok.status == 200 and late_but_ok.remaining == 0
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=grace + 1)):
        too_late = _save(attempt, world.nominee, first.order, 1, 2)
    assert too_late.status == 403 and "考试时间已到" in too_late.error
    assert too_late.state == AttemptState.SUBMITTED
    assert Answer.objects.get(pk=first.pk).value == 1
    event = AttemptEvent.objects.get(kind=EventKind.LATE_SAVE)
    assert event.details["value"] == 2 and event.details["q"] == first.order
    assert AuditEvent.objects.filter(action="exam.answer_refused", outcome="failure").count() == 1
    attempt.refresh_from_db()
    assert attempt.submit_reason == SubmitReason.TIMEOUT


def test_a_restart_loses_no_answer_and_gives_no_time(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    deadline = attempt.deadline
    answers = answers_of(attempt)
    for answer in answers:
        assert _save(attempt, world.nominee, answer.order, 0, right_value(answer)).status == 200
    # The server goes away for ten minutes; nothing survives but the database.
    del attempt
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        fresh = Attempt.objects.select_related("enrolment__sitting").get()
        assert fresh.deadline == deadline
        assert 49 * 60 <= services.remaining_seconds(fresh) <= 50 * 60
        assert [a.value for a in answers_of(fresh)] == [right_value(a) for a in answers]
        assert [a.version for a in answers_of(fresh)] == [1] * len(answers)


def test_the_periodic_task_submits_overdue_attempts_and_grades_them(world: Any) -> None:
    other = nominees(1)[0]
    sitting = open_sitting(world.staff, [world.nominee, other])
    mine, theirs = start(sitting, world.nominee), start(sitting, other)
    for answer in answers_of(mine):
        _save(mine, world.nominee, answer.order, 0, right_value(answer))
    with time_machine.travel(mine.deadline + dt.timedelta(seconds=5)):
        assert submit_overdue_attempts.call_local() == 0  # still inside the grace
    with time_machine.travel(mine.deadline + dt.timedelta(seconds=16)):
        # Touching an overdue attempt submits it there and then; the task does the rest.
        services.record_focus(actor=other, attempt=theirs, lost=True, ip=INSIDE)
        assert theirs.state == AttemptState.SUBMITTED
        assert submit_overdue_attempts.call_local() == 1
        assert submit_overdue_attempts.call_local() == 0
    mine.refresh_from_db()
    assert mine.state == AttemptState.SUBMITTED and mine.submit_reason == SubmitReason.TIMEOUT
    assert mine.objective_score == Decimal(30)  # 2×5 + 10 + 5 + 5; the short answer waits
    assert mine.grading == GradingState.AWAITING
    scores = {a.question.version.type: a.score for a in answers_of(mine)}
    assert scores["short_answer"] is None and scores["multiple"] == Decimal(10)
    theirs.refresh_from_db()
    assert theirs.objective_score == 0 and theirs.focus_lost == 0
    assert AuditEvent.objects.filter(action="exam.attempt_submit").count() == 2


def test_an_objective_paper_is_fully_graded_when_the_examinee_submits(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee], short=False, pass_mark=Decimal(10))
    attempt = start(sitting, world.nominee)
    single = answers_of(attempt)[0]
    _save(attempt, world.nominee, single.order, 0, right_value(single))
    services.submit_attempt(actor=world.nominee, attempt=attempt, ip=INSIDE)
    attempt.refresh_from_db()
    assert attempt.submit_reason == SubmitReason.EXAMINEE
    assert attempt.grading == GradingState.OBJECTIVE and attempt.objective_score == 5
    done = _save(attempt, world.nominee, single.order, 1, None)
    assert done.status == 403 and Answer.objects.get(pk=single.pk).value is not None
    assert services.close_if_overdue(attempt) is False


def test_focus_changes_are_counted_for_the_proctor(world: Any) -> None:
    sitting = open_sitting(world.staff, [world.nominee])
    attempt = start(sitting, world.nominee)
    for lost in (True, False, True, False):
        services.record_focus(actor=world.nominee, attempt=attempt, lost=lost, ip=INSIDE)
    attempt.refresh_from_db()
    assert attempt.focus_lost == 2
    assert AttemptEvent.objects.filter(kind=EventKind.FOCUS_BACK).count() == 2


def test_the_proctor_extends_one_examinee_with_a_reason(world: Any) -> None:
    now = timezone.now()
    sitting = open_sitting(world.staff, [world.nominee], ends_at=now + dt.timedelta(minutes=70))
    attempt = start(sitting, world.nominee)
    before = attempt.deadline
    with pytest.raises(ValidationError, match="原因"):
        services.extend_attempt(actor=world.staff, attempt=attempt, minutes=5, reason=" ")
    with pytest.raises(PermissionDenied):
        services.extend_attempt(actor=world.nominee, attempt=attempt, minutes=5, reason="自己")
    services.extend_attempt(actor=world.staff, attempt=attempt, minutes=5, reason="手机故障")
    attempt.refresh_from_db()
    assert attempt.deadline == before + dt.timedelta(minutes=5)
    services.extend_attempt(actor=world.staff, attempt=attempt, minutes=30, reason="停电")
    attempt.refresh_from_db()
    assert attempt.deadline == sitting.ends_at  # the sitting's end still bounds it
    event = AuditEvent.objects.filter(action="exam.attempt_extend").order_by("pk").last()
    assert event is not None and event.details["capped_by_sitting_end"] is True
    assert event.details["reason"] == "停电"
    with (
        time_machine.travel(attempt.deadline + dt.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="已交卷"),
    ):
        services.extend_attempt(actor=world.staff, attempt=attempt, minutes=5, reason="晚了")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED
