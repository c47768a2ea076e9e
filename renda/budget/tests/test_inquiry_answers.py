"""One answer per alert (issue 14, item 12): a letter about several alerts is answered alert by
alert, each with its own explanation and finding; staff may return some answers and keep the
others; the letter closes when every answer is accepted, and each alert is settled by its own
finding."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renda.budget.models import Alert, Inquiry, InquiryAnswer
from renda.budget.services import inquiries
from renda.budget.tests.alert_data import issued_inquiry, make_alert
from renda.core.models import WorkflowEvent


def two_alert_letter(world: Any) -> tuple[Inquiry, Alert, Alert]:
    first, second = make_alert(world, code="B06"), make_alert(world, code="B06")
    return issued_inquiry(world, [first, second]), first, second


def test_each_alert_gets_its_own_answer_and_is_settled_by_its_own_finding(world: Any) -> None:
    inquiry, first, second = two_alert_letter(world)
    assert inquiry.answers.count() == 2
    inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=inquiry,
        answers={
            first.pk: ("该笔为教学楼维修进度款，手续齐全。", "normal"),
            second.pk: ("该笔超标准支付，已追回并整改。", "corrected"),
        },
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"
    answers = {a.alert_id: a for a in inquiry.answers.all()}
    assert answers[first.pk].finding == "normal"
    assert answers[second.pk].response == "该笔超标准支付，已追回并整改。"
    assert {a.state for a in answers.values()} == {"answered"}
    assert all(a.responded_by == world.data_provider for a in answers.values())
    note = WorkflowEvent.objects.get(transition="respond").note
    assert "教学楼维修进度款" in note and "已追回并整改" in note

    inquiries.accept_inquiry(actor=world.staff, inquiry=inquiry)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.handling == Alert.Handling.DISMISSED
    assert second.handling == Alert.Handling.RESOLVED
    assert {a.state for a in inquiry.answers.all()} == {"accepted"}


def test_a_missing_answer_for_one_alert_is_refused_and_writes_nothing(world: Any) -> None:
    inquiry, first, second = two_alert_letter(world)
    with pytest.raises(ValidationError) as error:
        inquiries.respond_inquiry(
            actor=world.data_provider,
            inquiry=inquiry,
            answers={first.pk: ("已核实。", "normal"), second.pk: ("", "")},
        )
    problems = error.value.message_dict
    assert problems[f"response_{second.pk}"] == ["请填写答复说明。"]
    assert "请选择核实结论" in problems[f"finding_{second.pk}"][0]
    assert f"response_{first.pk}" not in problems
    inquiry.refresh_from_db()
    assert inquiry.state == "issued"
    assert set(inquiry.answers.values_list("state", flat=True)) == {"pending"}


def test_staff_return_one_answer_and_keep_the_other(world: Any) -> None:
    inquiry, first, second = two_alert_letter(world)
    inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=inquiry,
        answers={first.pk: ("手续齐全。", "normal"), second.pk: ("已整改。", "corrected")},
    )
    inquiries.return_inquiry(
        actor=world.staff, inquiry=inquiry, reason="请附整改凭证。", alerts=[second.pk]
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "returned"
    kept, returned = (inquiry.answers.get(alert=a) for a in (first, second))
    assert kept.state == "answered" and kept.response == "手续齐全。"
    assert returned.state == "returned" and returned.return_reason == "请附整改凭证。"
    assert returned.response == "已整改。"  # the returned text stays on record
    # Only the returned alert is owed again.
    assert [a.alert_id for a in inquiries.open_answers(inquiry)] == [second.pk]
    with pytest.raises(ValidationError):
        inquiries.respond_inquiry(
            actor=world.data_provider,
            inquiry=inquiry,
            answers={first.pk: ("改答。", "violation"), second.pk: ("附凭证。", "corrected")},
        )
    inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=inquiry,
        answers={second.pk: ("已附整改凭证。", "corrected")},
    )
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"
    assert inquiry.answers.get(alert=first).response == "手续齐全。"
    inquiries.accept_inquiry(actor=world.staff, inquiry=inquiry)
    assert set(inquiry.answers.values_list("state", flat=True)) == {"accepted"}


def test_a_return_naming_an_alert_not_answered_is_refused(world: Any) -> None:
    inquiry, first, second = two_alert_letter(world)
    other = make_alert(world)
    inquiries.respond_inquiry(
        actor=world.data_provider, inquiry=inquiry, response="已核实。", finding="normal"
    )
    with pytest.raises(ValidationError):
        inquiries.return_inquiry(
            actor=world.staff, inquiry=inquiry, reason="请补充。", alerts=[other.pk]
        )
    inquiry.refresh_from_db()
    assert inquiry.state == "responded"


def test_the_pages_answer_and_return_alert_by_alert(world: Any, client_for: Any) -> None:
    inquiry, first, second = two_alert_letter(world)
    officer, staff = client_for("data_provider"), client_for("staff")
    respond = reverse("budget:inquiry_respond", args=[inquiry.pk])
    page = officer.get(respond).content.decode()
    assert page.count('data-testid="answer-block"') == 2
    refused = officer.post(
        respond,
        {
            "expected_state": "issued",
            f"response_{first.pk}": "手续齐全。",
            f"finding_{first.pk}": "normal",
        },
    )
    assert refused.status_code == 422
    assert "请填写答复说明" in refused.content.decode()
    assert "手续齐全。" in refused.content.decode()  # kept what was typed
    officer.post(
        respond,
        {
            "expected_state": "issued",
            f"response_{first.pk}": "手续齐全。",
            f"finding_{first.pk}": "normal",
            f"response_{second.pk}": "已追回。",
            f"finding_{second.pk}": "corrected",
        },
    )
    detail = staff.get(reverse("budget:inquiry_detail", args=[inquiry.pk])).content.decode()
    assert detail.count('data-testid="inquiry-answer"') == 2
    assert "手续齐全。" in detail and "已追回。" in detail
    assert "经核实属正常" in detail and "已整改纠正" in detail
    assert 'data-testid="return-form"' in detail
    staff.post(
        reverse("budget:inquiry_transition", args=[inquiry.pk]),
        {
            "transition": "return",
            "expected_state": "responded",
            "note": "请附凭证。",
            "return_alert": [str(second.pk)],
        },
    )
    assert inquiry.answers.get(alert=second).state == InquiryAnswer.State.RETURNED
    assert inquiry.answers.get(alert=first).state == InquiryAnswer.State.ANSWERED
    page = officer.get(respond).content.decode()
    assert page.count('data-testid="answer-block"') == 1 and "请附凭证。" in page
    listing = staff.get(reverse("budget:inquiries")).content.decode()
    assert "1/2 项已答复" in listing
    alert_page = staff.get(reverse("budget:alert_detail", args=[first.pk])).content.decode()
    assert inquiry.number in alert_page and "经核实属正常" in alert_page
