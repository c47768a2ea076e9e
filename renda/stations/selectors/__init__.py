"""Reads of the stations module: statistics by station, township and month, the roster
views, and the public pages. Every function runs a fixed number of grouped queries, whatever
the number of stations or opinions (bounded queries at province scale)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from renda.deputies.models import Deputy

from ..models import SOLVED_Q, DutyAssignment, DutySlot, Opinion, Reception, Station
from ..rules import rules

GOOD_RATINGS = (Opinion.Rating.SATISFIED, Opinion.Rating.BASIC)


@dataclass
class Figures:
    """What the statistics pages show for one station, township, month or the county."""

    receptions: int = 0
    opinions: int = 0
    solved: int = 0
    rated: int = 0
    satisfied: int = 0  # satisfied or basically satisfied
    duty_days: int = 0  # completed deputy duties (one deputy, one reception day)
    closed: int = 0
    open: int = 0

    @property
    def satisfaction(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    def add(self, other: Figures) -> None:
        for name in (
            "receptions",
            "opinions",
            "solved",
            "rated",
            "satisfied",
            "duty_days",
            "closed",
            "open",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    key: Any
    label: str
    region: str = ""
    figures: Figures = field(default_factory=Figures)


def _year_filters(year: int, station_ids: Iterable[int] | None) -> dict[str, Q]:
    scope = {} if station_ids is None else {"station_id__in": list(station_ids)}
    slot_scope = {} if station_ids is None else {"slot__station_id__in": list(station_ids)}
    return {
        "reception": Q(received_at__year=year, **scope),
        "opinion": Q(created_at__year=year, **scope),
        "duty": Q(
            slot__date__year=year,
            checked_out_at__isnull=False,
            **slot_scope,
        ),
    }


OPINION_METRICS: dict[str, Any] = {
    "opinions": Q(),
    "solved": SOLVED_Q,
    "rated": ~Q(rating=""),
    "satisfied": Q(rating__in=GOOD_RATINGS),
    "closed": Q(state__in=("closed", "rejected")),
}


def _fill(fig: Figures, values: dict[str, int]) -> Figures:
    for name, value in values.items():
        setattr(fig, name, value or 0)
    fig.open = fig.opinions - fig.closed
    return fig


Cell = tuple[int | None, int]  # (station id, month 1–12)


def _month_of(field: str, year: int, *, dates: bool) -> Case:
    """The month of `field` as a CASE over twelve ranges: plain comparisons the index can
    serve, and no per-row date function (which SQLite would run in Python)."""
    zone = timezone.get_current_timezone()
    whens = []
    for m, (a, b) in enumerate(_month_bounds(year), start=1):
        low: Any = a if dates else dt.datetime.combine(a, dt.time.min, tzinfo=zone)
        high: Any = b if dates else dt.datetime.combine(b, dt.time.min, tzinfo=zone)
        whens.append(When(**{f"{field}__gte": low, f"{field}__lt": high}, then=Value(m)))
    return Case(*whens, output_field=IntegerField())


@dataclass
class StatsCube:
    """The year's figures per (station, month), from three grouped queries (one per table).
    Every statistic on the page — county, month, township, station — is a sum over it, so
    the page scans each table once whatever the number of stations or opinions."""

    cells: dict[Cell, Figures]

    def total(self) -> Figures:
        fig = Figures()
        for cell in self.cells.values():
            fig.add(cell)
        return fig

    def by(self, key: Any) -> dict[Any, Figures]:
        result: dict[Any, Figures] = defaultdict(Figures)
        for cell_key, cell in self.cells.items():
            result[key(cell_key)].add(cell)
        return result


def stats_cube(year: int, station_ids: Iterable[int] | None = None) -> StatsCube:
    ids = list(station_ids) if station_ids is not None else None
    f = _year_filters(year, ids)
    cells: dict[Cell, Figures] = defaultdict(Figures)
    receptions = (
        Reception.objects.filter(f["reception"])
        .annotate(month=_month_of("received_at", year, dates=False))
        .values("station_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in receptions:
        cells[(row["station_id"], row["month"])].receptions = row["n"]
    opinions = (
        Opinion.objects.filter(f["opinion"])
        .annotate(month=_month_of("created_at", year, dates=False))
        .values("station_id", "month")
        .annotate(**{name: Count("id", filter=q) for name, q in OPINION_METRICS.items()})
        .order_by()
    )
    for row in opinions:
        _fill(cells[(row.pop("station_id"), row.pop("month"))], row)
    duties = (
        DutyAssignment.objects.filter(f["duty"])
        .annotate(month=_month_of("slot__date", year, dates=True))
        .values("slot__station_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in duties:
        cells[(row["slot__station_id"], row["month"])].duty_days = row["n"]
    return StatsCube(dict(cells))


def _month_bounds(year: int) -> list[tuple[dt.date, dt.date]]:
    return [(dt.date(year, m, 1), dt.date(year + (m == 12), m % 12 + 1, 1)) for m in range(1, 13)]


def county_figures(
    year: int, station_ids: Iterable[int] | None = None, cube: StatsCube | None = None
) -> Figures:
    """Totals for the year (all stations, or those of ``station_ids``)."""
    return (cube or stats_cube(year, station_ids)).total()


def monthly_figures(
    year: int, station_ids: Iterable[int] | None = None, cube: StatsCube | None = None
) -> list[Row]:
    by_month = (cube or stats_cube(year, station_ids)).by(lambda key: key[1])
    return [Row(m, f"{m}月", figures=by_month.get(m, Figures())) for m in range(1, 13)]


def township_rows(
    year: int, station_ids: list[int] | None = None, cube: StatsCube | None = None
) -> list[Row]:
    """One row per township with stations (all of them, or those of ``station_ids``)."""
    stations = Station.objects.all()
    if station_ids is not None:
        stations = stations.filter(pk__in=station_ids)
    placed = list(stations.order_by().values_list("pk", "region_id", "region__name"))
    region_of = {pk: region for pk, region, _ in placed}
    names = {region: name for _, region, name in placed}
    grouped = (cube or stats_cube(year, station_ids)).by(lambda key: region_of.get(key[0]))
    return sorted(
        (Row(pk, name, figures=grouped.get(pk, Figures())) for pk, name in names.items()),
        key=lambda r: r.label,
    )


def station_rows(
    year: int, stations: Iterable[Station], cube: StatsCube | None = None
) -> list[Row]:
    """Rows for one page of stations (the caller paginates)."""
    page = list(stations)
    grouped = (cube or stats_cube(year, [s.pk for s in page])).by(lambda key: key[0])
    return [Row(s.pk, s.name, s.region.name, grouped.get(s.pk, Figures())) for s in page]


def deputy_duty_counts(year: int, station_ids: Iterable[int] | None = None) -> QuerySet[Deputy]:
    """Serving deputies placed at stations, with their completed duty days this year
    (``duty_days``) — one query."""
    qs = Deputy.objects.filter(status=Deputy.Status.ACTIVE, station_member__isnull=False)
    if station_ids is not None:
        qs = qs.filter(station_member__station_id__in=list(station_ids))
    return (
        qs.select_related("station_member__station", "term")
        .only("name", "station_member__station__name", "term__level", "region_id")
        .annotate(
            duty_days=Count(
                "station_duties",
                filter=Q(
                    station_duties__slot__date__year=year,
                    station_duties__checked_out_at__isnull=False,
                ),
            )
        )
    )


def deputies_below_minimum(year: int, station_ids: Iterable[int] | None = None) -> QuerySet[Deputy]:
    return (
        deputy_duty_counts(year, station_ids)
        .filter(duty_days__lt=rules().min_duty_days)  # type: ignore[misc]
        .order_by("station_member__station__code", "duty_days", "name")
    )


def upcoming_slots(station: Station, today: dt.date, *, published_only: bool) -> list[DutySlot]:
    qs = DutySlot.objects.filter(station=station, date__gte=today).exclude(
        status=DutySlot.Status.CANCELLED
    )
    if published_only:
        qs = qs.filter(status=DutySlot.Status.PUBLISHED)
    return list(
        qs.prefetch_related(
            Prefetch(
                "assignments",
                queryset=DutyAssignment.objects.select_related("deputy").only(
                    "slot_id", "deputy__name", "checked_in_at", "checked_out_at"
                ),
            )
        ).order_by("date", "start_time")[:10]
    )


def public_station_deputies(station: Station) -> QuerySet[Deputy]:
    """Public fields only; encrypted columns stay out of the query."""
    return (
        Deputy.objects.filter(
            station_member__station=station, status=Deputy.Status.ACTIVE, term__is_current=True
        )
        .select_related("term")
        .only("name", "gender", "occupation", "employer", "term__level")
        .order_by("term__level", "name")
    )


def recent_public_work(station: Station, limit: int = 8) -> list[dict[str, Any]]:
    """What the station did lately, without content or contact data: category, month, state."""
    rows = (
        Opinion.objects.filter(station=station)
        .exclude(state="rejected")
        .order_by("-created_at")
        .values("category", "created_at", "state", "reply_class")[:limit]
    )
    return [dict(row) for row in rows]


def opinion_counts_by_state(qs: QuerySet[Opinion]) -> dict[str, int]:
    return {row["state"]: row["n"] for row in qs.values("state").annotate(n=Count("id")).order_by()}


def station_counts() -> dict[str, int]:
    """Stations in use (一站一点): liaison stations, liaison points and both, in one query."""
    counts = Station.objects.filter(is_active=True).aggregate(
        station=Count("id", filter=Q(kind=Station.Kind.STATION)),
        point=Count("id", filter=Q(kind=Station.Kind.POINT)),
    )
    result = {key: value or 0 for key, value in counts.items()}
    result["total"] = result["station"] + result["point"]
    return result
