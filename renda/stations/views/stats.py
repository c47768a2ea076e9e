"""Statistics: county overview, per township and per station (paginated), by month; ECharts
charts and Excel export. A clerk sees their own stations' figures only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.exports import Column, export_xlsx
from renda.core.roles import Role, role_required

from ..forms import YearForm
from ..models import Station
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


def _scope(
    request: AuthenticatedRequest,
) -> tuple[int, YearForm, list[int] | None, QuerySet[Station]]:
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    region = None
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        region = form.cleaned_data.get("region")
    stations = stations_for(request.user).order_by("region__code", "code")
    user = request.user
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
def stats(request: AuthenticatedRequest) -> HttpResponse:
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


STATS_COLUMNS: list[Column[Row]] = [
    Column("站点", lambda r: r.label),
    Column("乡镇（街道）", lambda r: r.region),
    Column("接待群众", lambda r: r.figures.receptions),
    Column("收集意见", lambda r: r.figures.opinions),
    Column("解决问题", lambda r: r.figures.solved),
    Column("已评价", lambda r: r.figures.rated),
    Column(
        "满意率(%)",
        lambda r: r.figures.satisfaction if r.figures.satisfaction is not None else "",
    ),
    Column("代表进站人次", lambda r: r.figures.duty_days),
    Column("未办结", lambda r: r.figures.open),
]


def _export_rows(year: int, ids: list[int] | None, stations: QuerySet[Station]) -> Iterator[Row]:
    """The county total, each township, then every station (in chunks of 500)."""
    cube = stats_cube(year, ids)
    yield Row(None, "【全市合计】", "", county_figures(year, ids, cube))
    for town in township_rows(year, ids, cube):
        yield Row(town.key, f"【{town.label}】", town.label, town.figures)
    chunk: list[Station] = []
    for station in stations.iterator(chunk_size=500):
        chunk.append(station)
        if len(chunk) == 500:
            yield from station_rows(year, chunk, cube)
            chunk = []
    yield from station_rows(year, chunk, cube)


@role_required(Role.STAFF, Role.SC_MEMBER)
def stats_export(request: AuthenticatedRequest) -> HttpResponse:
    year, _, ids, stations = _scope(request)
    return export_xlsx(
        title=f"{year}年站点统计",
        columns=STATS_COLUMNS,
        rows=_export_rows(year, ids, stations),
        actor=request.user,
        action="station.stats_export",
        details={"year": year},
        filename=f"代表工作站点统计-{year}.xlsx",
    )


def _sum(rows: list[Row]) -> Figures:
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return total
