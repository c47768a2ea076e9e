"""core.calendar: staff overrides, deadlines (due_at), missing-year warnings and the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from renda.core import calendar
from renda.core.models import AuditEvent, CalendarDay

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, tzinfo=SHANGHAI)


# --- due_at ---------------------------------------------------------------------------------


def test_it_ends_a_workday_period_at_the_end_of_the_nth_working_day(db: Any) -> None:
    # Assigned Friday 2026-02-13 14:03; 5 working days: 02-14 (调休 Sat), 02-24, 25, 26, 27.
    due = calendar.due_at(at(2026, 2, 13, 14, 3), workdays=5)
    assert due == end_of(2026, 2, 27)
    assert due.tzinfo is not None and due.utcoffset() == dt.timedelta(hours=8)


def test_it_counts_the_local_date_not_the_utc_one(db: Any) -> None:
    # 2026-03-02 23:30 UTC is already Tuesday 03-03 07:30 in Shanghai.
    start = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert calendar.due_at(start, workdays=1) == end_of(2026, 3, 4)


def test_a_months_period_moves_off_a_holiday_to_the_next_working_day(db: Any) -> None:
    # 3 months after 2026-07-01 is 10-01 (National Day) → the next working day, 10-08.
    assert calendar.due_at(at(2026, 7, 1), months=3) == end_of(2026, 10, 8)
    # An ordinary day stays: 2026-03-10 + 3 months = Wednesday 06-10.
    assert calendar.due_at(at(2026, 3, 10), months=3) == end_of(2026, 6, 10)
    # Month-end clamps: 2026-11-30 + 3 months = 2027-02-28, a Sunday (fallback) → Monday 03-01.
    assert calendar.due_at(at(2026, 11, 30), months=3) == end_of(2027, 3, 1)


def test_it_uses_staff_overrides_for_an_uncovered_year(world: Any) -> None:
    start = at(2027, 2, 5)  # Friday
    assert calendar.due_at(start, workdays=3) == end_of(2027, 2, 10)
    calendar.import_year_schedule(
        actor=world.staff,
        year=2027,
        holidays=[D(2027, 2, 6) + dt.timedelta(days=i) for i in range(9)],
        workdays=[D(2027, 2, 20)],
    )
    # 02-15 (Mon), 02-16, 02-17.
    assert calendar.due_at(start, workdays=3) == end_of(2027, 2, 17)


def test_an_override_beats_the_package_in_a_covered_year(world: Any) -> None:
    assert calendar.due_at(at(2026, 3, 2), workdays=1) == end_of(2026, 3, 3)
    calendar.set_calendar_day(
        actor=world.staff, date=D(2026, 3, 3), is_workday=False, name="防汛停工"
    )
    assert not calendar.is_workday(D(2026, 3, 3))
    assert calendar.due_at(at(2026, 3, 2), workdays=1) == end_of(2026, 3, 4)


def test_it_accepts_preloaded_overrides_without_querying(
    db: Any, django_assert_num_queries: Any
) -> None:
    overrides = calendar.load_overrides()
    with django_assert_num_queries(0):
        calendar.due_at(at(2026, 3, 2), workdays=10, overrides=overrides)
        calendar.add_workdays(D(2026, 3, 2), 2, overrides=overrides)


@pytest.mark.parametrize(
    "kwargs", [{}, {"workdays": 3, "months": 1}, {"workdays": 0}, {"months": -1}]
)
def test_it_rejects_an_ill_formed_period(db: Any, kwargs: Any) -> None:
    with pytest.raises(ValueError):
        calendar.due_at(at(2026, 3, 2), **kwargs)


def test_it_rejects_a_naive_start(db: Any) -> None:
    with pytest.raises(ValueError):
        calendar.due_at(dt.datetime(2026, 3, 2, 9), workdays=1)


# --- missing years --------------------------------------------------------------------------


def test_it_warns_about_uncovered_years_until_staff_enter_them(world: Any) -> None:
    assert calendar.missing_years([2025, 2026, 2027, 2028]) == [2027, 2028]
    assert calendar.missing_year_warnings([2027])[0].startswith("2027 年节假日安排尚未录入")
    calendar.import_year_schedule(
        actor=world.staff, year=2027, holidays=[D(2027, 1, 1)], workdays=[]
    )
    assert calendar.missing_years([2026, 2027, 2028]) == [2028]
    assert calendar.missing_years(calendar.years_spanned(D(2026, 11, 30), D(2027, 3, 1))) == []


# --- services -------------------------------------------------------------------------------


def test_set_calendar_day_creates_then_updates_one_row_and_audits(world: Any) -> None:
    calendar.set_calendar_day(
        actor=world.staff, date=D(2027, 1, 1), is_workday=False, name=" 元旦 "
    )
    day = calendar.set_calendar_day(
        actor=world.staff, date=D(2027, 1, 1), is_workday=True, name="改为上班"
    )
    assert CalendarDay.objects.count() == 1
    day.refresh_from_db()
    assert day.is_workday and day.name == "改为上班"
    events = AuditEvent.objects.filter(action="calendar.set_day").order_by("id")
    assert [e.details["before"] for e in events] == [None, {"is_workday": False, "name": "元旦"}]
    assert events[0].actor == world.staff


def test_set_calendar_day_rejects_a_too_long_name_and_writes_nothing(world: Any) -> None:
    with pytest.raises(ValidationError):
        calendar.set_calendar_day(
            actor=world.staff, date=D(2027, 1, 1), is_workday=False, name="长" * 51
        )
    assert not CalendarDay.objects.exists()
    assert not AuditEvent.objects.filter(action="calendar.set_day").exists()


def test_delete_calendar_day_removes_the_row_and_audits(world: Any) -> None:
    day = calendar.set_calendar_day(actor=world.staff, date=D(2027, 1, 1), is_workday=False)
    calendar.delete_calendar_day(actor=world.system_admin, day=day)
    assert not CalendarDay.objects.exists()
    event = AuditEvent.objects.get(action="calendar.delete_day")
    assert event.actor == world.system_admin and event.details["date"] == "2027-01-01"


def test_import_year_schedule_replaces_the_year_and_leaves_other_years(world: Any) -> None:
    calendar.set_calendar_day(actor=world.staff, date=D(2027, 5, 6), is_workday=False, name="临时")
    calendar.set_calendar_day(actor=world.staff, date=D(2028, 1, 3), is_workday=False)
    rows = calendar.import_year_schedule(
        actor=world.staff,
        year=2027,
        holidays=[D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 2)],
        workdays=[D(2027, 1, 9)],
        names={D(2027, 1, 1): "元旦"},
    )
    assert [(r.date, r.is_workday, r.name) for r in rows] == [
        (D(2027, 1, 1), False, "元旦"),
        (D(2027, 1, 2), False, ""),
        (D(2027, 1, 9), True, ""),
    ]
    assert set(CalendarDay.objects.values_list("date", flat=True)) == {
        D(2027, 1, 1),
        D(2027, 1, 2),
        D(2027, 1, 9),
        D(2028, 1, 3),
    }
    event = AuditEvent.objects.get(action="calendar.import_year")
    assert event.details == {"year": 2027, "holidays": 2, "workdays": 1, "replaced": 1}
    # Importing the same schedule again gives the same rows.
    calendar.import_year_schedule(
        actor=world.staff,
        year=2027,
        holidays=[D(2027, 1, 1), D(2027, 1, 2)],
        workdays=[D(2027, 1, 9)],
    )
    assert CalendarDay.objects.filter(date__year=2027).count() == 3


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ([], [], "请至少填写一个放假日期"),
        ([D(2028, 1, 3)], [], "不在 2027 年内"),
        ([D(2027, 1, 9)], [D(2027, 1, 9)], "同时出现"),
        ([D(2027, 1, 1)], [D(2027, 1, 4)], "不必列为调休上班日"),
    ],
)
def test_import_year_schedule_rejects_bad_input_in_chinese_and_writes_nothing(
    world: Any, holidays: list[dt.date], workdays: list[dt.date], message: str
) -> None:
    calendar.set_calendar_day(actor=world.staff, date=D(2027, 5, 6), is_workday=False)
    with pytest.raises(ValidationError) as error:
        calendar.import_year_schedule(
            actor=world.staff, year=2027, holidays=holidays, workdays=workdays
        )
    assert any(message in m for m in error.value.messages)
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2027, 5, 6)]
    assert not AuditEvent.objects.filter(action="calendar.import_year").exists()
