"""实施监督 (issue 17 item 4): the implementation plan of a chosen project, its tree of
sub-items, milestones, the owner units' progress reports with photos, the supervising deputies
and their 视察 and comments, the budget indicators that fund it, and the daily 催办 of overdue
items and milestones (tasks.py). Progress is rolled up by progress.py (budget-weighted) and
stored on each item and on the plan after every change, so lists and the overdue scan read a
column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.models import FinanceRegion
from renda.core import audit
from renda.core.attachments import IMAGES, check_uploads
from renda.core.models import Organization
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.lib.richtext import strip_markup
from renda.meetings.permissions import deputy_of

from ..models import (
    FundingLink,
    Inspection,
    Milestone,
    Plan,
    PlanItem,
    ProgressPhoto,
    ProgressReport,
    ProgressStatus,
    Project,
    Supervisor,
)
from ..permissions import can_report_on, require_manager, supervises
from ..progress import (
    HUNDRED,
    build_tree,
    default_status,
    flatten,
    overdue_items_q,
    overdue_milestones_q,
)

MAX_PHOTOS = 9
PHOTO_MB = 10


def _by(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _clean(text: str, limit: int) -> str:
    return strip_markup(text or "").strip()[:limit]


def _require_reporter(actor: Any, item: PlanItem) -> None:
    if actor is not None and not can_report_on(actor, item):
        raise PermissionDenied("只能报送本单位负责的子项。")


def _photos(
    files: Sequence[UploadedFile], *, actor: Any, report: Any = None, inspection: Any = None
) -> int:
    check_uploads(files, allowed=IMAGES, max_mb=PHOTO_MB, max_count=MAX_PHOTOS, field="photos")
    for f in files:
        ProgressPhoto.objects.create(
            report=report, inspection=inspection, image=f, uploaded_by=_by(actor)
        )
    return len(files)


def rollup(plan: Plan) -> Decimal:
    """Store each item's rolled-up progress and the plan's (progress.py says how)."""
    roots, total = build_tree(plan)
    for node in flatten(roots):
        if node.item.progress != node.progress:
            PlanItem.objects.filter(pk=node.item.pk).update(progress=node.progress)
            node.item.progress = node.progress
    Plan.objects.filter(pk=plan.pk).update(progress=total)
    plan.progress = total
    return total


# --- the plan and its items --------------------------------------------------------------


@transaction.atomic
def create_plan(*, actor: Any, project: Project) -> Plan:
    require_manager(actor)
    if Plan.objects.filter(project=project).exists():
        raise ValidationError({"project": "这个项目已有实施计划。"})
    plan = Plan.objects.create(project=project, created_by=_by(actor))
    audit.record(actor=actor, action="livelihood.plan_create", target=plan)
    return plan


@transaction.atomic
def publish_plan(*, actor: Any, plan: Plan) -> Plan:
    require_manager(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != Plan.State.DRAFT:
        raise ValidationError("实施计划已经发布。")
    if not plan.items.exists():
        raise ValidationError("请先分解子项，再发布实施计划。")
    plan.state = Plan.State.ACTIVE
    plan.published_at = timezone.now()
    plan.save(update_fields=["state", "published_at", "updated_at"])
    audit.record(actor=actor, action="livelihood.plan_publish", target=plan)
    return plan


@transaction.atomic
def complete_plan(*, actor: Any, plan: Plan) -> Plan:
    require_manager(actor)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != Plan.State.ACTIVE:
        raise ValidationError("只有实施中的项目可以办结。")
    if rollup(plan) < HUNDRED:
        raise ValidationError("还有子项未完工验收，不能办结。")
    plan.state = Plan.State.COMPLETED
    plan.completed_at = timezone.now()
    plan.save(update_fields=["state", "completed_at", "updated_at"])
    audit.record(actor=actor, action="livelihood.plan_complete", target=plan)
    return plan


@transaction.atomic
def add_item(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    owner_unit: Organization,
    deadline: dt.date,
    budget: Decimal = Decimal(0),
    start_on: dt.date | None = None,
    parent: PlanItem | None = None,
    description: str = "",
    status: ProgressStatus | None = None,
    order: int = 0,
) -> PlanItem:
    require_manager(actor)
    if plan.state == Plan.State.COMPLETED:
        raise ValidationError("项目已办结，不能再增加子项。")
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError({"parent": "上级子项不属于这个项目。"})
    item = PlanItem(
        plan=plan,
        parent=parent,
        title=_clean(title, 200),
        description=_clean(description, 4000),
        owner_unit=owner_unit,
        budget=budget,
        start_on=start_on,
        deadline=deadline,
        status=status or default_status(),
        order=order,
    )
    item.full_clean()
    item.save()
    rollup(plan)
    audit.record(
        actor=actor,
        action="livelihood.item_create",
        target=item,
        details={"plan": plan.pk, "unit": owner_unit.pk, "budget": budget},
    )
    return item


@transaction.atomic
def update_item(
    *,
    actor: Any,
    item: PlanItem,
    title: str,
    owner_unit: Organization,
    deadline: dt.date,
    budget: Decimal,
    start_on: dt.date | None = None,
    description: str = "",
) -> PlanItem:
    require_manager(actor)
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    before = {"unit": item.owner_unit_id, "deadline": item.deadline, "budget": item.budget}
    item.title = _clean(title, 200)
    item.owner_unit = owner_unit
    item.deadline = deadline
    item.budget = budget
    item.start_on = start_on
    item.description = _clean(description, 4000)
    item.full_clean()
    item.save()
    rollup(item.plan)
    audit.record(
        actor=actor,
        action="livelihood.item_update",
        target=item,
        details={
            "before": before,
            "after": {"unit": owner_unit.pk, "deadline": deadline, "budget": budget},
        },
    )
    return item


def _set_status(item: PlanItem, status: ProgressStatus, on: dt.date) -> None:
    if item.children.exists():
        raise ValidationError("有下级子项的子项，进度由下级子项汇总，不能直接设置状态。")
    if not status.is_active:
        raise ValidationError({"status": "这个进度状态已停用。"})
    item.status = status
    item.completed_on = on if status.progress >= 100 else None
    item.save(update_fields=["status", "completed_on", "updated_at"])


@transaction.atomic
def set_status(*, actor: Any, item: PlanItem, status: ProgressStatus) -> PlanItem:
    _require_reporter(actor, item)
    item = PlanItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    before = item.status_id
    _set_status(item, status, timezone.localdate())
    rollup(item.plan)
    audit.record(
        actor=actor,
        action="livelihood.item_status",
        target=item,
        details={"from": before, "to": status.pk, "progress": status.progress},
    )
    return item


@transaction.atomic
def save_status(
    *,
    actor: Any,
    key: str,
    name: str,
    progress: int,
    order: int = 0,
    is_active: bool = True,
) -> ProgressStatus:
    """Add or change a status and its progress weight (data, not code). The plans that use it
    are rolled up again."""
    require_manager(actor)
    status = ProgressStatus.objects.filter(key=key).first() or ProgressStatus(key=key)
    status.name = _clean(name, 30)
    status.progress = progress
    status.order = order
    status.is_active = is_active
    status.full_clean()
    status.save()
    for plan in Plan.objects.filter(items__status=status).distinct():
        rollup(plan)
    audit.record(
        actor=actor,
        action="livelihood.status_save",
        target=status,
        details={"key": key, "progress": progress, "active": is_active},
    )
    return status


# --- milestones and progress reports -------------------------------------------------------


@transaction.atomic
def add_milestone(*, actor: Any, item: PlanItem, title: str, due_on: dt.date) -> Milestone:
    require_manager(actor)
    milestone = Milestone(item=item, title=_clean(title, 200), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    audit.record(
        actor=actor, action="livelihood.milestone_create", target=milestone, details={"due": due_on}
    )
    return milestone


@transaction.atomic
def record_milestone(
    *, actor: Any, milestone: Milestone, done_on: dt.date, note: str = ""
) -> Milestone:
    _require_reporter(actor, milestone.item)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天。"})
    milestone.done_on = done_on
    milestone.note = _clean(note, 500)
    milestone.done_by = _by(actor)
    milestone.save(update_fields=["done_on", "note", "done_by", "updated_at"])
    audit.record(
        actor=actor,
        action="livelihood.milestone_done",
        target=milestone,
        details={"done": done_on, "late": done_on > milestone.due_on},
    )
    return milestone


@transaction.atomic
def file_report(
    *,
    actor: Any,
    item: PlanItem,
    report_date: dt.date,
    text: str,
    status: ProgressStatus,
    photos: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """The owner unit reports progress on its item (with photos); the item takes the status
    reported, and the plan is rolled up again."""
    _require_reporter(actor, item)
    item = PlanItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    if item.plan.state != Plan.State.ACTIVE:
        raise ValidationError("项目不在实施中，不能报送进展。")
    if report_date > timezone.localdate():
        raise ValidationError({"report_date": "报告日期不能晚于今天。"})
    body = _clean(text, 4000)
    if not body:
        raise ValidationError({"text": "请填写进展情况。"})
    _set_status(item, status, report_date)
    report = ProgressReport.objects.create(
        item=item,
        report_date=report_date,
        text=body,
        status=status,
        unit=item.owner_unit,
        submitted_by=_by(actor),
    )
    count = _photos(photos, actor=actor, report=report)
    rollup(item.plan)
    audit.record(
        actor=actor,
        action="livelihood.progress_report",
        target=report,
        details={"item": item.pk, "status": status.pk, "photos": count},
    )
    return report


# --- supervising deputies and their inspections ----------------------------------------


@transaction.atomic
def assign_supervisor(
    *, actor: Any, plan: Plan, deputy: Deputy, is_lead: bool = False
) -> Supervisor:
    require_manager(actor)
    if Supervisor.objects.filter(plan=plan, deputy=deputy).exists():
        raise ValidationError({"deputy": f"{deputy.name}已是这个项目的监督代表。"})
    row = Supervisor.objects.create(
        plan=plan, deputy=deputy, is_lead=is_lead, assigned_by=_by(actor)
    )
    audit.record(
        actor=actor,
        action="livelihood.supervisor_assign",
        target=plan,
        details={"deputy": deputy.pk, "lead": is_lead},
    )
    if deputy.user_id:
        notify(
            actor=actor,
            recipients=[deputy.user],
            title=f"您被确定为民生实事项目“{plan.project.title}”的监督代表",
            url=reverse("livelihood:supervise_plan", args=[plan.pk]),
        )
    return row


@transaction.atomic
def remove_supervisor(*, actor: Any, supervisor: Supervisor) -> None:
    require_manager(actor)
    plan, deputy = supervisor.plan, supervisor.deputy_id
    supervisor.delete()
    audit.record(
        actor=actor, action="livelihood.supervisor_remove", target=plan, details={"deputy": deputy}
    )


@transaction.atomic
def record_inspection(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    text: str,
    visited_on: dt.date | None = None,
    item: PlanItem | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Inspection:
    """A supervising deputy records a 视察 or a comment (意见建议) from their phone; a deputy
    who does not supervise the project may not."""
    if not supervises(actor, plan):
        raise PermissionDenied("只有这个项目的监督代表可以视察和提出意见。")
    deputy = deputy_of(actor)
    assert deputy is not None  # supervises() found it
    if plan.state == Plan.State.DRAFT:
        raise ValidationError("实施计划尚未发布。")
    if item is not None and item.plan_id != plan.pk:
        raise ValidationError({"item": "子项不属于这个项目。"})
    if visited_on is not None and visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "视察日期不能晚于今天。"})
    row = Inspection(
        plan=plan,
        item=item,
        deputy=deputy,
        kind=kind,
        visited_on=visited_on,
        text=_clean(text, 4000),
    )
    if not row.text:
        raise ValidationError({"text": "请填写内容。"})
    row.full_clean()
    row.save()
    count = _photos(photos, actor=actor, inspection=row)
    audit.record(
        actor=actor,
        action="livelihood.inspection_record",
        target=row,
        details={"plan": plan.pk, "kind": kind, "photos": count},
    )
    units = (
        [item.owner_unit_id]
        if item is not None
        else list(plan.items.values_list("owner_unit_id", flat=True).distinct())
    )
    notify(
        actor=actor,
        recipients=User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id__in=units, is_active=True
        ),
        title=f"监督代表{deputy.name}对“{plan.project.title}”提出了{row.get_kind_display()}",
        url=reverse("livelihood:plan_detail", args=[plan.pk]),
    )
    return row


@transaction.atomic
def reply_inspection(*, actor: Any, inspection: Inspection, reply: str) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    body = _clean(reply, 4000)
    if not body:
        raise ValidationError({"reply": "请填写答复。"})
    inspection.reply = body
    inspection.replied_at = timezone.now()
    inspection.replied_by = _by(actor)
    inspection.save(update_fields=["reply", "replied_at", "replied_by", "updated_at"])
    audit.record(actor=actor, action="livelihood.inspection_reply", target=inspection)
    return inspection


# --- funding --------------------------------------------------------------------------------


@transaction.atomic
def link_funding(
    *,
    actor: Any,
    plan: Plan,
    region: FinanceRegion,
    year: int,
    bgt_id: str,
    item: PlanItem | None = None,
) -> FundingLink:
    require_manager(actor)
    code = bgt_id.strip()
    if not code:
        raise ValidationError({"bgt_id": "请填写指标编号。"})
    if item is not None and item.plan_id != plan.pk:
        raise ValidationError({"item": "子项不属于这个项目。"})
    if FundingLink.objects.filter(plan=plan, region=region, year=year, bgt_id=code).exists():
        raise ValidationError({"bgt_id": "这个指标已经关联。"})
    link = FundingLink.objects.create(
        plan=plan, item=item, region=region, year=year, bgt_id=code, created_by=_by(actor)
    )
    audit.record(
        actor=actor,
        action="livelihood.funding_link",
        target=plan,
        details={"region": region.pk, "year": year, "bgt_id": code},
    )
    return link


# --- 催办 ----------------------------------------------------------------------------------


def _officers(unit_ids: Sequence[int]) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id__in=unit_ids, is_active=True
        )
    )


def _supervisors(plan_id: int) -> list[User]:
    return [
        s.deputy.user
        for s in Supervisor.objects.filter(plan_id=plan_id).select_related("deputy__user")
        if s.deputy.user is not None and s.deputy.user.is_active
    ]


def remind_overdue(*, now: dt.datetime | None = None) -> int:
    """催办 once a day: each overdue item (past its deadline, under 100%) and each overdue
    milestone goes to its owner unit's officers, by inbox and SMS, and to the project's
    supervising deputies' inboxes. Returns how many items and milestones were reminded. Run by
    Huey (tasks.py)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    items = (
        PlanItem.objects.filter(overdue_items_q(today))
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("plan__project")
    )
    for item in items.iterator(chunk_size=200):
        with transaction.atomic():
            title = f"民生实事“{item.plan.project.title}”子项“{item.title}”已超过完成时限"
            url = reverse("livelihood:item_report", args=[item.pk])
            notify(
                actor=None,
                recipients=_officers([item.owner_unit_id]),
                title=title,
                url=url,
                sms=True,
            )
            notify(
                actor=None,
                recipients=_supervisors(item.plan_id),
                title=title,
                url=reverse("livelihood:supervise_plan", args=[item.plan_id]),
            )
            PlanItem.objects.filter(pk=item.pk).update(reminded_on=today)
            count += 1
    milestones = (
        Milestone.objects.filter(overdue_milestones_q(today))
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("item__plan__project")
    )
    for m in milestones.iterator(chunk_size=200):
        with transaction.atomic():
            notify(
                actor=None,
                recipients=_officers([m.item.owner_unit_id]),
                title=f"民生实事“{m.item.plan.project.title}”节点“{m.title}”已逾期",
                url=reverse("livelihood:item_report", args=[m.item_id]),
                sms=True,
            )
            Milestone.objects.filter(pk=m.pk).update(reminded_on=today)
            count += 1
    if count:
        audit.record(actor=None, action="livelihood.overdue_remind", details={"count": count})
    return count
