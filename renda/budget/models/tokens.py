"""Push API access: the tokens data providers push with and the idempotency records of their calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from renda.core.models import ImportBatch


class PushToken(models.Model):
    """A data-provider system's credential for the push API. Only a SHA-256 of the token is
    stored (the token is 256 random bits, so no slow hash is needed); the security
    administrator sees it once when issuing it."""

    name = models.CharField("系统名称", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人（数据报送账号）",
        on_delete=models.PROTECT,
        related_name="budget_push_tokens",
    )
    kinds = models.JSONField("允许推送的数据类型", default=list, blank=True, help_text="空表示全部")
    prefix = models.CharField("令牌前缀", max_length=12)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "数据推送令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class IdempotencyRecord(models.Model):
    """The first answer to a push request, replayed when the same `Idempotency-Key` comes
    again. The row is written before the import runs, so a concurrent retry finds it."""

    token = models.ForeignKey(PushToken, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "推送幂等记录"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotencyrecord_unique_key")
        ]

    def __str__(self) -> str:
        return self.key
