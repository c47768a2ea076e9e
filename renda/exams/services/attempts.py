"""Taking the exam: start (window, address, the room's password), save answers, 切屏 events,
submission by the examinee or by time-out, and the proctor's extensions.

The server's clock is the only clock. The deadline is stored when the attempt starts and
moved only by an extension, so a restarted server neither forgets an answer nor gives
anybody time. A save is accepted up to `grace_seconds()` after the deadline (the network's
delay); later ones are refused and the refusal is recorded with what was sent. An attempt
past its deadline is submitted by the periodic task (tasks.py) and also whenever anything
touches it (`close_if_overdue`), whichever comes first.

Saves are the hot path (1,000 examinees every few seconds): they are not audited one by one
(the audit chain takes a lock per row) but leave an `AttemptEvent`; a save is one read of the
answer and one conditional UPDATE that names the version the browser started from, so two
tabs on one attempt cannot overwrite a newer answer with an older one; it waits for a
submission under way (the attempt's row lock), so no save lands after the grading."""

from __future__ import annotations

import datetime as dt
import hmac
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from renda.core import audit

from ..models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptState,
    Enrolment,
    EventKind,
    GradingState,
    Paper,
    QuestionType,
    SubmitReason,
)
from ..permissions import require_sitting_manager
from .grading import grade
from .sittings import address_allowed

FILL_IN_MAX = 200
SHORT_ANSWER_MAX = 5000
LOCKOUT_TRIES = 5
LOCKOUT_MINUTES = 10
EXTENSION_MAX_MINUTES = 120


def grace_seconds() -> int:
    """Saves this long after the deadline still count (a phone's slow network)."""
    return int(getattr(settings, "EXAM_SAVE_GRACE_SECONDS", 15))


def remaining_seconds(attempt: Attempt, now: dt.datetime | None = None) -> int:
    if attempt.deadline is None:
        return 0
    left = (attempt.deadline - (now or timezone.now())).total_seconds()
    return max(0, math.floor(left))


def _past_grace(attempt: Attempt, now: dt.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + dt.timedelta(
        seconds=grace_seconds()
    )


def _deadline(attempt: Attempt, enrolment: Enrolment) -> dt.datetime:
    sitting = enrolment.sitting
    assert attempt.started_at is not None
    own = attempt.started_at + dt.timedelta(
        minutes=sitting.duration_minutes, seconds=attempt.extra_seconds
    )
    return min(own, sitting.ends_at)


def _event(
    attempt: Attempt, kind: str, now: dt.datetime, ip: str | None, **details: Any
) -> AttemptEvent:
    return AttemptEvent.objects.create(attempt=attempt, kind=kind, at=now, ip=ip, details=details)


def _require_examinee(actor: Any, enrolment: Enrolment) -> None:
    if actor is None or getattr(actor, "pk", None) != enrolment.user_id:
        raise PermissionDenied("只有考生本人可以作答。")


# --- start --------------------------------------------------------------------------------


def entry_problems(
    enrolment: Enrolment, ip: str | None, now: dt.datetime | None = None
) -> list[str]:
    """Why this examinee cannot start now (in Chinese), before the password is asked."""
    now = now or timezone.now()
    sitting = enrolment.sitting
    problems = []
    if not Paper.objects.filter(enrolment=enrolment).exists():
        problems.append("您的试卷尚未生成，请联系监考人员。")
    if now < sitting.starts_at:
        local = timezone.localtime(sitting.starts_at)
        problems.append(f"考试尚未开始，{local:%m月%d日 %H:%M} 开考。")
    elif now >= sitting.ends_at:
        problems.append("本场考试已经结束。")
    if not address_allowed(sitting, ip or ""):
        problems.append(
            f"您当前的网络地址（{ip or '未知'}）不在本考场允许的范围内，请使用考场内的网络作答。"
        )
    return problems


@transaction.atomic
def _record_refusal(
    *, actor: Any, enrolment: Enrolment, reason: str, message: str, ip: str | None
) -> None:
    now = timezone.now()
    paper = Paper.objects.filter(enrolment=enrolment).first()
    if paper is not None:
        attempt, _ = Attempt.objects.get_or_create(enrolment=enrolment, defaults={"paper": paper})
        _event(attempt, EventKind.START_REFUSED, now, ip, reason=reason)
    audit.record(
        actor=actor,
        action="exam.attempt_refused",
        target=enrolment,
        outcome="failure",
        details={"reason": reason, "message": message, "ip": ip},
    )


def _wrong_passwords(enrolment: Enrolment, now: dt.datetime) -> int:
    return AttemptEvent.objects.filter(
        attempt__enrolment=enrolment,
        kind=EventKind.START_REFUSED,
        details__reason="password",
        at__gte=now - dt.timedelta(minutes=LOCKOUT_MINUTES),
    ).count()


def start_attempt(*, actor: Any, enrolment: Enrolment, password: str, ip: str | None) -> Attempt:
    """Start (once) or resume the examinee's attempt. A refusal is recorded (its own
    transaction, so that it survives) and raised as a ValidationError in Chinese."""
    _require_examinee(actor, enrolment)
    existing = Attempt.objects.filter(enrolment=enrolment).first()
    if existing is not None and existing.state != AttemptState.NOT_STARTED:
        close_if_overdue(existing)
        return existing
    now = timezone.now()
    problems = entry_problems(enrolment, ip, now)
    reason = "entry"
    if not problems and _wrong_passwords(enrolment, now) >= LOCKOUT_TRIES:
        problems.append(
            f"考场口令已连续输错 {LOCKOUT_TRIES} 次，请 {LOCKOUT_MINUTES} 分钟后再试，或请监考人员协助。"
        )
        reason = "locked"
    if not problems and not hmac.compare_digest(
        password.strip().encode(), enrolment.sitting.password.encode()
    ):
        problems.append("考场口令不正确，请以监考人员在考场公布的口令为准。")
        reason = "password"
    if problems:
        _record_refusal(
            actor=actor, enrolment=enrolment, reason=reason, message="；".join(problems), ip=ip
        )
        raise ValidationError(problems)
    return _begin(actor=actor, enrolment=enrolment, ip=ip)


@transaction.atomic
def _begin(*, actor: Any, enrolment: Enrolment, ip: str | None) -> Attempt:
    now = timezone.now()
    paper = Paper.objects.get(enrolment=enrolment)
    Attempt.objects.get_or_create(enrolment=enrolment, defaults={"paper": paper})
    attempt = Attempt.objects.select_for_update().get(enrolment=enrolment)
    if attempt.state != AttemptState.NOT_STARTED:  # a second tab started it a moment ago
        return attempt
    attempt.state = AttemptState.IN_PROGRESS
    attempt.started_at = now
    attempt.start_ip = ip
    attempt.deadline = _deadline(attempt, enrolment)
    attempt.save(update_fields=["state", "started_at", "start_ip", "deadline"])
    Answer.objects.bulk_create(
        [Answer(attempt=attempt, question=q, order=q.order) for q in paper.questions.all()]
    )
    _event(attempt, EventKind.START, now, ip, deadline=attempt.deadline.isoformat())
    audit.record(
        actor=actor,
        action="exam.attempt_start",
        target=enrolment,
        details={
            "sitting": enrolment.sitting_id,
            "slip": enrolment.slip_number,
            "deadline": attempt.deadline,
            "ip": ip,
        },
    )
    return attempt


def record_resume(*, actor: Any, attempt: Attempt, ip: str | None) -> None:
    """A page load of an attempt under way: a reload, another tab or another device."""
    _require_examinee(actor, attempt.enrolment)
    _event(attempt, EventKind.RESUME, timezone.now(), ip)


# --- saving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """What the page learns from a save. `status` is the HTTP status the view answers with:
    200 saved, 409 stale (`value`/`version` are the newer answer to show), 403 refused
    (too late, wrong network, submitted), 400 a value that does not fit, 404 no such
    question on this paper."""

    status: int
    order: int
    version: int = 0
    value: Any = None
    remaining: int = 0
    state: str = AttemptState.IN_PROGRESS
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.status == 200,
            "stale": self.status == 409,
            "q": self.order,
            "version": self.version,
            "value": self.value,
            "remaining": self.remaining,
            "state": self.state,
            "error": self.error,
        }


def clean_value(kind: str, choices: int, value: Any) -> Any:
    """The examinee's value in its stored form, or ValueError (Chinese) if it does not fit."""
    if value is None:
        return None
    if kind == QuestionType.SINGLE:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < choices:
            raise ValueError("选项不存在")
        return value
    if kind == QuestionType.MULTIPLE:
        if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < choices for v in value
        ):
            raise ValueError("选项不存在")
        return sorted(set(value))
    if kind == QuestionType.TRUE_FALSE:
        if not isinstance(value, bool):
            raise ValueError("判断题只能选“正确”或“错误”")
        return value
    if not isinstance(value, str):
        raise ValueError("请填写文字")
    limit = FILL_IN_MAX if kind == QuestionType.FILL_IN else SHORT_ANSWER_MAX
    if len(value) > limit:
        raise ValueError(f"作答不能超过 {limit} 字")
    return value


def _answered(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value != []


def _refuse_save(
    attempt: Attempt,
    kind: str,
    order: int,
    value: Any,
    now: dt.datetime,
    ip: str | None,
    error: str,
) -> None:
    _event(attempt, kind, now, ip, q=order, value=value, error=error)


def save_answer(
    *,
    actor: Any,
    attempt: Attempt,
    order: int,
    base_version: int,
    value: Any,
    ip: str | None,
) -> SaveResult:
    """Save one answer if `base_version` is still its version (last write wins only over
    what the writer saw). `attempt` must come with `enrolment__sitting` loaded."""
    _require_examinee(actor, attempt.enrolment)
    now = timezone.now()
    sitting = attempt.enrolment.sitting
    if attempt.state != AttemptState.IN_PROGRESS:
        return SaveResult(403, order, state=attempt.state, error="本次考试已交卷，答案不能再修改。")
    if _past_grace(attempt, now):
        with transaction.atomic():
            _refuse_save(attempt, EventKind.LATE_SAVE, order, value, now, ip, "late")
            audit.record(
                actor=actor,
                action="exam.answer_refused",
                target=attempt.enrolment,
                outcome="failure",
                details={"q": order, "deadline": attempt.deadline, "value": value, "ip": ip},
            )
        close_if_overdue(attempt, now=now)
        return SaveResult(403, order, state=attempt.state, error="考试时间已到，这次作答没有保存。")
    remaining = remaining_seconds(attempt, now)
    if not address_allowed(sitting, ip or ""):
        _refuse_save(attempt, EventKind.SAVE_REFUSED, order, value, now, ip, "network")
        return SaveResult(
            403,
            order,
            remaining=remaining,
            error="当前网络不在本考场允许的范围内，答案没有保存，请回到考场网络。",
        )
    answer = (
        Answer.objects.filter(attempt=attempt, order=order)
        .select_related("question__version")
        .only(
            "pk",
            "version",
            "value",
            "question__option_order",
            "question__version__type",
            "question__version__options",
        )
        .first()
    )
    if answer is None:
        return SaveResult(404, order, remaining=remaining, error="试卷上没有这道题。")
    version = answer.question.version
    try:
        clean = clean_value(version.type, len(version.options or ()), value)
    except ValueError as error:
        return SaveResult(400, order, answer.version, answer.value, remaining, error=str(error))
    if base_version != answer.version:
        return SaveResult(409, order, answer.version, answer.value, remaining)
    with transaction.atomic():
        # The attempt's row first (FOR NO KEY UPDATE): a submission or time-out holds it FOR
        # UPDATE while it grades, so a save waits for it and then reads the committed state.
        # The state cannot be a condition of the UPDATE below: PostgreSQL rechecks a row it
        # waited for only against that row's own columns, so a joined state (or version) seen
        # before the wait let a save land after the grading, acknowledged (found 2026-12-03).
        state = (
            Attempt.objects.select_for_update(no_key=True)
            .filter(pk=attempt.pk)
            .values_list("state", flat=True)
            .first()
        )
        if state != AttemptState.IN_PROGRESS:
            return SaveResult(
                403, order, state=state or "", error="本次考试已交卷，答案不能再修改。"
            )
        updated = Answer.objects.filter(pk=answer.pk, version=base_version).update(
            value=clean, answered=_answered(clean), version=F("version") + 1, saved_at=now
        )
        if not updated:  # another tab got there between the read and now
            fresh = Answer.objects.get(pk=answer.pk)
            return SaveResult(409, order, fresh.version, fresh.value, remaining)
        _event(attempt, EventKind.SAVE, now, ip, q=order, v=base_version + 1)
    return SaveResult(200, order, base_version + 1, clean, remaining)


# --- 切屏 -------------------------------------------------------------------------------


def record_focus(*, actor: Any, attempt: Attempt, lost: bool, ip: str | None) -> None:
    """The page was hidden (another app, another tab) or came back: the proctor sees both."""
    _require_examinee(actor, attempt.enrolment)
    close_if_overdue(attempt)
    if attempt.state != AttemptState.IN_PROGRESS:
        return
    with transaction.atomic():
        now = timezone.now()
        _event(attempt, EventKind.FOCUS_LOST if lost else EventKind.FOCUS_BACK, now, ip)
        if lost:
            Attempt.objects.filter(pk=attempt.pk).update(focus_lost=F("focus_lost") + 1)


# --- submission and time-out -------------------------------------------------------------


def _finish(attempt: Attempt, *, reason: str, now: dt.datetime, actor: Any, ip: str | None) -> None:
    """Grade the objective answers and close the attempt; the caller holds its row lock."""
    answers = list(
        Answer.objects.select_for_update()
        .filter(attempt=attempt)
        .select_related("question__version")
    )
    total = Decimal(0)
    manual = False
    for answer in answers:
        answer.score = grade(answer.question, answer.value)
        if answer.score is None:
            manual = True
        else:
            total += answer.score
    Answer.objects.bulk_update(answers, ["score"])
    attempt.state = AttemptState.SUBMITTED
    attempt.submitted_at = now
    attempt.submit_reason = reason
    attempt.objective_score = total
    attempt.grading = GradingState.AWAITING if manual else GradingState.OBJECTIVE
    if not manual:  # nothing to mark by hand: the result is known (not yet released)
        attempt.total_score = total
        attempt.passed = total >= attempt.enrolment.sitting.pass_mark
    attempt.save(
        update_fields=[
            "state",
            "submitted_at",
            "submit_reason",
            "objective_score",
            "grading",
            "total_score",
            "passed",
        ]
    )
    kind = EventKind.TIMEOUT if reason == SubmitReason.TIMEOUT else EventKind.SUBMIT
    answered = sum(1 for a in answers if a.answered)
    _event(attempt, kind, now, ip, answered=answered, total=len(answers))
    audit.record(
        actor=actor,
        action="exam.attempt_submit",
        target=attempt.enrolment,
        details={
            "reason": reason,
            "answered": answered,
            "questions": len(answers),
            "objective_score": total,
            "awaiting_grading": manual,
        },
    )


@transaction.atomic
def submit_attempt(*, actor: Any, attempt: Attempt, ip: str | None) -> Attempt:
    """The examinee hands in. After the deadline's grace it is the time-out that submitted."""
    _require_examinee(actor, attempt.enrolment)
    locked = (
        Attempt.objects.select_for_update().select_related("enrolment__sitting").get(pk=attempt.pk)
    )
    if locked.state == AttemptState.SUBMITTED:
        return locked
    if locked.state != AttemptState.IN_PROGRESS:
        raise ValidationError("还没有开始作答。")
    now = timezone.now()
    reason = SubmitReason.TIMEOUT if _past_grace(locked, now) else SubmitReason.EXAMINEE
    _finish(locked, reason=reason, now=now, actor=actor, ip=ip)
    return locked


@transaction.atomic
def _close(pk: int, now: dt.datetime) -> bool:
    locked = Attempt.objects.select_for_update().select_related("enrolment").get(pk=pk)
    if locked.state != AttemptState.IN_PROGRESS or not _past_grace(locked, now):
        return False
    _finish(locked, reason=SubmitReason.TIMEOUT, now=now, actor=None, ip=None)
    return True


def close_if_overdue(attempt: Attempt, *, now: dt.datetime | None = None) -> bool:
    """Submit an attempt whose time (and grace) is over; refreshes `attempt` if it did."""
    now = now or timezone.now()
    if attempt.state != AttemptState.IN_PROGRESS or not _past_grace(attempt, now):
        return False
    closed = _close(attempt.pk, now)
    attempt.refresh_from_db()
    return closed


def close_overdue_attempts(*, now: dt.datetime | None = None) -> int:
    """The periodic task's body: every attempt past deadline + grace, submitted on the
    server (the browser may be long gone). One transaction per attempt."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=grace_seconds())
    pks = list(
        Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in pks if _close(pk, now))


# --- the proctor --------------------------------------------------------------------------


def extend_attempt(*, actor: Any, attempt: Attempt, minutes: int, reason: str) -> Attempt:
    """Give one examinee more time (a broken phone, a power cut), with a reason, audited.
    The sitting's end still bounds the deadline; the proctor is told when it did. An
    attempt already past deadline + grace is submitted first (and stays submitted)."""
    require_sitting_manager(actor)
    close_if_overdue(attempt)
    return _extend(actor=actor, attempt=attempt, minutes=minutes, reason=reason)


@transaction.atomic
def _extend(*, actor: Any, attempt: Attempt, minutes: int, reason: str) -> Attempt:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写延长时间的原因"})
    if not 1 <= minutes <= EXTENSION_MAX_MINUTES:
        raise ValidationError({"minutes": f"延长时间为 1–{EXTENSION_MAX_MINUTES} 分钟"})
    locked = (
        Attempt.objects.select_for_update().select_related("enrolment__sitting").get(pk=attempt.pk)
    )
    now = timezone.now()
    if locked.state == AttemptState.SUBMITTED or _past_grace(locked, now):
        raise ValidationError("该考生已交卷，不能再延长时间。")
    before = locked.deadline
    locked.extra_seconds += minutes * 60
    if locked.started_at is not None:
        locked.deadline = _deadline(locked, locked.enrolment)
    locked.save(update_fields=["extra_seconds", "deadline"])
    capped = locked.deadline is not None and locked.deadline == locked.enrolment.sitting.ends_at
    _event(locked, EventKind.EXTEND, now, None, minutes=minutes, reason=reason, capped=capped)
    audit.record(
        actor=actor,
        action="exam.attempt_extend",
        target=locked.enrolment,
        details={
            "minutes": minutes,
            "reason": reason,
            "deadline_before": before,
            "deadline": locked.deadline,
            "capped_by_sitting_end": capped,
        },
    )
    attempt.extra_seconds, attempt.deadline = locked.extra_seconds, locked.deadline
    return locked
