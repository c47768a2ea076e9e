"""预算联网监督 data: reference codes per fiscal year, budget units, and the fiscal data that
finance, tax, statistics, state-asset and investment systems send (reference budget.md §4).

Field names follow the 预算管理一体化 data elements (§4.2); the 一体化 name is in each
field's help text. Money is Decimal in 元; refunds and 调减 are stored with a negative sign so
that the rules of the next issue can SUM without CASE.

Rows that arrive by the million (payments) keep their foreign keys without database
constraints: PostgreSQL checks a foreign key with one query per inserted row, which would
triple the bulk-load time, and the importer already resolves every reference set-based before
it writes (budget/ingest.py). Smaller tables keep real constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import ImportBatch, Region, TimeStampedModel

from . import workflows


class ThreePublic(models.TextChoices):
    """三公经费 categories (一体化 `THR_EXP`)."""

    RECEPTION = "reception", "公务接待"
    VEHICLE = "vehicle", "公务用车购置及运行"
    OVERSEAS = "overseas", "因公出国(境)"


class FinanceRegion(TimeStampedModel):
    """财政区划 (一体化 `MOF_DIV_CODE`): the treasury a record belongs to. Kept apart from
    core.Region because a province's treasury (430000 省本级) is not an administrative level
    the congress pages know; `region` links the two where they coincide."""

    code = models.CharField("财政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="对应行政区划",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "财政区划"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6,12}$"), name="financeregion_code_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ClassificationCode(models.Model):
    """One code of a classification list for one fiscal year (codes change every year, e.g.
    the 2018 split of the economic classification). `is_leaf` lets a year whose list was loaded
    only to the 类 level accept finer codes under it (the demo ships the public 类 codes)."""

    class Scheme(models.TextChoices):
        FUNCTION = "function", "支出功能分类"
        GOV_ECONOMIC = "gov_economic", "政府预算支出经济分类"
        DEP_ECONOMIC = "dep_economic", "部门预算支出经济分类"
        REVENUE = "revenue", "收入分类"
        FUND_TYPE = "fund_type", "资金性质"

    scheme = models.CharField("分类体系", max_length=16, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField("预算年度")
    code = models.CharField("编码", max_length=12)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级次", default=1)
    parent_code = models.CharField("上级编码", max_length=12, blank=True)
    is_leaf = models.BooleanField("末级", default=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["scheme", "year", "code"]
        verbose_name = verbose_name_plural = "分类代码"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "year", "code"], name="classificationcode_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetUnit(TimeStampedModel):
    """预算单位 (`AGENCY_CODE`) for one fiscal year, with its supervising department (主管部门,
    `DEPT_CODE`), itself a unit of the same year; a department's own row has no department."""

    region = models.ForeignKey(
        FinanceRegion, verbose_name="财政区划", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("预算年度")
    code = models.CharField("单位编码", max_length=30)
    name = models.CharField("单位名称", max_length=100)
    department_code = models.CharField("主管部门编码", max_length=30, blank=True)
    department = models.ForeignKey(
        "self",
        verbose_name="主管部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["region", "year", "code"]
        verbose_name = verbose_name_plural = "预算单位"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "code"], name="budgetunit_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name


class FiscalRecord(models.Model):
    """Columns every imported fiscal row shares: treasury, year and the batch that last wrote it."""

    # Each table's unique key starts with (region, year), which serves lookups by region.
    region = models.ForeignKey(
        FinanceRegion,
        verbose_name="财政区划",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    year = models.PositiveSmallIntegerField("预算年度")
    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class BudgetIndicator(FiscalRecord):
    """预算指标 (`BaBgtInfoPO`). 调减 rows carry a negative amount and name the indicator they
    reduce in `ori_bgt_id`; an indicator's available amount is its own amount plus the 调减
    rows that point at it plus adjustments in, minus adjustments out."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "年初预算"
        ADDITION = "addition", "追加"
        REDUCTION = "reduction", "调减"

    bgt_id = models.CharField("指标编号", max_length=40, help_text="BGT_ID")
    unit = models.ForeignKey(
        BudgetUnit, verbose_name="预算单位", on_delete=models.PROTECT, related_name="indicators"
    )
    project_code = models.CharField("项目编码", max_length=40, blank=True, help_text="PRO_CODE")
    project_name = models.CharField("项目名称", max_length=200, blank=True)
    func_code = models.CharField("功能分类", max_length=12, help_text="EXP_FUNC_CODE")
    gov_eco_code = models.CharField(
        "政府经济分类", max_length=8, blank=True, help_text="GOV_BGT_ECO_CODE"
    )
    dep_eco_code = models.CharField(
        "部门经济分类", max_length=8, blank=True, help_text="DEP_BGT_ECO_CODE"
    )
    fund_type = models.CharField("资金性质", max_length=8, help_text="FUND_TYPE_CODE")
    kind = models.CharField(
        "指标类型", max_length=12, choices=Kind.choices, help_text="BGT_TYPE_CODE"
    )
    ori_bgt_id = models.CharField("原指标编号", max_length=40, blank=True, help_text="ORI_BGT_ID")
    doc_no = models.CharField("文号", max_length=100, blank=True, help_text="COR_BGT_DOC_NO")
    doc_date = models.DateField("下达日期", null=True, blank=True, help_text="DOC_DATE")
    amount = models.DecimalField("金额（元）", max_digits=18, decimal_places=2, help_text="AMOUNT")
    thr_exp = models.CharField(
        "三公经费", max_length=12, choices=ThreePublic.choices, blank=True, help_text="THR_EXP"
    )

    class Meta:
        ordering = ["region", "year", "bgt_id"]
        verbose_name = verbose_name_plural = "预算指标"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "bgt_id"], name="budgetindicator_unique_bgt_id"
            ),
            models.CheckConstraint(
                condition=Q(kind="reduction", amount__lt=0)
                | (~Q(kind="reduction") & Q(amount__gt=0)),
                name="budgetindicator_amount_sign",
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind"], name="budget_ind_unit_kind")]

    def __str__(self) -> str:
        return self.bgt_id


class BudgetAdjustment(FiscalRecord):
    """预算调剂 (`BaBgtAdjsubPO`): money moved from one indicator to another."""

    adj_no = models.CharField("调剂单号", max_length=40, help_text="ADJ_SUB_ID")
    adj_date = models.DateField("调剂日期", help_text="ADJ_DATE")
    from_indicator = models.ForeignKey(
        BudgetIndicator,
        verbose_name="调出指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments_out",
        help_text="ORI_BGT_ID；空表示从预备费等非指标来源调入",
    )
    to_indicator = models.ForeignKey(
        BudgetIndicator,
        verbose_name="调入指标",
        on_delete=models.PROTECT,
        related_name="adjustments_in",
        help_text="BGT_ID",
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=18, decimal_places=2, help_text="ADD_AMOUNT"
    )
    doc_no = models.CharField("文号", max_length=100, blank=True)

    class Meta:
        ordering = ["region", "year", "adj_date", "adj_no"]
        verbose_name = verbose_name_plural = "预算调剂"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "adj_no"], name="budgetadjustment_unique_no"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="budgetadjustment_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.adj_no


class CarryOver(FiscalRecord):
    """结转 (`BaBgtCarryoversPO`): last year's indicator carried into `year`."""

    ori_bgt_id = models.CharField("原指标编号", max_length=40)
    bgt_id = models.CharField("结转后指标编号", max_length=40, blank=True)
    unit = models.ForeignKey(
        BudgetUnit, verbose_name="预算单位", on_delete=models.PROTECT, related_name="carryovers"
    )
    func_code = models.CharField("功能分类", max_length=12)
    fund_type = models.CharField("资金性质", max_length=8)
    approved_amount = models.DecimalField(
        "批复数（元）", max_digits=18, decimal_places=2, help_text="APPROVE_AMT"
    )
    carryover_amount = models.DecimalField(
        "结转数（元）", max_digits=18, decimal_places=2, help_text="CARRYOVERS_AMT"
    )

    class Meta:
        ordering = ["region", "year", "ori_bgt_id"]
        verbose_name = verbose_name_plural = "结转"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "ori_bgt_id"], name="carryover_unique_ori"
            ),
        ]

    def __str__(self) -> str:
        return self.ori_bgt_id


class Payment(FiscalRecord):
    """国库集中支付凭证 (`PayVoucherPO`). A refund is its own voucher with a negative amount
    (`original_voucher` names the payment it returns); a voided voucher keeps its row with
    `is_void` set, so the history stays and the rules skip it."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "正常"
        REFUND = "refund", "退款"

    class PayeeType(models.TextChoices):
        UNIT = "unit", "单位"
        INDIVIDUAL = "individual", "个人"

    # The importer resolves region, unit and indicator set-based; see the module docstring.
    region = models.ForeignKey(
        FinanceRegion,
        verbose_name="财政区划",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name="导入批次",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    voucher_no = models.CharField("凭证号", max_length=40, help_text="PAY_APP_NO")
    pay_date = models.DateField("支付日期", help_text="PAY_DATE")
    unit = models.ForeignKey(
        BudgetUnit,
        verbose_name="预算单位",
        on_delete=models.PROTECT,
        related_name="payments",
        db_constraint=False,
        db_index=False,
    )
    bgt_id = models.CharField(
        "指标编号",
        max_length=40,
        blank=True,
        help_text="BGT_ID；原样保存，空或未知时 indicator 为空",
    )
    indicator = models.ForeignKey(
        BudgetIndicator,
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="payments",
        db_constraint=False,
        db_index=False,
    )
    func_code = models.CharField("功能分类", max_length=12, help_text="EXP_FUNC_CODE")
    gov_eco_code = models.CharField(
        "政府经济分类", max_length=8, blank=True, help_text="GOV_BGT_ECO_CODE"
    )
    dep_eco_code = models.CharField(
        "部门经济分类", max_length=8, blank=True, help_text="DEP_BGT_ECO_CODE"
    )
    fund_type = models.CharField("资金性质", max_length=8, help_text="FUND_TYPE_CODE")
    pay_type = models.CharField("支付方式", max_length=20, blank=True, help_text="PAY_TYPE_CODE")
    settle_mode = models.CharField("结算方式", max_length=20, blank=True, help_text="SET_MODE_CODE")
    payee_name = models.CharField("收款人", max_length=200, help_text="PAYEE_ACCT_NAME")
    payee_account = models.CharField(
        "收款账号", max_length=64, blank=True, help_text="PAYEE_ACCT_NO"
    )
    payee_type = models.CharField(
        "收款人类型", max_length=12, choices=PayeeType.choices, help_text="FUND_TRAOBJ_TYPE_CODE"
    )
    amount = models.DecimalField(
        "金额（元）", max_digits=18, decimal_places=2, help_text="PAY_APP_AMT；退款为负数"
    )
    purpose = models.CharField("用途", max_length=500, blank=True, help_text="USE_DES")
    thr_exp = models.CharField(
        "三公经费", max_length=12, choices=ThreePublic.choices, blank=True, help_text="THR_EXP"
    )
    kind = models.CharField("凭证类型", max_length=8, choices=Kind.choices, default=Kind.PAYMENT)
    original_voucher = models.CharField(
        "原凭证号", max_length=40, blank=True, help_text="ORI_PAY_APP_NO"
    )
    is_void = models.BooleanField("已作废", default=False)

    class Meta:
        ordering = ["-pay_date", "-id"]
        verbose_name = verbose_name_plural = "支付凭证"
        constraints = [
            # A voucher number is unique per treasury and year; re-imports merge on it.
            models.UniqueConstraint(
                fields=["region", "year", "voucher_no"], name="payment_unique_voucher"
            ),
            models.CheckConstraint(
                condition=Q(kind="payment", amount__gt=0) | Q(kind="refund", amount__lt=0),
                name="payment_amount_sign",
            ),
        ]
        # Only what the pages and the incremental rule runs need: every extra btree on a
        # random key costs about as much as the COPY itself (NOTES.md). Dates arrive in
        # order, so BRIN serves date ranges at almost no cost.
        indexes = [
            models.Index(fields=["unit", "pay_date"], name="budget_pay_unit_date"),
            models.Index(fields=["indicator"], name="budget_pay_indicator"),
            models.Index(fields=["batch"], name="budget_pay_batch"),
            # On PostgreSQL a BRIN index on pay_date is added by migration 0002.
        ]

    def __str__(self) -> str:
        return self.voucher_no


class RevenueReceipt(FiscalRecord):
    """收入入库: one receipt into the treasury; 退库 carries a negative amount."""

    class Collector(models.TextChoices):
        TAX = "tax", "税务"
        FINANCE = "finance", "财政"

    receipt_no = models.CharField("入库流水号", max_length=40)
    receipt_date = models.DateField("入库日期")
    revenue_code = models.CharField("收入分类", max_length=12)
    collector = models.CharField("征收机关", max_length=8, choices=Collector.choices)
    amount = models.DecimalField("金额（元）", max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["region", "year", "receipt_date", "receipt_no"]
        verbose_name = verbose_name_plural = "收入入库"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "receipt_no"], name="revenuereceipt_unique_no"
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="revenuereceipt_amount_nonzero"),
        ]
        indexes = [models.Index(fields=["region", "year", "revenue_code"], name="budget_rev_class")]

    def __str__(self) -> str:
        return self.receipt_no


class RevenueBudget(FiscalRecord):
    """收入预算: the year's budgeted revenue by revenue class."""

    revenue_code = models.CharField("收入分类", max_length=12)
    fund_type = models.CharField("资金性质", max_length=8)
    amount = models.DecimalField("预算数（元）", max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["region", "year", "revenue_code"]
        verbose_name = verbose_name_plural = "收入预算"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "revenue_code"], name="revenuebudget_unique_class"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.revenue_code}"


class DebtMonth(FiscalRecord):
    """政府债务 at the end of a month, with the year's comprehensive financial capacity (综合
    财力) where the finance bureau has stated it (the debt-ratio rule divides the two)."""

    month = models.PositiveSmallIntegerField("月份")
    general_balance = models.DecimalField("一般债务余额（元）", max_digits=18, decimal_places=2)
    general_limit = models.DecimalField("一般债务限额（元）", max_digits=18, decimal_places=2)
    special_balance = models.DecimalField("专项债务余额（元）", max_digits=18, decimal_places=2)
    special_limit = models.DecimalField("专项债务限额（元）", max_digits=18, decimal_places=2)
    financial_capacity = models.DecimalField(
        "综合财力（元）", max_digits=18, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["region", "year", "month"]
        verbose_name = verbose_name_plural = "政府债务"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "month"], name="debtmonth_unique_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="debtmonth_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


class ProjectReport(FiscalRecord):
    """重大投资项目 progress as of one report date (plan figures repeat on every report so
    that each report stands on its own, as the investment system sends them)."""

    project_code = models.CharField("项目编码", max_length=40)
    project_name = models.CharField("项目名称", max_length=200)
    owner_name = models.CharField("建设单位", max_length=100, blank=True)
    total_investment = models.DecimalField("计划总投资（元）", max_digits=18, decimal_places=2)
    annual_plan = models.DecimalField("年度计划投资（元）", max_digits=18, decimal_places=2)
    report_date = models.DateField("报告日期")
    cumulative_completed = models.DecimalField(
        "累计完成投资（元）", max_digits=18, decimal_places=2
    )
    annual_completed = models.DecimalField("本年完成投资（元）", max_digits=18, decimal_places=2)
    physical_progress = models.DecimalField("形象进度（%）", max_digits=5, decimal_places=2)
    note = models.CharField("进展说明", max_length=500, blank=True)

    class Meta:
        ordering = ["region", "year", "project_code", "report_date"]
        verbose_name = verbose_name_plural = "重大投资项目进度"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "project_code", "report_date"],
                name="projectreport_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_name} {self.report_date}"


class EnterpriseReport(FiscalRecord):
    """国有企业 financial position at the end of a month (quarterly in practice)."""

    enterprise_code = models.CharField("企业代码", max_length=30, help_text="统一社会信用代码")
    name = models.CharField("企业名称", max_length=100)
    month = models.PositiveSmallIntegerField("月份")
    total_assets = models.DecimalField("资产总额（元）", max_digits=18, decimal_places=2)
    total_liabilities = models.DecimalField("负债总额（元）", max_digits=18, decimal_places=2)
    equity = models.DecimalField("所有者权益（元）", max_digits=18, decimal_places=2)
    revenue = models.DecimalField("营业收入（元）", max_digits=18, decimal_places=2)
    profit = models.DecimalField("利润总额（元）", max_digits=18, decimal_places=2)
    remittance = models.DecimalField("国有资本收益上缴（元）", max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["region", "year", "enterprise_code", "month"]
        verbose_name = verbose_name_plural = "国有企业"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "enterprise_code", "month"],
                name="enterprisereport_unique",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="enterprisereport_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}-{self.month:02d}"


class StatisticValue(FiscalRecord):
    """统计指标 (e.g. 地区生产总值) for a period: `2025`, `2025Q1` or `2025-06`."""

    name = models.CharField("指标名称", max_length=100)
    period = models.CharField("期间", max_length=10)
    value = models.DecimalField("数值", max_digits=20, decimal_places=4)
    unit_label = models.CharField("计量单位", max_length=20, blank=True)

    class Meta:
        ordering = ["region", "name", "period"]
        verbose_name = verbose_name_plural = "统计指标"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name", "period"], name="statisticvalue_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class RecordChange(models.Model):
    """A stored row that a later batch changed: the batch history keeps the values before
    and after, so a correction from the finance bureau never erases what was there."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("数据类型", max_length=32)
    record_key = models.CharField("记录", max_length=120)
    before = models.JSONField("修改前")
    after = models.JSONField("修改后")

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = verbose_name_plural = "数据修改记录"
        indexes = [models.Index(fields=["kind", "record_key"], name="budget_change_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_key}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        return [
            (k, self.before.get(k), self.after.get(k))
            for k in self.after
            if self.before.get(k) != self.after.get(k)
        ]


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


# --- supervision: rules, alerts, inquiries (issue 6) ------------------------------------------


class Level(models.IntegerChoices):
    """Alert levels (reference budget.md §1.2: Changzhou's purple / yellow / red lights). An
    integer, so that "raise to the higher level" is a MAX in SQL."""

    NOTICE = 1, "提示"
    WARNING = 2, "警告"
    SEVERE = 3, "严重"


LEVEL_TONES = {Level.NOTICE: "info", Level.WARNING: "warning", Level.SEVERE: "danger"}


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
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    first_level = models.PositiveSmallIntegerField("首次级别", choices=Level.choices)
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
    # the standing committee's agenda or become a deputy's suggestion.
    agenda_title = models.CharField("提请常委会审议事项", max_length=200, blank=True)
    agenda_at = models.DateTimeField("提请时间", null=True, blank=True)
    agenda_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Offered to a deputy like a converted constituent opinion: the deputy drafts the
    # suggestion from it on their workbench, and the suggestion links back here.
    offered_to = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="转交代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_alerts",
    )
    offered_at = models.DateTimeField("转交时间", null=True, blank=True)
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name="转代表建议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_alerts",
    )

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
        return LEVEL_TONES.get(Level(self.level), "secondary")


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
        "原级别", choices=Level.choices, null=True, blank=True
    )
    to_level = models.PositiveSmallIntegerField(
        "新级别", choices=Level.choices, null=True, blank=True
    )
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["alert", "at", "id"]
        verbose_name = verbose_name_plural = "预警变化记录"

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_kind_display()}"


class PaymentSummary(models.Model):
    """Payments summed by month, unit, indicator and classes: what the progress rules and the
    dashboards read instead of the payments table. Rebuilt month by month for the months an
    import changed; a day's import that only adds payments is added into the rows of its
    keys (an upsert: one row per key, so the table stays the size of its keys)."""

    # No index of their own on the keys: the unique key's index starts with region, year,
    # month, and every index more is one more to update per upserted row.
    region = models.ForeignKey(
        FinanceRegion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(
        BudgetUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    indicator = models.ForeignKey(
        BudgetIndicator,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    func_code = models.CharField(max_length=12)
    fund_type = models.CharField(max_length=8)
    thr_exp = models.CharField(max_length=12, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "支付汇总"
        indexes = [
            models.Index(fields=["unit"], name="budget_paysum_unit"),
            # Rule B02 sums every indicator's payments: an index-only scan in indicator
            # order halves that at province scale (measured 166 → 84 ms).
            models.Index(
                fields=["region", "year", "indicator"],
                include=["month", "amount"],
                name="budget_paysum_indicator",
            ),
        ]
        constraints = [
            # NULLS NOT DISTINCT (PostgreSQL 15): payments without an indicator share a key
            # too. SQLite ignores it, and readers SUM, so a duplicate there is harmless.
            models.UniqueConstraint(
                fields=[
                    "region",
                    "year",
                    "month",
                    "unit",
                    "indicator",
                    "func_code",
                    "fund_type",
                    "thr_exp",
                ],
                name="paymentsummary_unique_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.unit_id}"


class OverviewSummary(models.Model):
    """The payment summary rolled up to what the dashboard overview groups by: fund type ×
    functional class (类) × 三公 × month (a few thousand rows at province scale, against
    ~10^5 in `PaymentSummary`). Recomputed from `PaymentSummary` whenever that changes, in
    the same transaction (summaries.refresh_overview)."""

    region = models.ForeignKey(
        FinanceRegion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    fund_type = models.CharField(max_length=8)
    class_code = models.CharField(max_length=3)
    thr_exp = models.CharField(max_length=12, blank=True)
    month = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "仪表盘汇总（按资金性质、功能分类）"
        indexes = [models.Index(fields=["region", "year"], name="budget_oversum_year")]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.fund_type} {self.class_code}"


class UnitPaidSummary(models.Model):
    """Each unit's payments of the year and its available indicators (one row per unit): the
    dashboard's ranking of units reads 3,000 rows here instead of grouping ~10^5 summary rows
    and the indicators. Recomputed with `OverviewSummary`, and after indicator and
    adjustment imports."""

    region = models.ForeignKey(
        FinanceRegion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(
        BudgetUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    count = models.PositiveIntegerField()
    # Σ indicators (调减 rows are negative) + adjustments in − out, as dashboards.available.
    available = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "仪表盘汇总（按单位）"
        indexes = [models.Index(fields=["region", "year"], name="budget_unitpaid_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id}"


class IndicatorPaidSummary(models.Model):
    """Each indicator's payments of the year (one row per indicator that has any): rule B02
    (paid beyond the indicator) reads ~10^4 rows here instead of grouping ~10^5 summary rows
    in every run. Recomputed with `UnitPaidSummary`; it holds the payments up to the
    summary's last payment date, so the rules read it only for an as-of date on or after
    that date (`Context.paid_sql`)."""

    region = models.ForeignKey(
        FinanceRegion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    indicator = models.ForeignKey(
        BudgetIndicator,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "指标支付汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "indicator"], name="indicatorpaid_unique_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator_id}"


class PayeeSummary(models.Model):
    """Payments (not refunds, not voided) summed for the year by unit and payee: the first
    filter of rule B07 (split payments) reads it instead of grouping 10^7 payments by payee
    (about 15 payments per pair, so ~15 times fewer rows). A day's import appends its own
    sums into the pair's row (an upsert); a correction rebuilds the year."""

    region = models.ForeignKey(
        FinanceRegion,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField()
    unit = models.ForeignKey(
        BudgetUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    payee_name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "收款人汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "unit", "payee_name"], name="payeesummary_unique_pair"
            )
        ]
        # Rule B07 starts from the pairs whose year total can reach its limit: a few hundred
        # of 10^6 at province scale.
        indexes = [models.Index(fields=["region", "year", "amount"], name="budget_payee_amount")]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_id} {self.payee_name}"


class SummaryState(models.Model):
    """When the summaries of a year were last rebuilt and how far the data reach."""

    region = models.ForeignKey(FinanceRegion, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_pay_date = models.DateField(null=True, blank=True)
    payments = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "汇总状态"
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="summarystate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.last_pay_date}"


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
    response = models.TextField("答复说明", blank=True)
    finding = models.CharField("核实结论", max_length=12, choices=Finding.choices, blank=True)
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
