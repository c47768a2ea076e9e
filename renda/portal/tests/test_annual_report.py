"""年度工作报告数据 (issue 15, item 7): a world with known rows in every app, made through
the apps' services and test factories at 2025 dates, and each figure of the page and of the
Word file checked against those rows; rows of 2024 and 2026 and rows that do not qualify are
there to be left out."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document

from renda.budget.models import AlertLevel
from renda.budget.tests import alert_data
from renda.budget.tests.dashboard_data import april_alerts, make_alert
from renda.budget.tests.factories import with_indicator
from renda.core.models import Organization
from renda.deputies import services as deputy_services
from renda.deputies.models import Deputy
from renda.deputies.tests.factories import make_deputy, make_id_number
from renda.stations import services as station_services
from renda.stations.models import Station
from renda.stations.tests.factories import (
    make_opinion,
    make_station,
    make_station_deputy,
    replied_opinion,
)
from renda.suggestions import services as suggestion_services
from renda.suggestions.tests.factories import Scene, draft, replied, scene, submitted

YEAR = 2025
ZONE = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int = 10, year: int = YEAR) -> Any:
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=ZONE), tick=False)


def _deputies_and_stations(world: Any) -> None:
    """In office at the end of 2025: 4 city deputies (3 at stations, plus the suggestion
    scene's 2 below → 6) and 2 township ones. Not: one whose mandate ended in 2025, one
    elected in 2026. Stations in use: 2 liaison stations and 1 point; one closed station.
    Receptions 2025: 3; opinions 2025: 4, of which 1 solved (class A, replied)."""
    one = make_station(world, kind=Station.Kind.STATION)
    two = make_station(world, kind=Station.Kind.STATION)
    make_station(world, kind=Station.Kind.POINT)
    closed = make_station(world, kind=Station.Kind.STATION)
    station_services.update_station(actor=None, station=closed, is_active=False)
    for station in (one, one, two):
        make_station_deputy(world, station)
    gone = make_deputy(world, name="离任者", id_number=make_id_number(serial=801), mobile="")
    deputy_services.end_mandate(
        actor=None, deputy=gone, ended_on=dt.date(2025, 3, 1), reason=Deputy.EndReason.RESIGNED
    )
    make_deputy(
        world,
        name="新当选",
        id_number=make_id_number(serial=802),
        mobile="",
        elected_on=dt.date(2026, 1, 5),
    )
    town = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ-RD",
        kind=Organization.Kind.CONGRESS,
        region=world.other_township,
    )
    term = deputy_services.create_term(
        actor=None, congress=town, level="township", number=9, start_date=dt.date(2021, 12, 1)
    )
    for serial in (803, 804):
        deputy_services.create_deputy(
            actor=None,
            term=term,
            name=f"乡镇代表{serial}",
            party="群众",
            category=Deputy.Category.FARMER,
            region=world.other_township,
            id_number=make_id_number(serial=serial),
            mobile="",
            elected_on=dt.date(2021, 11, 1),
        )
    with at(5):
        for _ in range(3):
            station_services.record_reception(
                actor=None,
                station=one,
                matter="反映小区路灯损坏三个月，夜间出行不安全。",
                category="construction",
            )
        replied_opinion(world, one)  # A, replied: solved
        opinion = make_opinion(world, two, phone="13912340001")
        opinion = station_services.assign_opinion(
            actor=None, opinion=opinion, unit=world.department
        )
        station_services.reply_opinion(
            actor=None, opinion=opinion, reply="已列入明年计划。", reply_class="B"
        )
        make_opinion(world, one, phone="13912340002")
        make_opinion(world, None, phone="13912340003")
    with at(5, year=2024):
        replied_opinion(world, one, phone="13912340004")


def _suggestions(world: Any) -> Scene:
    """2025: 5 received (one only submitted), 4 answered: A on time and rated 满意 (closed),
    A on time unrated, B on time rated 基本满意, D answered after the deadline rated 不满意.
    A draft of 2025 and an answered item of 2024 do not count."""
    sc = scene(world, others=1)
    with at(2, year=2024):
        replied(sc)
    with at(3):
        first = replied(sc, title="关于增设城区公交线路的建议")
        replied(sc, title="关于改造老旧小区供水管网的建议")
        b = replied(sc, reply_class="B", title="关于建设社区养老服务中心的建议")
        submitted(sc, title="关于整治农村人居环境的建议")
        draft(sc, title="关于加强校园周边交通安全的建议")
        suggestion_services.rate_suggestion(
            actor=world.deputy, suggestion=first, rating="satisfied"
        )
        suggestion_services.rate_suggestion(actor=world.deputy, suggestion=b, rating="basic")
    with at(4):
        late = _assigned(sc, "关于规范城区停车秩序的建议")
    with at(12, 1):  # months after the deadline
        suggestion_services.reply_suggestion(
            actor=world.handling_officer,
            suggestion=late,
            reply_class="D",
            content="经研究，该建议留作今后工作参考，感谢您的关心。",
            signer="刘局长",
        )
        late.refresh_from_db()
        suggestion_services.rate_suggestion(
            actor=world.deputy, suggestion=late, rating="dissatisfied", comment="答复敷衍。"
        )
    return sc


def _assigned(sc: Scene, title: str) -> Any:
    from renda.suggestions.tests.factories import assigned

    return assigned(sc, title=title)


def _budget(world: Any, tmp_path: Path) -> None:
    """2025, the 冷水江市 treasury: April 4 提示, 4 警告, 6 严重 and March 1 提示, 1 严重
    (april_alerts), plus one 警告 of 2024 that stays out. Inquiries on 2025 alerts: one
    closed, one issued and waiting."""
    with_indicator(world.staff, tmp_path)
    region = alert_data.make_region(world)
    alerts = april_alerts(region)
    make_alert(region, period=dt.date(2024, 7, 1), level=AlertLevel.WARNING)
    closed = alert_data.issued_inquiry(world, [alerts[0]])
    from renda.budget.services import inquiries

    closed = inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=closed,
        response="经核实，该笔支付为工程进度款，已按合同支付，无问题。",
        finding="normal",
    )
    inquiries.accept_inquiry(actor=world.staff, inquiry=closed)
    alert_data.issued_inquiry(world, [alerts[5]])


@pytest.fixture
def full_world(world: Any, tmp_path: Path) -> Any:
    _deputies_and_stations(world)
    _suggestions(world)
    _budget(world, tmp_path)
    return world


EXPECTED = {
    # 3 station deputies + the scene's 2 (张建国 and one other) + 2 township
    "deputies_total": "7名",
    "deputies_city": "5名",
    "deputies_township": "2名",
    "stations_total": "3个",
    "stations": "2个",
    "points": "1个",
    "receptions": "3人次",
    "opinions": "4件",
    "solved": "1件",
    "received": "5件",
    "answered": "4件",
    "on_time": "3件",
    "on_time_rate": "75.0%",
    "class_A": "2件",
    "class_B": "1件",
    "class_C": "0件",
    "class_D": "1件",
    "rating_satisfied": "1件",
    "rating_basic": "1件",
    "rating_dissatisfied": "1件",
    "satisfaction_rate": "66.7%",
    "alerts_total": "16条",
    "inquiries_total": "2件",
    "inquiries_closed": "1件",
    "inquiries_open": "1件",
    "inquiries_closed_rate": "50.0%",
}


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([a-z_A-D]+)">([^<]*)<', html))


def _page(client: Client, **query: Any) -> str:
    response = client.get(reverse("portal:annual_report"), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_every_figure_is_counted_from_the_rows(full_world: Any, client_for: Any) -> None:
    html = _page(client_for("staff"), year=YEAR)
    figures = _figures(html)
    assert {k: figures.get(k) for k in EXPECTED} == EXPECTED
    assert "统计截至2025年12月31日" in html


def _alert_row(html: str, month: str) -> list[str]:
    row = re.search(rf'<tr data-month="{month}">(.*?)</tr>', html, re.S)
    assert row, month
    return re.findall(r"<td[^>]*>(?:<a [^>]*>)?(\d+)", row.group(1))


@pytest.mark.django_db
def test_alerts_by_month_and_level_with_links_to_the_list(full_world: Any, client_for: Any) -> None:
    html = _page(client_for("sc_member"), year=YEAR)
    assert _alert_row(html, "4") == ["4", "4", "6", "14"]
    assert _alert_row(html, "3") == ["1", "0", "1", "2"]
    assert _alert_row(html, "7") == ["0", "0", "0", "0"]  # the 2024 alert stays out
    assert _alert_row(html, "total") == ["5", "4", "7", "16"]
    assert "4月：4条提示、4条警告、6条严重" in html
    link = reverse("budget:alerts") + f"?year={YEAR}&amp;month=4&amp;level=3"
    assert f'<a href="{link}">6</a>' in html
    # The linked list shows the same six alerts.
    listed = client_for("sc_member").get(
        reverse("budget:alerts"), {"year": YEAR, "month": 4, "level": 3}
    )
    assert listed.context["page"].paginator.count == 6


@pytest.mark.django_db
def test_each_figure_names_and_links_its_list(full_world: Any, client_for: Any) -> None:
    html = _page(client_for("staff"), year=YEAR)
    rows = re.findall(
        r'data-figure="([a-zA-Z_]+)">[^<]*</td><td[^>]*><a href="([^"]+)">([^<]+)</a>', html
    )
    assert {key for key, _, _ in rows} >= set(EXPECTED)
    links = {key: url for key, url, _ in rows}
    assert links["receptions"] == reverse("stations:stats") + f"?year={YEAR}"
    assert links["received"] == reverse("suggestions:stats") + f"?year={YEAR}"
    assert links["class_A"] == reverse("suggestions:home") + "?reply_class=A"
    assert links["inquiries_closed"] == reverse("budget:inquiries") + "?state=closed"
    assert links["deputies_total"] == reverse("deputies:list")
    client = client_for("staff")
    for url in {u.replace("&amp;", "&") for u in links.values()}:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_pending_modules_are_named_not_invented(full_world: Any, client_for: Any) -> None:
    html = _page(client_for("staff"), year=YEAR)
    assert "任前法律考试、重大民生实事票决的数据将在这两个模块建成后加入本报告" in html


@pytest.mark.django_db
def test_other_years_count_their_own_rows(full_world: Any, client_for: Any) -> None:
    figures = _figures(_page(client_for("staff"), year=2024))
    assert figures["opinions"] == "1件" and figures["solved"] == "1件"
    assert figures["received"] == "1件" and figures["class_A"] == "1件"
    # No budget data was imported for 2024: the section says so instead of zeros.
    html = _page(client_for("staff"), year=2024)
    assert "2024年没有导入预算数据" in html


@pytest.mark.django_db
def test_a_bad_or_future_year_says_so_and_shows_this_year(world: Any, client_for: Any) -> None:
    for bad in ("abcd", "2999", "２０２５"):
        html = _page(client_for("staff"), year=bad)
        assert "无效" in html and 'data-testid="report-problem"' in html
    response = client_for("staff").get(reverse("portal:annual_report_docx"), {"year": "abcd"})
    assert response.status_code == 400
    assert "年度" in response.content.decode()


@pytest.mark.django_db
def test_word_file_opens_and_has_the_figures(full_world: Any, client_for: Any) -> None:
    response = client_for("sc_member").get(reverse("portal:annual_report_docx"), {"year": YEAR})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2025年度工作报告数据" in text and "统计截至2025年12月31日" in text
    assert "4月：4条提示、4条警告、6条严重" in text
    assert "任前法律考试" in text
    cells = {
        row.cells[0].text: row.cells[1].text
        for table in doc.tables
        for row in table.rows
        if len(row.cells) == 3
    }
    assert cells["在任人大代表"] == EXPECTED["deputies_total"]
    assert cells["收到代表建议"] == EXPECTED["received"]
    assert cells["按期答复"] == EXPECTED["on_time"]
    assert cells["答复为D类"] == EXPECTED["class_D"]
    assert cells["代表评价不满意"] == EXPECTED["rating_dissatisfied"]
    assert cells["问询函已办结"] == EXPECTED["inquiries_closed"]
    alerts = next(t for t in doc.tables if t.rows[0].cells[0].text == "月份")
    april = next(r for r in alerts.rows if r.cells[0].text == "4月")
    assert [c.text for c in april.cells[1:]] == ["4", "4", "6", "14"]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.top_margin.cm, 1) == 3.7


@pytest.mark.django_db
def test_print_style_hides_menu_and_buttons(full_world: Any, client_for: Any) -> None:
    html = _page(client_for("staff"), year=YEAR)
    style = re.search(r'<style media="print">(.*?)</style>', html, re.S)
    assert style and "nav" in style.group(1) and ".btn" in style.group(1)
    assert "form" in style.group(1)
    tools = re.search(r'data-testid="report-tools"', html)
    assert tools and 'd-print-none" data-testid="report-tools"' in html


@pytest.mark.django_db
def test_query_count_is_bounded(
    full_world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("staff")
    client.get(reverse("portal:annual_report"), {"year": YEAR})  # warm the session
    with django_assert_max_num_queries(20):
        client.get(reverse("portal:annual_report"), {"year": YEAR})
    with django_assert_max_num_queries(20):
        client.get(reverse("portal:annual_report_docx"), {"year": YEAR})


@pytest.mark.django_db
def test_only_the_congress_side_may_read_it(world: Any, client_for: Any) -> None:
    for persona in ("deputy", "handling_officer", "data_provider", "audit_admin"):
        assert client_for(persona).get(reverse("portal:annual_report")).status_code == 403
    anonymous = client_for("anonymous").get(reverse("portal:annual_report_docx"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_meetings_held_and_their_attendance_are_counted(world: Any, client_for: Any) -> None:
    """A closed session with one member present, one on leave and one absent; a meeting of
    the year still in draft does not count."""
    import datetime as dt

    from django.utils import timezone

    from renda.meetings import services as meeting_services
    from renda.meetings.models import MeetingMember
    from renda.meetings.tests.factories import a_deputy, deputy_user, make_meeting

    present = a_deputy(world, user=world.deputy, name="李明")
    on_leave = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    a_deputy(world, name="赵强")
    meeting = make_meeting(world, start_at=timezone.now() + dt.timedelta(minutes=5))
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    seat = MeetingMember.objects.get(meeting=meeting, deputy=present)
    meeting_services.mark_paper_sign_in(actor=world.staff, member=seat)
    seat = MeetingMember.objects.get(meeting=meeting, deputy=on_leave)
    meeting_services.request_leave(actor=on_leave.user, member=seat, reason="住院")
    meeting_services.decide_leave(actor=world.staff, member=seat, approve=True)
    meeting_services.open_meeting(actor=world.staff, meeting=meeting)
    meeting_services.close_meeting(actor=world.staff, meeting=meeting)
    make_meeting(world, number=9, start_at=timezone.now() + dt.timedelta(days=1))  # a draft

    figures = _figures(_page(client_for("staff"), year=timezone.localdate().year))
    kind = f"meetings_{meeting.kind}"
    assert (figures["meetings_held"], figures[kind]) == ("1次", "1次")
    assert figures["meeting_seats"] == "3人次" and figures["meeting_present"] == "1人次"
    assert figures["meeting_leave"] == "1人次" and figures["meeting_absent"] == "1人次"
    assert figures["meeting_rate"] == "33.3%"
