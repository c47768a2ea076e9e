"""Dashboard figures (issue 6): execution against time progress for the four budgets, by
functional class with drill-down to units and indicators, the slowest and fastest units,
三公, revenue, debt ratio, major projects, alerts and inquiries.

Pure reads. Payments come from `PaymentSummary` only (never the payments table), so every
query is a small GROUP BY over summary or indicator tables: at province scale (3,000 units,
~15k indicators, ~200k summary rows) the overview stays within a few hundred milliseconds
uncached, and `overview()` caches its result under a key that changes whenever the data do
(summary rebuild, any budget import, any alert or inquiry change), so a page view normally
costs only the few small queries that build the key.

"As of" is the data's own date (`SummaryState.last_pay_date`): a dashboard looked at in
November about data that reach 30 April compares spending with time progress on 30 April.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from renda.core.models import ImportBatch

from . import reference
from .models import (
    LEVEL_TONES,
    Alert,
    BudgetAdjustment,
    BudgetIndicator,
    BudgetUnit,
    ClassificationCode,
    DebtMonth,
    FinanceRegion,
    Inquiry,
    Level,
    OverviewSummary,
    PaymentSummary,
    ProjectReport,
    RevenueBudget,
    RevenueReceipt,
    SummaryState,
    ThreePublic,
    UnitPaidSummary,
)
from .services import KIND_PREFIX
from .workflows import INQUIRY

ZERO = Decimal(0)
HUNDRED = Decimal(100)
RATE_STEP = Decimal("0.1")
# Units below this available amount are left out of the slowest/fastest lists: a small
# unit's rate swings with a single payment and says little.
UNIT_MIN_AVAILABLE = Decimal(100_000)
RANK_SIZE = 10
OPEN_SEVERE_SIZE = 10
CLASS_LENGTH = 3  # 类 = first three digits of a functional or revenue code
# What OverviewSummary is grouped by (its class_code is the 类 of func_code).
OVERVIEW_FIELDS = {"fund_type", "class", "thr_exp", "month"}
# Debt ratio tiers (reference budget.md §1.2, Shandong): 黄 ≥ 120 %, 橙 ≥ 200 %, 红 ≥ 300 %,
# mapped onto the platform's three levels.
DEBT_TIERS = (
    (Decimal(300), Level.SEVERE),
    (Decimal(200), Level.WARNING),
    (Decimal(120), Level.NOTICE),
)
CACHE_SECONDS = 600  # a safety net; the key already changes with the data
# CSS classes of the level colours (renda.css: 提示 blue, 警告 orange, 严重 red).
LEVEL_CSS = {
    Level.NOTICE: "level-notice",
    Level.WARNING: "level-warning",
    Level.SEVERE: "level-severe",
}
# Inquiry states that still wait for the addressee's answer (overdue counts only these).
AWAITING_ANSWER = ("issued", "returned")

FUND_TYPES = tuple(reference.FUND_TYPE)  # (code, name) of the four budgets


# --- dates and rates ---------------------------------------------------------------------


def as_of_date(region: FinanceRegion | None, year: int, *, today: dt.date | None = None) -> dt.date:
    """The data's as-of date: the last payment date the summaries saw, else today clipped to
    the year (a past year without payments is judged at its end)."""
    if region is not None:
        state = (
            SummaryState.objects.filter(region=region, year=year)
            .values_list("last_pay_date", flat=True)
            .first()
        )
        if state:
            return state
    today = today or timezone.localdate()
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def time_progress(day: dt.date) -> Decimal:
    """Share of the year gone by the end of `day`, in per cent (day of year ÷ days in year)."""
    days = 366 if calendar.isleap(day.year) else 365
    return (Decimal(day.timetuple().tm_yday) / days * HUNDRED).quantize(RATE_STEP)


def rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return ((part or ZERO) / whole * HUNDRED).quantize(RATE_STEP)


def gap(value: Decimal | None, progress: Decimal) -> Decimal | None:
    return None if value is None else (value - progress).quantize(RATE_STEP)


def debt_level(ratio: Decimal | None) -> int | None:
    if ratio is None:
        return None
    for threshold, level in DEBT_TIERS:
        if ratio >= threshold:
            return int(level)
    return None


def _level_label(level: int | None) -> str:
    return Level(level).label if level else "正常"


def _level_tone(level: int | None) -> str:
    return LEVEL_TONES[Level(level)] if level else "success"


# --- regions and names ---------------------------------------------------------------------


def regions_for_year(year: int) -> list[FinanceRegion]:
    """Treasuries with budget units in `year`, the top level first."""
    ids = BudgetUnit.objects.filter(year=year).values("region_id").distinct().order_by()
    return list(
        FinanceRegion.objects.filter(pk__in=Subquery(ids)).order_by(
            F("parent_id").asc(nulls_first=True), "code"
        )
    )


def default_region(year: int, code: str | None = None) -> FinanceRegion | None:
    regions = regions_for_year(year)
    if code:
        for region in regions:
            if region.code == code:
                return region
    return regions[0] if regions else None


def class_names(scheme: str, year: int, codes: Iterable[str]) -> dict[str, str]:
    """Names of classification codes for the year, falling back to the public list the demo
    ships (a year whose codes were not imported still gets names)."""
    wanted = {c for c in codes if c}
    fallback = dict(reference.FUNCTION if scheme == "function" else reference.REVENUE)
    names = {c: fallback.get(c, "") for c in wanted}
    if wanted:
        rows = ClassificationCode.objects.filter(scheme=scheme, year=year, code__in=wanted)
        names.update(dict(rows.values_list("code", "name")))
    return names


# --- grouped sums ----------------------------------------------------------------------------

Key = tuple[Any, ...]


def _key_fields(prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """Annotations for a GROUP BY; `class` means the 类 (first three digits) of func_code."""
    out: dict[str, Any] = {}
    for name in fields:
        if name == "class":
            out["k_class"] = Substr(f"{prefix}func_code", 1, CLASS_LENGTH)
        else:
            out[f"k_{name}"] = F(f"{prefix}{name}")
    return out


def available(
    region: FinanceRegion, year: int, fields: tuple[str, ...], **filters: Any
) -> dict[Key, Decimal]:
    """Available indicator amounts grouped by `fields` (indicator columns or "class"):
    Σ amount (调减 rows are negative) + adjustments into the group − adjustments out of it.
    `filters` apply to the indicator (and to both ends of an adjustment)."""
    out: dict[Key, Decimal] = defaultdict(Decimal)
    keys = _key_fields("", fields)
    rows = (
        BudgetIndicator.objects.filter(region=region, year=year, **filters)
        .annotate(**keys)
        .values(*keys)
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for row in rows:
        out[tuple(row[k] for k in keys)] += row["s"] or ZERO
    adjustments = BudgetAdjustment.objects.filter(region=region, year=year)
    for side, sign in (("to_indicator__", 1), ("from_indicator__", -1)):
        side_keys = _key_fields(side, fields)
        qs = adjustments.filter(**{f"{side}{k}": v for k, v in filters.items()})
        if sign < 0:
            qs = qs.filter(from_indicator__isnull=False)
        grouped = qs.annotate(**side_keys).values(*side_keys).annotate(s=Sum("amount")).order_by()
        for row in grouped:
            out[tuple(row[k] for k in side_keys)] += sign * (row["s"] or ZERO)
    return dict(out)


def paid(
    region: FinanceRegion, year: int, fields: tuple[str, ...], **filters: Any
) -> dict[Key, tuple[Decimal, int]]:
    """Payments (refunds netted, voided vouchers excluded by the summary) grouped by `fields`
    (summary columns, "class" or "month"): {key: (amount, count)}."""
    keys = _key_fields("", fields)
    source: Any = PaymentSummary.objects
    if not filters and set(fields) <= OVERVIEW_FIELDS:
        # The overview's groupings read the small roll-ups kept beside the summary.
        source = OverviewSummary.objects
        keys = {f"k_{name}": F("class_code" if name == "class" else name) for name in fields}
    elif not filters and fields == ("unit_id",):
        source = UnitPaidSummary.objects
    rows = (
        source.filter(region=region, year=year, **filters)
        .annotate(**keys)
        .values(*keys)
        .annotate(s=Sum("amount"), n=Sum("count"))
        .order_by()
    )
    return {tuple(r[k] for k in keys): (r["s"] or ZERO, r["n"] or 0) for r in rows}


def _collapse(data: dict[Key, Any], index: Iterable[int], *, pair: bool = False) -> dict[Key, Any]:
    """Sum a grouped dict down to the key positions in `index`."""
    positions = tuple(index)
    out: dict[Key, Any] = {}
    for key, value in data.items():
        short = tuple(key[i] for i in positions)
        if pair:
            amount, count = out.get(short, (ZERO, 0))
            out[short] = (amount + value[0], count + value[1])
        else:
            out[short] = out.get(short, ZERO) + value
    return out


def _execution_row(
    available_amount: Decimal, paid_amount: Decimal, progress: Decimal, **extra: Any
) -> dict[str, Any]:
    value = rate(paid_amount, available_amount)
    return {
        **extra,
        "available": available_amount,
        "paid": paid_amount,
        "rate": value,
        "gap": gap(value, progress),
    }


# --- the overview ----------------------------------------------------------------------------


def _cache_key(region: FinanceRegion, year: int, as_of: dt.date) -> str:
    """A key that changes whenever something the overview shows does: the summaries were
    rebuilt, a budget import (indicators, revenue, debt, projects …) committed, an alert was
    raised, changed level, cleared or handled, or an inquiry moved."""
    state = (
        SummaryState.objects.filter(region=region, year=year)
        .values_list("refreshed_at", flat=True)
        .first()
    )
    imports = ImportBatch.objects.filter(kind__startswith=KIND_PREFIX).aggregate(
        n=Count("id"), last=Max("committed_at")
    )
    alerts = Alert.objects.filter(region=region, year=year).aggregate(
        n=Count("id"),
        seen=Max("last_seen_at"),
        cleared=Max("cleared_at"),
        open=Count("id", filter=Q(status=Alert.Status.OPEN)),
        levels=Sum("level"),
        amount=Sum("amount"),
        **{f"h_{code}": Count("id", filter=Q(handling=code)) for code in Alert.Handling.values},
    )
    inquiries = Inquiry.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    raw = repr((region.pk, year, as_of, state, imports, alerts, inquiries))
    return f"budget:overview:{region.pk}:{year}:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def overview(region: FinanceRegion, year: int, *, use_cache: bool = True) -> dict[str, Any]:
    """Everything the overview page and the big screen show, for one treasury and year."""
    day = as_of_date(region, year)
    if not use_cache:
        return _overview(region, year, day)
    key = _cache_key(region, year, day)
    result = cache.get(key)
    if result is None:
        result = _overview(region, year, day)
        cache.set(key, result, CACHE_SECONDS)
    return result


def _overview(region: FinanceRegion, year: int, day: dt.date) -> dict[str, Any]:
    progress = time_progress(day)
    # One GROUP BY each over indicators and summaries gives the four budgets, the classes
    # and 三公; the month is only on the payments side.
    avail = available(region, year, ("fund_type", "class", "thr_exp"))
    pays = paid(region, year, ("fund_type", "class", "thr_exp", "month"))
    total_available = sum(avail.values(), ZERO)
    total_paid = sum((v[0] for v in pays.values()), ZERO)
    total_count = sum(v[1] for v in pays.values())

    by_fund_avail = _collapse(avail, (0,))
    by_fund_paid = _collapse(pays, (0,), pair=True)
    funds = []
    for code, name in FUND_TYPES:
        funds.append(
            _execution_row(
                by_fund_avail.get((code,), ZERO),
                by_fund_paid.get((code,), (ZERO, 0))[0],
                progress,
                code=code,
                name=name,
            )
        )
    # Codes outside the four (a data error upstream) still show, so the totals add up.
    known = {c for c, _ in FUND_TYPES}
    for (code,) in sorted(set(by_fund_avail) | set(by_fund_paid)):
        if code not in known:
            funds.append(
                _execution_row(
                    by_fund_avail.get((code,), ZERO),
                    by_fund_paid.get((code,), (ZERO, 0))[0],
                    progress,
                    code=code,
                    name=f"资金性质 {code}",
                )
            )

    classes = function_classes(region, year, progress, avail=avail, pays=pays)

    by_month = _collapse(pays, (3,), pair=True)
    months = []
    cumulative = ZERO
    for month in range(1, 13):
        amount, count = by_month.get((month,), (ZERO, 0))
        cumulative += amount
        months.append(
            {
                "month": month,
                "paid": amount,
                "count": count,
                "cumulative": cumulative,
                "rate": rate(cumulative, total_available),
                "progress": time_progress(
                    dt.date(year, month, calendar.monthrange(year, month)[1])
                ),
            }
        )

    thr_avail = _collapse(avail, (2,))
    thr_paid = _collapse(pays, (2,), pair=True)
    three_public = [
        _execution_row(
            thr_avail.get((code,), ZERO),
            thr_paid.get((code,), (ZERO, 0))[0],
            progress,
            code=code,
            name=label,
        )
        for code, label in ThreePublic.choices
    ]
    thr_total_avail = sum((r["available"] for r in three_public), ZERO)
    thr_total_paid = sum((r["paid"] for r in three_public), ZERO)

    return {
        "region": {"id": region.pk, "code": region.code, "name": region.name},
        "year": year,
        "as_of": day,
        "progress": progress,
        "totals": _execution_row(
            total_available, total_paid, progress, count=total_count, name="合计"
        ),
        "funds": funds,
        "classes": classes,
        "months": months,
        "units": unit_ranking(region, year, progress),
        "three_public": {
            "rows": three_public,
            "total": _execution_row(thr_total_avail, thr_total_paid, progress, name="三公经费合计"),
        },
        "revenue": revenue(region, year, progress),
        "debt": debt(region, year),
        "projects": projects(region, year),
        "alerts": alerts(region, year, day),
        "inquiries": inquiries(region, year),
    }


def function_classes(
    region: FinanceRegion,
    year: int,
    progress: Decimal,
    *,
    avail: dict[Key, Decimal] | None = None,
    pays: dict[Key, tuple[Decimal, int]] | None = None,
) -> list[dict[str, Any]]:
    """Execution by functional class (类), largest budget first."""
    if avail is None:
        by_class_avail = available(region, year, ("class",))
    else:
        by_class_avail = _collapse(avail, (1,))
    if pays is None:
        by_class_paid = paid(region, year, ("class",))
    else:
        by_class_paid = _collapse(pays, (1,), pair=True)
    codes = {k[0] for k in by_class_avail} | {k[0] for k in by_class_paid}
    names = class_names("function", year, codes)
    rows = [
        _execution_row(
            by_class_avail.get((code,), ZERO),
            by_class_paid.get((code,), (ZERO, 0))[0],
            progress,
            code=code,
            name=names.get(code) or code,
            count=by_class_paid.get((code,), (ZERO, 0))[1],
        )
        for code in codes
    ]
    rows.sort(key=lambda r: (-r["available"], r["code"]))
    return rows


def unit_ranking(region: FinanceRegion, year: int, progress: Decimal) -> dict[str, Any]:
    """The units furthest behind and furthest ahead of time progress (execution rate − time
    progress), among units with at least UNIT_MIN_AVAILABLE of indicators."""
    # (gap, unit id, available, paid) for every unit counted, from the per-unit roll-up; the
    # rows shown are built for the few listed only (a province has 3,000 units).
    gaps = []
    for unit_id, amount, spent in UnitPaidSummary.objects.filter(
        region=region, year=year, available__gte=UNIT_MIN_AVAILABLE
    ).values_list("unit_id", "available", "amount"):
        gaps.append((gap(rate(spent, amount), progress) or ZERO, unit_id, amount, spent))
    gaps.sort(key=lambda g: (g[0], g[1]))
    slowest_keys = gaps[:RANK_SIZE]
    fastest_keys = sorted(gaps, key=lambda g: (-g[0], g[1]))[:RANK_SIZE]
    names = dict(
        BudgetUnit.objects.filter(pk__in={g[1] for g in slowest_keys + fastest_keys}).values_list(
            "pk", "name"
        )
    )

    def rows(keys: list[tuple[Decimal, int, Decimal, Decimal]]) -> list[dict[str, Any]]:
        return [
            {**_execution_row(amount, spent, progress, id=unit_id), "name": names.get(unit_id, "")}
            for _, unit_id, amount, spent in keys
        ]

    behind = sum(1 for g in gaps if g[0] < 0)
    return {
        "slowest": rows(slowest_keys),
        "fastest": rows(fastest_keys),
        "counted": len(gaps),
        "behind": behind,
    }


def revenue(region: FinanceRegion, year: int, progress: Decimal) -> dict[str, Any]:
    """Revenue received by revenue class against the revenue budget. Receipts may carry finer
    codes than the budget; each is counted under the longest budget code it starts with."""
    budget = dict(
        RevenueBudget.objects.filter(region=region, year=year)
        .values("revenue_code")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("revenue_code", "s")
    )
    received_raw = dict(
        RevenueReceipt.objects.filter(region=region, year=year)
        .values("revenue_code")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("revenue_code", "s")
    )
    by_length = sorted(budget, key=len, reverse=True)
    received: dict[str, Decimal] = defaultdict(Decimal)
    for code, amount in received_raw.items():
        target = next((b for b in by_length if code.startswith(b)), code)
        received[target] += amount or ZERO
    codes = sorted(set(budget) | set(received))
    names = class_names("revenue", year, codes)
    rows: list[dict[str, Any]] = [
        {
            "code": code,
            "name": names.get(code) or code,
            "budget": budget.get(code) or ZERO,
            "received": received.get(code, ZERO),
            "rate": rate(received.get(code, ZERO), budget.get(code)),
            "gap": gap(rate(received.get(code, ZERO), budget.get(code)), progress),
        }
        for code in codes
    ]
    total_budget = sum((r["budget"] for r in rows), ZERO)
    total_received = sum((r["received"] for r in rows), ZERO)
    total_rate = rate(total_received, total_budget)
    return {
        "rows": rows,
        "total": {
            "budget": total_budget,
            "received": total_received,
            "rate": total_rate,
            "gap": gap(total_rate, progress),
        },
    }


def debt(region: FinanceRegion, year: int) -> dict[str, Any]:
    """Debt ratio by month: (一般债务余额 + 专项债务余额) ÷ 综合财力, with its tier."""
    rows = []
    for m in DebtMonth.objects.filter(region=region, year=year).order_by("month"):
        balance = m.general_balance + m.special_balance
        ratio = rate(balance, m.financial_capacity)
        level = debt_level(ratio)
        rows.append(
            {
                "month": m.month,
                "general_balance": m.general_balance,
                "special_balance": m.special_balance,
                "balance": balance,
                "limit": m.general_limit + m.special_limit,
                "capacity": m.financial_capacity,
                "ratio": ratio,
                "level": level,
                "level_label": _level_label(level),
                "tone": _level_tone(level),
            }
        )
    return {
        "rows": rows,
        "latest": rows[-1] if rows else None,
        "tiers": [{"threshold": t, "label": Level(lv).label} for t, lv in DEBT_TIERS],
    }


def projects(region: FinanceRegion, year: int) -> list[dict[str, Any]]:
    """Each major project's latest report: completed ÷ annual plan against the time progress
    at the report date (a report of 30 September is measured against 30 September)."""
    latest = (
        ProjectReport.objects.filter(
            region=region, year=year, project_code=OuterRef("project_code")
        )
        .order_by("-report_date")
        .values("report_date")[:1]
    )
    reports = ProjectReport.objects.filter(
        region=region, year=year, report_date=Subquery(latest)
    ).order_by("project_code")
    rows = []
    for r in reports:
        value = rate(r.annual_completed, r.annual_plan)
        progress = time_progress(r.report_date)
        rows.append(
            {
                "code": r.project_code,
                "name": r.project_name,
                "owner": r.owner_name,
                "total_investment": r.total_investment,
                "annual_plan": r.annual_plan,
                "annual_completed": r.annual_completed,
                "report_date": r.report_date,
                "physical_progress": r.physical_progress,
                "rate": value,
                "progress": progress,
                "gap": gap(value, progress),
                "note": r.note,
            }
        )
    rows.sort(key=lambda r: (r["gap"] if r["gap"] is not None else Decimal(999), r["code"]))
    return rows


def alerts(region: FinanceRegion, year: int, day: dt.date) -> dict[str, Any]:
    """Alerts by period month and level (every alert found for a month, cleared or not),
    this month's counts, the open ones and the money involved, and the supervisor's counts
    of the finance-side 监控主题 screen (累计预警, 红色预警未处理, 处理进度 …)."""
    rows = (
        Alert.objects.filter(region=region, year=year)
        .values("period", "level", "status", "handling")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    by_month = {m: {int(lv): 0 for lv in Level} for m in range(1, 13)}
    open_by_level = {int(lv): 0 for lv in Level}
    totals: dict[str, Any] = {
        "all": 0,
        "severe": 0,
        "severe_unhandled": 0,
        "handled": 0,
        "amount": ZERO,
        "handled_amount": ZERO,
        "open": 0,
        "open_amount": ZERO,
    }
    for row in rows:
        n, amount = row["n"], row["amount"] or ZERO
        if row["period"].year == year:
            by_month[row["period"].month][row["level"]] += n
        totals["all"] += n
        totals["amount"] += amount
        if row["level"] == Level.SEVERE:
            totals["severe"] += n
        if row["handling"] != Alert.Handling.NEW:
            totals["handled"] += n
            totals["handled_amount"] += amount
        if row["status"] == Alert.Status.OPEN:
            totals["open"] += n
            totals["open_amount"] += amount
            open_by_level[row["level"]] += n
            if row["level"] == Level.SEVERE and row["handling"] == Alert.Handling.NEW:
                totals["severe_unhandled"] += n
    totals["handled_rate"] = rate(Decimal(totals["handled"]), Decimal(totals["all"]))
    month_rows = [
        {
            "month": m,
            "counts": [by_month[m][int(lv)] for lv in Level],
            "total": sum(by_month[m].values()),
        }
        for m in range(1, 13)
    ]
    levels: list[dict[str, Any]] = [
        {"level": int(lv), "label": lv.label, "tone": LEVEL_TONES[lv], "css": LEVEL_CSS[lv]}
        for lv in Level
    ]
    level_rows = [
        {**level, "counts": [by_month[m][level["level"]] for m in range(1, 13)]} for level in levels
    ]
    severe = (
        Alert.objects.filter(region=region, year=year, status=Alert.Status.OPEN, level=Level.SEVERE)
        .select_related("rule", "unit")
        .order_by("-amount", "-raised_at", "id")[:OPEN_SEVERE_SIZE]
    )
    return {
        "levels": levels,
        "by_month": month_rows,
        "level_rows": level_rows,
        "this_month": {
            "month": day.month,
            "counts": [by_month[day.month][int(lv)] for lv in Level],
            "by_level": [
                {**level, "count": by_month[day.month][level["level"]]} for level in levels
            ],
            "total": sum(by_month[day.month].values()),
        },
        "open_by_level": [open_by_level[int(lv)] for lv in Level],
        "totals": totals,
        "open_severe": [
            {
                "id": a.pk,
                "rule": f"{a.rule.code} {a.rule.name}",
                "subject": a.subject_label,
                "unit": a.unit.name if a.unit else "",
                "amount": a.amount,
                "period": a.period,
                "handling": a.get_handling_display(),
                "handled": a.handling != Alert.Handling.NEW,
            }
            for a in severe
        ],
    }


def inquiries(region: FinanceRegion, year: int) -> dict[str, Any]:
    """问询函 about this treasury's alerts of the year: counts by state and overdue ones."""
    through = Alert.inquiries.through
    ids = through.objects.filter(alert__region=region, alert__year=year).values("inquiry_id")
    qs = Inquiry.objects.filter(pk__in=Subquery(ids))
    now = timezone.now()
    rows = (
        qs.values("state")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(state__in=AWAITING_ANSWER, due_at__lt=now)),
        )
        .order_by()
    )
    counts = {r["state"]: r["n"] for r in rows}
    overdue = sum(r["overdue"] for r in rows)
    states = [
        {"code": s.code, "label": s.label, "tone": s.tone, "count": counts.get(s.code, 0)}
        for s in INQUIRY.states
    ]
    total = sum(counts.values())
    closed = counts.get("closed", 0)
    return {
        "states": states,
        "total": total,
        "overdue": overdue,
        "closed": closed,
        "closed_rate": rate(Decimal(closed), Decimal(total)),
    }


# --- drill-down --------------------------------------------------------------------------------


def function_detail(region: FinanceRegion, year: int, class_code: str) -> dict[str, Any]:
    """One functional class broken down by unit; the unit rows add up to the class row."""
    day = as_of_date(region, year)
    progress = time_progress(day)
    avail = available(region, year, ("unit_id",), func_code__startswith=class_code)
    pays = paid(region, year, ("unit_id",), func_code__startswith=class_code)
    ids = {k[0] for k in avail} | {k[0] for k in pays}
    units = {
        u.pk: u
        for u in BudgetUnit.objects.filter(pk__in=ids).only("pk", "code", "name", "department_id")
    }
    rows = []
    for unit_id in ids:
        unit = units.get(unit_id)
        amount, count = pays.get((unit_id,), (ZERO, 0))
        rows.append(
            _execution_row(
                avail.get((unit_id,), ZERO),
                amount,
                progress,
                id=unit_id,
                code=unit.code if unit else "",
                name=unit.name if unit else "",
                count=count,
            )
        )
    rows.sort(key=lambda r: (-r["available"], r["code"]))
    total_avail = sum((r["available"] for r in rows), ZERO)
    total_paid = sum((r["paid"] for r in rows), ZERO)
    return {
        "year": year,
        "as_of": day,
        "progress": progress,
        "code": class_code,
        "name": class_names("function", year, [class_code]).get(class_code) or class_code,
        "rows": rows,
        "total": _execution_row(
            total_avail, total_paid, progress, count=sum(r["count"] for r in rows)
        ),
    }


def unit_detail(unit: BudgetUnit, class_code: str = "") -> dict[str, Any]:
    """One unit's indicators (within a functional class when given) with what was paid from
    each; 调减 rows are folded into the indicator they reduce, payments without a known
    indicator form their own row. The rows add up to the unit's row on the class page."""
    region, year = unit.region, unit.year
    day = as_of_date(region, year)
    progress = time_progress(day)
    filters: dict[str, Any] = {"unit_id": unit.pk}
    if class_code:
        filters["func_code__startswith"] = class_code
    indicators = list(
        BudgetIndicator.objects.filter(region=region, year=year, **filters).order_by("bgt_id")
    )
    by_bgt = {i.bgt_id: i for i in indicators}
    known = {i.pk: i for i in indicators}
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for (pk,), value in available(region, year, ("id",), **filters).items():
        ind = known[pk]
        folded = ind.kind == BudgetIndicator.Kind.REDUCTION and ind.ori_bgt_id in by_bgt
        amounts[by_bgt[ind.ori_bgt_id].pk if folded else pk] += value
    pays = paid(region, year, ("indicator_id",), **filters)
    missing = [k[0] for k in pays if k[0] is not None and k[0] not in known]
    if missing:  # paid from an indicator of another class: shown, its budget not counted here
        known.update({i.pk: i for i in BudgetIndicator.objects.filter(pk__in=missing)})
    rows = []
    for pk in sorted(set(amounts) | {k[0] for k in pays if k[0] is not None}, key=str):
        found = known.get(pk)
        amount, count = pays.get((pk,), (ZERO, 0))
        rows.append(
            _execution_row(
                amounts.get(pk, ZERO),
                amount,
                progress,
                id=pk,
                bgt_id=found.bgt_id if found else "",
                kind=found.get_kind_display() if found else "指标已删除",
                project=found.project_name if found else "",
                func_code=found.func_code if found else "",
                fund_type=found.fund_type if found else "",
                thr_exp=found.get_thr_exp_display() if found and found.thr_exp else "",
                count=count,
            )
        )
    rows.sort(key=lambda r: r["bgt_id"])
    if (None,) in pays:
        amount, count = pays[(None,)]
        rows.append(
            _execution_row(
                ZERO,
                amount,
                progress,
                id=None,
                bgt_id="",
                kind="无指标或指标未知",
                project="",
                func_code="",
                fund_type="",
                thr_exp="",
                count=count,
            )
        )
    total_avail = sum((r["available"] for r in rows), ZERO)
    total_paid = sum((r["paid"] for r in rows), ZERO)
    return {
        "unit": unit,
        "year": year,
        "as_of": day,
        "progress": progress,
        "code": class_code,
        "class_name": class_names("function", year, [class_code]).get(class_code, "")
        if class_code
        else "",
        "rows": rows,
        "total": _execution_row(
            total_avail, total_paid, progress, count=sum(r["count"] for r in rows)
        ),
    }


# --- the public page -------------------------------------------------------------------------


def public_summary(region: FinanceRegion, year: int) -> dict[str, Any]:
    """What the public portal shows: the four budgets and the functional classes with
    budget, spending and rate. Nothing below the class: no unit, payee, account or voucher."""
    data = overview(region, year)
    keep = ("available", "paid", "rate")
    return {
        "region": data["region"]["name"],
        "year": year,
        "as_of": data["as_of"],
        "progress": data["progress"],
        "totals": {k: data["totals"][k] for k in keep},
        "funds": [
            {"code": r["code"], "name": r["name"], **{k: r[k] for k in keep}} for r in data["funds"]
        ],
        "classes": [
            {"code": r["code"], "name": r["name"], **{k: r[k] for k in keep}}
            for r in data["classes"]
        ],
    }
