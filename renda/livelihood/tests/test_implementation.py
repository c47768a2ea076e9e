"""实施监督: roll-up, status weights as data, overdue flags and reminders, who may report or
comment, and money spent from the linked budget payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renda.core.models import AuditEvent, Notification
from renda.livelihood.models import Inspection, PlanItem, ProgressPhoto, ProgressStatus
from renda.livelihood.progress import build_tree, funding_of, weighted_mean
from renda.livelihood.services import implementation as services
from renda.livelihood.tests.implementation_factories import (
    a_photo,
    a_plan,
    budget_rows,
    status,
    supervisor,
)
from renda.meetings.tests.factories import a_deputy, deputy_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 6, 1)


def test_default_statuses_are_seeded_with_their_weights() -> None:
    rows = {s.name: s.progress for s in ProgressStatus.objects.all()}
    assert rows == {"未开工": 0, "前期准备": 10, "在建": 50, "主体完工": 80, "完工验收": 100}


def test_weighted_mean_uses_budgets_only_when_every_row_has_one() -> None:
    assert weighted_mean([(Decimal(100), Decimal(1)), (Decimal(0), Decimal(3))]) == Decimal("25.00")
    # one row without a budget: the plain mean
    assert weighted_mean([(Decimal(100), Decimal(0)), (Decimal(0), Decimal(3))]) == Decimal("50.00")
    assert weighted_mean([]) == Decimal(0)


def test_project_progress_is_the_budget_weighted_roll_up_of_its_leaves(world: Any) -> None:
    scene = a_plan(world)
    # road (1,000,000) 完工验收 100%, lights (3,000,000) 在建 50% → (100 + 150) / 4 = 62.5
    services.set_status(actor=world.staff, item=scene.road, status=status("accepted"))
    services.set_status(actor=world.staff, item=scene.lights, status=status("building"))
    scene.plan.refresh_from_db()
    assert scene.plan.progress == Decimal("62.50")
    # a sub-tree: the lights item gets two children; its own status no longer counts
    a = services.add_item(
        actor=world.staff,
        plan=scene.plan,
        parent=scene.lights,
        title="东段",
        owner_unit=scene.other_unit,
        budget=Decimal("1000000"),
        deadline=dt.date(2099, 1, 1),
    )
    b = services.add_item(
        actor=world.staff,
        plan=scene.plan,
        parent=scene.lights,
        title="西段",
        owner_unit=scene.other_unit,
        budget=Decimal("3000000"),
        deadline=dt.date(2099, 1, 1),
    )
    services.set_status(actor=world.staff, item=a, status=status("main_done"))  # 80
    services.set_status(actor=world.staff, item=b, status=status("preparing"))  # 10
    scene.lights.refresh_from_db()
    # lights = (80×1 + 10×3) / 4 = 27.5; plan = (100×1 + 27.5×3) / 4 = 45.625 → 45.63
    assert scene.lights.progress == Decimal("27.50")
    scene.plan.refresh_from_db()
    assert scene.plan.progress == Decimal("45.63")
    with pytest.raises(ValidationError):
        services.set_status(actor=world.staff, item=scene.lights, status=status("accepted"))


def test_changing_a_status_weight_rolls_the_plans_up_again(world: Any) -> None:
    scene = a_plan(world)
    services.set_status(actor=world.staff, item=scene.road, status=status("building"))
    services.set_status(actor=world.staff, item=scene.lights, status=status("building"))
    scene.plan.refresh_from_db()
    assert scene.plan.progress == Decimal("50.00")
    services.save_status(actor=world.staff, key="building", name="在建", progress=60, order=2)
    scene.plan.refresh_from_db()
    assert scene.plan.progress == Decimal("60.00")
    roots, total = build_tree(scene.plan)
    assert total == Decimal("60.00") and {r.progress for r in roots} == {Decimal("60.00")}
    with pytest.raises(ValidationError):
        services.save_status(actor=world.staff, key="x", name="超额", progress=120)
    with pytest.raises(PermissionDenied):
        services.save_status(actor=world.handling_officer, key="y", name="新", progress=5)


def test_overdue_flag_and_a_daily_reminder_to_the_owner_unit(world: Any) -> None:
    scene = a_plan(world, deadline=dt.date(2027, 5, 1))
    services.set_status(actor=world.staff, item=scene.lights, status=status("accepted"))
    deputy = supervisor(world, scene)
    roots, _ = build_tree(scene.plan, today=TODAY)
    flags = {r.item.title: r.overdue for r in roots}
    assert flags == {"人民路改造": True, "路灯安装": False}  # done items are never overdue
    now = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    assert services.remind_overdue(now=now) == 1
    assert Notification.objects.filter(
        recipient=world.handling_officer, title__contains="人民路改造"
    ).exists()
    assert Notification.objects.filter(recipient=deputy.user, title__contains="已超过").exists()
    assert services.remind_overdue(now=now) == 0  # once a day
    assert services.remind_overdue(now=now + dt.timedelta(days=1)) == 1


def test_an_overdue_milestone_is_reminded_until_it_is_done(world: Any) -> None:
    scene = a_plan(world)
    m = services.add_milestone(
        actor=world.staff, item=scene.road, title="完成招标", due_on=dt.date(2026, 3, 1)
    )
    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    assert services.remind_overdue(now=now) == 1
    services.record_milestone(
        actor=world.handling_officer, milestone=m, done_on=dt.date(2026, 3, 5)
    )
    assert services.remind_overdue(now=now + dt.timedelta(days=1)) == 0
    event = AuditEvent.objects.filter(action="livelihood.milestone_done").get()
    assert event.details["late"] is True


def test_a_unit_reports_only_on_its_own_items(world: Any) -> None:
    scene = a_plan(world)
    report = services.file_report(
        actor=world.handling_officer,
        item=scene.road,
        report_date=dt.date(2026, 1, 1),
        text="路基完成",
        status=status("main_done"),
        photos=[a_photo(), a_photo("b.png")],
    )
    assert report.unit == world.department and report.photos.count() == 2
    scene.road.refresh_from_db()
    assert scene.road.status.key == "main_done" and scene.road.progress == Decimal("80.00")
    with pytest.raises(PermissionDenied):
        services.file_report(
            actor=world.handling_officer,
            item=scene.lights,  # the other unit's
            report_date=dt.date(2026, 1, 1),
            text="代报",
            status=status("accepted"),
        )
    assert not PlanItem.objects.get(pk=scene.lights.pk).reports.exists()


def test_a_report_refuses_a_file_that_is_not_an_image(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    scene = a_plan(world)
    bad = SimpleUploadedFile("x.png", b"<html>", content_type="image/png")
    with pytest.raises(ValidationError):
        services.file_report(
            actor=world.handling_officer,
            item=scene.road,
            report_date=dt.date(2026, 1, 1),
            text="进展",
            status=status("building"),
            photos=[bad],
        )
    assert not ProgressPhoto.objects.exists() and not scene.road.reports.exists()


def test_a_draft_plan_takes_no_reports(world: Any) -> None:
    scene = a_plan(world, publish=False)
    with pytest.raises(ValidationError):
        services.file_report(
            actor=world.staff,
            item=scene.road,
            report_date=dt.date(2026, 1, 1),
            text="进展",
            status=status("building"),
        )


def test_a_deputy_comments_only_on_projects_they_supervise(world: Any) -> None:
    scene = a_plan(world)
    supervisor(world, scene)
    row = services.record_inspection(
        actor=world.deputy,
        plan=scene.plan,
        kind=Inspection.Kind.INSPECTION,
        visited_on=dt.date(2026, 1, 2),
        text="现场施工有序，建议加强围挡。",
        item=scene.road,
        photos=[a_photo()],
    )
    assert row.photos.count() == 1
    assert Notification.objects.filter(
        recipient=world.handling_officer, title__contains="视察"
    ).exists()
    other_user = deputy_user(world, "王代表")
    a_deputy(world, user=other_user)
    with pytest.raises(PermissionDenied):
        services.record_inspection(
            actor=other_user, plan=scene.plan, kind=Inspection.Kind.COMMENT, text="意见"
        )
    with pytest.raises(ValidationError):  # a 视察 needs its date
        services.record_inspection(
            actor=world.deputy, plan=scene.plan, kind=Inspection.Kind.INSPECTION, text="去看了"
        )
    assert Inspection.objects.count() == 1


def test_spent_sums_come_from_the_linked_payments(world: Any) -> None:
    scene = a_plan(world)
    region = budget_rows(world)
    services.link_funding(
        actor=world.staff, plan=scene.plan, region=region, year=2027, bgt_id="ZB-001"
    )
    rows, budgeted, spent = funding_of(scene.plan)
    # 2,000,000 − 200,000 调减; 300,000 + 150,000.50 − 50,000 refund, the voided voucher left out
    assert budgeted == Decimal("1800000.00")
    assert spent == Decimal("400000.50")
    assert [r.link.bgt_id for r in rows] == ["ZB-001"]
    with pytest.raises(ValidationError):
        services.link_funding(
            actor=world.staff, plan=scene.plan, region=region, year=2027, bgt_id="ZB-001"
        )


def test_a_plan_is_completed_only_at_full_progress(world: Any) -> None:
    scene = a_plan(world)
    services.set_status(actor=world.staff, item=scene.road, status=status("accepted"))
    with pytest.raises(ValidationError):
        services.complete_plan(actor=world.staff, plan=scene.plan)
    services.set_status(actor=world.staff, item=scene.lights, status=status("accepted"))
    plan = services.complete_plan(actor=world.staff, plan=scene.plan)
    assert plan.state == "completed" and plan.progress == Decimal("100.00")
    scene.road.refresh_from_db()
    assert scene.road.completed_on is not None


def test_overdue_items_are_on_the_unit_and_the_supervisors_due_lists(world: Any) -> None:
    from renda.livelihood.workbench import due

    scene = a_plan(world, deadline=dt.date(2026, 1, 1))
    supervisor(world, scene)
    services.add_milestone(
        actor=world.staff, item=scene.road, title="完成招标", due_on=dt.date(2025, 12, 1)
    )
    mine = [d.title for d in due(world.handling_officer)]
    assert sorted(mine) == sorted(["报送实施进展：人民路改造", "实施节点逾期：完成招标"])
    assert "路灯安装" not in "".join(mine)  # the other unit's item
    lines = due(world.deputy)
    assert [(d.title, d.note) for d in lines] == [
        ("监督项目有逾期子项：城区道路提质改造", "2 个子项超过完成时限")
    ]
    services.set_status(actor=world.staff, item=scene.road, status=status("accepted"))
    assert [d.title for d in due(world.handling_officer)] == ["实施节点逾期：完成招标"]
