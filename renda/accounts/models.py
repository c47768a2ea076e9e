from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from renda.core.fields import EncryptedCharField, make_blind_index
from renda.core.roles import STRICT_ROLES, Role


class User(AbstractUser):
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    mobile = EncryptedCharField("手机号", blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    must_change_password = models.BooleanField("下次登录须改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            # The mobile number is a log-in name, so two accounts cannot share one.
            models.UniqueConstraint(
                fields=["mobile_index"], condition=~Q(mobile_index=""), name="user_unique_mobile"
            ),
            # No Django superuser: administration is split between the three administrators.
            models.CheckConstraint(condition=Q(is_superuser=False), name="user_no_superuser"),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def save(self, *args: object, **kwargs: object) -> None:
        # The blind index is derived from the mobile number; keep the two in step.
        self.mobile_index = make_blind_index(self.mobile)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_strict(self) -> bool:
        return self.role in STRICT_ROLES

    @property
    def password_expired(self) -> bool:
        if not self.is_strict or settings.PASSWORD_MAX_AGE_DAYS <= 0:
            return False
        if self.password_changed_at is None:
            return True
        age = timezone.now() - self.password_changed_at
        return age > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

    @property
    def needs_password_change(self) -> bool:
        return self.must_change_password or self.password_expired
