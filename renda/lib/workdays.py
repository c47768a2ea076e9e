"""Chinese working days (工作日), Django-free.

Where the answer comes from, first match wins:

1. ``overrides`` — staff-entered rows (``core.CalendarDay``), passed in as ``{date: is_workday}``.
   They win for any date, so staff can correct the package or add an ad-hoc day off.
2. the ``chinese_calendar`` package, which knows statutory holidays **and** 调休 make-up working
   Saturdays/Sundays, but only for the years it ships data for (2004–2026 in 1.11.0); it raises
   ``NotImplementedError`` outside them.
3. a fallback for uncovered years: Monday–Friday work, weekends off. Callers show a warning
   (「YYYY 年节假日安排尚未录入」) until staff enter that year's schedule.

Counting rule for deadlines ("n working days from the assignment date"):
    The assignment day itself never counts, even when it is a working day and even when the
    item arrives at 08:00. The deadline is the end of the n-th working day *after* the start
    date. ``add_workdays(start, n)`` returns that day; ``workdays_between(a, b)`` counts the
    working days d with a < d <= b, so ``workdays_between(a, add_workdays(a, n)) == n``.
    This is how 交办 letters are read in practice ("自交办之日起 15 个工作日内"): the count
    starts the next day, as for periods in 民法典 第二百零一条 (开始的当日不计入).

``workdays_between`` is a signed count: for b before a it is minus the count for (b, a], so it is
antisymmetric and additive (a→b plus b→c equals a→c). "还剩 3 个工作日" is
``workdays_between(today, due_day)``; "逾期 2 个工作日" is ``workdays_between(due_day, today)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _cc_constants

Overrides = Mapping[dt.date, bool]
NO_OVERRIDES: Overrides = {}

_ONE_DAY = dt.timedelta(days=1)


@cache
def covered_years() -> range:
    """Years the holiday package has data for (both holidays and 调休 working days)."""
    years = [d.year for d in _cc_constants.holidays] + [d.year for d in _cc_constants.workdays]
    return range(min(years), max(years) + 1)


def year_is_covered(year: int) -> bool:
    return year in covered_years()


def is_workday(day: dt.date, overrides: Overrides = NO_OVERRIDES) -> bool:
    if day in overrides:
        return overrides[day]
    if year_is_covered(day.year):
        return bool(chinese_calendar.is_workday(day))
    # Fallback for a year nobody has entered yet: the ordinary week.
    return day.weekday() < 5


def next_workday(day: dt.date, overrides: Overrides = NO_OVERRIDES) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_workday(day, overrides):
        day += _ONE_DAY
    return day


def add_workdays(start: dt.date, n: int, overrides: Overrides = NO_OVERRIDES) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself for n == 0; n must not be negative).

    Always terminates: overrides are finite and the fallback week has working days.
    """
    if n < 0:
        raise ValueError("add_workdays counts forwards only; use workdays_between to look back")
    day = start
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_workday(day, overrides):
            remaining -= 1
    return day


def workdays_between(a: dt.date, b: dt.date, overrides: Overrides = NO_OVERRIDES) -> int:
    """Working days d with a < d <= b; when b is before a, minus the count for b < d <= a."""
    if b < a:
        return -workdays_between(b, a, overrides)
    return sum(1 for d in _days(a + _ONE_DAY, b + _ONE_DAY) if is_workday(d, overrides))


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day-of-month ``months`` calendar months later, clamped to the month's last day
    (11-30 + 3 months → 02-28 or 02-29), as people count "三个月内"."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


def _days(first: dt.date, stop: dt.date) -> list[dt.date]:
    """Dates first <= d < stop."""
    return [first + dt.timedelta(days=i) for i in range((stop - first).days)]
