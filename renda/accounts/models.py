from __future__ import annotations

import datetime as dt
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice as PlainTOTPDevice
from django_otp.plugins.otp_totp.models import default_key, key_validator

from renda.core.fields import EncryptedCharField, make_blind_index
from renda.core.roles import STRICT_ROLES, Duty, Role


# django-otp is untyped: the stubs cannot follow EncryptedTOTPDevice's inherited `user` back.
class User(AbstractUser):  # type: ignore[django-manager-missing]
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

    def holds_duty(self, duty: str) -> bool:
        """Whether this account's office or its own grant holds `duty` (core.roles.Duty);
        core.roles.has_duty adds that only staff hold duties. One query per request: the
        set is kept on the instance, which lives as long as the request."""
        cached: frozenset[str] | None = getattr(self, "_duties", None)
        if cached is None:
            # No ordering: a UNION of ordered subqueries is refused (and not needed).
            own = (
                PersonalDuty.objects.filter(user_id=self.pk)
                .order_by()
                .values_list("duty", flat=True)
            )
            if self.organization_id is None:
                cached = frozenset(own)
            else:
                office = OfficeDuty.objects.filter(organization_id=self.organization_id)
                cached = frozenset(office.order_by().values_list("duty", flat=True).union(own))
            self._duties = cached
        return duty in cached


class AccountRequest(models.Model):
    """A change the system administrator asks for and the security administrator decides
    (三员: a second person). Opening an account, re-activating it, and changing its role or
    mobile number (the channel its credentials go to) wait here; only an approval applies
    them."""

    class Kind(models.TextChoices):
        CREATE = "create", "开通账号"
        ACTIVATE = "activate", "重新启用账号"
        CHANGE = "change", "变更角色或手机号"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="account_requests"
    )
    kind = models.CharField("申请事项", max_length=16, choices=Kind.choices)
    role = models.CharField("申请的角色", max_length=32, choices=Role.choices)
    mobile = EncryptedCharField("申请的手机号", blank=True)
    mobile_changed = models.BooleanField("变更手机号", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("驳回理由", max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = verbose_name_plural = "账号审批"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.user.username}"


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords: a new password may not be one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class EncryptedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """django-otp's TOTP device with its shared secret encrypted at rest (SM4-GCM, like the
    other secrets; 密评). django-otp's own TOTPDevice keeps the key in plain hex, so accounts
    use this model instead; the behaviour (verification, drift, throttling, the otpauth URL)
    is django-otp's own, reused method by method."""

    key = EncryptedCharField("密钥", default=default_key, validators=[key_validator])
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        default=1
    )
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = verbose_name_plural = "手机验证器"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    verify_token = PlainTOTPDevice.verify_token
    get_throttle_factor = PlainTOTPDevice.get_throttle_factor
    config_url = PlainTOTPDevice.config_url
    _read_str_from_settings = PlainTOTPDevice._read_str_from_settings


class SmsLoginCode(models.Model):
    """A log-in code sent by SMS (accounts.services.sms_login). A request for a number that
    belongs to nobody (or to a role that may not log in this way) also leaves a row, without a
    user or a code, so that the limits and the answers are the same for every number."""

    mobile_index = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code_digest = models.CharField(max_length=80, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "短信登录验证码"

    def __str__(self) -> str:
        return f"{self.mobile_index[:8]}@{self.created_at:%Y-%m-%d %H:%M}"


class SmsLoginFailure(models.Model):
    """A wrong SMS log-in code for a number: five within the lock-out time lock the number."""

    mobile_index = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "短信验证码错误记录"

    def __str__(self) -> str:
        return f"{self.mobile_index[:8]}@{self.created_at:%Y-%m-%d %H:%M}"


class OfficeDuty(models.Model):
    """A duty (core.roles.Duty) of an office or committee: every member of staff of that
    organization holds it. Granted and withdrawn by the security administrator."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name="机构", on_delete=models.CASCADE, related_name="duties"
    )
    duty = models.CharField("职责", max_length=32, choices=Duty.choices)
    granted_by = models.ForeignKey(
        User,
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)

    class Meta:
        ordering = ["organization", "duty"]
        verbose_name = verbose_name_plural = "机构职责"
        constraints = [
            models.UniqueConstraint(fields=["organization", "duty"], name="office_duty_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.duty}"


class PersonalDuty(models.Model):
    """A duty granted to one account outside its office's duties (a member of staff seconded
    to another committee's work), always with a reason."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="personal_duties"
    )
    duty = models.CharField("职责", max_length=32, choices=Duty.choices)
    reason = models.CharField("授权理由", max_length=200)
    granted_by = models.ForeignKey(
        User,
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_at = models.DateTimeField("授权时间", default=timezone.now)

    class Meta:
        ordering = ["user", "duty"]
        verbose_name = verbose_name_plural = "个人授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "duty"], name="personal_duty_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="personal_duty_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.duty}"
