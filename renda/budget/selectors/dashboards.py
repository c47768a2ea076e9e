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
from django.utils import timezone

from renda.budget.demo import reference
from renda.budget.ingest.kinds import KIND_PREFIX
from renda.budget.models import (
    LEVEL_TONES,
    Alert,
    AlertLevel,
    BudgetUnit,
    DebtMonth,
    FinanceRegion,
    Inquiry,
    ProjectReport,
    RevenueBudget,
    RevenueReceipt,
    SummaryState,
    ThreePublic,
    UnitPaidSummary,
)
from renda.budget.models.reference import ClassificationCode
from renda.budget.selectors.figures import (
    AWAITING_ANSWER,
    CACHE_SECONDS,
    DEBT_TIERS,
    FUND_TYPES,
    LEVEL_CSS,
    OPEN_SEVERE_SIZE,
    RANK_SIZE,
    UNIT_MIN_AVAILABLE,
    ZERO,
    Key,
    as_of_date,
    available,
    collapse,
    debt_level,
    exact_rate,
    execution_row,
    gap,
    level_label,
    level_tone,
    paid,
    rate,
    time_progress,
)
from renda.budget.workflows import INQUIRY
from renda.core.models import ImportBatch

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
    return {
        "region": {"id": region.pk, "code": region.code, "name": region.name},
        "year": year,
        "as_of": day,
        "progress": progress,
        "totals": execution_row(
            total_available, total_paid, progress, count=total_count, name="合计"
        ),
        "funds": _fund_rows(avail, pays, progress),
        "classes": function_classes(region, year, progress, avail=avail, pays=pays),
        "months": _month_rows(pays, year, total_available),
        "units": unit_ranking(region, year, progress),
        "three_public": _three_public(avail, pays, progress),
        "revenue": revenue(region, year, progress),
        "debt": debt(region, year),
        "projects": projects(region, year),
        "alerts": alerts(region, year, day),
        "inquiries": inquiries(region, year),
    }


def _fund_rows(
    avail: dict[tuple[Any, ...], Decimal],
    pays: dict[tuple[Any, ...], tuple[Decimal, int]],
    progress: Decimal,
) -> list[dict[str, Any]]:
    """One execution row per fund type (资金性质), the four known ones first."""
    by_fund_avail = collapse(avail, (0,))
    by_fund_paid = collapse(pays, (0,), pair=True)
    funds = []
    for code, name in FUND_TYPES:
        funds.append(
            execution_row(
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
                execution_row(
                    by_fund_avail.get((code,), ZERO),
                    by_fund_paid.get((code,), (ZERO, 0))[0],
                    progress,
                    code=code,
                    name=f"资金性质 {code}",
                )
            )
    return funds


def _month_rows(
    pays: dict[tuple[Any, ...], tuple[Decimal, int]], year: int, total_available: Decimal
) -> list[dict[str, Any]]:
    """Each month's payments, the cumulative sum, its rate and the time progress."""
    by_month = collapse(pays, (3,), pair=True)
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
    return months


def _three_public(
    avail: dict[tuple[Any, ...], Decimal],
    pays: dict[tuple[Any, ...], tuple[Decimal, int]],
    progress: Decimal,
) -> dict[str, Any]:
    thr_avail = collapse(avail, (2,))
    thr_paid = collapse(pays, (2,), pair=True)
    rows = [
        execution_row(
            thr_avail.get((code,), ZERO),
            thr_paid.get((code,), (ZERO, 0))[0],
            progress,
            code=code,
            name=label,
        )
        for code, label in ThreePublic.choices
    ]
    total_avail = sum((r["available"] for r in rows), ZERO)
    total_paid = sum((r["paid"] for r in rows), ZERO)
    return {
        "rows": rows,
        "total": execution_row(total_avail, total_paid, progress, name="三公经费合计"),
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
    by_class_avail = available(region, year, ("class",)) if avail is None else collapse(avail, (1,))
    if pays is None:
        by_class_paid = paid(region, year, ("class",))
    else:
        by_class_paid = collapse(pays, (1,), pair=True)
    codes = {k[0] for k in by_class_avail} | {k[0] for k in by_class_paid}
    names = class_names("function", year, codes)
    rows = [
        execution_row(
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
        gaps.append((gap(exact_rate(spent, amount), progress) or ZERO, unit_id, amount, spent))
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
            {**execution_row(amount, spent, progress, id=unit_id), "name": names.get(unit_id, "")}
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
            "gap": gap(exact_rate(received.get(code, ZERO), budget.get(code)), progress),
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
            "gap": gap(exact_rate(total_received, total_budget), progress),
        },
    }


def debt(region: FinanceRegion, year: int) -> dict[str, Any]:
    """Debt ratio by month: (一般债务余额 + 专项债务余额) ÷ 综合财力, with its tier."""
    rows = []
    for m in DebtMonth.objects.filter(region=region, year=year).order_by("month"):
        balance = m.general_balance + m.special_balance
        ratio = rate(balance, m.financial_capacity)
        level = debt_level(exact_rate(balance, m.financial_capacity))
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
                "level_label": level_label(level),
                "tone": level_tone(level),
            }
        )
    return {
        "rows": rows,
        "latest": rows[-1] if rows else None,
        "tiers": [{"threshold": t, "label": AlertLevel(lv).label} for t, lv in DEBT_TIERS],
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
                "gap": gap(exact_rate(r.annual_completed, r.annual_plan), progress),
                "note": r.note,
            }
        )
    rows.sort(key=lambda r: (r["gap"] if r["gap"] is not None else Decimal(999), r["code"]))
    return rows


def alerts(region: FinanceRegion, year: int, day: dt.date) -> dict[str, Any]:
    """Alerts by period month and level (every alert found for a month, cleared or not),
    this month's counts, the open ones and the money involved, and the supervisor's counts
    of the finance-side 监控主题 screen (累计预警, 红色预警未处理, 处理进度 …)."""
    by_month, open_by_level, totals = _alert_counts(region, year)
    month_rows = [
        {
            "month": m,
            "counts": [by_month[m][int(lv)] for lv in AlertLevel],
            "total": sum(by_month[m].values()),
        }
        for m in range(1, 13)
    ]
    levels: list[dict[str, Any]] = [
        {"level": int(lv), "label": lv.label, "tone": LEVEL_TONES[lv], "css": LEVEL_CSS[lv]}
        for lv in AlertLevel
    ]
    level_rows = [
        {**level, "counts": [by_month[m][level["level"]] for m in range(1, 13)]} for level in levels
    ]
    return {
        "levels": levels,
        "by_month": month_rows,
        "level_rows": level_rows,
        "this_month": {
            "month": day.month,
            "counts": [by_month[day.month][int(lv)] for lv in AlertLevel],
            "by_level": [
                {**level, "count": by_month[day.month][level["level"]]} for level in levels
            ],
            "total": sum(by_month[day.month].values()),
        },
        "open_by_level": [open_by_level[int(lv)] for lv in AlertLevel],
        "totals": totals,
        "open_severe": _open_severe(region, year),
    }


def _alert_counts(
    region: FinanceRegion, year: int
) -> tuple[dict[int, dict[int, int]], dict[int, int], dict[str, Any]]:
    """(counts by period month and level, open counts by level, the screen's totals)."""
    rows = (
        Alert.objects.filter(region=region, year=year)
        .values("period", "level", "status", "handling")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    by_month = {m: {int(lv): 0 for lv in AlertLevel} for m in range(1, 13)}
    open_by_level = {int(lv): 0 for lv in AlertLevel}
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
        if row["level"] == AlertLevel.SEVERE:
            totals["severe"] += n
        if row["handling"] != Alert.Handling.NEW:
            totals["handled"] += n
            totals["handled_amount"] += amount
        if row["status"] == Alert.Status.OPEN:
            totals["open"] += n
            totals["open_amount"] += amount
            open_by_level[row["level"]] += n
            if row["level"] == AlertLevel.SEVERE and row["handling"] == Alert.Handling.NEW:
                totals["severe_unhandled"] += n
    totals["handled_rate"] = rate(Decimal(totals["handled"]), Decimal(totals["all"]))
    return by_month, open_by_level, totals


def _open_severe(region: FinanceRegion, year: int) -> list[dict[str, Any]]:
    severe = (
        Alert.objects.filter(
            region=region, year=year, status=Alert.Status.OPEN, level=AlertLevel.SEVERE
        )
        .select_related("rule", "unit")
        .order_by("-amount", "-raised_at", "id")[:OPEN_SEVERE_SIZE]
    )
    return [
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
    ]


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
