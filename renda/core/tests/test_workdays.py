"""renda.lib.workdays: properties (hypothesis) and real schedules checked against the package."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renda.lib.workdays import (
    add_months,
    add_workdays,
    covered_years,
    is_workday,
    next_workday,
    workdays_between,
    year_is_covered,
)

D = dt.date
# From inside the package's data to three years past it, so the fallback is exercised too.
dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2029, 12, 31))
counts = st.integers(min_value=0, max_value=60)
# Random staff overrides inside the same span.
overrides = st.dictionaries(dates, st.booleans(), max_size=20)


@given(start=dates, n=st.integers(min_value=1, max_value=60), days=overrides)
def test_it_always_lands_on_a_workday(start: dt.date, n: int, days: dict[dt.date, bool]) -> None:
    assert is_workday(add_workdays(start, n, days), days)


@given(start=dates, n=counts, days=overrides)
def test_it_counts_back_exactly_what_it_added(
    start: dt.date, n: int, days: dict[dt.date, bool]
) -> None:
    assert workdays_between(start, add_workdays(start, n, days), days) == n


@given(start=dates, n=st.integers(min_value=0, max_value=60), days=overrides)
def test_it_is_strictly_monotonic_in_n(start: dt.date, n: int, days: dict[dt.date, bool]) -> None:
    assert add_workdays(start, n, days) < add_workdays(start, n + 1, days)


@given(a=dates, b=dates, days=overrides)
def test_it_counts_between_antisymmetrically(
    a: dt.date, b: dt.date, days: dict[dt.date, bool]
) -> None:
    assert workdays_between(a, b, days) == -workdays_between(b, a, days)


@given(a=dates, b=dates, c=dates, days=overrides)
@settings(max_examples=50)
def test_it_counts_additively(
    a: dt.date, b: dt.date, c: dt.date, days: dict[dt.date, bool]
) -> None:
    assert workdays_between(a, b, days) + workdays_between(b, c, days) == workdays_between(
        a, c, days
    )


def test_it_refuses_to_count_backwards() -> None:
    with pytest.raises(ValueError):
        add_workdays(D(2026, 3, 2), -1)


@given(start=dates, n=st.integers(min_value=1, max_value=60))
def test_the_start_day_never_counts(start: dt.date, n: int) -> None:
    # The n-th working day after `start` is the same whether or not `start` is a working day.
    assert add_workdays(start, n, {start: True}) == add_workdays(start, n, {start: False})


@given(day=dates, days=overrides)
def test_overrides_win_for_any_date(day: dt.date, days: dict[dt.date, bool]) -> None:
    if day in days:
        assert is_workday(day, days) is days[day]
    assert is_workday(day, {day: True}) and not is_workday(day, {day: False})


@given(day=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_it_agrees_with_the_package_where_the_package_has_data(day: dt.date) -> None:
    assert is_workday(day) == chinese_calendar.is_workday(day)


@given(day=dates, days=overrides)
def test_next_workday_is_the_first_workday_not_before(
    day: dt.date, days: dict[dt.date, bool]
) -> None:
    found = next_workday(day, days)
    assert found >= day and is_workday(found, days)
    skipped = [day + dt.timedelta(days=i) for i in range((found - day).days)]
    assert not any(is_workday(d, days) for d in skipped)


@given(start=dates, months=st.integers(min_value=-24, max_value=24))
def test_add_months_keeps_the_day_or_clamps_to_month_end(start: dt.date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or (
        result.day < start.day and (result + dt.timedelta(days=1)).day == 1
    )


def test_it_knows_which_years_the_package_covers() -> None:
    assert year_is_covered(2026) and covered_years().start == 2004
    assert not year_is_covered(2027)
    with pytest.raises(NotImplementedError):  # why the fallback exists
        chinese_calendar.is_workday(D(2027, 1, 4))


# --- real schedules: 2026 (State Council notice, as shipped by chinese_calendar 1.11.0) ---------


def test_it_knows_the_2026_spring_festival_and_its_make_up_days() -> None:
    # Holiday 2026-02-15 (Sun) … 02-23 (Mon); make-up working days Sat 02-14 and Sat 02-28.
    for day in [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]:
        assert not is_workday(day) and chinese_calendar.is_holiday(day)
    assert D(2026, 2, 14).weekday() == 5 and is_workday(D(2026, 2, 14))
    assert D(2026, 2, 28).weekday() == 5 and is_workday(D(2026, 2, 28))
    # Assigned on Friday 02-13: day 1 is Saturday 02-14 (调休), day 2 is Tuesday 02-24.
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2


def test_it_knows_national_day_2026_and_its_make_up_days() -> None:
    # 2026-10-01 … 10-07 off; make-up Sunday 09-20 and Saturday 10-10 (chinese_calendar data).
    assert all(not is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert D(2026, 9, 20).weekday() == 6 and is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and is_workday(D(2026, 10, 10))
    assert chinese_calendar.is_workday(D(2026, 10, 10)) and chinese_calendar.is_workday(
        D(2026, 9, 20)
    )
    # 5 working days from Wednesday 09-30: 10-08, 10-09, 10-10 (Sat, 调休), 10-12, 10-13.
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_a_2027_date_falls_back_to_weekends_until_staff_enter_the_schedule() -> None:
    # 2027-02-08 is a Monday; without an entered schedule it counts as a working day.
    assert D(2027, 2, 8).weekday() == 0 and is_workday(D(2027, 2, 8))
    assert not is_workday(D(2027, 2, 6))  # Saturday
    assert add_workdays(D(2027, 2, 5), 3) == D(2027, 2, 10)
    # Staff enter a (made-up for the test) Spring Festival week and a make-up Saturday.
    entered = {D(2027, 2, 8) + dt.timedelta(days=i): False for i in range(5)} | {
        D(2027, 2, 20): True
    }
    assert not is_workday(D(2027, 2, 8), entered)
    assert is_workday(D(2027, 2, 20), entered)
    assert add_workdays(D(2027, 2, 5), 3, entered) == D(2027, 2, 17)


def test_an_override_also_corrects_a_covered_year() -> None:
    assert is_workday(D(2026, 3, 2))
    assert not is_workday(D(2026, 3, 2), {D(2026, 3, 2): False})


def test_a_deadline_crossing_new_year_into_an_uncovered_year() -> None:
    # Thursday 2026-12-31 + 1 working day: 2027-01-01 is Friday, unknown → a working day by
    # fallback; with 元旦 entered it is Monday 01-04.
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert add_workdays(D(2026, 12, 31), 1, {D(2027, 1, 1): False}) == D(2027, 1, 4)
