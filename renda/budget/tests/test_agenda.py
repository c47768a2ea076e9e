"""提请常委会审议: an alert or an inquiry letter goes on a chosen standing-committee (or
chairpersons') meeting's agenda through meetings' one mechanism; the alert's page shows the
meeting, the item and its outcome; removing it goes through meetings' service; the agenda
list, the workbench card, the alert list and the export read it through the source links."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from renda.budget.models import Alert
from renda.budget.selectors import agenda
from renda.budget.selectors.exports import filtered, record
from renda.budget.services import agenda as services
from renda.budget.tests.alert_data import draft_inquiry, issued_inquiry, make_alert
from renda.core.models import AuditEvent
from renda.core.sources import sources_of
from renda.meetings import services as meetings
from renda.meetings.models import AgendaItem, Meeting
from renda.meetings.tests.factories import a_deputy, make_meeting, seat_on_committee

pytestmark = pytest.mark.django_db


def sc_meeting(world: Any, *, days: int = 7, kind: str = Meeting.Kind.STANDING) -> Meeting:
    if not Meeting.objects.filter(kind__in=agenda.AGENDA_KINDS).exists():
        seat_on_committee(world, a_deputy(world, name="常委甲"), role="主任")
    return make_meeting(world, kind=kind, start_at=timezone.now() + dt.timedelta(days=days))


def closed(world: Any, meeting: Meeting) -> Meeting:
    meetings.notify_members(actor=world.staff, meeting=meeting)
    meetings.open_meeting(actor=world.staff, meeting=meeting)
    meetings.close_meeting(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def put(world: Any, source: Any, meeting: Meeting, title: str = "关于大额支付问题的审议") -> Any:
    return services.put_on_agenda(actor=world.staff, source=source, meeting=meeting, title=title)


# --- putting it on a meeting ----------------------------------------------------------------


def test_staff_choose_a_meeting_and_the_alert_becomes_its_item(world: Any, client_for: Any) -> None:
    later = sc_meeting(world, days=20)
    sooner = sc_meeting(world, days=3, kind=Meeting.Kind.CHAIRPERSONS)
    make_meeting(world)  # a congress session is not offered
    alert = make_alert(world)
    staff = client_for("staff")
    page = staff.get(reverse("budget:alert_detail", args=[alert.pk]))
    choices = [m.pk for m in page.context["agenda_forms"]["put"].fields["meeting"].queryset]
    assert choices == [sooner.pk, later.pk]  # soonest first
    response = staff.post(
        reverse("budget:alert_agenda", args=[alert.pk]),
        {"meeting": later.pk, "title": "关于第一中学大额支付问题的专题询问"},
    )
    assert response.status_code == 302
    [item] = later.agenda.all()
    assert item.title == "关于第一中学大额支付问题的专题询问" and item.created_by == world.staff
    [link] = sources_of(item)
    assert link.url == reverse("budget:alert_detail", args=[alert.pk])
    assert alert.rule.code in link.label
    assert AuditEvent.objects.filter(action="budget.alert.agenda").count() == 1
    detail = staff.get(reverse("budget:alert_detail", args=[alert.pk])).content.decode()
    assert reverse("meetings:detail", args=[later.pk]) in detail
    assert later.title in detail and "议程第 1 项" in detail and "撤销提请" in detail
    # The meeting's page shows where the item came from.
    meeting_page = staff.get(reverse("meetings:detail", args=[later.pk])).content.decode()
    assert link.url in meeting_page


def test_twice_on_the_same_meeting_is_once(world: Any) -> None:
    meeting = sc_meeting(world)
    alert = make_alert(world)
    first = put(world, alert, meeting)
    again = put(world, alert, meeting, title="另一个名称")
    assert first.pk == again.pk and AgendaItem.objects.count() == 1
    assert AuditEvent.objects.filter(action="budget.alert.agenda").count() == 1
    # Another meeting takes it as its own item.
    other = put(world, alert, sc_meeting(world, days=30))
    assert other.pk != first.pk and [i.pk for i in agenda.items_of(alert)] == [first.pk, other.pk]


def test_a_closed_meeting_refuses_in_chinese(world: Any, client_for: Any) -> None:
    meeting = closed(world, sc_meeting(world, days=0))
    alert = make_alert(world)
    with pytest.raises(ValidationError, match="已闭会，不能再列入议程"):
        put(world, alert, meeting)
    response = client_for("staff").post(
        reverse("budget:alert_agenda", args=[alert.pk]), {"meeting": meeting.pk, "title": "x"}
    )
    assert response.status_code == 422
    assert "该会议已闭会或不能列入议程" in response.content.decode()
    with pytest.raises(ValidationError, match="只能提请常委会会议或主任会议"):
        put(world, alert, make_meeting(world))
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_with_no_meeting_staff_are_told_to_create_one(world: Any, client_for: Any) -> None:
    alert = make_alert(world)
    page = client_for("staff").get(reverse("budget:alert_detail", args=[alert.pk]))
    html = page.content.decode()
    assert "目前没有未闭会的常委会会议或主任会议" in html
    assert reverse("meetings:create") in html
    assert 'data-testid="agenda-form"' not in html


def test_an_empty_title_is_refused_next_to_the_field(world: Any, client_for: Any) -> None:
    meeting = sc_meeting(world)
    alert = make_alert(world)
    response = client_for("staff").post(
        reverse("budget:alert_agenda", args=[alert.pk]), {"meeting": meeting.pk, "title": "  "}
    )
    assert response.status_code == 422
    assert "请填写提请常委会审议的事项名称" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_members_read_but_do_not_act(world: Any, client_for: Any) -> None:
    meeting = sc_meeting(world)
    alert = make_alert(world)
    item = put(world, alert, meeting)
    client = client_for("sc_member")
    page = client.get(reverse("budget:alert_detail", args=[alert.pk])).content.decode()
    assert item.title in page and "撤销提请" not in page and 'data-testid="agenda-form"' not in page
    for name, data in (
        ("budget:alert_agenda", {"meeting": meeting.pk, "title": "专题询问"}),
        ("budget:alert_agenda_remove", {"item": item.pk, "reason": "无"}),
    ):
        assert client.post(reverse(name, args=[alert.pk]), data).status_code == 403
    with pytest.raises(PermissionDenied):
        services.put_on_agenda(actor=world.sc_member, source=alert, meeting=meeting, title="x")
    assert AgendaItem.objects.count() == 1


# --- outcome and removal ------------------------------------------------------------------


def test_the_alert_page_shows_the_outcome_once_recorded(world: Any, client_for: Any) -> None:
    meeting = sc_meeting(world, days=0)
    alert = make_alert(world)
    item = put(world, alert, meeting)
    url = reverse("budget:alert_detail", args=[alert.pk])
    assert "尚未审议" in client_for("sc_member").get(url).content.decode()
    meetings.notify_members(actor=world.staff, meeting=meeting)
    meetings.open_meeting(actor=world.staff, meeting=meeting)
    meetings.record_outcome(
        actor=world.staff, item=item, outcome_kind="opinion", outcome="要求教育局规范大额支付。"
    )
    page = client_for("sc_member").get(url).content.decode()
    assert "审议意见" in page and "要求教育局规范大额支付。" in page
    assert "撤销提请" not in client_for("staff").get(url).content.decode()
    listing = client_for("sc_member").get(reverse("budget:agenda")).content.decode()
    assert "审议意见" in listing and "要求教育局规范大额支付" in listing


def test_removing_goes_through_meetings_and_needs_a_reason(world: Any, client_for: Any) -> None:
    meeting = sc_meeting(world)
    meetings.put_on_agenda(actor=world.staff, meeting=meeting, title="听取报告", source=None)
    alert = make_alert(world)
    item = put(world, alert, meeting)
    url = reverse("budget:alert_agenda_remove", args=[alert.pk])
    staff = client_for("staff")
    refused = staff.post(url, {"item": item.pk, "reason": ""})
    assert refused.status_code == 422 and "请填写撤销提请的理由" in refused.content.decode()
    assert staff.post(url, {"item": item.pk, "reason": "已在执行报告中审议"}).status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert AuditEvent.objects.filter(action="meeting.agenda_remove").count() == 1
    event = AuditEvent.objects.get(action="budget.alert.agenda_remove")
    assert event.details["reason"] == "已在执行报告中审议"
    assert agenda.items_of(alert) == []
    page = staff.get(reverse("budget:alert_detail", args=[alert.pk])).content.decode()
    assert "未提请" in page
    # Put again after removal: a new item, and the stale link does not count twice.
    again = put(world, alert, meeting)
    assert again.order == 2 and [i.pk for i in agenda.items_of(alert)] == [again.pk]


def test_an_item_of_a_closed_meeting_stays(world: Any) -> None:
    meeting = sc_meeting(world, days=0)
    alert = make_alert(world)
    item = put(world, alert, meeting)
    closed(world, meeting)
    with pytest.raises(ValidationError, match="已闭会，议题不能再移出议程"):
        services.remove_from_agenda(actor=world.staff, source=alert, item=item, reason="撤回")
    other = make_alert(world)
    with pytest.raises(ValidationError, match="不是由此提请"):
        services.remove_from_agenda(actor=world.staff, source=other, item=item, reason="撤回")
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# --- the reads through the links ------------------------------------------------------------


def test_agenda_list_workbench_and_alert_list(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    meeting = sc_meeting(world)
    on = [make_alert(world) for _ in range(3)]
    off = make_alert(world)
    for n, alert in enumerate(on):
        put(world, alert, meeting, title=f"审议事项{n}")
    client = client_for("sc_member")
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("budget:agenda")).content.decode()
    assert page.count('data-testid="agenda-row"') == 3
    assert all(f"审议事项{n}" in page for n in range(3)) and meeting.title in page
    assert reverse("meetings:detail", args=[meeting.pk]) in page
    for _ in range(4):
        put(world, make_alert(world), meeting)
    with django_assert_max_num_queries(len(three.captured_queries)):
        client.get(reverse("budget:agenda"))
    workbench = client.get(reverse("core:workbench")).content.decode()
    assert "提请常委会审议的预警事项" in workbench
    assert agenda.alerts_on_agenda_count() == 7
    listing = client_for("staff").get(reverse("budget:alerts")).content.decode()
    assert listing.count(">提请审议</span>") == 7
    assert off.subject_label in listing


def test_export_column_reads_the_item_and_meeting(world: Any, client_for: Any) -> None:
    meeting = sc_meeting(world)
    alert = make_alert(world)
    other = make_alert(world)
    put(world, alert, meeting, title="关于大额支付的审议")
    records = {r["id"]: r for r in map(record, filtered(Alert.objects.all()))}
    assert records[alert.pk]["agenda_title"] == f"关于大额支付的审议（{meeting.title}）"
    assert records[other.pk]["agenda_title"] == ""
    response = client_for("staff").get(reverse("budget:alerts_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("提请常委会审议")
    assert f"关于大额支付的审议（{meeting.title}）" in [row[column] for row in rows[1:]]


# --- an inquiry letter before the standing committee (专题询问) ---------------------------------


def test_an_issued_letter_goes_on_the_agenda_for_a_special_inquiry(
    world: Any, client_for: Any
) -> None:
    meeting = sc_meeting(world)
    inquiry = issued_inquiry(world)
    staff = client_for("staff")
    url = reverse("budget:inquiry_detail", args=[inquiry.pk])
    assert f"关于{inquiry.title}的专题询问" in staff.get(url).content.decode()
    response = staff.post(
        reverse("budget:inquiry_agenda", args=[inquiry.pk]),
        {"meeting": meeting.pk, "title": "专题询问：学校大额支付"},
    )
    assert response.status_code == 302
    [item] = agenda.items_of(inquiry)
    assert item.meeting == meeting and sources_of(item)[0].url == url
    assert AuditEvent.objects.filter(action="budget.inquiry.agenda").count() == 1
    page = client_for("sc_member").get(url).content.decode()
    assert "专题询问：学校大额支付" in page and meeting.title in page
    # The addressee sees the letter, not the standing committee's card.
    assert "专题询问：学校大额支付" not in client_for("data_provider").get(url).content.decode()
    assert (
        staff.post(
            reverse("budget:inquiry_agenda_remove", args=[inquiry.pk]),
            {"item": item.pk, "reason": "改为书面审议"},
        ).status_code
        == 302
    )
    assert agenda.items_of(inquiry) == []
    assert AuditEvent.objects.filter(action="budget.inquiry.agenda_remove").count() == 1


def test_a_draft_letter_cannot_go_before_the_committee(world: Any) -> None:
    meeting = sc_meeting(world)
    with pytest.raises(ValidationError, match="问询函尚未发出"):
        put(world, draft_inquiry(world), meeting)
    assert not AgendaItem.objects.exists()
