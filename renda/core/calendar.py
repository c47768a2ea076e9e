"""The working-day calendar on the Django side: staff overrides (``CalendarDay``) on top of
``renda.lib.workdays``, deadline computation, and the services that edit the calendar.

Overrides are read with one small query per call (a few dozen rows a year). We deliberately do
not cache them in the process: with several app servers a process cache would go stale in the
servers that did not make the edit. A caller that computes many deadlines at once (bulk 交办)
loads them once with ``load_overrides()`` and passes ``overrides=`` to each call.

Deadlines (docs/architecture.md §4.6) end at 23:59:59 Asia/Shanghai on the due day:
- ``workdays=n``: the n-th working day after the start date (start day not counted; see
  ``renda.lib.workdays``).
- ``months=n``: the same date n calendar months later; if that is not a working day, the next
  working day (民法典 第二百零三条: a period ending on a holiday ends on the day after it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.lib import workdays as lib
from renda.lib.workdays import Overrides

from . import audit
from .models import CalendarDay
from .roles import Actor

END_OF_DAY = dt.time(23, 59, 59)


def load_overrides() -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


def is_workday(day: dt.date, *, overrides: Overrides | None = None) -> bool:
    return lib.is_workday(day, load_overrides() if overrides is None else overrides)


def add_workdays(day: dt.date, n: int, *, overrides: Overrides | None = None) -> dt.date:
    return lib.add_workdays(day, n, load_overrides() if overrides is None else overrides)


def due_at(
    start: dt.datetime,
    *,
    workdays: int | None = None,
    months: int | None = None,
    overrides: Overrides | None = None,
) -> dt.datetime:
    """The aware datetime (Asia/Shanghai, 23:59:59) at which a period started at ``start`` ends.
    Exactly one of ``workdays`` and ``months`` must be given, and it must be positive."""
    if (workdays is None) == (months is None):
        raise ValueError("due_at needs exactly one of workdays= or months=")
    if (workdays or months or 0) <= 0:
        raise ValueError("a deadline period must be positive")
    if timezone.is_naive(start):
        raise ValueError("due_at needs an aware datetime")
    zone = timezone.get_default_timezone()  # settings.TIME_ZONE = "Asia/Shanghai"
    start_day = start.astimezone(zone).date()
    days = load_overrides() if overrides is None else overrides
    if workdays is not None:
        due_day = lib.add_workdays(start_day, workdays, days)
    else:
        assert months is not None
        due_day = lib.next_workday(lib.add_months(start_day, months), days)
    return dt.datetime.combine(due_day, END_OF_DAY, tzinfo=zone)


def entered_years(years: Iterable[int]) -> set[int]:
    """Years for which staff have entered at least one calendar row.

    Without a per-year marker model we take "any row in the year" to mean its schedule was
    entered (``import_year_schedule`` writes the whole year at once)."""
    wanted = set(years)
    if not wanted:
        return set()
    found = CalendarDay.objects.filter(date__year__in=wanted).dates("date", "year")
    return {d.year for d in found}


def missing_years(years: Iterable[int]) -> list[int]:
    """Years, sorted, that the package does not cover and staff have not entered: their
    deadlines fall back to "weekends off" and pages must say so."""
    uncovered = {y for y in years if not lib.year_is_covered(y)}
    return sorted(uncovered - entered_years(uncovered))


def missing_year_warnings(years: Iterable[int]) -> list[str]:
    return [
        f"{year} 年节假日安排尚未录入，期限暂按周六、周日休息推算；请到“工作日历”录入。"
        for year in missing_years(years)
    ]


def years_spanned(start: dt.date, end: dt.date) -> range:
    return range(min(start, end).year, max(start, end).year + 1)


# --- services (staff edits) ---------------------------------------------------------------


@transaction.atomic
def set_calendar_day(
    *, actor: Actor | None, date: dt.date, is_workday: bool, name: str = ""
) -> CalendarDay:
    """Create or change the override for one date (a date has at most one row)."""
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = None if day is None else {"is_workday": day.is_workday, "name": day.name}
    if day is None:
        day = CalendarDay(date=date)
    day.is_workday = is_workday
    day.name = name.strip()
    day.full_clean()
    day.save()
    audit.record(
        actor=actor,
        action="calendar.set_day",
        target=day,
        details={
            "date": date.isoformat(),
            "is_workday": is_workday,
            "name": day.name,
            "before": before,
        },
    )
    return day


@transaction.atomic
def delete_calendar_day(*, actor: Actor | None, day: CalendarDay) -> None:
    details = {"date": day.date.isoformat(), "is_workday": day.is_workday, "name": day.name}
    audit.record(actor=actor, action="calendar.delete_day", target=day, details=details)
    day.delete()


def _schedule_problems(
    year: int, holidays: Sequence[dt.date], workdays: Sequence[dt.date]
) -> list[str]:
    problems: list[str] = []
    if not holidays:
        problems.append("请至少填写一个放假日期。")
    for d in [*holidays, *workdays]:
        if d.year != year:
            problems.append(f"{d:%Y-%m-%d} 不在 {year} 年内。")
    for d in sorted(set(holidays) & set(workdays)):
        problems.append(f"{d:%Y-%m-%d} 同时出现在放假日期和调休上班日期中。")
    for d in sorted(set(workdays)):
        # A make-up working day is by definition a weekend day; a weekday here is a typo.
        if d.weekday() < 5:
            problems.append(f"{d:%Y-%m-%d} 是工作日（周一至周五），不必列为调休上班日，请核对。")
    return problems


@transaction.atomic
def import_year_schedule(
    *,
    actor: Actor | None,
    year: int,
    holidays: Sequence[dt.date],
    workdays: Sequence[dt.date],
    names: dict[dt.date, str] | None = None,
) -> list[CalendarDay]:
    """Replace the whole year's overrides by the State Council's schedule for ``year``:
    ``holidays`` are the 放假 dates (weekend days inside a holiday block are fine),
    ``workdays`` the 调休上班 weekend days. All or nothing; re-importing the same schedule
    gives the same rows."""
    problems = _schedule_problems(year, holidays, workdays)
    if problems:
        raise ValidationError(problems)
    names = names or {}
    removed = CalendarDay.objects.filter(date__year=year).delete()[0]
    rows: list[CalendarDay] = []
    for date, is_work in sorted(
        {**dict.fromkeys(holidays, False), **dict.fromkeys(workdays, True)}.items()
    ):
        row = CalendarDay(date=date, is_workday=is_work, name=names.get(date, "").strip()[:50])
        # The year's rows were just deleted and the dates are distinct, so skip the per-row
        # uniqueness query; the unique constraint on `date` still guards the database.
        row.full_clean(validate_unique=False)
        rows.append(row)
    CalendarDay.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="calendar.import_year",
        details={
            "year": year,
            "holidays": len(set(holidays)),
            "workdays": len(set(workdays)),
            "replaced": removed,
        },
    )
    return rows
