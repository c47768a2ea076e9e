"""Migration 0011: a letter's one answer becomes one answer per alert without loss — every
alert of an answered letter carries the letter's text, finding, officer and time, in the
state that matches the letter; going back writes the answers into the letter again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from renda.budget.models import Inquiry, InquiryAnswer
from renda.budget.tests.alert_data import issued_inquiry, make_alert

BEFORE = [("budget", "0010_alert_suggestion_source_link")]
AFTER = [("budget", "0011_inquiry_answers")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema() -> Any:
    """The later migrations are applied again after each test, for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_each_alert_of_an_answered_letter_keeps_the_answer(world: Any) -> None:
    alerts = [make_alert(world), make_alert(world)]
    answered = issued_inquiry(world, alerts)
    closed = issued_inquiry(world, [make_alert(world)])
    waiting = issued_inquiry(world, [make_alert(world)])
    old = _migrate(BEFORE)
    old_inquiry = old.get_model("budget", "Inquiry")
    now = timezone.now()
    text = "两笔均为教学楼维修工程进度款，已按合同支付。"
    old_inquiry.objects.filter(pk=answered.pk).update(
        state="responded",
        response=text,
        finding="corrected",
        responded_at=now,
        responded_by_id=world.data_provider.pk,
    )
    old_inquiry.objects.filter(pk=closed.pk).update(
        state="closed", response="属正常。", finding="normal", responded_at=now
    )

    _migrate(AFTER)
    rows = InquiryAnswer.objects.filter(inquiry_id=answered.pk).order_by("alert_id")
    assert [a.alert_id for a in rows] == sorted(a.pk for a in alerts)
    for row in rows:
        assert (row.state, row.response, row.finding) == ("answered", text, "corrected")
        assert row.responded_by_id == world.data_provider.pk and row.responded_at == now
    closed_answer = InquiryAnswer.objects.get(inquiry_id=closed.pk)
    assert (closed_answer.state, closed_answer.finding) == ("accepted", "normal")
    assert InquiryAnswer.objects.get(inquiry_id=waiting.pk).state == "pending"
    assert Inquiry.objects.get(pk=answered.pk).state == "responded"


@pytest.mark.django_db(transaction=True)
def test_going_back_writes_the_answers_into_the_letter(world: Any) -> None:
    first, second = make_alert(world), make_alert(world)
    inquiry = issued_inquiry(world, [first, second])
    InquiryAnswer.objects.filter(inquiry=inquiry, alert=first).update(
        state="answered", response="手续齐全。", finding="normal"
    )
    InquiryAnswer.objects.filter(inquiry=inquiry, alert=second).update(
        state="answered", response="已追回。", finding="violation"
    )
    old = _migrate(BEFORE)
    letter = old.get_model("budget", "Inquiry").objects.get(pk=inquiry.pk)
    assert "手续齐全。" in letter.response and "已追回。" in letter.response
    assert letter.finding == "violation"  # the gravest finding speaks for the letter
    _migrate(AFTER)
