"""Staff pages for the working-day calendar (工作日历): see a year's holidays and 调休 days,
add, change or delete one date, and paste in next year's State Council schedule.

Who: `can_edit_calendar` (staff and the system administrator); others 403, the public is sent
to log in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.core.params import int_param
from renda.core.roles import can_edit_calendar
from renda.lib import workdays as lib

from .. import calendar
from ..models import CalendarDay

WEEKDAYS = "一二三四五六日"
MIN_YEAR, MAX_YEAR = 2000, 2100
# "2027-02-06", "2027-02-06 至 2027-02-12", "2027-2-6~2027-2-12 春节" (a name may follow).
_LINE = re.compile(
    r"^(?P<first>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:\s*(?:至|到|~|～|—|－)\s*(?P<last>\d{4}-\d{1,2}-\d{1,2}))?"
    r"(?:\s+(?P<name>.*))?$"
)
_MAX_RANGE_DAYS = 31


def calendar_editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_edit_calendar(request.user):
            raise PermissionDenied("您的角色无权维护工作日历。")
        return view(request, *args, **kwargs)

    return login_required(wrapped)


# --- forms --------------------------------------------------------------------------------


class CalendarDayForm(forms.Form):
    # `format`: an <input type="date"> needs ISO dates; the zh-hans locale would write 2027/02/20.
    date = forms.DateField(
        label="日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )
    is_workday = forms.TypedChoiceField(
        label="安排",
        choices=[("0", "放假"), ("1", "上班（调休）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    name = forms.CharField(
        label="说明",
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": "如：春节、国庆节调休"}
        ),
    )

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError(f"日期须在 {MIN_YEAR}–{MAX_YEAR} 年之间。")
        return value


def parse_date_lines(text: str, label: str) -> tuple[list[dt.date], dict[dt.date, str]]:
    """One date or range per line, optionally followed by a name. Raises one Chinese message
    per bad line, by line number."""
    dates: list[dt.date] = []
    names: dict[dt.date, str] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if match is None:
                raise ValueError
            first = dt.date.fromisoformat(_pad(match["first"]))
            last = dt.date.fromisoformat(_pad(match["last"])) if match["last"] else first
        except ValueError:
            errors.append(
                f"{label}第 {number} 行“{line[:30]}”不是有效日期"
                "（格式如 2027-02-06，或 2027-02-06 至 2027-02-12）。"
            )
            continue
        if last < first or (last - first).days >= _MAX_RANGE_DAYS:
            errors.append(
                f"{label}第 {number} 行的日期范围不正确（结束日期须在开始日期之后，且不超过 31 天）。"
            )
            continue
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            dates.append(day)
            if match["name"]:
                names[day] = match["name"].strip()[:50]
    if errors:
        raise ValidationError(errors)
    return dates, names


def _pad(value: str) -> str:
    """2027-2-6 → 2027-02-06 (fromisoformat in Python 3.11 wants two-digit month and day)."""
    year, month, day = value.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


class YearScheduleForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    holidays = forms.CharField(
        label="放假日期",
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 12}),
        help_text="每行一个日期或一段日期，可在后面写节日名称，如：<br>2027-02-06 至 2027-02-13 春节",
    )
    workdays = forms.CharField(
        label="调休上班日期（周六、周日）",
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 12}),
        help_text="每行一个日期，如：2027-02-20 春节调休",
    )

    def clean_holidays(self) -> tuple[list[dt.date], dict[dt.date, str]]:
        return parse_date_lines(self.cleaned_data["holidays"], "放假日期")

    def clean_workdays(self) -> tuple[list[dt.date], dict[dt.date, str]]:
        return parse_date_lines(self.cleaned_data["workdays"], "调休上班日期")


# --- views --------------------------------------------------------------------------------


def _year_from(request: HttpRequest) -> int:
    year = int_param(request.GET, "year", low=MIN_YEAR, high=MAX_YEAR)
    return year if year is not None else timezone.localdate().year


def _calendar_url(year: int) -> str:
    return f"{reverse('core:calendar')}?year={year}"


def _package_adjustments(year: int) -> list[dict[str, Any]]:
    """The holiday package's own exceptions to the ordinary week for `year`, so staff can see
    what is already known before they enter anything (empty for an uncovered year)."""
    if not lib.year_is_covered(year):
        return []
    rows = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        work = lib.is_workday(day)
        if work != (day.weekday() < 5):
            rows.append({"date": day, "weekday": WEEKDAYS[day.weekday()], "is_workday": work})
        day += dt.timedelta(days=1)
    return rows


@calendar_editor_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    year = _year_from(request)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = calendar.set_calendar_day(
                    actor=request.user,
                    date=data["date"],
                    is_workday=data["is_workday"],
                    name=data["name"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                word = "上班" if day.is_workday else "放假"
                messages.success(request, f"已保存：{day.date:%Y-%m-%d} {word}。")
                return redirect(_calendar_url(day.date.year))
    else:
        form = CalendarDayForm(initial=_edit_initial(request, year))
    rows = [
        {"day": d, "weekday": WEEKDAYS[d.date.weekday()]}
        for d in CalendarDay.objects.filter(date__year=year).order_by("date")
    ]
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "rows": rows,
            "form": form,
            "covered": lib.year_is_covered(year),
            "covered_years": lib.covered_years(),
            "warnings": calendar.missing_year_warnings([year]),
            "package_rows": _package_adjustments(year),
        },
    )


def _edit_initial(request: HttpRequest, year: int) -> dict[str, Any]:
    """`?edit=2027-02-06` fills the form with that date's row, so editing = saving again."""
    try:
        date = dt.date.fromisoformat(request.GET.get("edit", ""))
    except ValueError:
        return {"date": None, "is_workday": "0"}
    day = CalendarDay.objects.filter(date=date).first()
    if day is None:
        return {"date": date, "is_workday": "0"}
    return {"date": day.date, "is_workday": "1" if day.is_workday else "0", "name": day.name}


@calendar_editor_required
@require_POST
def calendar_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    day = CalendarDay.objects.filter(pk=pk).first()
    if day is None:
        # A double click or a second tab: the row is already gone, which is what was wanted.
        messages.info(request, "该日期已删除。")
        return redirect(_calendar_url(_year_from(request)))
    year = day.date.year
    calendar.delete_calendar_day(actor=request.user, day=day)
    messages.success(
        request, f"已删除 {day.date:%Y-%m-%d} 的安排，该日恢复按内置日历或周末规则计算。"
    )
    return redirect(_calendar_url(year))


@calendar_editor_required
def calendar_import(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = YearScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            holidays, holiday_names = data["holidays"]
            workdays, workday_names = data["workdays"]
            try:
                rows = calendar.import_year_schedule(
                    actor=request.user,
                    year=data["year"],
                    holidays=holidays,
                    workdays=workdays,
                    names={**holiday_names, **workday_names},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"已导入 {data['year']} 年节假日安排，共 {len(rows)} 个日期。"
                )
                return redirect(_calendar_url(data["year"]))
    else:
        form = YearScheduleForm(initial={"year": _year_from(request)})
    return render(request, "core/calendar_import.html", {"form": form})
