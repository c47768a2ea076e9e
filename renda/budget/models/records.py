"""The data elements the finance, tax, statistics and investment systems send (one table per kind), and the change log of re-imported rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from renda.budget.models.reference import BudgetUnit, FinanceRegion, ThreePublic
from renda.core.models import ImportBatch


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
        # random key costs about as much as the COPY itself (docs/budget-data.md). Dates arrive in
        # order, so BRIN serves date ranges at almost no cost.
        indexes = [
            models.Index(fields=["unit", "pay_date"], name="budget_pay_unit_date"),
            models.Index(fields=["indicator"], name="budget_pay_indicator"),
            models.Index(fields=["batch"], name="budget_pay_batch"),
            # The payment list's order (newest first) within a year, valid vouchers only: a
            # page of 50 is read off the index instead of sorting the whole year (240 ms →
            # 1 ms for func_code=201 on the demo year). Dates arrive in order, so the index
            # grows at its end and costs the import little.
            models.Index(
                fields=["year", "-pay_date", "-id"],
                condition=Q(is_void=False),
                name="budget_pay_year_listed",
            ),
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
