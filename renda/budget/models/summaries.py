"""Pre-aggregated payment summaries the rules and dashboards read (services/summaries.py keeps them)."""

from __future__ import annotations

from django.db import models

from renda.budget.models.records import BudgetIndicator
from renda.budget.models.reference import BudgetUnit, FinanceRegion


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
