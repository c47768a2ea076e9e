"""Statistics: county overview, per township and per station (paginated), by month; ECharts
charts and Excel export. A clerk sees their own stations' figures only."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.accounts.permissions import acting_user
from renda.core import audit
from renda.core.roles import Role, role_required
from renda.lib.excel import xlsx_response

from ..forms import YearForm
from ..permissions import clerk_station_ids, stations_for
from ..selectors import (
    Figures,
    Row,
    county_figures,
    monthly_figures,
    station_rows,
    stats_cube,
    township_rows,
)

PAGE_SIZE = 50


def _scope(request: HttpRequest) -> tuple[int, Any, list[int] | None, Any]:
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    region = None
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        region = form.cleaned_data.get("region")
    stations = stations_for(request.user).order_by("region__code", "code")
    user = acting_user(request)
    ids = clerk_station_ids(user) if user.role == Role.STAFF else None
    if region is not None:
        stations = stations.filter(region=region)
        ids = list(stations.values_list("pk", flat=True))
    return year, form, ids, stations


def _chart(rows: list[Row]) -> dict[str, Any]:
    return {
        "months": [r.label for r in rows],
        "receptions": [r.figures.receptions for r in rows],
        "opinions": [r.figures.opinions for r in rows],
        "solved": [r.figures.solved for r in rows],
        "duty": [r.figures.duty_days for r in rows],
    }


@role_required(Role.STAFF, Role.SC_MEMBER)
def stats(request: HttpRequest) -> HttpResponse:
    year, form, ids, stations = _scope(request)
    cube = stats_cube(year, ids)  # one scan per table for every figure on the page
    months = monthly_figures(year, ids, cube)
    page = Paginator(stations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    towns = township_rows(year, ids, cube)
    return render(
        request,
        "stations/stats.html",
        {
            "form": form,
            "year": year,
            "total": _sum(months),
            "months": months,
            "townships": towns,
            "station_rows": station_rows(year, page.object_list, cube),
            "page": page,
            "query": query.urlencode(),
            "chart": _chart(months),
            "town_chart": {
                "names": [r.label for r in towns],
                "opinions": [r.figures.opinions for r in towns],
                "solved": [r.figures.solved for r in towns],
            },
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def stats_export(request: HttpRequest) -> HttpResponse:
    year, _, ids, stations = _scope(request)
    headers = [
        "站点",
        "乡镇（街道）",
        "接待群众",
        "收集意见",
        "解决问题",
        "已评价",
        "满意率(%)",
        "代表进站人次",
        "未办结",
    ]

    cube = stats_cube(year, ids)

    def rows() -> Any:
        yield ["【全市合计】", "", *_cells(county_figures(year, ids, cube))]
        for town in township_rows(year, ids, cube):
            yield [f"【{town.label}】", town.label, *_cells(town.figures)]
        chunk: list[Any] = []
        for station in stations.iterator(chunk_size=500):
            chunk.append(station)
            if len(chunk) == 500:
                yield from (
                    [r.label, r.region, *_cells(r.figures)] for r in station_rows(year, chunk, cube)
                )
                chunk = []
        yield from (
            [r.label, r.region, *_cells(r.figures)] for r in station_rows(year, chunk, cube)
        )

    audit.record(actor=request.user, action="station.stats_export", details={"year": year})
    return xlsx_response(
        f"{year}年站点统计", headers, rows(), filename=f"代表工作站点统计-{year}.xlsx"
    )


def _sum(rows: list[Row]) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total


def _cells(f: Any) -> list[Any]:
    return [
        f.receptions,
        f.opinions,
        f.solved,
        f.rated,
        f.satisfaction if f.satisfaction is not None else "",
        f.duty_days,
        f.open,
    ]
