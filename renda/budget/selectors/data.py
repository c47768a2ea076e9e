"""Reads of budget data: filtered lists with totals, and execution by unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from renda.budget.models import (
    BudgetAdjustment,
    BudgetIndicator,
    BudgetUnit,
    Payment,
    PaymentSummary,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=18, decimal_places=2))


def available_years() -> list[int]:
    years = set(BudgetUnit.objects.values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def default_year() -> int | None:
    years = available_years()
    return years[0] if years else None


def indicators(filters: dict[str, Any]) -> QuerySet[BudgetIndicator]:
    qs = BudgetIndicator.objects.select_related("unit", "region").order_by("unit__code", "bgt_id")
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    if filters.get("unit"):
        qs = qs.filter(Q(unit__code=filters["unit"]) | Q(unit__name__contains=filters["unit"]))
    if filters.get("func_code"):
        qs = qs.filter(func_code__startswith=filters["func_code"])
    if filters.get("eco_code"):
        qs = qs.filter(
            Q(dep_eco_code__startswith=filters["eco_code"])
            | Q(gov_eco_code__startswith=filters["eco_code"])
        )
    if filters.get("fund_type"):
        qs = qs.filter(fund_type=filters["fund_type"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("thr_exp"):
        qs = qs.filter(thr_exp=filters["thr_exp"])
    if filters.get("q"):
        qs = qs.filter(
            Q(bgt_id=filters["q"])
            | Q(project_name__contains=filters["q"])
            | Q(doc_no__contains=filters["q"])
        )
    return qs


def _by_keys(qs: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
    """The filters on fields that payments and their summary share by name (unit, functional
    class, fund type, 三公), applied to either."""
    if filters.get("unit"):
        qs = qs.filter(Q(unit__code=filters["unit"]) | Q(unit__name__contains=filters["unit"]))
    if filters.get("unit_id"):
        qs = qs.filter(unit_id=filters["unit_id"])
    if filters.get("func_code"):
        qs = qs.filter(func_code__startswith=filters["func_code"])
    if filters.get("fund_type"):
        qs = qs.filter(fund_type=filters["fund_type"])
    if filters.get("thr_exp"):
        qs = qs.filter(thr_exp=filters["thr_exp"])
    return qs


def payments(filters: dict[str, Any]) -> QuerySet[Payment]:
    qs = Payment.objects.select_related("unit").order_by("-pay_date", "-id")
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    qs = _by_keys(qs, filters)
    if filters.get("eco_code"):
        qs = qs.filter(
            Q(dep_eco_code__startswith=filters["eco_code"])
            | Q(gov_eco_code__startswith=filters["eco_code"])
        )
    if filters.get("date_from"):
        qs = qs.filter(pay_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(pay_date__lte=filters["date_to"])
    if filters.get("payee"):
        qs = qs.filter(payee_name__contains=filters["payee"])
    if filters.get("payee_type"):
        qs = qs.filter(payee_type=filters["payee_type"])
    if filters.get("amount_min") is not None:
        qs = qs.filter(amount__gte=filters["amount_min"])
    if filters.get("amount_max") is not None:
        qs = qs.filter(amount__lte=filters["amount_max"])
    if filters.get("purpose"):
        qs = qs.filter(purpose__contains=filters["purpose"])
    if filters.get("bgt_id"):
        qs = qs.filter(bgt_id=filters["bgt_id"])
    if filters.get("voucher"):
        qs = qs.filter(voucher_no=filters["voucher"])
    if filters.get("no_indicator"):
        # Blank or unknown indicator number: what rule B03 flags.
        qs = qs.filter(indicator__isnull=True)
    if not filters.get("include_void"):
        qs = qs.filter(is_void=False)
    return qs


def count_and_total(qs: QuerySet[Any], field: str = "amount") -> tuple[int, Decimal]:
    """The rows and their sum in one pass over the table (a list page needs both: the
    paginator's count and the total line), instead of two."""
    row = qs.order_by().aggregate(n=Count("pk"), total=Coalesce(Sum(field), ZERO))
    return row["n"], row["total"]


# The payment list's filters that PaymentSummary can answer: its keys (treasury, year, month,
# unit, indicator, func_code, fund_type, thr_exp), with a date range of whole months standing
# for months. Any other filter set (payee, payee type, amounts, purpose, voucher, economic
# class, voided vouchers included, a date range cutting a month) needs the payments.
_SUMMARY_FILTERS = frozenset(
    {
        "year",
        "unit",
        "unit_id",
        "func_code",
        "fund_type",
        "thr_exp",
        "bgt_id",
        "no_indicator",
        "date_from",
        "date_to",
    }
)


def _is_set(value: Any) -> bool:
    # As payments() reads a filter: an amount of 0 is a filter, a blank field or an unticked
    # box is not.
    return value is not None and value != "" and value is not False


def _summary_rows(filters: dict[str, Any]) -> QuerySet[PaymentSummary] | None:
    """The summary rows holding exactly the payments payments(filters) lists, or None when
    the filters are finer than the summary's keys."""
    if any(_is_set(v) for k, v in filters.items() if k not in _SUMMARY_FILTERS):
        return None
    qs = PaymentSummary.objects.all()
    year = filters.get("year")
    if year:
        qs = qs.filter(year=year)
    first, last = filters.get("date_from"), filters.get("date_to")
    if first or last:
        # A payment's date lies in its year (the importer's date_in_year check), so whole
        # months of the filter's year are summary months; anything else is not.
        if not year:
            return None
        if first:
            if first.year != year or first.day != 1:
                return None
            qs = qs.filter(month__gte=first.month)
        if last:
            if last.year != year or (last + dt.timedelta(days=1)).day != 1:
                return None
            qs = qs.filter(month__lte=last.month)
    qs = _by_keys(qs, filters)
    if filters.get("no_indicator"):
        qs = qs.filter(indicator__isnull=True)
    if filters.get("bgt_id"):
        # The list matches the voucher's own indicator number; the summary knows the linked
        # indicator. They agree except for vouchers whose number names no known indicator
        # (indicator NULL, rule B03's few): if the number has any, count the payments.
        # One EXISTS among the vouchers without an indicator (the indicator index holds NULLs;
        # not measured at province scale).
        unlinked = Payment.objects.filter(
            bgt_id=filters["bgt_id"], indicator__isnull=True, is_void=False
        )
        if year:
            unlinked = unlinked.filter(year=year)
        if unlinked.exists():
            return None
        qs = qs.filter(indicator__bgt_id=filters["bgt_id"])
    return qs


def payment_totals(filters: dict[str, Any]) -> tuple[int, Decimal]:
    """The payment list's header: how many payments payments(filters) lists and their sum.

    COUNT+SUM over budget_payment reads every matching payment: a year of a province (10^7
    rows) took 2.8 s, 10^8 about 29 s (bench/bench_province.py, docs/deploy.md §12). When
    the filters are the summary's keys, one SUM over PaymentSummary gives the same figures
    from a table the size of its keys. Finer filters still count the payments.

    The summary is never behind the payments, so the figure needs no date of its own: every
    write of payments (a file import and an API push alike, ingest.pipeline._merge_checked)
    updates the summary in the same transaction (merging.after_merge → summaries.
    refresh_for_batch: an upsert of a day's batch, or its months rebuilt after corrections),
    and an indicators import that links waiting payments rebuilds those months in its
    transaction too. No job is queued; a reader sees both tables before or after a commit.
    The summary leaves out voided vouchers and nets refunds, as the list does by default."""
    rows = _summary_rows(filters)
    if rows is None:
        return count_and_total(payments(filters))
    agg = rows.order_by().aggregate(
        n=Coalesce(Sum("count"), 0), total=Coalesce(Sum("amount"), ZERO)
    )
    return int(agg["n"]), agg["total"]


def total(qs: QuerySet[Any], field: str = "amount") -> Decimal:
    return qs.order_by().aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def _sum(qs: QuerySet[Any], field: str) -> Subquery:
    return Subquery(
        qs.order_by().values("unit_id").annotate(s=Sum(field)).values("s")[:1],
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def units_with_execution(year: int | None, *, search: str = "") -> QuerySet[BudgetUnit]:
    """Units of a year with their available indicators (amount after 调减 and adjustments),
    payments (voided vouchers excluded, refunds netted) and execution rate."""
    qs = BudgetUnit.objects.select_related("department", "region")
    if year:
        qs = qs.filter(year=year)
    if search:
        qs = qs.filter(Q(code=search) | Q(name__contains=search))
    ind = BudgetIndicator.objects.filter(unit_id=OuterRef("pk"))
    pay = Payment.objects.filter(unit_id=OuterRef("pk"), is_void=False)
    adj_in = Subquery(
        BudgetAdjustment.objects.filter(to_indicator__unit_id=OuterRef("pk"))
        .order_by()
        .values("to_indicator__unit_id")
        .annotate(s=Sum("amount"))
        .values("s")[:1],
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    adj_out = Subquery(
        BudgetAdjustment.objects.filter(from_indicator__unit_id=OuterRef("pk"))
        .order_by()
        .values("from_indicator__unit_id")
        .annotate(s=Sum("amount"))
        .values("s")[:1],
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    return qs.annotate(
        indicator_total=Coalesce(_sum(ind, "amount"), ZERO)
        + Coalesce(adj_in, ZERO)
        - Coalesce(adj_out, ZERO),
        paid_total=Coalesce(_sum(pay, "amount"), ZERO),
    ).order_by("code")


def execution_rate(paid: Decimal, available: Decimal) -> Decimal | None:
    if not available:
        return None
    return (paid / available * 100).quantize(Decimal("0.1"))


def unit_monthly(unit: BudgetUnit) -> list[tuple[int, Decimal]]:
    from django.db.models.functions import ExtractMonth

    rows = (
        Payment.objects.filter(unit=unit, is_void=False)
        .annotate(month=ExtractMonth("pay_date"))
        .values("month")
        .annotate(s=Sum("amount"))
        .order_by("month")
    )
    by_month = {r["month"]: r["s"] for r in rows}
    return [(m, by_month.get(m) or Decimal(0)) for m in range(1, 13)]


def indicator_usage(unit: BudgetUnit) -> QuerySet[BudgetIndicator]:
    paid = Subquery(
        Payment.objects.filter(indicator_id=OuterRef("pk"), is_void=False)
        .order_by()
        .values("indicator_id")
        .annotate(s=Sum("amount"))
        .values("s")[:1],
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    return unit.indicators.annotate(paid=Coalesce(paid, ZERO)).order_by("bgt_id")
