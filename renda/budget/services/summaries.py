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

from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import ExtractMonth, Substr
from django.utils import timezone

from renda.budget.models import (
    FinanceRegion,
    IndicatorPaidSummary,
    OverviewSummary,
    PayeeSummary,
    Payment,
    PaymentSummary,
    RecordChange,
    SummaryState,
    UnitPaidSummary,
)

# Model columns grouped on; the SELECT yields them, then the annotations in the order they
# were added (month, total, n), which is the INSERT's column order.
_GROUP = ("region_id", "year", "unit_id", "indicator_id", "func_code", "fund_type", "thr_exp")
_COLUMNS = (*_GROUP, "month", "amount", "count")
_PAYEE_GROUP = ("region_id", "year", "unit_id", "payee_name")
_PAYEE_COLUMNS = (*_PAYEE_GROUP, "amount", "count")


# Session settings for the big set-based statements of the summaries and the rules (inside
# their transaction only). Measured on 10^7 payments (bench/budget_rules.py): with the
# default 4 MB of work_mem the GROUP BYs of the summary and of rule B07 spill to disk in 64
# batches, and JIT compilation adds about 1.5 s to each statement of a few seconds.
ANALYTIC_SETTINGS = {"jit": "off", "work_mem": "256MB"}
# A batch this large (a first load, not a day's data) refreshes the planner's statistics of
# the summary tables it filled.
BIG_BATCH = 100_000


def tune_for_analytics() -> None:
    """Apply ANALYTIC_SETTINGS for the rest of the current transaction (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, value in ANALYTIC_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _month_range(qs, year: int, months: list[int]):  # type: ignore[no-untyped-def]
    if len(months) < 12:
        # Let the date index (BRIN on PostgreSQL) narrow the scan to the months wanted.
        first = dt.date(year, min(months), 1)
        last = dt.date(year + (max(months) == 12), max(months) % 12 + 1, 1)
        qs = qs.filter(pay_date__gte=first, pay_date__lt=last)
    return qs


def _payment_groups(payments):  # type: ignore[no-untyped-def]
    return (
        payments.filter(is_void=False)
        .annotate(month=ExtractMonth("pay_date"))
        .values(*_GROUP, "month")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )


def _payee_groups(payments):  # type: ignore[no-untyped-def]
    return (
        payments.filter(is_void=False, kind=Payment.Kind.PAYMENT)
        .values(*_PAYEE_GROUP)
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )


def _insert(model: type[models.Model], columns: tuple[str, ...], qs, on_conflict: str = "") -> int:  # type: ignore[no-untyped-def]
    """INSERT INTO model (columns) SELECT …: the database groups, nothing passes through
    Python. `on_conflict` (with `{table}`) turns it into an upsert; it is written here, not
    taken from input."""
    sql, params = qs.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    tail = f" ON CONFLICT {on_conflict.format(table=table)}" if on_conflict else ""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}{tail}", params)
        return int(cursor.rowcount)


def _analyze() -> None:
    if connection.vendor == "postgresql":
        # Fresh statistics after a big rebuild, or the planner may pick a sort to disk for
        # the dashboards' GROUP BYs (seen on the province data set).
        with connection.cursor() as cursor:
            for model in (
                PaymentSummary,
                PayeeSummary,
                OverviewSummary,
                UnitPaidSummary,
                IndicatorPaidSummary,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def refresh_payment_summary(
    *, region_id: int, year: int, months: Iterable[int] | None = None
) -> int:
    """Rebuild the summary rows of `months` (all twelve when None) for one treasury and year;
    returns the number of payment-summary rows written. Atomic: readers see the old months
    or the new ones, never a half-built month."""
    wanted = sorted(set(months)) if months is not None else list(range(1, 13))
    if not wanted:
        return 0
    lock_treasury(region_id)
    tune_for_analytics()
    PaymentSummary.objects.filter(region_id=region_id, year=year, month__in=wanted).delete()
    payments = _month_range(
        Payment.objects.filter(region_id=region_id, year=year)
        .annotate(m=ExtractMonth("pay_date"))
        .filter(m__in=wanted),
        year,
        wanted,
    )
    written = _insert(PaymentSummary, _COLUMNS, _payment_groups(payments))
    # The payee summary has no months: any rebuild (a correction) redoes the year.
    PayeeSummary.objects.filter(region_id=region_id, year=year).delete()
    _insert(
        PayeeSummary,
        _PAYEE_COLUMNS,
        _payee_groups(Payment.objects.filter(region_id=region_id, year=year)),
    )
    refresh_overview(region_id, year)
    if len(wanted) == 12:
        _analyze()
    _update_state(region_id, year)
    return written


@transaction.atomic
def append_batch(*, batch_id: int) -> dict[tuple[int, int], list[int]]:
    """Add a batch that only inserted payments to the summaries: its own rows summed and
    appended (readers always SUM, so a month may hold several rows per key). Reads the
    batch's rows through its index instead of re-reading whole months."""
    tune_for_analytics()
    payments = Payment.objects.filter(batch_id=batch_id)
    # Before the upserts: two imports adding to the same keys in different orders would
    # otherwise wait on each other's rows (a deadlock, one import aborted). In id order, so
    # that the locks themselves cannot deadlock.
    for region_id in sorted(payments.values_list("region_id", flat=True).distinct().order_by()):
        lock_treasury(region_id)
    keys = "region_id, year, month, unit_id, indicator_id, func_code, fund_type, thr_exp"
    _insert(
        PaymentSummary,
        _COLUMNS,
        _payment_groups(payments),
        on_conflict=(
            f"({keys}) DO UPDATE SET"
            " amount = {table}.amount + excluded.amount, count = {table}.count + excluded.count"
        ),
    )
    _insert(
        PayeeSummary,
        _PAYEE_COLUMNS,
        _payee_groups(payments),
        # One row per pair (rule B07 filters it without grouping): add to the pair's row.
        on_conflict=(
            "(region_id, year, unit_id, payee_name) DO UPDATE SET"
            " amount = {table}.amount + excluded.amount, count = {table}.count + excluded.count"
        ),
    )
    spans = (
        payments.filter(is_void=False)
        .values("region_id", "year")
        .annotate(first=Min("pay_date"), last=Max("pay_date"), n=Count("id"))
        .order_by()
    )
    touched: dict[tuple[int, int], list[int]] = {}
    for row in spans:
        key = (row["region_id"], row["year"])
        touched[key] = list(range(row["first"].month, row["last"].month + 1))
        refresh_overview(*key)
        # Only what the batch adds: no re-reading of the month for the state either.
        state = (
            SummaryState.objects.select_for_update().filter(region_id=key[0], year=key[1]).first()
        )
        if state is None:
            _update_state(*key)
            continue
        state.payments += row["n"]
        state.last_pay_date = max(filter(None, (state.last_pay_date, row["last"])))
        state.refreshed_at = timezone.now()
        state.save(update_fields=["payments", "last_pay_date", "refreshed_at"])
    if sum(row["n"] for row in spans) >= BIG_BATCH:
        # A first load of a year: the planner must not think the tables empty (seen: a
        # roll-up without statistics turned rule B02's join into nested loops, 0.02 → 2.5 s).
        _analyze()
    return touched


# The SELECT yields the values() fields, then the annotations in the order they were added.
_OVERVIEW_COLUMNS = (
    "region_id",
    "year",
    "fund_type",
    "thr_exp",
    "month",
    "class_code",
    "amount",
    "count",
)


def lock_treasury(region_id: int) -> None:
    """One writer of a treasury's summaries at a time, until the transaction ends. They are
    rebuilt by DELETE + INSERT: two imports doing that at once each deleted only the rows
    their snapshot saw, and the dashboard counted the other's rows twice (a test on
    PostgreSQL). The rule engine takes the same row lock for a run, so a run also reads the
    summaries of whole imports."""
    list(
        FinanceRegion.objects.select_for_update(no_key=True)
        .filter(pk=region_id)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def refresh_overview(region_id: int, year: int) -> None:
    """Recompute the small roll-ups of one treasury's year from the payment summary: the
    dashboard's two, and the per-indicator year totals of rule B02 (three GROUP BYs over
    ~10^5 rows in the import's transaction, instead of in every uncached dashboard request
    and every rule run)."""
    lock_treasury(region_id)
    OverviewSummary.objects.filter(region_id=region_id, year=year).delete()
    UnitPaidSummary.objects.filter(region_id=region_id, year=year).delete()
    IndicatorPaidSummary.objects.filter(region_id=region_id, year=year).delete()
    rows = PaymentSummary.objects.filter(region_id=region_id, year=year)
    _insert(
        IndicatorPaidSummary,
        ("region_id", "year", "indicator_id", "amount", "count"),
        rows.filter(indicator_id__isnull=False)
        .values("region_id", "year", "indicator_id")
        .annotate(total=Sum("amount"), n=Sum("count"))
        .order_by(),
    )
    _insert(
        OverviewSummary,
        _OVERVIEW_COLUMNS,
        rows.annotate(class_code=Substr("func_code", 1, 3))
        .values("region_id", "year", "fund_type", "thr_exp", "month", "class_code")
        .annotate(total=Sum("amount"), n=Sum("count"))
        .order_by(),
    )
    # Per unit: payments from the summary, available amount from the indicators and the
    # adjustments into and out of them (the same sum as dashboards.available), one row per
    # unit that has either.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO budget_unitpaidsummary (region_id, year, unit_id, amount, count, available) "
            "SELECT %s, %s, x.unit_id, SUM(x.paid), SUM(x.n), SUM(x.available) FROM ("
            "SELECT unit_id, amount AS paid, count AS n, 0 AS available FROM budget_paymentsummary "
            "WHERE region_id = %s AND year = %s "
            "UNION ALL SELECT unit_id, 0, 0, amount FROM budget_budgetindicator "
            "WHERE region_id = %s AND year = %s "
            "UNION ALL SELECT i.unit_id, 0, 0, a.amount FROM budget_budgetadjustment a "
            "JOIN budget_budgetindicator i ON i.id = a.to_indicator_id "
            "WHERE a.region_id = %s AND a.year = %s "
            "UNION ALL SELECT i.unit_id, 0, 0, -a.amount FROM budget_budgetadjustment a "
            "JOIN budget_budgetindicator i ON i.id = a.from_indicator_id "
            "WHERE a.region_id = %s AND a.year = %s"
            ") x GROUP BY x.unit_id",
            [region_id, year] * 5,
        )


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
    """{(region id, year): [months]} of the payments an import batch wrote, and of the
    months that corrected payments left (a correction may change the date)."""
    rows = (
        Payment.objects.filter(batch_id=batch_id)
        .values("region_id", "year")
        .annotate(first=Min("pay_date"), last=Max("pay_date"))
        .order_by()
    )
    # Treasury and year are part of a payment's key, so a correction stays in its year:
    # the months it left are added to every (treasury, year) of the batch (usually one).
    left = {
        dt.date.fromisoformat(str(before)[:10]).month
        for before in RecordChange.objects.filter(batch_id=batch_id, kind="payments")
        .exclude(before__pay_date=None)
        .values_list("before__pay_date", flat=True)
    }
    touched: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        # A batch holds a span of dates; every month between its first and last is rebuilt
        # (a day's or a month's import spans one or two).
        span = set(range(row["first"].month, row["last"].month + 1))
        touched[(row["region_id"], row["year"])] = sorted(span | left)
    return touched


def refresh_for_batch(
    batch_id: int, *, only_added: bool | None = None
) -> dict[tuple[int, int], list[int]]:
    """Bring the summaries up to date after a payments import: add the batch when it only
    added payments (a day's data), rebuild its months when it changed stored ones.

    The importer calls this inside the transaction that writes the payments, so summaries
    and payments commit together and a batch is added exactly once. `only_added` is the
    importer's own count; without it the batch record's summary tells."""
    if only_added is None:
        from renda.core.models import ImportBatch

        summary = ImportBatch.objects.filter(pk=batch_id).values_list("summary", flat=True).first()
        only_added = summary is not None and bool(summary) and not summary.get("updated")
    # The upsert needs PostgreSQL's NULLS NOT DISTINCT key; SQLite (development, the demo)
    # rebuilds the months, which at its sizes is quick anyway.
    if connection.vendor == "postgresql" and only_added:
        return append_batch(batch_id=batch_id)
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
