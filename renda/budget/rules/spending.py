"""Aggregate rules on spending: execution progress, over-indicator payments, year-end rush, split payments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)

from renda.budget.models import PayeeSummary, Payment
from renda.budget.rules.base import Context, Finding, month_start, pct, tier, yuan
from renda.budget.rules.findings import (
    as_decimal,
    attach_indicators,
    lowest_rate,
    ratio_of,
    shown,
    unit_finding,
    unit_label,
    unit_totals,
)

# --- aggregate rules --------------------------------------------------------------------


def _b01(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    if ctx.as_of < dt.date(ctx.year, int(p["start_month"]), 1):
        return []
    lowest = lowest_rate(p)
    if lowest is None:
        return []
    # lag = time progress − paid ÷ available ≥ the lowest threshold; a cent of slack for
    # the rounding of the rate, which `tier` below then judges exactly.
    rows = unit_totals(
        ctx,
        min_available=p["min_indicators"],
        where="t.paid * 100 <= (CAST(%s AS NUMERIC) - CAST(%s AS NUMERIC) + 0.01) * t.total",
        params=[ctx.time_progress, lowest],
    )
    findings = []
    for unit_id, amount, spent in rows:
        rate = ratio_of(spent, amount) or Decimal(0)
        lag = ctx.time_progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        name = unit_label(ctx, unit_id)[1]
        findings.append(
            unit_finding(
                ctx,
                unit_id,
                level=level,
                amount=amount - spent,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}支出{yuan(spent)}元，占指标{yuan(amount)}元的{pct(rate)}，"
                    f"时间进度{pct(ctx.time_progress)}，落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "指标（元）": str(amount),
                    "支出（元）": str(spent),
                    "支出进度（%）": shown(rate),
                    "时间进度（%）": shown(ctx.time_progress),
                    "落后（百分点）": shown(lag),
                },
            )
        )
    attach_indicators(ctx, findings)
    return findings


def _b02(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    """Compared in the database: only the indicators paid beyond their available amount
    come back (of ~10^4 at province scale, a handful)."""
    paid_sql, paid_params = ctx.paid_sql("indicator_id")
    available_sql, available_params = ctx.available_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, a.unit_id, a.bgt_id, a.available, paid.total FROM ({paid_sql}) paid "  # noqa: S608 - SQL of ours
            f"JOIN ({available_sql}) a ON a.id = paid.key WHERE paid.total > a.available",
            [*paid_params, *available_params],
        )
        over = {
            pk: (
                {"unit_id": unit_id, "bgt_id": bgt_id, "available": as_decimal(available)},
                as_decimal(total),
            )
            for pk, unit_id, bgt_id, available, total in cursor.fetchall()
        }
    evidence = _largest_payments(ctx, over)
    findings = []
    for pk, (info, spent) in over.items():
        excess = spent - info["available"]
        code, name = unit_label(ctx, info["unit_id"])
        rate = ratio_of(spent, info["available"])
        findings.append(
            Finding(
                subject_key=info["bgt_id"],
                subject_label=f"{info['bgt_id']} {name}",
                period=ctx.period,
                level=int(p["level"]),
                unit_id=info["unit_id"],
                amount=excess,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}指标{info['bgt_id']}调整后可用"
                    f"{yuan(info['available'])}元，已支付{yuan(spent)}元（{pct(rate)}），"
                    f"超出{yuan(excess)}元。"
                ),
                figures={
                    "可用指标（元）": str(info["available"]),
                    "已支付（元）": str(spent),
                    "超出（元）": str(excess),
                },
                evidence={"indicators": [pk], "payments": evidence.get(pk, [])},
            )
        )
    return findings


EVIDENCE_PER_SUBJECT = 50


def _largest_payments(ctx: Context, indicators: Iterable[int]) -> dict[int, list[int]]:
    """The largest payments of each indicator (evidence), in one query for all of them."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    ids = list(indicators)
    if not ids:
        return {}
    ranked = (
        Payment.objects.filter(
            region=ctx.region, year=ctx.year, is_void=False, indicator_id__in=ids
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=F("amount").desc())
        )
        .filter(rank__lte=EVIDENCE_PER_SUBJECT)
        .values_list("indicator_id", "pk")
    )
    out: dict[int, list[int]] = defaultdict(list)
    for indicator_id, pk in ranked:
        out[indicator_id].append(pk)
    return out


def _b04(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    if ctx.as_of < dt.date(ctx.year, int(p["from_month"]), 1):
        return []
    lowest = lowest_rate(p)
    if lowest is None:
        return []
    rows = unit_totals(
        ctx,
        min_available=p["min_indicators"],
        months=range(int(p["from_month"]), 13),
        keep_unpaid=False,
        where="t.paid * 100 >= (CAST(%s AS NUMERIC) - 0.01) * t.total",
        params=[lowest],
    )
    findings = []
    for unit_id, whole, amount in rows:
        share = ratio_of(amount, whole) or Decimal(0)
        level = tier(share, p, strict=("warning", "severe", "notice"))
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
                    f"{name}{int(p['from_month'])}月以来支出{yuan(amount)}元，占全年指标{yuan(whole)}元的{pct(share)}，"
                    f"超过{p['warning']}%，有年底突击花钱之嫌。"
                ),
                figures={
                    "年末支出（元）": str(amount),
                    "全年指标（元）": str(whole),
                    "占比（%）": shown(share),
                },
            )
        )
    return findings


def _b07(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    """Windows of `days` days in which one unit paid one payee ≥ 2 times, each below the
    single-payment limit, together reaching the total. First one GROUP BY keeps the (unit,
    payee) pairs whose payments could reach the total at all (on 10^7 payments a handful);
    then a window function over just those pairs' payments finds the windows."""
    single, total, days = p["single_below"], p["total"], int(p["days"])
    base = Payment.objects.filter(
        region=ctx.region,
        year=ctx.year,
        is_void=False,
        pay_date__lte=ctx.as_of,
        kind=Payment.Kind.PAYMENT,
        amount__lt=single,
    )
    new_payments = ctx.payments().filter(kind=Payment.Kind.PAYMENT, amount__lt=single)
    spans: list[tuple[dt.date, dt.date]] = []  # incremental: dates of the new payments
    if ctx.has_summaries:
        pairs, spans = _b07_pairs_from_summary(ctx, total, new_payments)
    else:
        if ctx.batch_id is not None:
            span = new_payments.aggregate(first=Min("pay_date"), last=Max("pay_date"))
            spans = [(span["first"], span["last"])] if span["first"] else []
            if not spans:
                return []
            base = base.filter(pay_date__gte=spans[0][0] - dt.timedelta(days - 1))
        pairs = list(
            base.values("unit_id", "payee_name")
            .annotate(n=Count("id"), s=Sum("amount"))
            .filter(n__gte=2, s__gte=total)
            .values_list("unit_id", "payee_name")
            .order_by()
        )
    if ctx.batch_id is not None and pairs:
        # Incremental: a window that holds a new payment lies within `days` of the new
        # payments' dates, so only that stretch of the year is read.
        margin = dt.timedelta(days - 1)
        base = base.filter(
            pay_date__gte=min(first for first, _ in spans) - margin,
            pay_date__lte=max(last for _, last in spans) + margin,
        )
    if not pairs:
        return []
    findings: list[Finding] = []
    for start in range(0, len(pairs), 500):
        findings.extend(_b07_windows(ctx, p, base, pairs[start : start + 500]))
    return findings


def _b07_pairs_from_summary(
    ctx: Context, total: Decimal, new_payments: QuerySet[Payment]
) -> tuple[list[tuple[int, str]], list[tuple[dt.date, dt.date]]]:
    """The candidate (unit, payee) pairs and, in an incremental run, the new payments'
    date spans. The payee summary (one row per pair: all its payments, of any size and date)
    over-counts, so it can only let through too many pairs, never drop one; the windows are
    exact. It holds ~15 times fewer rows than the payments, and it already counts a new
    batch: the import adds it in the same transaction. An index on the amount finds the few
    pairs that can reach the total at all."""
    pairs = list(
        PayeeSummary.objects.filter(
            region=ctx.region, year=ctx.year, count__gte=2, amount__gte=total
        ).values_list("unit_id", "payee_name")
    )
    if ctx.batch_id is None or not pairs:
        return pairs, []
    # Incremental: a new window holds a new payment, so only the pairs it paid, and their new
    # payments' dates. (Two steps on purpose: joined, the planner misjudges the batch and
    # probes the summary once per new payment.)
    paid_now = {
        (row["unit_id"], row["payee_name"]): (row["first"], row["last"])
        for row in new_payments.filter(
            unit_id__in={unit_id for unit_id, _ in pairs},
            payee_name__in={payee for _, payee in pairs},
        )
        .values("unit_id", "payee_name")
        .annotate(first=Min("pay_date"), last=Max("pay_date"))
        .order_by()
    }
    return [pair for pair in pairs if pair in paid_now], list(paid_now.values())


def _b07_windows(
    ctx: Context, p: dict[str, Any], base: QuerySet[Payment], pairs: list[tuple[int, str]]
) -> list[Finding]:
    days = int(p["days"])
    asked = set(pairs)
    findings: list[Finding] = []
    last_end: dict[tuple[int, str], dt.date] = {}
    for unit_id, payee, first, window_total, n in _b07_window_starts(base, pairs, p):
        if isinstance(first, str):
            first = dt.date.fromisoformat(first)
        key = (unit_id, payee)
        if key not in asked:
            continue
        # Overlapping windows of one pair describe one split: report the first of them.
        if key in last_end and first <= last_end[key]:
            continue
        last_end[key] = first + dt.timedelta(days - 1)
        ids = list(
            base.filter(
                unit_id=unit_id, payee_name=payee, pay_date__gte=first, pay_date__lte=last_end[key]
            ).values_list("pk", flat=True)
        )
        if (
            ctx.batch_id is not None
            and not Payment.objects.filter(pk__in=ids, batch_id=ctx.batch_id).exists()
        ):
            continue  # an incremental run reports only windows that hold a new payment
        findings.append(_b07_finding(ctx, p, unit_id, payee, first, Decimal(window_total), n, ids))
    return findings


def _b07_window_starts(
    base: QuerySet[Payment], pairs: list[tuple[int, str]], p: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """(unit, payee, first day, window total, count) of every window that reaches the total,
    in order, for the pairs' units and payees."""
    total, days = p["total"], int(p["days"])
    # Every unit with every payee of the pairs: two IN lists the database hashes (the (unit,
    # date) index picks the units' rows), where 172 ORed pairs cost 485k rows × 172 tests
    # (2.2 s at province scale). The extra pairs this lets in are dropped by the caller.
    wanted = Q(
        unit_id__in=sorted({unit_id for unit_id, _ in pairs}),
        payee_name__in=sorted({payee for _, payee in pairs}),
    )
    rows_sql, rows_params = (
        base.filter(wanted)
        .values("id", "unit_id", "payee_name", "pay_date", "amount")
        .order_by()
        .query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        order = "r.pay_date"
        frame = f"RANGE BETWEEN CURRENT ROW AND INTERVAL '{days - 1} days' FOLLOWING"
    else:
        order, frame = (
            "julianday(r.pay_date)",
            f"RANGE BETWEEN CURRENT ROW AND {days - 1} FOLLOWING",
        )
    # Only whole numbers (`days`, validated) and compiled ORM SQL are formatted in.
    sql = f"""
        WITH w AS (
            SELECT r.unit_id, r.payee_name, r.pay_date,
                   SUM(r.amount) OVER (PARTITION BY r.unit_id, r.payee_name ORDER BY {order} {frame}) AS window_total,
                   COUNT(*) OVER (PARTITION BY r.unit_id, r.payee_name ORDER BY {order} {frame}) AS window_n
            FROM ({rows_sql}) r
        )
        SELECT unit_id, payee_name, pay_date, window_total, window_n FROM w
        WHERE window_total >= CAST(%s AS NUMERIC) AND window_n >= 2
        ORDER BY unit_id, payee_name, pay_date
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, total])
        return list(cursor.fetchall())


def _b07_finding(
    ctx: Context,
    p: dict[str, Any],
    unit_id: int,
    payee: str,
    first: dt.date,
    window_total: Decimal,
    n: int,
    ids: list[int],
) -> Finding:
    single, total, days = p["single_below"], p["total"], int(p["days"])
    code, name = unit_label(ctx, unit_id)
    return Finding(
        subject_key=f"{code}|{payee}|{first.isoformat()}",
        subject_label=f"{name} → {payee}（{first:%m月%d日}起）",
        period=month_start(first),
        level=int(p["level"]),
        unit_id=unit_id,
        amount=window_total,
        explanation=(
            f"{name}自{first:%Y年%m月%d日}起{days}天内向{payee}支付{n}笔，每笔不足{yuan(single)}元，"
            f"合计{yuan(window_total)}元，达到{yuan(total)}元，疑似拆分支付规避限额。"
        ),
        figures={"笔数": n, "合计（元）": str(window_total), "起始日期": first.isoformat()},
        evidence={"payments": ids[:200]},
    )
