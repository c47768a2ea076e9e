"""Aggregate rules on the other figures: three public expenses, revenue, adjustments, debt, projects."""

from __future__ import annotations

import calendar
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Max,
    Q,
    Sum,
)

from renda.budget.models import (
    AlertLevel,
    BudgetAdjustment,
    BudgetIndicator,
    ClassificationCode,
    DebtMonth,
    ProjectReport,
    RevenueBudget,
    RevenueReceipt,
    ThreePublic,
)
from renda.budget.rules.base import CENT, HUNDRED, Context, Finding, Param, pct, tier, yuan
from renda.budget.rules.findings import (
    as_decimal,
    attach_indicators,
    ratio_of,
    shown,
    unit_finding,
    unit_label,
)


def _b09(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    units = None
    if ctx.batch_id is not None:
        # Incremental: only a unit that made a 三公 payment in this batch can have changed.
        units = set(
            ctx.payments()
            .exclude(thr_exp="")
            .values_list("unit_id", flat=True)
            .distinct()
            .order_by()
        )
        if not units:
            return []
    only = {"unit_id__in": sorted(units)} if units is not None else {}
    paid_sql, paid_params = ctx.paid_sql("unit_id", thr_exp__in=ThreePublic.values, **only)
    available_sql, available_params = ctx.available_sql()
    with connection.cursor() as cursor:
        # Per unit: its 三公 payments beside the available amount of its 三公 indicators.
        cursor.execute(
            f"SELECT paid.key, paid.total, COALESCE(b.total, 0) FROM ({paid_sql}) paid "  # noqa: S608 - SQL of ours
            f"LEFT JOIN (SELECT a.unit_id, SUM(a.available) AS total FROM ({available_sql}) a "
            "WHERE a.thr_exp <> '' GROUP BY a.unit_id) b ON b.unit_id = paid.key",
            [*paid_params, *available_params],
        )
        rows = [(unit_id, as_decimal(s), as_decimal(b)) for unit_id, s, b in cursor.fetchall()]
    findings = []
    for unit_id, amount, whole in rows:
        if amount <= 0:
            continue
        ratio = ratio_of(amount, whole)
        level = int(AlertLevel.SEVERE) if ratio is None else tier(ratio, p, strict=("severe",))
        if level is None:
            continue
        name = unit_label(ctx, unit_id)[1]
        findings.append(
            unit_finding(
                ctx,
                unit_id,
                level=level,
                amount=amount,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}“三公”经费支出{yuan(amount)}元，"
                    + (
                        f"为预算{yuan(whole)}元的{pct(ratio)}。"
                        if ratio is not None
                        else "但没有“三公”经费预算。"
                    )
                ),
                figures={
                    "三公支出（元）": str(amount),
                    "三公预算（元）": str(whole),
                    "比例（%）": shown(ratio),
                },
            )
        )
    attach_indicators(ctx, findings, three_public=True)
    return findings


def _b10(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    budget = dict(
        RevenueBudget.objects.filter(region=ctx.region, year=ctx.year).values_list(
            "revenue_code", "amount"
        )
    )
    if not budget:
        return []
    received = {
        row["revenue_code"]: row["total"]
        for row in RevenueReceipt.objects.filter(
            region=ctx.region, year=ctx.year, receipt_date__lte=ctx.as_of
        )
        .values("revenue_code")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    names = _revenue_names(ctx.year)
    rows = [
        (code, names.get(code, code), amount, received.get(code, Decimal(0)))
        for code, amount in budget.items()
    ]
    rows.append(
        (
            "total",
            "收入合计",
            sum(budget.values(), Decimal(0)),
            sum(received.get(c, Decimal(0)) for c in budget),
        )
    )
    findings = []
    for code, name, amount, got in rows:
        rate = ratio_of(got, amount)
        if rate is None:
            continue
        lag = ctx.time_progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        findings.append(
            Finding(
                subject_key=code,
                subject_label=name,
                period=ctx.period,
                level=level,
                amount=max(amount * ctx.time_progress / HUNDRED - got, Decimal(0)).quantize(CENT),
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}入库{yuan(got)}元，为预算{yuan(amount)}元的{pct(rate)}，"
                    f"时间进度{pct(ctx.time_progress)}，落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "预算（元）": str(amount),
                    "入库（元）": str(got),
                    "完成（%）": shown(rate),
                    "时间进度（%）": shown(ctx.time_progress),
                },
            )
        )
    return findings


def _revenue_names(year: int) -> dict[str, str]:
    return dict(
        ClassificationCode.objects.filter(
            scheme=ClassificationCode.Scheme.REVENUE, year=year
        ).values_list("code", "name")
    )


def _b13(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    adjustments = BudgetAdjustment.objects.filter(
        region=ctx.region, year=ctx.year, adj_date__lte=ctx.as_of
    )
    unit_of = {pk: i["unit_id"] for pk, i in ctx.indicators.items()}
    counts: dict[int, set[int]] = defaultdict(set)
    inflow: dict[int, Decimal] = defaultdict(Decimal)
    for pk, src, dst, amount in adjustments.values_list(
        "pk", "from_indicator_id", "to_indicator_id", "amount"
    ):
        src_unit, dst_unit = unit_of.get(src), unit_of.get(dst)
        for unit in {src_unit, dst_unit} - {None}:
            counts[unit].add(pk)  # type: ignore[index]
        if dst_unit is not None and src_unit != dst_unit:
            inflow[dst_unit] += amount
    initial: dict[int, Decimal] = defaultdict(Decimal)
    for info in ctx.indicators.values():
        if info["kind"] == BudgetIndicator.Kind.INITIAL:
            initial[info["unit_id"]] += info["amount"]  # as first approved, before any change
    findings = []
    for unit_id in set(counts) | set(inflow):
        n = len(counts.get(unit_id, ()))
        share = ratio_of(inflow.get(unit_id, Decimal(0)), initial.get(unit_id, Decimal(0)))
        levels, reasons = [], []
        if n > int(p["count"]):
            levels.append(int(p["count_level"]))
            reasons.append(f"全年调剂{n}次（超过{int(p['count'])}次）")
        if share is not None and share > p["inflow_percent"]:
            levels.append(int(p["inflow_level"]))
            reasons.append(
                f"调入资金{yuan(inflow[unit_id])}元，占年初指标的{pct(share)}（超过{p['inflow_percent']}%）"
            )
        if not levels:
            continue
        name = unit_label(ctx, unit_id)[1]
        findings.append(
            unit_finding(
                ctx,
                unit_id,
                level=max(levels),
                amount=inflow.get(unit_id, Decimal(0)),
                explanation=f"截至{ctx.as_of:%Y年%m月%d日}，{name}" + "；".join(reasons) + "。",
                figures={
                    "调剂次数": n,
                    "调入金额（元）": str(inflow.get(unit_id, Decimal(0))),
                    "调入占年初指标（%）": shown(share),
                },
            )
        )
    return findings


def _b14(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    row = (
        DebtMonth.objects.filter(region=ctx.region, year=ctx.year, month__lte=ctx.as_of.month)
        .exclude(financial_capacity__isnull=True)
        .exclude(financial_capacity=0)
        .order_by("-month")
        .first()
    )
    if row is None:
        return []
    balance = row.general_balance + row.special_balance
    capacity = row.financial_capacity or Decimal(0)
    ratio = ratio_of(balance, capacity) or Decimal(0)
    level = tier(ratio, p)
    if level is None:
        return []
    return [
        Finding(
            subject_key=ctx.region.code,
            subject_label=ctx.region.name,
            period=ctx.period,
            level=level,
            # The debt beyond the comprehensive financial capacity (a ratio above 100 %),
            # not the whole balance, is what the alert puts at stake.
            amount=max(balance - capacity, Decimal(0)),
            explanation=(
                f"{ctx.year}年{row.month}月末，{ctx.region.name}政府债务余额{yuan(balance)}元，"
                f"综合财力{yuan(row.financial_capacity)}元，债务率{pct(ratio)}。"
            ),
            figures={
                "债务余额（元）": str(balance),
                "综合财力（元）": str(row.financial_capacity),
                "债务率（%）": shown(ratio),
                "月份": row.month,
            },
        )
    ]


def _b15(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    reports = ProjectReport.objects.filter(
        region=ctx.region, year=ctx.year, report_date__lte=ctx.as_of
    )
    latest = reports.values("project_code").annotate(last=Max("report_date")).order_by()
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(project_code=row["project_code"], report_date=row["last"])
    findings = []
    for report in reports.filter(wanted):
        if not report.annual_plan:
            continue
        days = 366 if calendar.isleap(report.report_date.year) else 365
        progress = Decimal(report.report_date.timetuple().tm_yday) * HUNDRED / days
        rate = ratio_of(report.annual_completed, report.annual_plan) or Decimal(0)
        lag = progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        findings.append(
            Finding(
                subject_key=report.project_code,
                subject_label=report.project_name,
                period=ctx.period,
                level=level,
                amount=report.annual_plan - report.annual_completed,
                explanation=(
                    f"截至{report.report_date:%Y年%m月%d日}，{report.project_name}本年完成投资{yuan(report.annual_completed)}元，"
                    f"为年度计划{yuan(report.annual_plan)}元的{pct(rate)}，时间进度{pct(progress)}，"
                    f"落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "年度计划（元）": str(report.annual_plan),
                    "本年完成（元）": str(report.annual_completed),
                    "完成（%）": shown(rate),
                    "时间进度（%）": shown(progress),
                },
            )
        )
    return findings


def _tiers(
    notice: Any, warning: Any, severe: Any, *, kind: str = "points", low: Any = 0, high: Any = 100
) -> tuple[Param, ...]:
    labels = {"points": "落后（百分点）", "percent": "比例（%）"}[kind]
    out = []
    for name, cn, value in (
        ("notice", "提示", notice),
        ("warning", "警告", warning),
        ("severe", "严重", severe),
    ):
        out.append(
            Param(
                name,
                f"{cn}阈值：{labels}",
                kind,
                None if value is None else Decimal(str(value)),
                Decimal(str(low)),
                Decimal(str(high)),
                optional=True,
            )
        )
    return tuple(out)
