"""The demo's exam year (renda/exams/demo/sitting.py) on top of the registry: the 市人民政府's
appointment list on a standing-committee meeting's agenda, a released first sitting with
real results, and the second sitting in the coming days that the demo nominee (彭志刚) sees
on his own pages with his admission slip. Loading twice creates nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.core.models import AuditEvent
from renda.exams.demo import load_demo_exams
from renda.exams.demo.sitting import LIST_TITLE
from renda.exams.models import (
    AppointmentList,
    Attempt,
    Blueprint,
    Enrolment,
    ExamSitting,
    ListState,
    Paper,
)
from renda.exams.services.appointments import Status, agenda_note, gate
from renda.exams.services.statistics import item_statistics
from renda.meetings.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> dict[str, int]:
    call_command("seed_demo", "--registry-only", force=True, stdout=io.StringIO())
    return load_demo_exams(actor=None)


def _list() -> AppointmentList:
    return AppointmentList.objects.select_related("meeting", "agenda_item").get(title=LIST_TITLE)


def test_the_demo_exam_year(loaded: dict[str, int]) -> None:
    """Four stories of one load (seeding the registry takes minutes on a busy machine): the
    list and its gate, the first sitting's results, what the demo nominee sees, and that a
    second load creates nothing."""
    check_the_list_is_on_a_coming_meetings_agenda_and_blocked_by_who_has_not_passed(loaded)
    check_the_first_sitting_has_released_results_and_item_statistics()
    check_the_demo_nominee_sees_his_coming_sitting_and_slip()
    check_loading_twice_creates_nothing()


def check_the_list_is_on_a_coming_meetings_agenda_and_blocked_by_who_has_not_passed(
    loaded: dict[str, int],
) -> None:
    assert loaded["提请任命名单"] == 1 and loaded["考试场次"] == 2
    appointment_list = _list()
    assert appointment_list.state == ListState.SUBMITTED
    assert appointment_list.meeting.kind == Meeting.Kind.STANDING
    assert appointment_list.meeting.start_date > timezone.localdate()
    assert appointment_list.agenda_item is not None
    assert appointment_list.agenda_item.meeting_id == appointment_list.meeting_id
    result = gate(appointment_list)
    codes = {row.nomination.user.username: row.code for row in result.rows}
    assert len(codes) == 5
    assert codes.pop("nominee") == Status.WAITING  # 彭志刚: his exam is in three days
    assert sorted(codes.values()) == [Status.PASSED, Status.PASSED, Status.PASSED, Status.WAITING]
    assert not result.open
    note = " ".join(agenda_note(appointment_list.agenda_item, list(_sources(appointment_list))))
    assert "彭志刚" in note and "不能交付表决" in note


def _sources(appointment_list: AppointmentList) -> Any:
    from renda.core.models import SourceLink

    return SourceLink.objects.filter(target_id=appointment_list.agenda_item_id)


def check_the_first_sitting_has_released_results_and_item_statistics() -> None:
    first, second = ExamSitting.objects.order_by("starts_at")
    assert first.ends_at < timezone.now() < second.starts_at
    attempts = list(Attempt.objects.filter(enrolment__sitting=first).select_related("enrolment"))
    assert len(attempts) == 4
    assert all(a.released_at is not None and a.total_score is not None for a in attempts)
    passed = sorted(a.passed for a in attempts)
    assert passed == [False, True, True, True]
    failed = next(a for a in attempts if not a.passed)
    assert failed.total_score is not None and failed.total_score < first.pass_mark
    # Every answer went through the attempt service inside the sitting's window.
    for a in attempts:
        assert a.started_at is not None and a.submitted_at is not None
        assert first.starts_at <= a.started_at < a.submitted_at <= first.ends_at
        assert a.answers.filter(answered=True).count() == a.answers.count() == 40
    blueprint = Blueprint.objects.get(pk=first.blueprint_id)
    assert sum(c.score * c.count for c in blueprint.cells.all()) == 100
    # One parallel form drawn by lot: every question on it has all four attempts.
    stats = item_statistics(sitting=first)
    assert len(stats) == 40
    assert {row.figures.count for row in stats} == {4}
    assert any(row.figures.discrimination is not None for row in stats)


def check_the_demo_nominee_sees_his_coming_sitting_and_slip() -> None:
    user = User.objects.get(username="nominee")
    assert user.name == "彭志刚"
    enrolment = Enrolment.objects.select_related("sitting").get(user=user)
    assert enrolment.sitting.starts_at > timezone.now()
    assert Paper.objects.filter(enrolment=enrolment).exists()
    # The makeup: the one who failed is enrolled in the same coming sitting, once.
    makeup = Enrolment.objects.filter(sitting=enrolment.sitting).exclude(user=user).get()
    assert makeup.reason.startswith("补考")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("exams:my_exams"))
    assert page.status_code == 200
    text = page.content.decode()
    assert enrolment.sitting.title in text
    slip = client.get(reverse("exams:my_slip", args=[enrolment.pk]))
    assert slip.status_code == 200 and enrolment.slip_number in slip.content.decode()
    assert "彭志刚" in slip.content.decode()


def check_loading_twice_creates_nothing() -> None:
    counts = {
        model: model.objects.count()
        for model in (AppointmentList, ExamSitting, Attempt, Enrolment, Meeting, Blueprint, User)
    }
    audit_rows = AuditEvent.objects.count()
    assert load_demo_exams(actor=None) == {"试题": 0, "试题新版本": 0}
    assert {model: model.objects.count() for model in counts} == counts
    assert AuditEvent.objects.count() == audit_rows
