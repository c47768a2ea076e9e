"""代表述职: the yearly plan, the report (deputy or staff), the constituents' evaluation, and
the duty record it makes, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.deputies.models import DutyRecord, ReportingAssignment
from renda.deputies.services import reporting

from .factories import make_deputy
from .reporting_factories import make_assignment, make_plan


def _evaluate(world: Any, a: ReportingAssignment, counts: tuple[int, int, int]) -> Any:
    return reporting.record_evaluation(
        actor=world.staff,
        assignment=a,
        satisfied=counts[0],
        basically_satisfied=counts[1],
        dissatisfied=counts[2],
    )


def test_evaluation_goes_into_the_duty_record_once(world: Any) -> None:
    deputy = make_deputy(world, user=world.deputy)
    a = make_assignment(world, deputy=deputy)
    reporting.submit_report(actor=world.deputy, assignment=a, text="一年来我履职情况如下……")
    _evaluate(world, a, (28, 3, 1))
    _evaluate(world, a, (28, 3, 1))  # the same counts again: nothing new
    records = DutyRecord.objects.filter(deputy=deputy, kind="report_to_constituents")
    assert records.count() == 1
    record = records.get()
    assert record.occurred_on == a.scheduled_on and "满意 28 人" in record.details
    assert AuditEvent.objects.filter(action="reporting.evaluate").count() == 1
    a.refresh_from_db()
    assert (a.satisfied, a.basically_satisfied, a.dissatisfied) == (28, 3, 1)


def test_different_counts_after_recording_are_refused(world: Any) -> None:
    a = make_assignment(world)
    reporting.submit_report(actor=world.staff, assignment=a, text="书面述职报告")
    _evaluate(world, a, (10, 0, 0))
    with pytest.raises(ValidationError, match="已登记"):
        _evaluate(world, a, (9, 1, 0))
    with pytest.raises(ValidationError, match="不能再修改"):
        reporting.submit_report(actor=world.staff, assignment=a, text="改")
    assert DutyRecord.objects.count() == 1


@pytest.mark.parametrize(
    "counts, message",
    [((-1, 2, 0), "不能为负数"), ((0, 0, 0), "至少登记一人"), ((None, 1, 1), "请填写人数")],
)
def test_bad_counts_write_nothing(world: Any, counts: Any, message: str) -> None:
    a = make_assignment(world)
    reporting.submit_report(actor=world.staff, assignment=a, text="报告")
    with pytest.raises(ValidationError, match=message):
        _evaluate(world, a, counts)
    a.refresh_from_db()
    assert a.evaluated_at is None and not DutyRecord.objects.exists()


def test_the_database_refuses_negative_counts(world: Any) -> None:
    a = make_assignment(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingAssignment.objects.filter(pk=a.pk).update(
            satisfied=-1, basically_satisfied=0, dissatisfied=0, evaluated_at=timezone.now()
        )
    # Counts come together or not at all.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingAssignment.objects.filter(pk=a.pk).update(satisfied=3)


def test_no_evaluation_before_the_day_or_without_a_report(world: Any) -> None:
    later = make_assignment(world, on=timezone.localdate() + dt.timedelta(days=1))
    if later.scheduled_on.year != timezone.localdate().year:  # 31 December
        pytest.skip("tomorrow is next year")
    reporting.submit_report(actor=world.staff, assignment=later, text="报告")
    with pytest.raises(ValidationError, match="未到"):
        _evaluate(world, later, (1, 0, 0))
    today = make_assignment(world)
    with pytest.raises(ValidationError, match="先填写述职报告"):
        _evaluate(world, today, (1, 0, 0))


def test_only_the_deputy_or_staff_write_the_report(world: Any) -> None:
    a = make_assignment(world, deputy=make_deputy(world))  # not the deputy persona's record
    make_deputy(world, user=world.deputy)
    with pytest.raises(PermissionDenied):
        reporting.submit_report(actor=world.deputy, assignment=a, text="冒名")
    with pytest.raises(PermissionDenied):
        reporting.submit_report(actor=world.sc_member, assignment=a, text="代写")
    with pytest.raises(PermissionDenied):
        _evaluate_as(world.deputy, a)
    a.refresh_from_db()
    assert a.report_text == ""


def _evaluate_as(actor: Any, a: ReportingAssignment) -> None:
    reporting.record_evaluation(
        actor=actor, assignment=a, satisfied=1, basically_satisfied=0, dissatisfied=0
    )


def test_the_plan_and_assignment_checks(world: Any) -> None:
    plan = make_plan(world, 2026)
    with pytest.raises(ValidationError, match="已有述职计划"):
        reporting.create_reporting_plan(
            actor=world.staff, term=plan.term, year=2026, title="又一个"
        )
    deputy = make_deputy(world)
    args = {"actor": world.staff, "plan": plan, "deputy": deputy, "venue": "联络站"}
    with pytest.raises(ValidationError) as error:
        reporting.add_reporting_assignment(**args, audience="", scheduled_on=dt.date(2025, 12, 1))
    assert set(error.value.message_dict) == {"audience", "scheduled_on"}
    reporting.add_reporting_assignment(**args, audience="选民", scheduled_on=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="已列入本计划"):
        reporting.add_reporting_assignment(
            **args, audience="选民", scheduled_on=dt.date(2026, 7, 1)
        )
    assert ReportingAssignment.objects.count() == 1


# --- pages -------------------------------------------------------------------------------


def test_a_deputy_writes_the_report_on_the_phone(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, user=world.deputy)
    a = make_assignment(world, deputy=deputy)
    phone = client_for("deputy")
    mine = phone.get("/deputies/reporting/mine/").content.decode()
    assert "撰写述职报告" in mine and a.audience in mine
    url = f"/deputies/reporting/items/{a.pk}/report/"
    empty = phone.post(url, {"report_text": "   "})
    assert "请填写述职报告" in empty.content.decode()
    response = phone.post(url, {"report_text": "本年度我参加视察三次……"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.report_text.startswith("本年度") and a.report_by == world.deputy


def test_another_deputys_report_page_is_404(world: Any, client_for: Any) -> None:
    make_deputy(world, user=world.deputy)
    other = make_assignment(world, deputy=make_deputy(world))
    response = client_for("deputy").get(f"/deputies/reporting/items/{other.pk}/report/")
    assert response.status_code == 404


def test_staff_enter_the_evaluation_and_see_it(world: Any, client_for: Any) -> None:
    a = make_assignment(world)
    reporting.submit_report(actor=world.staff, assignment=a, text="报告")
    staff = client_for("staff")
    url = f"/deputies/reporting/items/{a.pk}/evaluate/"
    bad = staff.post(url, {"satisfied": "-3", "basically_satisfied": "1", "dissatisfied": "0"})
    assert "人数不能为负数" in bad.content.decode() and 'value="1"' in bad.content.decode()
    ok = staff.post(url, {"satisfied": "30", "basically_satisfied": "2", "dissatisfied": "1"})
    assert ok.status_code == 302
    page = staff.get(f"/deputies/reporting/items/{a.pk}/").content.decode()
    assert "满意 30 人，基本满意 2 人，不满意 1 人" in page
    assert DutyRecord.objects.filter(kind="report_to_constituents").count() == 1


def test_the_plan_pages(world: Any, client_for: Any) -> None:
    staff = client_for("staff")
    from .factories import make_term

    term = make_term(world)
    response = staff.post(
        "/deputies/reporting/new/", {"term": term.pk, "year": "2026", "title": "2026年述职计划"}
    )
    assert response.status_code == 302
    plan = term.reporting_plans.get()
    deputy = make_deputy(world)
    response = staff.post(
        f"/deputies/reporting/{plan.pk}/assign/",
        {"deputy": deputy.pk, "audience": "", "scheduled_on": "2026-09-10", "venue": "联络站"},
    )
    assert "请填写述职对象" in response.content.decode()
    staff.post(
        f"/deputies/reporting/{plan.pk}/assign/",
        {
            "deputy": deputy.pk,
            "audience": "第一选区选民",
            "scheduled_on": "2026-09-10",
            "venue": "联络站",
        },
    )
    listing = client_for("sc_member").get(f"/deputies/reporting/{plan.pk}/").content.decode()
    assert deputy.name in listing and "第一选区选民" in listing
