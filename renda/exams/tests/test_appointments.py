"""The appointment list and its gate: submitted at least 10 days ahead and put on the
meeting's agenda, which says who has not passed; the vote refused while anyone is neither
passed nor exempt; exemption only with an earlier pass and a reason; one makeup exam, then
a final fail with the drafted advice to withdraw; results with their counts, the 任命书, the
public 任免名单 (only the appointed, only after the vote), the oath and the record that the
next list finds for an exemption."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from docx import Document

from renda.core.models import AuditEvent
from renda.exams.models import AppointmentRecord, ListState, Nomination
from renda.exams.services import appointment_votes as votes
from renda.exams.services import appointments as services
from renda.exams.services.appointments import Status

from .appointment_setup import make_list, sit_for, standing_meeting
from .test_grading_flow import examinee

pytestmark = pytest.mark.django_db


def _nominations(appointment_list: Any) -> list[Nomination]:
    return list(appointment_list.nominations.select_related("user").order_by("order"))


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _result(
    actor: Any, nomination: Nomination, result: str, counts: tuple[int, int, int]
) -> Nomination:
    """Record one nominee's vote; `counts` is (赞成, 反对, 弃权)."""
    votes_for, votes_against, abstentions = counts
    return votes.record_result(
        actor=actor,
        nomination=nomination,
        result=result,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )


def test_a_list_is_submitted_at_least_the_lead_days_before_the_meeting(world: Any) -> None:
    late = make_list(world, [world.nominee], days=7, submit=False)
    assert late.lead_days == 10
    with pytest.raises(ValidationError, match="10 日前提请"):
        services.submit_list(actor=world.staff, appointment_list=late)
    late.refresh_from_db()
    assert late.state == ListState.DRAFT and late.agenda_item is None
    # The rule is data: a list that allows 5 days may go 7 days ahead.
    services_list = services.create_list(
        actor=world.staff,
        title="另一名单",
        nominating_body=late.nominating_body,
        meeting=late.meeting,
        lead_days=5,
    )
    services.add_nomination(
        actor=world.staff,
        appointment_list=services_list,
        user=examinee("nx", "戊"),
        post="冷水江市审计局局长",
        position_category="government",
    )
    done = services.submit_list(actor=world.staff, appointment_list=services_list)
    assert done.state == ListState.SUBMITTED and done.agenda_item is not None


def test_the_agenda_item_says_who_has_not_passed(world: Any, client_for: Any) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = make_list(world, [world.nominee, second], days=12)
    item = appointment_list.agenda_item
    assert item is not None and item.meeting_id == appointment_list.meeting_id
    assert item.kind == "election" and "测试nominee等2人" in item.title
    assert AuditEvent.objects.filter(action="exam.applist_submit").exists()
    page = client_for("staff").get(reverse("meetings:detail", args=[item.meeting_id]))
    text = page.content.decode()
    assert 'data-testid="agenda-note"' in text
    assert "测试nominee（未安排考试）" in text and "乙拟任（未安排考试）" in text
    first, _ = _nominations(appointment_list)
    sit_for(world, [first], [True])
    text = client_for("staff").get(reverse("meetings:detail", args=[item.meeting_id])).content
    note = text.decode().split('data-testid="agenda-note">')[1].split("</div>")[0]
    assert "乙拟任" in note and "测试nominee" not in note


def test_the_vote_is_refused_while_anyone_has_neither_passed_nor_been_exempted(
    world: Any,
) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = make_list(world, [world.nominee, second])
    first, other = _nominations(appointment_list)
    sit_for(world, [first], [True])
    with pytest.raises(ValidationError, match="乙拟任（未安排考试）"):
        votes.open_vote(actor=world.staff, appointment_list=appointment_list)
    appointment_list.refresh_from_db()
    assert appointment_list.state == ListState.SUBMITTED
    refusal = AuditEvent.objects.get(action="exam.vote_refused")
    assert refusal.outcome == AuditEvent.Outcome.FAILURE
    assert refusal.details["missing"] == [second.pk]
    # A result cannot be recorded before the vote either.
    with pytest.raises(ValidationError, match="尚未交付表决"):
        _result(world.staff, first, "passed", (5, 0, 0))
    sit_for(world, [other], [True])
    voting = votes.open_vote(actor=world.staff, appointment_list=appointment_list)
    assert voting.state == ListState.VOTING


def test_the_status_cannot_be_typed_in(world: Any) -> None:
    """There is no status column: only a released attempt or a linked exemption clears."""
    appointment_list = make_list(world, [world.nominee])
    (nomination,) = _nominations(appointment_list)
    assert services.status_of(nomination).code == Status.NOT_ENROLLED
    # An exemption without an earlier pass does not even reach the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.filter(pk=nomination.pk).update(exempt_reason="领导同意")
    assert not services.gate(appointment_list).open


def test_an_exemption_needs_an_earlier_pass_of_the_same_person_and_a_reason(
    world: Any,
) -> None:
    other = examinee("nb", "乙拟任")
    earlier_list = make_list(world, [world.nominee, other])
    mine, theirs = _nominations(earlier_list)
    my_pass, their_pass = sit_for(world, [mine, theirs], [True, True])
    later = make_list(world, [world.nominee], meeting=earlier_list.meeting)
    (nomination,) = _nominations(later)
    with pytest.raises(ValidationError) as no_link:
        services.exempt_nomination(actor=world.staff, nomination=nomination, reason="平级转任")
    assert "关联一项此前的合格记录" in str(no_link.value)
    with pytest.raises(ValidationError, match="免考理由"):
        services.exempt_nomination(
            actor=world.staff, nomination=nomination, reason=" ", attempt=my_pass
        )
    with pytest.raises(ValidationError, match="不是本人的"):
        services.exempt_nomination(
            actor=world.staff, nomination=nomination, reason="平级转任", attempt=their_pass
        )
    done = services.exempt_nomination(
        actor=world.staff,
        nomination=nomination,
        reason="2026年任前法律考试合格，现平级转任",
        attempt=my_pass,
    )
    assert services.status_of(done).code == Status.EXEMPT and services.gate(later).open
    event = AuditEvent.objects.get(action="exam.nomination_exempt")
    assert event.details["attempt"] == my_pass.pk and "平级转任" in event.details["reason"]


def test_one_makeup_then_a_final_fail_with_the_drafted_advice(world: Any, client_for: Any) -> None:
    appointment_list = make_list(world, [world.nominee])
    (nomination,) = _nominations(appointment_list)
    sit_for(world, [nomination], [False])
    assert services.status_of(nomination).code == Status.MAKEUP
    makeup = sit_for(world, [nomination], [False])
    assert "补考：" in makeup[0].enrolment.reason
    status = services.status_of(nomination)
    assert status.code == Status.FAILED_FINAL and len(status.attempts) == 2
    from .appointment_setup import sitting

    with pytest.raises(ValidationError, match="只能补考一次"):
        services.enrol_nominee(actor=world.staff, nomination=nomination, sitting=sitting(world))
    advice = services.draft_advice(nomination)
    assert "冷水江市人民政府" in advice and "测试nominee" in advice
    assert "冷水江市第1局局长" in advice and "撤回" in advice
    client = client_for("staff")
    url = reverse("exams:nomination_advice", args=[nomination.pk])
    page = client.get(url)
    assert page.status_code == 200 and "建议你单位撤回" in page.content.decode()
    response = client.post(url, {"text": "经研究，建议撤回对该同志的任命提请。"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.advice_text == "经研究，建议撤回对该同志的任命提请。"
    assert AuditEvent.objects.filter(action="exam.advice_edit", target_id=nomination.pk).exists()
    with pytest.raises(ValidationError):
        votes.open_vote(actor=world.staff, appointment_list=appointment_list)


def _voting(world: Any, users: list[Any]) -> Any:
    appointment_list = make_list(world, users)
    sit_for(world, _nominations(appointment_list), [True] * len(users))
    return votes.open_vote(actor=world.staff, appointment_list=appointment_list)


def test_results_are_recorded_with_counts_and_checked_against_the_majority(world: Any) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = _voting(world, [world.nominee, second])
    first, other = _nominations(appointment_list)
    with pytest.raises(ValidationError, match="结果应为“未通过”"):
        _result(world.staff, first, "passed", (2, 2, 1))
    with pytest.raises(ValidationError, match="超过常委会组成人员"):
        _result(world.staff, first, "passed", (5, 1, 0))
    done = _result(world.staff, first, "passed", (4, 1, 0))
    assert (done.votes_for, done.votes_against, done.abstentions) == (4, 1, 0)
    record = AppointmentRecord.objects.get(nomination=first)
    assert record.post == "冷水江市第1局局长"
    assert record.appointed_on == appointment_list.meeting.start_date
    appointment_list.refresh_from_db()
    assert appointment_list.state == ListState.VOTING  # one still to record
    _result(world.staff, other, "rejected", (2, 2, 1))
    appointment_list.refresh_from_db()
    assert appointment_list.state == ListState.VOTED and appointment_list.voted_at
    assert not AppointmentRecord.objects.filter(nomination=other).exists()
    assert AuditEvent.objects.filter(action="exam.vote_result").count() == 2


def test_the_letter_names_the_person_and_the_post(world: Any, client_for: Any) -> None:
    appointment_list = _voting(world, [world.nominee])
    (nomination,) = _nominations(appointment_list)
    staff = client_for("staff")
    url = reverse("exams:nomination_result", args=[nomination.pk])
    refused = staff.post(
        url, {"result": "passed", "votes_for": 2, "votes_against": 3, "abstentions": 0}
    )
    assert refused.status_code == 200 and "结果应为“未通过”" in refused.content.decode()
    done = staff.post(
        url, {"result": "passed", "votes_for": 5, "votes_against": 0, "abstentions": 0}
    )
    assert done.status_code == 302
    record = AppointmentRecord.objects.get(nomination=nomination)
    detail = staff.get(reverse("exams:applist_detail", args=[appointment_list.pk])).content
    assert reverse("exams:record_letter", args=[record.pk]) in detail.decode()
    assert "赞成 5、反对 0、弃权 0" in detail.decode()
    response = client_for("staff").get(reverse("exams:record_letter", args=[record.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(response.content)
    assert "任 命 书" in text
    assert "任命测试nominee为冷水江市第1局局长" in text
    assert appointment_list.meeting.title in text
    assert AuditEvent.objects.filter(action="exam.appointment_letter").exists()
    assert (
        client_for("nominee").get(reverse("exams:record_letter", args=[record.pk])).status_code
        == 403
    )


def test_the_public_notice_shows_only_the_appointed_and_only_after_the_vote(
    world: Any, client: Any
) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = _voting(world, [world.nominee, second])
    first, other = _nominations(appointment_list)
    url = reverse("exams:public_appointment", args=[appointment_list.pk])
    _result(world.staff, first, "passed", (5, 0, 0))
    assert client.get(url).status_code == 404  # the vote is not over
    assert "测试nominee" not in client.get(reverse("exams:public_appointments")).content.decode()
    _result(world.staff, other, "rejected", (1, 3, 1))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "任命测试nominee为冷水江市第1局局长" in text
    assert "乙拟任" not in text and "第2局" not in text
    assert "市人民政府" in client.get(reverse("exams:public_appointments")).content.decode()


def test_the_oath_is_recorded_and_the_record_is_found_for_the_next_exemption(
    world: Any,
) -> None:
    appointment_list = _voting(world, [world.nominee])
    (nomination,) = _nominations(appointment_list)
    _result(world.staff, nomination, "passed", (5, 0, 0))
    record = AppointmentRecord.objects.get(nomination=nomination)
    with pytest.raises(ValidationError, match="不能早于任命日期"):
        votes.record_oath(
            actor=world.staff, record=record, oath_on=record.appointed_on - dt.timedelta(days=1)
        )
    # The meeting is in the future in these tests: move the appointment to today to swear.
    AppointmentRecord.objects.filter(pk=record.pk).update(appointed_on=timezone.localdate())
    record.refresh_from_db()
    sworn = votes.record_oath(actor=world.staff, record=record, oath_on=timezone.localdate())
    assert sworn.oath_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="exam.oath_record", target_id=record.pk).exists()
    # The next list finds the record and exempts with it.
    meeting = standing_meeting(world, days=30)
    later = make_list(world, [world.nominee], meeting=meeting)
    (again,) = _nominations(later)
    records, _ = services.exemption_candidates(world.nominee)
    assert records == [record]
    services.exempt_nomination(
        actor=world.staff, nomination=again, reason="连任同一职务", record=record
    )
    again.refresh_from_db()
    assert services.status_of(again).code == Status.EXEMPT
    assert services.gate(later).open


def test_the_dashboard_lists_every_nominee_still_to_sit(world: Any, client_for: Any) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = make_list(world, [world.nominee, second])
    first, _ = _nominations(appointment_list)
    sit_for(world, [first], [True])
    page = client_for("staff").get(reverse("exams:applists"))
    text = page.content.decode()
    assert appointment_list.title in text
    to_sit = text.split('data-testid="to-sit"')[1]
    assert "乙拟任" in to_sit and "测试nominee" not in to_sit
    detail = client_for("staff").get(reverse("exams:applist_detail", args=[appointment_list.pk]))
    assert "不能交付表决：乙拟任（未安排考试）" in detail.content.decode()


def test_the_nominee_sees_their_own_status_never_another_list(world: Any, client_for: Any) -> None:
    appointment_list = make_list(world, [world.nominee])
    (nomination,) = _nominations(appointment_list)
    sit_for(world, [nomination], [True])
    page = client_for("nominee").get(reverse("exams:my_appointments"))
    text = page.content.decode()
    assert "拟任冷水江市第1局局长" in text and "考试合格" in text
    assert (
        client_for("nominee")
        .get(reverse("exams:applist_detail", args=[appointment_list.pk]))
        .status_code
        == 403
    )


def test_a_nominee_is_taken_off_or_unexempted_only_before_the_vote_with_a_reason(
    world: Any,
) -> None:
    second = examinee("nb", "乙拟任")
    appointment_list = make_list(world, [world.nominee, second])
    first, other = _nominations(appointment_list)
    (passed,) = sit_for(world, [first], [True])
    with pytest.raises(ValidationError, match="移除理由"):
        services.remove_nomination(actor=world.staff, nomination=other, reason=" ")
    services.remove_nomination(actor=world.staff, nomination=other, reason="提请机关撤回提请")
    assert AuditEvent.objects.get(action="exam.nomination_remove").details["user"] == second.pk
    later = make_list(world, [world.nominee], meeting=appointment_list.meeting)
    (again,) = _nominations(later)
    services.exempt_nomination(
        actor=world.staff, nomination=again, reason="已考试合格", attempt=passed
    )
    undone = services.cancel_exemption(actor=world.staff, nomination=again, reason="登记有误")
    assert services.status_of(undone).code == Status.NOT_ENROLLED
    assert AuditEvent.objects.filter(action="exam.nomination_exempt_cancel").exists()
    votes.open_vote(actor=world.staff, appointment_list=appointment_list)
    with pytest.raises(ValidationError, match="已交付表决"):
        services.remove_nomination(actor=world.staff, nomination=first, reason="撤回")


def test_the_vote_is_written_onto_the_meetings_agenda_item_by_the_personnel_committee(
    world: Any,
) -> None:
    """Once every nominee has a result, the agenda item of the list says who was appointed,
    with the counts, and a member of staff holding only the exams duty (人代选工委, not the
    meetings duty of 办公室) writes it; before the meeting has started no outcome is written."""
    from renda.accounts.models import OfficeDuty
    from renda.accounts.services import accounts as account_services
    from renda.core.models import Organization
    from renda.core.roles import Duty, Role
    from renda.meetings import services as meeting_services
    from renda.meetings.models import AgendaItem

    office = Organization.objects.create(
        name="人代选工委", code="T-RXW", kind=Organization.Kind.OFFICE, region=world.county
    )
    OfficeDuty.objects.create(organization=office, duty=Duty.EXAMS)
    personnel = account_services.create_user(
        actor=None,
        username="rxw",
        name="人代选工委干部",
        role=Role.STAFF,
        organization=office,
        mobile="13922220000",
        must_change_password=False,
    )
    second = examinee("nc", "丙拟任")
    appointment_list = _voting(world, [world.nominee, second])
    meeting = appointment_list.meeting
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    meeting_services.open_meeting(actor=world.staff, meeting=meeting)
    first, other = _nominations(appointment_list)
    _result(personnel, first, "passed", (4, 0, 1))
    item = AgendaItem.objects.get(pk=appointment_list.agenda_item_id)
    assert item.outcome == ""  # one nominee still to vote on
    _result(personnel, other, "rejected", (1, 3, 1))
    item.refresh_from_db()
    assert item.outcome_kind == AgendaItem.Outcome.VOTE and item.outcome_recorded_at
    assert item.outcome == (
        "表决2人，通过 1 人："
        f"{first.user.name}任冷水江市第1局局长通过（赞成 4、反对 0、弃权 1）；"
        f"{other.user.name}任冷水江市第2局局长未通过（赞成 1、反对 3、弃权 1）。"
    )
    event = AuditEvent.objects.filter(action="exam.vote_result").latest("pk")
    assert event.details["agenda_outcome"] is True


def test_no_outcome_is_written_before_the_meeting_has_started(world: Any) -> None:
    from renda.meetings.models import AgendaItem

    appointment_list = _voting(world, [world.nominee])
    (only,) = _nominations(appointment_list)
    _result(world.staff, only, "passed", (4, 1, 0))
    appointment_list.refresh_from_db()
    assert appointment_list.state == ListState.VOTED
    item = AgendaItem.objects.get(pk=appointment_list.agenda_item_id)
    assert item.outcome == "" and item.outcome_kind == ""
