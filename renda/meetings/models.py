"""Meetings (会议): 人民代表大会会议, 常委会会议 and 主任会议 of a term, their members (出席 and
列席), their agenda (议程) and their check-ins. Rules as data are in `rules.py`, the workflow
in `workflows.py`; only `services` writes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from renda.core.models import TimeStampedModel
from renda.deputies.models import Deputy, Term

from . import workflows
from .rules import Kind, Quorum


class Meeting(TimeStampedModel):
    workflow_code = "meeting"

    Kind = Kind

    kind = models.CharField("会议类别", max_length=16, choices=Kind.choices)
    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField("会议次数", help_text="本届第几次会议")
    title = models.CharField("会议名称", max_length=200)
    start_at = models.DateTimeField("开始时间")
    end_at = models.DateTimeField("结束时间")
    venue = models.CharField("会议地点", max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=workflows.MEETING.choices, default=workflows.MEETING.initial
    )
    quorum = models.CharField(
        "法定人数规则", max_length=16, choices=Quorum.choices, default=Quorum.MAJORITY
    )
    checkin_before_minutes = models.PositiveSmallIntegerField("开始前可签到（分钟）", default=60)
    checkin_after_minutes = models.PositiveSmallIntegerField("开始后可签到（分钟）", default=30)
    # 人民代表大会会议 only: the presidium's deadline for motions (议案).
    motion_deadline = models.DateTimeField("议案截止时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_at", "-id"]
        verbose_name = verbose_name_plural = "会议"
        constraints = [
            models.UniqueConstraint(
                fields=["term", "kind", "number"], name="meeting_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(end_at__gte=models.F("start_at")),
                name="meeting_times_ordered",
                violation_error_message="结束时间不能早于开始时间",
            ),
        ]
        indexes = [models.Index(fields=["state", "start_at"])]

    def __str__(self) -> str:
        return self.title

    # The dates a congress session is known by (开幕 and 闭幕 days, local time).
    @property
    def start_date(self) -> dt.date:
        return timezone.localdate(self.start_at)

    @property
    def end_date(self) -> dt.date:
        return timezone.localdate(self.end_at)

    @property
    def short_label(self) -> str:
        return f"第{self.term.number}届{self.number}次会议"


class MeetingMember(models.Model):
    """One deputy's place in one meeting, with the answer to the notice and the leave."""

    class Role(models.TextChoices):
        ATTEND = "attend", "出席"
        OBSERVE = "observe", "列席"

    class Response(models.TextChoices):
        NONE = "", "未答复"
        CONFIRMED = "confirmed", "确认参会"
        LEAVE = "leave", "请假"

    class Leave(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已准假"
        REFUSED = "refused", "不准假"

    class Attendance(models.TextChoices):
        """Fixed when the meeting closes."""

        NONE = "", "—"
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="members"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="meeting_seats"
    )
    role = models.CharField("身份", max_length=16, choices=Role.choices, default=Role.ATTEND)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    response = models.CharField(
        "回执", max_length=16, choices=Response.choices, default="", blank=True
    )
    responded_at = models.DateTimeField("回执时间", null=True, blank=True)
    leave_reason = models.CharField("请假事由", max_length=500, blank=True)
    leave = models.CharField(
        "请假审批", max_length=16, choices=Leave.choices, default="", blank=True
    )
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leave_decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    leave_note = models.CharField("审批意见", max_length=200, blank=True)
    attendance = models.CharField(
        "出席情况", max_length=16, choices=Attendance.choices, default="", blank=True
    )

    class Meta:
        ordering = ["meeting", "role", "deputy__region__code", "deputy__name", "id"]
        verbose_name = verbose_name_plural = "参会人员"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "deputy"], name="meetingmember_once"),
            models.CheckConstraint(
                condition=~Q(response="leave") | ~Q(leave=""),
                name="meetingmember_leave_has_decision_state",
            ),
        ]
        indexes = [models.Index(fields=["deputy", "attendance"])]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.deputy}"


class CheckIn(models.Model):
    """签到: at most one per member (the one-to-one is the database's guarantee)."""

    class Method(models.TextChoices):
        CODE = "code", "扫码签到"
        PAPER = "paper", "纸质签到（工作人员登记）"

    member = models.OneToOneField(
        MeetingMember, verbose_name="参会人员", on_delete=models.CASCADE, related_name="checkin"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="checkins"
    )
    method = models.CharField("方式", max_length=16, choices=Method.choices)
    checked_in_at = models.DateTimeField("签到时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_in_at", "id"]
        verbose_name = verbose_name_plural = "签到"

    def __str__(self) -> str:
        return f"{self.member} {self.checked_in_at:%H:%M}"


class AgendaItem(TimeStampedModel):
    """议程: one item in order. Other apps put items here only through
    `services.put_on_agenda`, naming their item as the source (core.sources)."""

    class Kind(models.TextChoices):
        REPORT = "report", "听取报告"
        REVIEW = "review", "审议"
        VOTE = "vote", "表决"
        ELECTION = "election", "选举任免"
        OTHER = "other", "其他"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        OPINION = "opinion", "审议意见"
        RESOLUTION = "resolution", "决议"
        VOTE = "vote", "表决结果"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("议题", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.REVIEW)
    outcome_kind = models.CharField(
        "结果类别", max_length=16, choices=Outcome.choices, default="", blank=True
    )
    outcome = models.TextField("会议结果", blank=True)
    outcome_recorded_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = verbose_name_plural = "议程"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agendaitem_unique_order"),
            models.CheckConstraint(
                condition=Q(outcome_kind="") | ~Q(outcome=""),
                name="agendaitem_outcome_has_text",
                violation_error_message="请填写会议结果",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"
