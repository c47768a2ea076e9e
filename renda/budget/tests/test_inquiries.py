"""The inquiry letter (问询函): drafting from alerts, issuing with a working-day deadline, the
addressee's answer with a finding and files, accept / return / withdraw, overdue reminders,
and the pages with who may see and do what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from renda.accounts import services as account_services
from renda.budget.models import Alert, Inquiry, InquiryAttachment
from renda.budget.services import inquiries
from renda.budget.tests.alert_data import (
    draft_inquiry,
    issued_inquiry,
    make_alert,
    pdf,
    responded_inquiry,
)
from renda.conftest import PASSWORD, login
from renda.core import calendar as workcal
from renda.core.models import Notification, Organization, WorkflowEvent
from renda.core.roles import Role
from renda.core.workflow import TransitionNotAllowed

ZONE = timezone.get_default_timezone()


def answer_form(inquiry: Inquiry, response: str, finding: str = "", **extra: Any) -> dict[str, Any]:
    """The answer page's fields: the same text and finding for every alert still open."""
    data: dict[str, Any] = dict(extra)
    for answer in inquiries.open_answers(inquiry):
        data[f"response_{answer.alert_id}"] = response
        if finding:
            data[f"finding_{answer.alert_id}"] = finding
    return data


@pytest.fixture(autouse=True)
def temp_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads in these tests go to a temporary directory, never to ./media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def tax_officer(world: Any) -> Any:
    """A data-provider officer of another organisation (the tax bureau)."""
    tax = Organization.objects.create(
        name="国家税务总局冷水江市税务局",
        code="SWJ",
        kind=Organization.Kind.DATA_PROVIDER,
        region=world.county,
    )
    return account_services.create_user(
        actor=None,
        username="tax_officer",
        name="税务局报送员",
        role=Role.DATA_PROVIDER,
        password=PASSWORD,
        organization=tax,
        must_change_password=False,
    )


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- services ---------------------------------------------------------------------------


def test_a_draft_is_prefilled_from_its_alerts_and_numbered(world: Any) -> None:
    alerts = [make_alert(world), make_alert(world, code="B05", level=2)]
    first = draft_inquiry(world, alerts)
    second = draft_inquiry(world)
    year = timezone.localdate().year
    assert first.number == f"预问〔{year}〕1号" and second.number == f"预问〔{year}〕2号"
    assert first.state == "draft" and first.due_at is None
    assert "大额支付" in first.title and "等2条" in first.title
    for alert in alerts:
        assert alert.explanation in first.questions
    assert set(first.alerts.all()) == set(alerts)


def test_numbers_keep_counting_past_nine(world: Any) -> None:
    for _ in range(10):
        last = draft_inquiry(world)
    assert last.number.endswith("〕10号")
    assert inquiries.next_number(timezone.localdate().year).endswith("〕11号")


def test_only_staff_draft_and_only_to_an_organisation_that_can_answer(world: Any) -> None:
    alert = make_alert(world)
    with pytest.raises(PermissionDenied):
        inquiries.create_inquiry(actor=world.sc_member, alerts=[alert], addressee=world.finance)
    # 住建局 has no data-provider account: nobody could answer the letter online.
    with pytest.raises(ValidationError) as error:
        inquiries.create_inquiry(actor=world.staff, alerts=[alert], addressee=world.department)
    assert "还没有数据报送账号" in str(error.value)
    with pytest.raises(ValidationError):
        inquiries.create_inquiry(actor=world.staff, alerts=[], addressee=world.finance)
    with pytest.raises(ValidationError) as error:
        inquiries.create_inquiry(
            actor=world.staff, alerts=[alert], addressee=world.finance, response_days=0
        )
    assert "答复期限" in str(error.value)
    assert not Inquiry.objects.exists()


def test_issuing_sets_the_deadline_in_working_days_and_tells_the_addressee(world: Any) -> None:
    alert = make_alert(world)
    inquiry = draft_inquiry(world, [alert], response_days=7)
    before = timezone.now()
    inquiries.issue_inquiry(actor=world.staff, inquiry=inquiry)
    inquiry.refresh_from_db()
    alert.refresh_from_db()
    assert inquiry.issued_at is not None and inquiry.issued_at >= before
    assert inquiry.state == "issued"
    assert inquiry.due_at == workcal.due_at(inquiry.issued_at, workdays=7)
    # The event keeps the deadline too, so the timeline can mark a late answer.
    event = WorkflowEvent.objects.filter(workflow="budget_inquiry").latest("id")
    assert event.transition == "issue" and event.due_at == inquiry.due_at
    assert alert.handling == Alert.Handling.INQUIRED
    message = Notification.objects.get(recipient=world.data_provider)
    assert inquiry.number in message.title
    assert message.url == reverse("budget:inquiry_detail", args=[inquiry.pk])
    event = WorkflowEvent.objects.get(transition="issue", object_id=str(inquiry.pk))
    assert "答复期限" in event.note and "7个工作日" in event.note


def test_the_answer_needs_a_text_and_a_finding(world: Any) -> None:
    inquiry = issued_inquiry(world)
    with pytest.raises(ValidationError) as error:
        inquiries.respond_inquiry(
            actor=world.data_provider, inquiry=inquiry, response="已核实。", finding=""
        )
    assert "请选择核实结论" in str(error.value)
    with pytest.raises(ValidationError) as error:
        inquiries.respond_inquiry(
            actor=world.data_provider, inquiry=inquiry, response="  ", finding="normal"
        )
    assert "请填写答复说明" in str(error.value)
    inquiry.refresh_from_db()
    assert inquiry.state == "issued"
    assert [a.state for a in inquiry.answers.all()] == ["pending"]
    assert not inquiry.answers.exclude(response="").exists()


def test_a_bad_file_refuses_the_whole_answer_and_writes_nothing(
    world: Any, temp_media: Path
) -> None:
    inquiry = issued_inquiry(world)
    fake = SimpleUploadedFile("说明.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(ValidationError) as error:
        inquiries.respond_inquiry(
            actor=world.data_provider,
            inquiry=inquiry,
            response="已整改。",
            finding="corrected",
            files=[pdf(), fake],
        )
    assert "内容与扩展名不符" in str(error.value)
    inquiry.refresh_from_db()
    assert inquiry.state == "issued" and not InquiryAttachment.objects.exists()
    assert files_in(temp_media) == []


def test_a_second_submission_of_the_answer_does_not_write_twice(world: Any) -> None:
    inquiry = issued_inquiry(world)
    answer = {"response": "已整改。", "finding": "corrected", "expected_state": "issued"}
    inquiries.respond_inquiry(actor=world.data_provider, inquiry=inquiry, files=[pdf()], **answer)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    stale.state = "issued"  # the page the officer clicked twice on
    with pytest.raises(TransitionNotAllowed):
        inquiries.respond_inquiry(actor=world.data_provider, inquiry=stale, files=[pdf()], **answer)
    assert InquiryAttachment.objects.count() == 1
    assert WorkflowEvent.objects.filter(transition="respond").count() == 1


def test_only_an_officer_of_the_addressee_may_answer(world: Any) -> None:
    inquiry = issued_inquiry(world)
    for actor in (tax_officer(world), world.staff):
        with pytest.raises(PermissionDenied):
            inquiries.respond_inquiry(
                actor=actor, inquiry=inquiry, response="已核实。", finding="normal"
            )


def test_accepting_settles_the_alerts(world: Any) -> None:
    inquiry = responded_inquiry(world, finding=Inquiry.Finding.CORRECTED)
    inquiries.accept_inquiry(actor=world.staff, inquiry=inquiry, note="同意。")
    inquiry.refresh_from_db()
    assert inquiry.state == "closed" and inquiry.closed_at is not None
    assert {a.handling for a in inquiry.alerts.all()} == {Alert.Handling.RESOLVED}

    normal = responded_inquiry(world, finding=Inquiry.Finding.NORMAL)
    inquiries.accept_inquiry(actor=world.staff, inquiry=normal)
    assert {a.handling for a in normal.alerts.all()} == {Alert.Handling.DISMISSED}


def test_returning_needs_a_reason_and_gives_a_new_deadline(world: Any) -> None:
    inquiry = responded_inquiry(world)
    with pytest.raises(ValidationError) as error:
        inquiries.return_inquiry(actor=world.staff, inquiry=inquiry, reason=" ")
    assert "退回理由" in str(error.value)
    Inquiry.objects.filter(pk=inquiry.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    inquiry.refresh_from_db()
    inquiries.return_inquiry(actor=world.staff, inquiry=inquiry, reason="未附合同，请补充。")
    inquiry.refresh_from_db()
    assert inquiry.state == "returned" and inquiry.returned_count == 1
    assert inquiry.due_at is not None and inquiry.due_at > timezone.now()
    assert inquiry.reminded_at is None
    inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=inquiry,
        response="补充合同复印件。",
        finding="corrected",
        files=[pdf()],
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"
    assert [a.response for a in inquiry.answers.all()] == ["补充合同复印件。"]


def test_withdrawing_puts_the_alerts_back(world: Any) -> None:
    alert = make_alert(world)
    inquiry = issued_inquiry(world, [alert])
    with pytest.raises(TransitionNotAllowed):
        inquiries.withdraw_inquiry(actor=world.staff, inquiry=inquiry, reason="")
    inquiries.withdraw_inquiry(actor=world.staff, inquiry=inquiry, reason="预警数据有误")
    alert.refresh_from_db()
    assert inquiry.state == "withdrawn" and alert.handling == Alert.Handling.NEW


# --- overdue reminders ------------------------------------------------------------------


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


def test_late_letters_are_reminded_once_per_working_day(world: Any) -> None:
    inquiry = issued_inquiry(world)
    answered = responded_inquiry(world)
    due = at(dt.date(2025, 6, 5), 23)
    Inquiry.objects.filter(pk__in=[inquiry.pk, answered.pk]).update(due_at=due)
    Notification.objects.all().delete()

    tuesday = dt.date(2025, 6, 10)
    assert inquiries.remind_overdue_inquiries(now=at(tuesday)) == 1
    assert inquiries.remind_overdue_inquiries(now=at(tuesday, 16)) == 0  # once a day
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"data_provider", "staff"}
    assert Notification.objects.count() == 2
    assert "逾期" in Notification.objects.first().title  # type: ignore[union-attr]
    assert inquiries.remind_overdue_inquiries(now=at(dt.date(2025, 6, 14))) == 0  # Saturday
    assert inquiries.remind_overdue_inquiries(now=at(dt.date(2025, 6, 11))) == 1


def test_the_periodic_task_runs_the_reminders(world: Any) -> None:
    from renda.budget import tasks

    inquiry = issued_inquiry(world)
    Inquiry.objects.filter(pk=inquiry.pk).update(due_at=timezone.now() - dt.timedelta(days=30))
    Notification.objects.all().delete()
    tasks.daily_inquiry_reminders.call_local()
    # On a working day both are told; on a day off nobody is.
    expected = 2 if workcal.is_workday(timezone.localdate()) else 0
    assert Notification.objects.count() == expected


# --- pages ------------------------------------------------------------------------------


def test_the_loop_through_the_pages(world: Any, client_for: Any) -> None:
    staff, officer = client_for("staff"), client_for("data_provider")
    alerts = [make_alert(world), make_alert(world)]
    form = staff.get(reverse("budget:inquiry_create"), {"alert": [a.pk for a in alerts]})
    assert form.status_code == 200 and alerts[1].explanation in form.content.decode()
    response = staff.post(
        reverse("budget:inquiry_create"),
        {
            "alert": [a.pk for a in alerts],
            "addressee": world.finance.pk,
            "title": "关于大额支付的问询函",
            "questions": "请说明两笔大额支付的依据。",
            "response_days": 10,
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "budget:inquiry_detail", args=[inquiry.pk]
    )
    # A draft is invisible to the addressee.
    assert officer.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).status_code == 404
    assert inquiry.number not in officer.get(reverse("budget:inquiries")).content.decode()

    transition = reverse("budget:inquiry_transition", args=[inquiry.pk])
    staff.post(transition, {"transition": "issue", "expected_state": "draft"})
    inquiry.refresh_from_db()
    assert inquiry.state == "issued"
    page = officer.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert "请说明两笔大额支付的依据" in page and 'data-testid="respond-link"' in page

    respond = reverse("budget:inquiry_respond", args=[inquiry.pk])
    assert officer.get(respond).status_code == 200
    officer.post(
        respond,
        answer_form(
            inquiry,
            "两笔均为工程进度款。",
            "normal",
            expected_state="issued",
            attachments=[pdf()],
        ),
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "responded" and inquiry.attachments.count() == 1

    staff.post(transition, {"transition": "return", "expected_state": "responded", "note": ""})
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"  # a reason is required
    staff.post(
        transition,
        {"transition": "return", "expected_state": "responded", "note": "请附施工合同。"},
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "returned" and inquiry.returned_count == 1
    officer.post(respond, answer_form(inquiry, "已附合同。", "normal", expected_state="returned"))
    staff.post(transition, {"transition": "accept", "expected_state": "responded"})
    inquiry.refresh_from_db()
    assert inquiry.state == "closed"
    detail = staff.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert detail.count('data-testid="workflow-event"') == 5
    assert "请附施工合同" in detail and "已办结" in detail


def test_the_respond_button_is_refused_on_the_generic_transition_view(
    world: Any, client_for: Any
) -> None:
    inquiry = issued_inquiry(world)
    client_for("staff").post(
        reverse("budget:inquiry_transition", args=[inquiry.pk]),
        {"transition": "respond", "note": "代答"},
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "issued"


def test_an_answer_without_a_finding_is_refused_with_a_message(world: Any, client_for: Any) -> None:
    inquiry = issued_inquiry(world)
    response = client_for("data_provider").post(
        reverse("budget:inquiry_respond", args=[inquiry.pk]),
        answer_form(inquiry, "已核实。", expected_state="issued"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "请选择核实结论" in page and "已核实。" in page  # kept what was typed
    inquiry.refresh_from_db()
    assert inquiry.state == "issued"


def test_a_bad_file_on_the_page_is_refused_and_nothing_is_written(
    world: Any, client_for: Any, temp_media: Path
) -> None:
    inquiry = issued_inquiry(world)
    response = client_for("data_provider").post(
        reverse("budget:inquiry_respond", args=[inquiry.pk]),
        answer_form(
            inquiry,
            "已核实。",
            "normal",
            expected_state="issued",
            attachments=[SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")],
        ),
    )
    assert response.status_code == 422
    assert "不支持" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.state == "issued" and not InquiryAttachment.objects.exists()
    assert files_in(temp_media) == []


def test_double_submit_of_the_answer_page_writes_once(world: Any, client_for: Any) -> None:
    inquiry = issued_inquiry(world)
    client = client_for("data_provider")
    data = answer_form(inquiry, "已整改。", "corrected", expected_state="issued")
    first = client.post(reverse("budget:inquiry_respond", args=[inquiry.pk]), data)
    second = client.post(reverse("budget:inquiry_respond", args=[inquiry.pk]), data)
    assert first.status_code == second.status_code == 302
    assert WorkflowEvent.objects.filter(transition="respond").count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "不能执行“答复”操作" in page


def test_an_officer_of_another_organisation_gets_404(world: Any) -> None:
    from django.test import Client

    inquiry = responded_inquiry(world, files=[pdf()])
    other = login(Client(), tax_officer(world))
    for name in ("budget:inquiry_detail", "budget:inquiry_respond"):
        assert other.get(reverse(name, args=[inquiry.pk])).status_code == 404
    attachment = inquiry.attachments.get()
    assert other.get(reverse("budget:inquiry_attachment", args=[attachment.pk])).status_code == 404
    assert inquiry.number not in other.get(reverse("budget:inquiries")).content.decode()


def test_attachments_download_for_readers_and_the_addressee(world: Any, client_for: Any) -> None:
    inquiry = responded_inquiry(world, files=[pdf("整改报告.pdf")])
    url = reverse("budget:inquiry_attachment", args=[inquiry.attachments.get().pk])
    for persona in ("staff", "sc_member", "data_provider"):
        response = client_for(persona).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert client_for("handling_officer").get(url).status_code == 403


def test_the_standing_committee_member_reads_but_does_not_act(world: Any, client_for: Any) -> None:
    inquiry = responded_inquiry(world)
    client = client_for("sc_member")
    page = client.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert inquiry.number in page and 'data-testid="workflow-actions"' not in page
    response = client.post(
        reverse("budget:inquiry_transition", args=[inquiry.pk]),
        {"transition": "accept", "expected_state": "responded"},
    )
    assert response.status_code == 403
    assert client.get(reverse("budget:inquiry_respond", args=[inquiry.pk])).status_code == 403
    alert = inquiry.alerts.get()
    assert client.get(reverse("budget:inquiry_create"), {"alert": alert.pk}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"


def test_the_list_flags_late_letters_and_filters_them(world: Any, client_for: Any) -> None:
    late = issued_inquiry(world)
    on_time = issued_inquiry(world)
    Inquiry.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    client = client_for("staff")
    page = client.get(reverse("budget:inquiries")).content.decode()
    assert page.count('data-testid="overdue"') == 1
    only = client.get(reverse("budget:inquiries"), {"overdue": "on"})
    assert [i.pk for i in only.context["page"]] == [late.pk]
    assert on_time.pk not in [i.pk for i in only.context["page"]]
    detail = client.get(reverse("budget:inquiry_detail", args=[late.pk])).content.decode()
    assert "逾期" in detail


def test_the_officer_never_sees_drafts_or_other_letters(world: Any, client_for: Any) -> None:
    draft = draft_inquiry(world)
    issued = issued_inquiry(world)
    response = client_for("data_provider").get(reverse("budget:inquiries"))
    assert [i.pk for i in response.context["page"]] == [issued.pk]
    assert draft.pk not in [i.pk for i in response.context["page"]]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_uses_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    for _ in range(count):
        issued_inquiry(world, [make_alert(world), make_alert(world)])
    for persona in ("staff", "data_provider"):
        client = client_for(persona)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("budget:inquiries"))
        assert response.status_code == 200
        assert len(response.context["page"]) == count


# --- concurrency (PostgreSQL) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_drafts_created_at_once_get_different_numbers(world: Any) -> None:
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; run with DATABASE_URL set")
    alerts = [make_alert(world) for _ in range(4)]
    barrier = threading.Barrier(4)
    numbers: list[str] = []

    def create(alert: Alert) -> None:
        try:
            barrier.wait()
            numbers.append(draft_inquiry(world, [alert]).number)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(a,)) for a in alerts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 4 and len(set(numbers)) == 4


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_write_one(world: Any) -> None:
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("select_for_update is a no-op on SQLite; run this on PostgreSQL")
    inquiry = issued_inquiry(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def respond(text: str) -> None:
        try:
            barrier.wait()
            inquiries.respond_inquiry(
                actor=world.data_provider,
                inquiry=Inquiry.objects.get(pk=inquiry.pk),
                response=text,
                finding="normal",
                expected_state="issued",
            )
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=respond, args=(t,)) for t in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert WorkflowEvent.objects.filter(transition="respond").count() == 1
