"""知情知政: documents released to deputies — meeting documents (报告, 草案, 说明) on an agenda
item, and the year's library (政府工作报告, 预算、决算、审计、计划报告, 常委会通知) — with a
read receipt per reader. Who may read a document and from when is decided in ONE place,
`selectors.released_to`; only `services` writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import TimeStampedModel
from renda.deputies.models import Deputy
from renda.meetings.models import AgendaItem

from .rules import Audience, Kind, ReleaseMode, State


class Document(TimeStampedModel):
    Kind = Kind
    Audience = Audience
    ReleaseMode = ReleaseMode
    State = State

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    file = models.FileField("文件", upload_to="documents/%Y/")
    file_name = models.CharField("原文件名", max_length=255)
    file_type = models.CharField("文件类型", max_length=8)
    size = models.PositiveIntegerField("大小（字节）")
    # Plain text extracted at upload, for search; the Word file's HTML preview, sanitised.
    text = models.TextField("全文", blank=True)
    preview_html = models.TextField("预览", blank=True)
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name="议程",
        null=True,
        blank=True,
        # A document is a record: the item it was sent for is not removed under it.
        on_delete=models.PROTECT,
        related_name="documents",
    )
    confidential = models.BooleanField("涉密（仅限发放范围）", default=False)
    audience = models.CharField("发放范围", max_length=16, choices=Audience.choices)
    release_mode = models.CharField("发布方式", max_length=16, choices=ReleaseMode.choices)
    # When it becomes readable (立即 and 定时); None for 会议开始时, which follows the meeting's
    # start time even if the meeting is moved.
    release_at = models.DateTimeField("发布时间", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PUBLISHED)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = verbose_name_plural = "文件"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="document_kind_known"),
            models.CheckConstraint(
                condition=Q(file_type__in=["pdf", "docx"]), name="document_file_type_previewable"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="document_year_plausible"
            ),
            # A meeting document goes to its meeting's members, and only a meeting document does.
            models.CheckConstraint(
                condition=(Q(audience=Audience.MEETING) & Q(agenda_item__isnull=False))
                | (~Q(audience=Audience.MEETING) & Q(agenda_item__isnull=True)),
                name="document_meeting_audience_has_item",
                violation_error_message="会议文件须挂在议程上，发放范围为会议组成人员",
            ),
            # 会议开始时发布 follows the meeting; every other mode has its own time.
            models.CheckConstraint(
                condition=(
                    Q(release_mode=ReleaseMode.AT_MEETING)
                    & Q(release_at__isnull=True)
                    & Q(agenda_item__isnull=False)
                )
                | (
                    Q(release_mode__in=[ReleaseMode.NOW, ReleaseMode.AT_TIME])
                    & Q(release_at__isnull=False)
                ),
                name="document_release_time_set",
                violation_error_message="请设置发布时间",
            ),
            models.CheckConstraint(
                condition=(Q(state=State.WITHDRAWN) & Q(withdrawn_at__isnull=False))
                | (Q(state=State.PUBLISHED) & Q(withdrawn_at__isnull=True)),
                name="document_withdrawn_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "audience", "year"]),
            models.Index(fields=["release_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentRecipient(models.Model):
    """One deputy on a 指定代表 document's release list."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipient_rows")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "指定代表"
        constraints = [
            models.UniqueConstraint(fields=["document", "deputy"], name="documentrecipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.deputy}"


class ReadReceipt(models.Model):
    """已读: the first time a reader opened the document (one row per reader and document)."""

    document = models.ForeignKey(
        Document, verbose_name="文件", on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="读者", on_delete=models.PROTECT, related_name="+"
    )
    first_read_at = models.DateTimeField("首次阅读时间")

    class Meta:
        ordering = ["first_read_at", "id"]
        verbose_name = verbose_name_plural = "阅读回执"
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="readreceipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} · {self.user_id}"
