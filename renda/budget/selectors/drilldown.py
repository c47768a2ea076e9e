"""Dashboard drill-down: one functional class across units, one unit across its indicators."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from renda.budget.models import (
    BudgetIndicator,
    BudgetUnit,
    FinanceRegion,
)
from renda.budget.selectors.dashboards import class_names
from renda.budget.selectors.figures import (
    ZERO,
    as_of_date,
    available,
    execution_row,
    paid,
    time_progress,
)

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
            execution_row(
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
        "total": execution_row(
            total_avail, total_paid, progress, count=sum(r["count"] for r in rows)
        ),
    }


def _indicator_row(
    found: BudgetIndicator | None,
    budget: Decimal,
    payments: tuple[Decimal, int],
    pk: int | None,
    progress: Decimal,
) -> dict[str, Any]:
    """One indicator's row on the unit page (an indicator deleted since it was paid from
    still shows, as 指标已删除; pk None is the payments without a known indicator)."""
    amount, count = payments
    return execution_row(
        budget,
        amount,
        progress,
        id=pk,
        bgt_id=found.bgt_id if found else "",
        kind=found.get_kind_display() if found else "指标已删除" if pk else "无指标或指标未知",
        project=found.project_name if found else "",
        func_code=found.func_code if found else "",
        fund_type=found.fund_type if found else "",
        thr_exp=found.get_thr_exp_display() if found and found.thr_exp else "",
        count=count,
    )


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
    rows = [
        _indicator_row(
            known.get(pk), amounts.get(pk, ZERO), pays.get((pk,), (ZERO, 0)), pk, progress
        )
        for pk in sorted(set(amounts) | {k[0] for k in pays if k[0] is not None}, key=str)
    ]
    rows.sort(key=lambda r: r["bgt_id"])
    if (None,) in pays:
        rows.append(_indicator_row(None, ZERO, pays[(None,)], None, progress))
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
        "total": execution_row(
            total_avail, total_paid, progress, count=sum(r["count"] for r in rows)
        ),
    }
