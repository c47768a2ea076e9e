"""Inquiry letters (预算问询函) about alerts, with their attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from renda.budget import workflows
from renda.budget.models.alerts import Alert
from renda.core.models import TimeStampedModel


class Inquiry(TimeStampedModel):
    """问询函: the congress's written question about one or more alerts to the finance bureau or
    a budget unit, answered within working days and accepted or returned by staff
    (core.workflow `budget_inquiry`, budget/workflows.py)."""

    class Finding(models.TextChoices):
        NORMAL = "normal", "经核实属正常"
        CORRECTED = "corrected", "已整改纠正"
        VIOLATION = "violation", "确属违规"

    workflow_code = "budget_inquiry"

    number = models.CharField("文号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=200)
    questions = models.TextField("问询事项")
    addressee = models.ForeignKey(
        "core.Organization",
        verbose_name="被问询单位",
        on_delete=models.PROTECT,
        related_name="budget_inquiries",
    )
    alerts = models.ManyToManyField(Alert, verbose_name="相关预警", related_name="inquiries")
    state = models.CharField(
        "状态", max_length=16, choices=workflows.INQUIRY.choices, default=workflows.INQUIRY.initial
    )
    due_at = models.DateTimeField("答复期限", null=True, blank=True)
    response_days = models.PositiveSmallIntegerField("答复期限（工作日）", default=10)
    issued_at = models.DateTimeField("发出时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )
    # When the last open alert was answered (each alert's own answer: `InquiryAnswer`).
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_count = models.PositiveSmallIntegerField("退回次数", default=0)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reminded_at = models.DateTimeField("最近催办", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "问询函"
        indexes = [models.Index(fields=["state", "due_at"], name="budget_inquiry_state_due")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class InquiryAnswer(TimeStampedModel):
    """The addressee's answer about ONE alert of a letter: its own explanation and finding, so
    a letter about several alerts is answered, reviewed and settled alert by alert. Staff may
    return some answers and keep the others; the letter is closed when every answer is
    accepted (services/inquiries.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "待答复"
        ANSWERED = "answered", "已答复"
        RETURNED = "returned", "退回重答"
        ACCEPTED = "accepted", "已认可"

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="answers")
    alert = models.ForeignKey(
        Alert, verbose_name="预警", on_delete=models.PROTECT, related_name="inquiry_answers"
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING)
    response = models.TextField("答复说明", blank=True)
    finding = models.CharField(
        "核实结论", max_length=12, choices=Inquiry.Finding.choices, blank=True
    )
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        ordering = ["alert__period", "alert_id"]
        verbose_name = verbose_name_plural = "问询函答复"
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "alert"], name="inquiryanswer_one_per_alert"
            ),
            # An answered or accepted alert always has its explanation and its finding.
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "returned"])
                | (~models.Q(response="") & ~models.Q(finding="")),
                name="inquiryanswer_answered_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id}/{self.alert_id} {self.get_state_display()}"


class InquiryAttachment(TimeStampedModel):
    """A file on an inquiry: the officer's evidence with the answer (downloaded only through a
    permission-checked view)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="budget/inquiries/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "问询函附件"

    def __str__(self) -> str:
        return self.name
