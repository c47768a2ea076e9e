"""Attempts (答卷): one per enrolment, its answers (one row per paper question) and the events
the proctor reads (start, resume, save, 切屏, extension, submission, refusals).

The server's clock is the only clock. `deadline` is computed once at start and stored
(min(start + duration + extensions, the sitting's end)); an extension moves it. Nothing about
time lives in a process, so a restart gives nobody extra time and loses no saved answer.

An answer's `value` is what the examinee chose, in the positions they were shown (single:
the position, multiple: a list of positions, true/false: a bool, fill-in and short answer:
text); grading maps positions back through `PaperQuestion.option_order`. `version` counts
saves: a save names the version it started from, and a save from a stale tab is refused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .papers import Paper, PaperQuestion
from .sittings import Enrolment


class AttemptState(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "作答中"
    SUBMITTED = "submitted", "已交卷"


class SubmitReason(models.TextChoices):
    EXAMINEE = "examinee", "考生交卷"
    TIMEOUT = "timeout", "到时自动交卷"


class GradingState(models.TextChoices):
    NONE = "", "—"
    AWAITING = "awaiting", "待评阅"  # short answers wait for graders
    OBJECTIVE = "objective", "客观题已评分"  # nothing left to mark by hand
    GRADED = "graded", "评阅完成"  # every short answer has its final score


class Attempt(models.Model):
    enrolment = models.OneToOneField(Enrolment, models.PROTECT, related_name="attempt")
    paper = models.OneToOneField(Paper, models.PROTECT, related_name="attempt")
    state = models.CharField(
        "状态", max_length=12, choices=AttemptState.choices, default=AttemptState.NOT_STARTED
    )
    started_at = models.DateTimeField("开始作答", null=True, blank=True)
    deadline = models.DateTimeField("截止时间", null=True, blank=True)
    extra_seconds = models.PositiveIntegerField("延长时间（秒）", default=0)
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    submit_reason = models.CharField(
        "交卷方式", max_length=10, choices=SubmitReason.choices, blank=True
    )
    start_ip = models.GenericIPAddressField("开考IP", null=True, blank=True)
    focus_lost = models.PositiveIntegerField("切屏次数", default=0)
    objective_score = models.DecimalField(
        "客观题得分", max_digits=6, decimal_places=2, null=True, blank=True
    )
    grading = models.CharField(
        "评分状态", max_length=10, choices=GradingState.choices, default="", blank=True
    )
    # The result: total = objective + short answers, known once nothing is left to mark;
    # passed = total ≥ the sitting's pass mark. Nobody but administrators sees either until
    # released_at is set (services.grading.release_results).
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField("是否合格", null=True, blank=True)
    released_at = models.DateTimeField("成绩发布时间", null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "答卷"
        constraints = (
            models.CheckConstraint(
                condition=Q(state__in=AttemptState.values), name="exams_attempt_state_valid"
            ),
            # A result is released only once it is known.
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | Q(total_score__isnull=False, passed__isnull=False),
                name="exams_attempt_released_has_result",
            ),
            # A started attempt always has its times; a submitted one says how it ended.
            models.CheckConstraint(
                condition=Q(state=AttemptState.NOT_STARTED)
                | Q(started_at__isnull=False, deadline__isnull=False),
                name="exams_attempt_started_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(state=AttemptState.SUBMITTED)
                | (Q(submitted_at__isnull=False) & ~Q(submit_reason="")),
                name="exams_attempt_submitted_has_time",
            ),
        )
        indexes = (models.Index(fields=("state", "deadline")),)

    def __str__(self) -> str:
        return f"答卷 {self.enrolment_id}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, models.CASCADE, related_name="answers")
    question = models.OneToOneField(PaperQuestion, models.PROTECT, related_name="answer")
    order = models.PositiveSmallIntegerField("题序")  # = question.order: saves look up by it
    value = models.JSONField("作答", null=True, blank=True)
    answered = models.BooleanField("已作答", default=False)
    version = models.PositiveIntegerField("保存次数", default=0)
    saved_at = models.DateTimeField("保存时间", null=True, blank=True)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("attempt", "order")
        verbose_name = verbose_name_plural = "作答"
        constraints = (
            models.UniqueConstraint(fields=("attempt", "order"), name="exams_answer_unique_order"),
        )

    def __str__(self) -> str:
        return f"{self.attempt_id}#{self.order}"


class EventKind(models.TextChoices):
    START = "start", "开始作答"
    RESUME = "resume", "继续作答"
    SAVE = "save", "保存答案"
    FOCUS_LOST = "focus_lost", "切屏（离开考试页面）"
    FOCUS_BACK = "focus_back", "回到考试页面"
    EXTEND = "extend", "延长时间"
    SUBMIT = "submit", "交卷"
    TIMEOUT = "timeout", "到时自动交卷"
    LATE_SAVE = "late_save", "超时保存被拒绝"
    START_REFUSED = "start_refused", "开考被拒绝"
    SAVE_REFUSED = "save_refused", "保存被拒绝"


class AttemptEvent(models.Model):
    attempt = models.ForeignKey(Attempt, models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ("attempt", "at", "pk")
        verbose_name = verbose_name_plural = "答卷事件"
        indexes = (models.Index(fields=("attempt", "kind", "at")),)

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"
