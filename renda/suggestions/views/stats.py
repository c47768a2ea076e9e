"""Handling statistics by unit, field and delegation, with their exports."""

from __future__ import annotations

from typing import Any, TypeVar

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.exports import Column, export_xlsx
from renda.core.roles import role_required

from .. import selectors
from ..forms import (
    StatsForm,
)
from ..permissions import READERS
from ..selectors import UnitRow

T = TypeVar("T")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _stats(request: AuthenticatedRequest) -> tuple[StatsForm, dict[str, Any]]:
    form = StatsForm(request.GET or None)
    term_id = year = None
    if form.is_valid():
        term_id = form.cleaned_data["term"].pk if form.cleaned_data["term"] else None
        year = form.cleaned_data["year"]
    return form, {"term_id": term_id, "year": year}


@role_required(*READERS)
def stats(request: AuthenticatedRequest) -> HttpResponse:
    form, scope = _stats(request)
    units = selectors.stats_by_unit(**scope)
    fields = selectors.stats_by_field(**scope)
    delegations = selectors.stats_by_delegation(**scope)
    classes = {c: sum((u.classes or {}).get(c, 0) for u in units) for c in "ABCD"}
    top = units[:20]
    chart = {
        "units": [u.name for u in top],
        "onTime": [round((u.on_time_rate or 0) * 100, 1) for u in top],
        "satisfaction": [round((u.satisfaction_rate or 0) * 100, 1) for u in top],
        "classes": [{"name": f"{c}类", "value": n} for c, n in classes.items()],
        "fields": [f["label"] for f in fields],
        "fieldTotals": [f["total"] for f in fields],
    }
    query = request.GET.copy()
    query.pop("table", None)
    return render(
        request,
        "suggestions/stats.html",
        {
            "form": form,
            "units": units,
            "fields": fields,
            "delegations": delegations,
            "chart": chart,
            "classes": classes,
            "query": query.urlencode(),
        },
    )


FIELD_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("分类", lambda f: f["label"]),
    Column("件数", lambda f: f["total"]),
    Column("已答复", lambda f: f["answered"]),
    Column("已办结", lambda f: f["closed"]),
    Column("重点督办", lambda f: f["key"]),
    Column("满意和基本满意", lambda f: f["satisfied"]),
    Column("已评价", lambda f: f["rated"]),
]
DELEGATION_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("代表团（组）", lambda d: d["label"]),
    Column("件数", lambda d: d["total"]),
    Column("领衔代表人数", lambda d: d["deputies"]),
    Column("已答复", lambda d: d["answered"]),
    Column("已办结", lambda d: d["closed"]),
    Column("满意和基本满意", lambda d: d["satisfied"]),
    Column("已评价", lambda d: d["rated"]),
]


def _class_column(c: str) -> Column[UnitRow]:
    return Column(f"{c}类", lambda u: (u.classes or {}).get(c, 0))


UNIT_COLUMNS: list[Column[UnitRow]] = [
    Column("承办单位", lambda u: u.name),
    Column("承办件数", lambda u: u.assigned),
    Column("首次答复", lambda u: u.replied_first),
    Column("按期答复", lambda u: u.on_time_first),
    Column("逾期未答复", lambda u: u.overdue_open),
    Column("按期答复率", lambda u: _pct(u.on_time_rate)),
    *[_class_column(c) for c in "ABCD"],
    Column("已评价", lambda u: u.rated),
    Column("满意", lambda u: u.satisfied),
    Column("基本满意", lambda u: u.basic),
    Column("不满意", lambda u: u.dissatisfied),
    Column("满意率（含基本满意）", lambda u: _pct(u.satisfaction_rate)),
]


@role_required(*READERS)
def stats_export(request: AuthenticatedRequest) -> HttpResponse:
    _, scope = _stats(request)
    table = request.GET.get("table", "unit")
    if table == "field":
        response = _stats_xlsx(request, table, FIELD_COLUMNS, selectors.stats_by_field(**scope))
    elif table == "delegation":
        rows = selectors.stats_by_delegation(**scope)
        response = _stats_xlsx(request, table, DELEGATION_COLUMNS, rows)
    else:
        response = _stats_xlsx(request, table, UNIT_COLUMNS, selectors.stats_by_unit(**scope))
    return response


def _stats_xlsx(
    request: AuthenticatedRequest, table: str, columns: list[Column[T]], rows: list[T]
) -> HttpResponse:
    return export_xlsx(
        title="办理统计",
        columns=columns,
        rows=rows,
        actor=request.user,
        action="suggestion.stats_export",
        details={"table": table},
        filename=f"建议办理统计-{table}-{timezone.localdate():%Y%m%d}.xlsx",
    )
