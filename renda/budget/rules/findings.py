"""Helpers the aggregate rules share: a finding about a unit, its label, ratios and the
units' totals, the indicators a rule counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Q,
    QuerySet,
)

from renda.budget.models.records import BudgetIndicator
from renda.budget.rules.base import CENT, HUNDRED, Context, Finding

# --- aggregate rules --------------------------------------------------------------------


def unit_finding(ctx: Context, unit_id: int, **fields: Any) -> Finding:
    """A finding about one budget unit in the as-of month (the unit rules' common shape)."""
    code, name = unit_label(ctx, unit_id)
    return Finding(
        subject_key=code, subject_label=name, period=ctx.period, unit_id=unit_id, **fields
    )


def unit_label(ctx: Context, unit_id: int) -> tuple[str, str]:
    return ctx.units.get(unit_id, (str(unit_id), str(unit_id)))


def ratio_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole in percent, exact (28 significant digits): thresholds compare this
    value; `shown` rounds it for figures and text. (Rounded first, 0.01 元 over a budget
    read 100.00 % and missed a "> 100" line.)"""
    return None if not whole else part * HUNDRED / whole


def shown(value: Decimal | None) -> str:
    """A ratio or progress figure as the alert's figures show it: two decimals."""
    return str(value) if value is None else str(value.quantize(CENT))


def unit_totals(
    ctx: Context,
    *,
    min_available: Decimal,
    months: Iterable[int] | None = None,
    keep_unpaid: bool = True,
    where: str = "TRUE",
    params: Iterable[Any] = (),
) -> list[tuple[int, Decimal, Decimal]]:
    """(unit, available, paid) per unit whose indicators reach `min_available`, computed in
    the database (`Context.available_sql`, `Context.paid_sql`); `where` (over `t.total`, the
    available amount, and `t.paid`, the payments) narrows what comes back, so that a rule
    brings back only the units it may report, not all of a province's. (Parameters are
    CAST: SQLite compares a number with text by type, not by value.)"""
    available_sql, available_params = ctx.available_sql()
    paid_sql, paid_params = ctx.paid_sql("unit_id", months=months)
    join = "LEFT JOIN" if keep_unpaid else "JOIN"
    # Only SQL of ours and the fixed strings of the callers are formatted in.
    sql = (
        "SELECT t.unit_id, t.total, t.paid FROM (SELECT a.unit_id, a.total, "  # noqa: S608
        "COALESCE(pd.total, 0) AS paid FROM ("
        f"SELECT x.unit_id, SUM(x.available) AS total FROM ({available_sql}) x GROUP BY x.unit_id) a "
        f"{join} ({paid_sql}) pd ON pd.key = a.unit_id) t "
        f"WHERE t.total >= CAST(%s AS NUMERIC) AND ({where})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*available_params, *paid_params, min_available, *params])
        return [(u, as_decimal(a), as_decimal(p)) for u, a, p in cursor.fetchall()]


def lowest_rate(p: dict[str, Any]) -> Decimal | None:
    values = [p[n] for n in ("notice", "warning", "severe") if p.get(n) is not None]
    return min(values) if values else None


def attach_indicators(ctx: Context, findings: list[Finding], *, three_public: bool = False) -> None:
    """Each unit finding's indicators as evidence (up to 200), for the units found only."""
    qs = counted_indicators(ctx).filter(unit_id__in=[f.unit_id for f in findings])
    if three_public:
        qs = qs.exclude(thr_exp="")
    evidence: dict[int, list[int]] = defaultdict(list)
    for unit_id, pk in qs.order_by("pk").values_list("unit_id", "pk"):
        evidence[unit_id].append(pk)
    for f in findings:
        f.evidence = {"indicators": evidence[f.unit_id or 0][:200]}


def as_decimal(value: Any) -> Decimal:
    # PostgreSQL returns numeric as Decimal; SQLite returns its sums as float or int.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def counted_indicators(ctx: Context) -> QuerySet[BudgetIndicator]:
    """The indicator rows `Context.indicators` counts: issued by the as-of date, 调减 rows
    naming another indicator left out (they count toward that one)."""
    return (
        BudgetIndicator.objects.filter(region=ctx.region, year=ctx.year)
        .filter(Q(doc_date__isnull=True) | Q(doc_date__lte=ctx.as_of))
        .exclude(kind=BudgetIndicator.Kind.REDUCTION, ori_bgt_id__gt="")
    )
