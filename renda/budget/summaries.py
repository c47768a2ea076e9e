"""Pre-aggregated payment summaries (issue 6 performance): payments summed by month, unit,
indicator and classes into `PaymentSummary`, so the progress rules and the dashboards read a
table of thousands of rows instead of millions.

A summary is rebuilt by whole months with one INSERT … SELECT … GROUP BY that the database
runs (no rows pass through Python), for the months an import touched: the payments an import
wrote carry its batch id, so the months are one indexed query away. A day's import therefore
re-reads one month, not the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from .models import FinanceRegion, Payment, PaymentSummary, SummaryState

# Model columns grouped on; the SELECT yields them, then the annotations in the order they
# were added (month, total, n), which is the INSERT's column order.
_GROUP = ("region_id", "year", "unit_id", "indicator_id", "func_code", "fund_type", "thr_exp")
_COLUMNS = (*_GROUP, "month", "amount", "count")


def _grouped(region_id: int, year: int, months: list[int]):  # type: ignore[no-untyped-def]
    qs = (
        Payment.objects.filter(region_id=region_id, year=year, is_void=False)
        .annotate(month=ExtractMonth("pay_date"))
        .filter(month__in=months)
        .values(*_GROUP, "month")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )
    if len(months) < 12:
        # Let the date index (BRIN on PostgreSQL) narrow the scan to the months wanted.
        first = dt.date(year, min(months), 1)
        last = dt.date(year + (max(months) == 12), max(months) % 12 + 1, 1)
        qs = qs.filter(pay_date__gte=first, pay_date__lt=last)
    return qs


@transaction.atomic
def refresh_payment_summary(
    *, region_id: int, year: int, months: Iterable[int] | None = None
) -> int:
    """Rebuild the summary rows of `months` (all twelve when None) for one treasury and year;
    returns the number of summary rows written. Atomic: readers see the old months or the
    new ones, never a half-built month."""
    wanted = sorted(set(months)) if months is not None else list(range(1, 13))
    if not wanted:
        return 0
    PaymentSummary.objects.filter(region_id=region_id, year=year, month__in=wanted).delete()
    sql, params = _grouped(region_id, year, wanted).query.sql_with_params()
    table = connection.ops.quote_name(PaymentSummary._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        written = cursor.rowcount
        if connection.vendor == "postgresql" and len(wanted) == 12:
            # A whole year rebuilt: fresh statistics, or the planner may pick a sort to
            # disk for the dashboards' GROUP BYs (seen on the province data set).
            cursor.execute(f"ANALYZE {table}")
    _update_state(region_id, year)
    return written


def _update_state(region_id: int, year: int) -> None:
    agg = PaymentSummary.objects.filter(region_id=region_id, year=year).aggregate(
        n=Sum("count"), last_month=Max("month")
    )
    last_day = None
    if agg["last_month"]:
        month = agg["last_month"]
        start = dt.date(year, month, 1)
        last_day = Payment.objects.filter(
            region_id=region_id, year=year, is_void=False, pay_date__gte=start
        ).aggregate(d=Max("pay_date"))["d"]
    SummaryState.objects.update_or_create(
        region_id=region_id,
        year=year,
        defaults={
            "payments": agg["n"] or 0,
            "last_pay_date": last_day,
            "refreshed_at": timezone.now(),
        },
    )


def months_of_batch(batch_id: int) -> dict[tuple[int, int], list[int]]:
    """{(region id, year): [months]} of the payments an import batch wrote."""
    rows = (
        Payment.objects.filter(batch_id=batch_id)
        .values("region_id", "year")
        .annotate(first=Min("pay_date"), last=Max("pay_date"))
        .order_by()
    )
    touched: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        # A batch holds a span of dates; every month between its first and last is rebuilt
        # (a day's or a month's import spans one or two).
        touched[(row["region_id"], row["year"])] = list(
            range(row["first"].month, row["last"].month + 1)
        )
    return touched


def refresh_for_batch(batch_id: int) -> dict[tuple[int, int], list[int]]:
    touched = months_of_batch(batch_id)
    for (region_id, year), months in touched.items():
        refresh_payment_summary(region_id=region_id, year=year, months=months)
    return touched


def refresh_all() -> None:
    """Rebuild every year of every treasury (the `refresh_budget_summaries` command)."""
    pairs = Payment.objects.values_list("region_id", "year").distinct().order_by()
    for region_id, year in pairs:
        refresh_payment_summary(region_id=region_id, year=year)


def as_of_date(region: FinanceRegion, year: int) -> dt.date | None:
    state = SummaryState.objects.filter(region=region, year=year).first()
    return state.last_pay_date if state else None


def touched_years(batch_id: int, kind: str) -> list[tuple[int, int]]:
    """(region id, year) pairs a non-payment batch wrote, read from its kind's table."""
    from .kinds import KINDS

    spec = KINDS.get(kind)
    if spec is None:
        return []
    fields = {f.name for f in spec.model._meta.fields}
    if not {"region", "year", "batch"} <= fields:
        return []  # reference tables (codes, regions) change no year's figures by themselves
    return list(
        spec.model._default_manager.filter(batch_id=batch_id)
        .values_list("region_id", "year")
        .distinct()
        .order_by()
    )
