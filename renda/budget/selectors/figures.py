"""Dashboard figures: dates and rates, regions and names, grouped sums of the summaries."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from renda.budget.demo import reference
from renda.budget.models import (
    LEVEL_TONES,
    AlertLevel,
    BudgetAdjustment,
    BudgetIndicator,
    FinanceRegion,
    OverviewSummary,
    PaymentSummary,
    SummaryState,
    UnitPaidSummary,
)

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
    (Decimal(300), AlertLevel.SEVERE),
    (Decimal(200), AlertLevel.WARNING),
    (Decimal(120), AlertLevel.NOTICE),
)
CACHE_SECONDS = 600  # a safety net; the key already changes with the data
# CSS classes of the level colours (renda.css: 提示 blue, 警告 orange, 严重 red).
LEVEL_CSS = {
    AlertLevel.NOTICE: "level-notice",
    AlertLevel.WARNING: "level-warning",
    AlertLevel.SEVERE: "level-severe",
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
    """Share of the year gone by the end of `day`, in per cent (day of year ÷ days in year),
    unrounded: the pages round it (`pct`), the gaps and their colours use it exact."""
    days = 366 if calendar.isleap(day.year) else 365
    return Decimal(day.timetuple().tm_yday) * HUNDRED / days


def exact_rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part ÷ whole in percent, unrounded: what a threshold (a colour, a tier) is judged on."""
    if not whole:
        return None
    return (part or ZERO) / whole * HUNDRED


def rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """The same rounded to the step the pages show."""
    value = exact_rate(part, whole)
    return None if value is None else value.quantize(RATE_STEP)


def gap(value: Decimal | None, progress: Decimal) -> Decimal | None:
    """Percentage points ahead of (+) or behind (−) time progress, unrounded: the colour of a
    gap (dashboard_tags.gap_tone: 20 points behind is red) is judged on the exact figure, and
    `points` rounds it for display. Pass an `exact_rate`."""
    return None if value is None else value - progress


def debt_level(ratio: Decimal | None) -> int | None:
    if ratio is None:
        return None
    for threshold, level in DEBT_TIERS:
        if ratio >= threshold:
            return int(level)
    return None


def level_label(level: int | None) -> str:
    return AlertLevel(level).label if level else "正常"


def level_tone(level: int | None) -> str:
    return LEVEL_TONES[AlertLevel(level)] if level else "success"


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


def collapse(data: dict[Key, Any], index: Iterable[int], *, pair: bool = False) -> dict[Key, Any]:
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


def execution_row(
    available_amount: Decimal, paid_amount: Decimal, progress: Decimal, **extra: Any
) -> dict[str, Any]:
    return {
        **extra,
        "available": available_amount,
        "paid": paid_amount,
        "rate": rate(paid_amount, available_amount),
        "gap": gap(exact_rate(paid_amount, available_amount), progress),
    }
