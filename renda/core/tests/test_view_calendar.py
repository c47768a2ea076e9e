"""The working-day calendar pages (core.views.calendar)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from renda.core import calendar
from renda.core.models import AuditEvent, CalendarDay

D = dt.date
URL = reverse("core:calendar")
IMPORT_URL = reverse("core:calendar_import")


def test_an_uncovered_year_shows_the_warning(world: Any, client_for: Any) -> None:
    html = client_for("staff").get(URL, {"year": 2027}).content.decode()
    assert "2027 年节假日安排尚未录入" in html
    assert "本年度尚未录入任何日期" in html


def test_a_covered_year_shows_the_package_schedule(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").get(URL, {"year": 2026}).content.decode()
    assert "尚未录入" not in html.replace("本年度尚未录入任何日期", "")
    assert "已由内置日历提供" in html
    assert "2026-10-10" in html and "2026-02-14" in html  # 调休 Saturdays from chinese_calendar


def test_an_entered_year_no_longer_warns(world: Any, client_for: Any) -> None:
    calendar.import_year_schedule(
        actor=world.staff, year=2027, holidays=[D(2027, 1, 1)], workdays=[]
    )
    html = client_for("staff").get(URL, {"year": 2027}).content.decode()
    assert "尚未录入" not in html and "2027 年节假日安排已录入" in html and "2027-01-01" in html


def test_staff_add_a_day_and_it_is_audited(world: Any, client_for: Any) -> None:
    response = client_for("staff").post(
        URL + "?year=2027", {"date": "2027-02-20", "is_workday": "1", "name": "春节调休"}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"
    day = CalendarDay.objects.get()
    assert (day.date, day.is_workday, day.name) == (D(2027, 2, 20), True, "春节调休")
    assert AuditEvent.objects.filter(action="calendar.set_day", actor=world.staff).exists()


def test_saving_an_existing_date_edits_it(world: Any, client_for: Any) -> None:
    calendar.set_calendar_day(actor=world.staff, date=D(2027, 2, 20), is_workday=True, name="调休")
    client = client_for("staff")
    html = client.get(URL, {"year": 2027, "edit": "2027-02-20"}).content.decode()
    assert 'value="2027-02-20"' in html and 'value="调休"' in html
    client.post(URL, {"date": "2027-02-20", "is_workday": "0", "name": "改为放假"})
    day = CalendarDay.objects.get()
    assert not day.is_workday and day.name == "改为放假"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2027-02-30", "is_workday": "0"}, "有效的日期"),
        ({"date": "2027-02-20"}, "这个字段是必填项"),
        ({"date": "1999-02-20", "is_workday": "0"}, "日期须在 2000–2100 年之间"),
        ({"date": "2027-02-20", "is_workday": "0", "name": "长" * 51}, "50"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_writes_nothing(
    world: Any, client_for: Any, data: dict[str, str], message: str
) -> None:
    response = client_for("staff").post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_staff_delete_a_day(world: Any, client_for: Any) -> None:
    day = calendar.set_calendar_day(actor=world.staff, date=D(2027, 1, 1), is_workday=False)
    response = client_for("staff").post(reverse("core:calendar_day_delete", args=[day.pk]))
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"
    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.delete_day").exists()


@pytest.mark.parametrize(
    "persona", ["deputy", "handling_officer", "sc_member", "security_admin", "audit_admin"]
)
def test_other_roles_can_neither_see_nor_change_the_calendar(
    world: Any, client_for: Any, persona: str
) -> None:
    day = calendar.set_calendar_day(actor=world.staff, date=D(2027, 1, 1), is_workday=False)
    client = client_for(persona)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"date": "2027-01-04", "is_workday": "0"}).status_code == 403
    assert client.post(reverse("core:calendar_day_delete", args=[day.pk])).status_code == 403
    assert client.post(IMPORT_URL, {"year": 2027, "holidays": "2027-01-05"}).status_code == 403
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]


def test_the_public_is_sent_to_log_in(world: Any, client_for: Any) -> None:
    for url in (URL, IMPORT_URL):
        response = client_for("anonymous").get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_import_a_year_from_pasted_dates(world: Any, client_for: Any) -> None:
    holidays = "2027-01-01 元旦\n\n2027-2-6 至 2027-2-13 春节\n"
    response = client_for("staff").post(
        IMPORT_URL, {"year": "2027", "holidays": holidays, "workdays": "2027-02-20 春节调休"}
    )
    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"
    rows = {d.date: (d.is_workday, d.name) for d in CalendarDay.objects.all()}
    assert len(rows) == 10
    assert rows[D(2027, 2, 9)] == (False, "春节") and rows[D(2027, 2, 20)] == (True, "春节调休")
    assert calendar.missing_years([2027]) == []


@pytest.mark.parametrize(
    ("holidays", "workdays", "message"),
    [
        ("2027-01-01\n2027/01/02", "", "放假日期第 2 行“2027/01/02”不是有效日期"),
        ("2027-02-13 至 2027-02-06", "", "日期范围不正确"),
        ("2027-01-01", "2027-01-04", "不必列为调休上班日"),
        ("2028-01-01", "", "不在 2027 年内"),
    ],
)
def test_a_bad_schedule_is_rejected_line_by_line_and_writes_nothing(
    world: Any, client_for: Any, holidays: str, workdays: str, message: str
) -> None:
    response = client_for("staff").post(
        IMPORT_URL, {"year": "2027", "holidays": holidays, "workdays": workdays}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and holidays.splitlines()[0] in html  # what was typed is kept
    assert not CalendarDay.objects.exists()


def test_the_page_costs_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    holidays = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range(0, 360, 5)]
    calendar.import_year_schedule(actor=world.staff, year=2027, holidays=holidays, workdays=[])
    client = client_for("staff")
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"year": 2027})
    assert response.content.decode().count('data-testid="calendar-row"') == len(holidays)
