"""Shared models: regions, organizations, the audit log, workflow history, the working-day
calendar, import batches, notifications and text messages (docs/architecture.md §5)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .fields import EncryptedCharField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Region(TimeStampedModel):
    """An administrative division with its GB/T 2260 code (villages use 12-digit codes)."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", "地级市"
        COUNTY = "county", "县级市/县/区"
        TOWNSHIP = "township", "乡镇"
        SUBDISTRICT = "subdistrict", "街道"
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3}([0-9]{3})?)?$"),
                name="region_code_digits",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township_level(self) -> bool:
        return self.level in {self.Level.TOWNSHIP, self.Level.SUBDISTRICT}


class Organization(TimeStampedModel):
    """Any body the system knows: congress bodies, offices, government departments that handle
    suggestions, and data providers. Popolo's Organization."""

    class Kind(models.TextChoices):
        CONGRESS = "congress", "人民代表大会"
        STANDING_COMMITTEE = "standing_committee", "人大常委会"
        SPECIAL_COMMITTEE = "special_committee", "专门委员会"
        OFFICE = "office", "办事机构"
        TOWNSHIP_CONGRESS = "township_congress", "乡镇人大/街道人大工委"
        GOVERNMENT_DEPARTMENT = "government_department", "政府部门（承办单位）"
        DATA_PROVIDER = "data_provider", "数据提供单位"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.CharField("编码", max_length=30, unique=True)
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_handling_unit = models.BooleanField("可作承办单位", default=False)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = verbose_name_plural = "机构"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organization_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class AuditEvent(models.Model):
    """Append-only audit log (等保 安全审计). Each row's `chain` is HMAC-SM3 over the previous
    row's chain and this row's canonical content, so editing or deleting any row breaks every
    later link; `manage.py verify_audit` finds the first broken one."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"

    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("事件", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=8, choices=Outcome.choices)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    chain = models.CharField("链值", max_length=64, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Append-only: a row once written is never updated through the ORM.
        if self.pk is not None:
            raise RuntimeError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("审计日志不能删除")


class AuditArchivedEvent(models.Model):
    """An audit row moved out of the live log by `manage.py archive_audit` (core/backup/archive.py),
    column for column, with its original id and chain value: the archive verifies on its own
    from the genesis value, and the live log continues from the archive's last chain value.
    Append-only like the live log (triggers on PostgreSQL, migration 0007)."""

    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("事件", max_length=64)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    outcome = models.CharField("结果", max_length=8)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    chain = models.CharField("链值", max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "已归档审计日志"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


class AuditArchiveCut(models.Model):
    """One archiving run: the rows up to `last_id` left the live log. `total` and `chain` are
    the archive's row count and last chain value after this run — the checkpoint from which
    the live log verifies; `sig` (HMAC-SM3, audit key) links each cut to the previous one."""

    created_at = models.DateTimeField("归档时间")
    before = models.DateField("归档此日之前的记录")
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    first_id = models.BigIntegerField("首条编号")
    last_id = models.BigIntegerField("末条编号", unique=True)
    rows = models.PositiveIntegerField("本次归档条数")
    total = models.PositiveBigIntegerField("累计归档条数")
    chain = models.CharField("末条链值", max_length=64)
    prev = models.CharField("上一次归档的签名", max_length=64)
    sig = models.CharField("签名", max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "审计日志归档记录"

    def __str__(self) -> str:
        return f"归档至第 {self.last_id} 号（{self.before:%Y-%m-%d} 之前）"


class WorkflowEvent(models.Model):
    """One row per state change of any workflow object (core.workflow)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    workflow = models.CharField("流程", max_length=64)
    transition = models.CharField("操作", max_length=64)
    from_state = models.CharField("原状态", max_length=32)
    to_state = models.CharField("新状态", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("说明", blank=True)
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        verbose_name = verbose_name_plural = "流程记录"

    def __str__(self) -> str:
        return f"{self.workflow}: {self.from_state} → {self.to_state}"


class CalendarDay(TimeStampedModel):
    """A staff-entered exception to the week: a statutory holiday on a weekday, or a 调休
    working Saturday/Sunday. Needed for years the holiday package does not cover yet
    (each November the State Council publishes next year's schedule)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "工作日历"

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"


class ImportBatch(TimeStampedModel):
    """One uploaded file through the import framework: validated, previewed, then committed
    all-or-nothing. The file's SHA-256 makes re-importing the same file a no-op."""

    class Status(models.TextChoices):
        VALIDATING = "validating", "校验中"
        INVALID = "invalid", "校验未通过"
        READY = "ready", "待确认"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "导入失败"
        DISCARDED = "discarded", "已放弃"

    class Source(models.TextChoices):
        FILE = "file", "文件上传"
        API = "api", "接口推送"
        COMMAND = "command", "命令行"

    kind = models.CharField("导入类型", max_length=64)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.FILE)
    file = models.FileField("文件", upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64)
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    summary = models.JSONField("结果", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "导入批次"
        constraints = [
            # The same file is committed at most once per kind (idempotent re-import).
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=Q(status="committed"),
                name="importbatch_one_commit_per_file",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def progress_percent(self) -> int:
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0


class Notification(models.Model):
    """An in-app inbox message; email and SMS copies are sent by channels (core.notifications)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = verbose_name_plural = "站内消息"

    def __str__(self) -> str:
        return self.title


class SourceLink(models.Model):
    """ "This item came from that one" (docs/architecture.md §5, source links): a suggestion drafted from a
    constituent opinion or a budget alert, a livelihood proposal converted from an opinion…
    The source app creates the target through the target app's services and names the
    source; the link is recorded here, one way for every pair of modules, so the lower app
    shows where its item came from without importing the higher app. `label` and `url` are
    given by the source app, which knows what its item is called and where its page is."""

    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    label = models.CharField("来源", max_length=200)
    url = models.CharField("来源页面", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = verbose_name_plural = "来源关联"
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "target_type", "target_id"],
                name="sourcelink_unique",
            )
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="sourcelink_target"),
            models.Index(fields=["source_type", "source_id"], name="sourcelink_source"),
        ]

    def __str__(self) -> str:
        return self.label


class SmsMessage(models.Model):
    """One text message to one number (renda.core.sms): queued, then sent by a Huey task with
    retries, the provider's answer kept. The number and the template parameters are encrypted;
    the parameters (a log-in code, an initial password) are wiped once the message is settled."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        # The provider may have taken it (the answer was lost): never resent automatically.
        UNKNOWN = "unknown", "结果未明"

    kind = models.CharField("类别", max_length=32)
    mobile = EncryptedCharField("手机号")
    mobile_index = models.CharField(max_length=64, db_index=True, editable=False)
    params = EncryptedCharField("模板参数", blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    backend = models.CharField("通道", max_length=32, blank=True)
    template_id = models.CharField("模板编号", max_length=32, blank=True)
    provider_message_id = models.CharField("服务商流水号", max_length=100, blank=True)
    last_error = models.CharField("错误", max_length=300, blank=True)
    masked_id_numbers = models.PositiveSmallIntegerField("隐去的身份证号", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="smsmessage_due")]
        verbose_name = verbose_name_plural = "短信"

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"
