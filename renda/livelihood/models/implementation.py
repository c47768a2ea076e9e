"""实施监督 (issue 17 item 4; civic.md §1.5 and §4.5): a chosen project's implementation plan.

- `Plan`: one per chosen `Project`; drafted by staff (编制中), then published (实施中: the public
  progress page on 人大之家 shows it), closed when done (已完成).
- `PlanItem`: a tree of sub-items (子项), each with its owner unit (责任单位), budget in 元,
  start and deadline dates and a `ProgressStatus`. A leaf's progress is its status's weight;
  a parent's progress is rolled up from its children (see services/implementation.py).
- `ProgressStatus`: the status table with progress weights as data (未开工 0, 前期准备 10, 在建
  50, 主体完工 80, 完工验收 100 are seeded by migration 0004; staff may change them).
- `Milestone`: a dated node (节点) of an item, with its due date and the date it was done.
- `ProgressReport` + `ProgressPhoto`: dated progress reports by the owner unit, with photos.
- `Supervisor`: the deputies assigned to supervise the project (监督代表).
- `Inspection`: a supervising deputy's 视察 record or comment (意见), with photos; the owner
  unit may reply. Private to staff, the unit and the supervising deputies.
- `FundingLink`: optional links of the project (or one of its items) to budget indicators by
  their code (指标编号 within a treasury and year): money spent = the linked payments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from renda.budget.models import FinanceRegion
from renda.core.models import Organization, TimeStampedModel
from renda.deputies.models import Deputy

from .votes import Project


class ProgressStatus(models.Model):
    """A status an item can be in, and the progress (%) it stands for (data, not code)."""

    key = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    progress = models.PositiveSmallIntegerField("进度（%）")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "progress", "id"]
        verbose_name = verbose_name_plural = "实施进度状态"
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="livelihood_status_progress_max_100",
                violation_error_message="进度不能超过100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.progress}%）"


class Plan(TimeStampedModel):
    """The implementation plan of one chosen project."""

    class State(models.TextChoices):
        DRAFT = "draft", "编制中"
        ACTIVE = "active", "实施中"
        COMPLETED = "completed", "已完成"

    project = models.OneToOneField(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="plan"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    # Rolled up from the leaf items after every change (services/implementation.py).
    progress = models.DecimalField("总体进度（%）", max_digits=5, decimal_places=2, default=0)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-project__year", "project__title", "id"]
        verbose_name = verbose_name_plural = "民生实事实施计划"
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="livelihood_plan_progress_range",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="livelihood_plan_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}（实施计划）"

    @property
    def is_public(self) -> bool:
        return self.state != self.State.DRAFT


class PlanItem(TimeStampedModel):
    """A sub-item (子项) of a plan; items form a tree through `parent`."""

    plan = models.ForeignKey(
        Plan, verbose_name="实施计划", on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级子项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    title = models.CharField("子项名称", max_length=200)
    description = models.TextField("建设内容", blank=True)
    owner_unit = models.ForeignKey(
        Organization, verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    budget = models.DecimalField("计划投资（元）", max_digits=16, decimal_places=2, default=0)
    start_on = models.DateField("开始日期", null=True, blank=True)
    deadline = models.DateField("完成时限")
    status = models.ForeignKey(
        ProgressStatus, verbose_name="进度状态", on_delete=models.PROTECT, related_name="+"
    )
    # A leaf's progress is its status's; a parent's is rolled up from its children.
    progress = models.DecimalField("进度（%）", max_digits=5, decimal_places=2, default=0)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    reminded_on = models.DateField("最近催办日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = verbose_name_plural = "实施子项"
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="livelihood_item_budget_not_negative",
                violation_error_message="计划投资不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100),
                name="livelihood_item_progress_range",
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(deadline__gte=F("start_on")),
                name="livelihood_item_dates_in_order",
                violation_error_message="完成时限不能早于开始日期",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="livelihood_item_not_own_parent"
            ),
        ]
        indexes = [models.Index(fields=["owner_unit", "deadline"], name="livelihood_item_unit")]

    def __str__(self) -> str:
        return self.title


class Milestone(TimeStampedModel):
    """A node (节点) of an item: due by `due_on`, done on `done_on`."""

    item = models.ForeignKey(
        PlanItem, verbose_name="子项", on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField("节点名称", max_length=200)
    due_on = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_on = models.DateField("最近催办日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["item", "due_on", "id"]
        verbose_name = verbose_name_plural = "实施节点"

    def __str__(self) -> str:
        return self.title


class ProgressReport(TimeStampedModel):
    """A dated progress report of an item by its owner unit (the status it reports with it)."""

    item = models.ForeignKey(
        PlanItem, verbose_name="子项", on_delete=models.CASCADE, related_name="reports"
    )
    report_date = models.DateField("报告日期")
    text = models.TextField("进展情况")
    status = models.ForeignKey(
        ProgressStatus, verbose_name="报告时状态", on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Organization, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-report_date", "-id"]
        verbose_name = verbose_name_plural = "实施进展报告"

    def __str__(self) -> str:
        return f"{self.item} {self.report_date}"


class Supervisor(TimeStampedModel):
    """A deputy assigned to supervise a project (监督代表)."""

    plan = models.ForeignKey(
        Plan, verbose_name="实施计划", on_delete=models.CASCADE, related_name="supervisors"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField("牵头代表", default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-is_lead", "deputy__name", "id"]
        verbose_name = verbose_name_plural = "监督代表"
        constraints = [
            models.UniqueConstraint(fields=["plan", "deputy"], name="livelihood_supervisor_once")
        ]

    def __str__(self) -> str:
        return f"{self.deputy}（{self.plan}）"


class Inspection(TimeStampedModel):
    """A supervising deputy's 视察 record or comment on the project (or one item)."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", "视察"
        COMMENT = "comment", "意见建议"

    plan = models.ForeignKey(
        Plan, verbose_name="实施计划", on_delete=models.CASCADE, related_name="inspections"
    )
    item = models.ForeignKey(
        PlanItem,
        verbose_name="子项",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inspections",
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    visited_on = models.DateField("视察日期", null=True, blank=True)
    text = models.TextField("内容")
    reply = models.TextField("责任单位答复", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "代表视察和意见"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="comment") | Q(visited_on__isnull=False),
                name="livelihood_inspection_has_date",
                violation_error_message="视察须填写视察日期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.deputy}"


class ProgressPhoto(TimeStampedModel):
    """A photo of a progress report (public with the plan) or of an inspection (private)."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name="进展报告",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="视察",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField("照片", upload_to="livelihood/progress/%Y/%m/")
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "实施照片"
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, inspection__isnull=True)
                | Q(report__isnull=True, inspection__isnull=False),
                name="livelihood_photo_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.caption or self.image.name

    @property
    def is_public(self) -> bool:
        return self.report_id is not None


class FundingLink(TimeStampedModel):
    """A budget indicator (指标编号 `bgt_id` in a treasury and year) that funds the project or
    one of its items. Linked by code, not by row: indicators are re-imported. Spent = the
    payments on that code (refunds negative, voided vouchers left out)."""

    plan = models.ForeignKey(
        Plan, verbose_name="实施计划", on_delete=models.CASCADE, related_name="funding"
    )
    item = models.ForeignKey(
        PlanItem,
        verbose_name="子项",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="funding",
    )
    region = models.ForeignKey(
        FinanceRegion, verbose_name="财政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("预算年度")
    bgt_id = models.CharField("指标编号", max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "year", "bgt_id"]
        verbose_name = verbose_name_plural = "项目资金指标"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "region", "year", "bgt_id"], name="livelihood_funding_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.bgt_id}"
