"""Supervision rules, their versions and runs, and the alerts they raise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.budget.models.reference import BudgetUnit, FinanceRegion
from renda.core.sources import targets_of
from renda.suggestions.models import Suggestion

# --- supervision: rules, alerts, inquiries (issue 6) ------------------------------------------


class AlertLevel(models.IntegerChoices):
    """Alert levels (reference budget.md §1.2: Changzhou's purple / yellow / red lights). An
    integer, so that "raise to the higher level" is a MAX in SQL."""

    NOTICE = 1, "提示"
    WARNING = 2, "警告"
    SEVERE = 3, "严重"


LEVEL_TONES = {
    AlertLevel.NOTICE: "info",
    AlertLevel.WARNING: "warning",
    AlertLevel.SEVERE: "danger",
}


class Rule(models.Model):
    """A supervision rule as data (reference budget.md §5): what it checks and why (`basis`),
    its current parameters and thresholds, whether it runs. The evaluator is a registered
    function named by `evaluator` (budget/rules.py); the parameter definitions (type, default,
    minimum, maximum) come from there and are copied into `param_specs` so pages can show
    them. Every change bumps `version` and writes a `RuleVersion`."""

    class Category(models.TextChoices):
        LEGALITY = "legality", "合法性"
        COMPLIANCE = "compliance", "合规性"
        REASONABLENESS = "reasonableness", "合理性"
        RISK = "risk", "风险"

    class Schedule(models.TextChoices):
        IMPORT_AND_NIGHTLY = "import_nightly", "每次导入后及每晚"
        NIGHTLY = "nightly", "每晚"
        MANUAL = "manual", "仅手动"

    class SubjectType(models.TextChoices):
        UNIT = "unit", "预算单位"
        INDICATOR = "indicator", "预算指标"
        PAYMENT = "payment", "支付凭证"
        PAYEE = "payee", "单位+收款人"
        REVENUE_CLASS = "revenue_class", "收入科目"
        REGION = "region", "财政区划"
        PROJECT = "project", "重大项目"

    code = models.CharField("规则编号", max_length=8, unique=True)
    name = models.CharField("规则名称", max_length=50)
    description = models.TextField("说明")
    basis = models.TextField("依据", help_text="法律、法规或政策依据")
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    subject_type = models.CharField("预警对象", max_length=16, choices=SubjectType.choices)
    evaluator = models.CharField("挂接函数", max_length=50)
    param_specs = models.JSONField("参数定义", default=list)
    params = models.JSONField("参数", default=dict)
    enabled = models.BooleanField("启用", default=True)
    schedule = models.CharField(
        "运行时机", max_length=16, choices=Schedule.choices, default=Schedule.IMPORT_AND_NIGHTLY
    )
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "预警规则"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RuleVersion(models.Model):
    """One saved state of a rule: what an alert's `rule_version` points at."""

    rule = models.ForeignKey(
        Rule, verbose_name="规则", on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField("版本")
    params = models.JSONField("参数")
    enabled = models.BooleanField("启用")
    schedule = models.CharField("运行时机", max_length=16)
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["rule", "-version"]
        verbose_name = verbose_name_plural = "规则版本"
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="ruleversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.version}"


class RuleRun(models.Model):
    """One evaluation of the rules for a year and an as-of date; `results` holds each rule's
    outcome ({code: {status, raised, escalated, cleared, seconds, error}}) so one failing
    rule shows beside the others that ran."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "手动"
        COMMAND = "command", "命令行"
        IMPORT = "import", "导入后"
        NIGHTLY = "nightly", "每晚"

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "完成"
        PARTIAL = "partial", "部分规则失败"
        FAILED = "failed", "失败"

    region = models.ForeignKey(
        FinanceRegion, verbose_name="财政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("预算年度")
    as_of = models.DateField("截至日期")
    trigger = models.CharField("触发方式", max_length=12, choices=Trigger.choices)
    incremental = models.BooleanField("增量", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RUNNING)
    results = models.JSONField("各规则结果", default=dict)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = verbose_name_plural = "规则运行记录"

    def __str__(self) -> str:
        return f"{self.year} {self.as_of} {self.get_status_display()}"


class Alert(models.Model):
    """One finding of one rule about one subject in one period. The unique constraint makes a
    re-run update the alert instead of adding another: the level only goes up, and an alert
    whose condition is gone is marked cleared but kept."""

    class Status(models.TextChoices):
        OPEN = "open", "预警中"
        CLEARED = "cleared", "已消除"
        # A month-level rule (progress, ratios) judged a later month: that month's alert
        # now carries the subject, and this one is kept as the record of its month.
        SUPERSEDED = "superseded", "已由后续月份接续"

    class Handling(models.TextChoices):
        NEW = "new", "未处理"
        INQUIRED = "inquired", "已发问询函"
        RESOLVED = "resolved", "已办结"
        DISMISSED = "dismissed", "经核实无问题"

    rule = models.ForeignKey(
        Rule, verbose_name="规则", on_delete=models.PROTECT, related_name="alerts"
    )
    rule_version = models.PositiveIntegerField("规则版本")
    params = models.JSONField("触发参数")
    region = models.ForeignKey(
        FinanceRegion, verbose_name="财政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("预算年度")
    period = models.DateField("期间", help_text="月份的第一天")
    subject_type = models.CharField("对象类型", max_length=16, choices=Rule.SubjectType.choices)
    subject_key = models.CharField("对象", max_length=200)
    subject_label = models.CharField("对象名称", max_length=300)
    unit = models.ForeignKey(
        BudgetUnit,
        verbose_name="预算单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    level = models.PositiveSmallIntegerField("级别", choices=AlertLevel.choices)
    first_level = models.PositiveSmallIntegerField("首次级别", choices=AlertLevel.choices)
    amount = models.DecimalField("涉及金额（元）", max_digits=18, decimal_places=2, default=0)
    figures = models.JSONField("计算数据", default=dict)
    evidence = models.JSONField("证据", default=dict, help_text="payments / indicators 的 id")
    explanation = models.TextField("说明")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    handling = models.CharField(
        "处理情况", max_length=12, choices=Handling.choices, default=Handling.NEW
    )
    raised_at = models.DateTimeField("首次预警时间")
    last_seen_at = models.DateTimeField("最近确认时间")
    cleared_at = models.DateTimeField("消除时间", null=True, blank=True)
    last_run = models.ForeignKey(
        RuleRun,
        verbose_name="最近运行",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Closing the congress's loop (reference budget.md §1.1 weak spots): an alert can go on
    # a meeting's agenda (meetings.AgendaItem, linked by a core source link, see
    # services/agenda.py) or become a deputy's suggestion.
    # Offered to a deputy like a converted constituent opinion: the deputy drafts the
    # suggestion from it on their workbench; the suggestion records the alert as its source
    # (core.SourceLink, see `suggestion` below and services/escalation.py).
    offered_to = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="转交代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_alerts",
    )
    offered_at = models.DateTimeField("转交时间", null=True, blank=True)

    class Meta:
        ordering = ["-period", "-level", "rule", "subject_key"]
        verbose_name = verbose_name_plural = "预警"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "region", "year", "subject_key", "period"],
                name="alert_unique_subject_period",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="alert_level_range"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=models.F("first_level")), name="alert_level_only_rises"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status", "level"], name="budget_alert_year_status"),
            models.Index(fields=["period", "level"], name="budget_alert_period"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.subject_label}"

    @property
    def tone(self) -> str:
        return LEVEL_TONES.get(AlertLevel(self.level), "secondary")

    @property
    def suggestion(self) -> Suggestion | None:
        """The suggestion the offered deputy drafted from this alert, if any (read from the
        core source link; at most one, see services/escalation.py)."""
        ids = targets_of(self, Suggestion)
        return Suggestion.objects.filter(pk=ids[0]).first() if ids else None


class AlertChange(models.Model):
    """What a rule run did to an alert: raised it, raised its level, cleared it, found it again."""

    class Kind(models.TextChoices):
        RAISED = "raised", "产生预警"
        ESCALATED = "escalated", "级别升高"
        CLEARED = "cleared", "预警消除"
        REOPENED = "reopened", "再次出现"
        SUPERSEDED = "superseded", "由后续月份接续"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="changes")
    run = models.ForeignKey(
        RuleRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField("变化", max_length=10, choices=Kind.choices)
    from_level = models.PositiveSmallIntegerField(
        "原级别", choices=AlertLevel.choices, null=True, blank=True
    )
    to_level = models.PositiveSmallIntegerField(
        "新级别", choices=AlertLevel.choices, null=True, blank=True
    )
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["alert", "at", "id"]
        verbose_name = verbose_name_plural = "预警变化记录"

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_kind_display()}"
