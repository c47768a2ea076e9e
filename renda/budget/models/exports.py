"""Background exports (导出任务): a list too long to build while the browser waits (a year of
treasury payments is ~10^5 rows) is written by a Huey worker into a private file, with its
progress on a page and a download link when it is ready, for the requester alone."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from renda.core.models import TimeStampedModel


class ExportJob(TimeStampedModel):
    class Kind(models.TextChoices):
        PAYMENTS = "payments", "支付凭证"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在生成"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    kind = models.CharField("导出内容", max_length=16, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    # The list's cleaned filters as JSON (dates and amounts as text): the worker reads
    # exactly the rows the requester saw on the page.
    filters = models.JSONField("筛选条件", default=dict)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to="budget/exports/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    error = models.TextField("错误", blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "导出任务"
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="budget_export_requester"),
            models.Index(fields=["status", "finished_at"], name="budget_export_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    # Counts with separators (DESIGN §8); the zh-hans number format has no grouping.
    @property
    def rows_done_shown(self) -> str:
        return f"{self.rows_done:,}"

    @property
    def rows_total_shown(self) -> str:
        return f"{self.rows_total:,}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
