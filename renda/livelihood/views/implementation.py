"""实施监督 pages (issue 17 item 4).

- Staff (desktop): the plans, a plan's tree of sub-items with progress, milestones, reports,
  supervising deputies, inspections and funding; forms to build and publish it; the status
  table with its progress weights. SC members read.
- A handling unit's officer (phone first): the plans with items of its unit; reports progress
  with photos on its own items only (another unit's item is 404), records milestones done and
  answers the deputies' comments.
- A supervising deputy (phone first, 390×844): my supervised projects; 视察 and comments on
  them only (another project is 404).
- The public (人大之家, no log-in): each published plan's progress page (progress, items,
  milestones, dated reports with their photos, money spent), without names of officers,
  deputies' comments or payees.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.meetings.permissions import deputy_of

from .. import progress
from ..implementation_forms import (
    FundingForm,
    InspectionForm,
    ItemForm,
    MilestoneForm,
    PlanForm,
    ReportForm,
    StatusForm,
    SupervisorForm,
)
from ..models import Milestone, Plan, PlanItem, ProgressPhoto, ProgressReport, ProgressStatus
from ..permissions import (
    PLAN_ROLES,
    VOTER_ROLES,
    can_manage_votes,
    can_report_on,
    can_view_votes,
    get_inspection_for_unit,
    get_item_for_reporter,
    get_plan_for_supervisor,
    get_plan_for_user,
    get_public_plan,
    plans_for,
    supervises,
    unit_of,
)
from ..services import implementation as services

READERS = (Role.STAFF, Role.SC_MEMBER)


def _detail(pk: int) -> str:
    return reverse("livelihood:plan_detail", args=[pk])


@role_required(*PLAN_ROLES)
def plans(request: AuthenticatedRequest) -> HttpResponse:
    rows = plans_for(request.user).order_by("-project__year", "project__title")[:200]
    return render(
        request,
        "livelihood/implementation/plans.html",
        {
            "plans": rows,
            "can_manage": can_manage_votes(request.user),
            "show_menu": can_view_votes(request.user),
        },
    )


@duty_required(Duty.LIVELIHOOD)
def plan_create(request: AuthenticatedRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = attempt(
            form,
            lambda: services.create_plan(actor=request.user, project=form.cleaned_data["project"]),
        )
        if plan is not None:
            return redirect(_detail(plan.pk))
    return render(
        request,
        "livelihood/form.html",
        {"form": form, "title": "新建实施计划", "back_url": reverse("livelihood:plans")},
    )


@role_required(*PLAN_ROLES)
def plan_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    staff = can_manage_votes(request.user)
    unit = unit_of(request.user)
    data = progress.summary(plan)
    reports = ProgressReport.objects.filter(item__plan=plan).select_related(
        "item", "status", "unit"
    )
    if unit is not None:
        reports = reports.filter(item__owner_unit_id=unit)
    return render(
        request,
        "livelihood/implementation/plan.html",
        {
            "plan": plan,
            **data,
            "reports": reports.prefetch_related("photos")[:50],
            "inspections": plan.inspections.select_related("deputy", "item").prefetch_related(
                "photos"
            )[:50],
            "supervisors": plan.supervisors.select_related("deputy"),
            "can_manage": staff,
            "unit": unit,
            "is_supervisor": supervises(request.user, plan),
            "supervisor_form": SupervisorForm(),
            "funding_form": FundingForm(plan=plan, initial={"year": plan.project.year}),
            "milestone_form": MilestoneForm(plan=plan),
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def plan_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.publish_plan(actor=request.user, plan=plan),
        then=_detail(pk),
        done="实施计划已发布，人大之家可以查看实施进度。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def plan_complete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.complete_plan(actor=request.user, plan=plan),
        then=_detail(pk),
        done="项目已办结。",
    )


def _item_page(request: AuthenticatedRequest, plan: Plan, item: PlanItem | None) -> HttpResponse:
    initial = {}
    if item is not None:
        initial = {
            "title": item.title,
            "parent": item.parent_id,
            "owner_unit": item.owner_unit_id,
            "budget": item.budget,
            "start_on": item.start_on,
            "deadline": item.deadline,
            "description": item.description,
        }
    form = ItemForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {
            "title": d["title"],
            "owner_unit": d["owner_unit"],
            "deadline": d["deadline"],
            "budget": d["budget"],
            "start_on": d["start_on"],
            "description": d["description"],
        }
        if item is None:
            done = attempt(
                form,
                lambda: services.add_item(
                    actor=request.user, plan=plan, parent=d["parent"], **fields
                ),
            )
        else:
            done = attempt(
                form, lambda: services.update_item(actor=request.user, item=item, **fields)
            )
        if done is not None:
            messages.success(request, "子项已保存。")
            return redirect(_detail(plan.pk))
    return render(
        request,
        "livelihood/form.html",
        {
            "form": form,
            "title": "修改子项" if item else "增加子项",
            "back_url": _detail(plan.pk),
        },
    )


@duty_required(Duty.LIVELIHOOD)
def item_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _item_page(request, get_plan_for_user(request.user, pk, write=True), None)


@duty_required(Duty.LIVELIHOOD)
def item_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PlanItem.objects.select_related("plan"), pk=pk)
    return _item_page(request, get_plan_for_user(request.user, item.plan_id, write=True), item)


@require_POST
@duty_required(Duty.LIVELIHOOD)
def milestone_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    form = MilestoneForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "请选择子项，填写节点名称和计划完成日期。")
        return redirect(_detail(pk))
    return run_action(
        request,
        lambda: services.add_milestone(actor=request.user, **form.cleaned_data),
        then=_detail(pk),
        done="节点已设置。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def supervisor_assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    form = SupervisorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择代表。")
        return redirect(_detail(pk))
    return run_action(
        request,
        lambda: services.assign_supervisor(actor=request.user, plan=plan, **form.cleaned_data),
        then=_detail(pk),
        done="已确定监督代表。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def funding_link(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    form = FundingForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "请填写财政区划、预算年度和指标编号。")
        return redirect(_detail(pk))
    return run_action(
        request,
        lambda: services.link_funding(actor=request.user, plan=plan, **form.cleaned_data),
        then=_detail(pk),
        done="已关联预算指标。",
    )


@duty_required(Duty.LIVELIHOOD)
def statuses(request: AuthenticatedRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(form, lambda: services.save_status(actor=request.user, **form.cleaned_data))
        if saved is not None:
            messages.success(request, f"已保存进度状态“{saved.name}”。")
            return redirect("livelihood:statuses")
    return render(
        request,
        "livelihood/implementation/statuses.html",
        {"form": form, "statuses": ProgressStatus.objects.all()},
    )


# --- the owner unit (phone first) ------------------------------------------------------------


@role_required(Role.STAFF, Role.HANDLING_OFFICER)
def item_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_item_for_reporter(request.user, pk)
    form = ReportForm(
        request.POST or None, request.FILES or None, initial={"status": item.status_id}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        report = attempt(
            form,
            lambda: services.file_report(
                actor=request.user,
                item=item,
                report_date=d["report_date"],
                text=d["text"],
                status=d["status"],
                photos=d["photos"],
            ),
        )
        if report is not None:
            messages.success(request, "进展已报送。")
            return redirect("livelihood:item_report", item.pk)
    return render(
        request,
        "livelihood/implementation/report.html",
        {
            "item": item,
            "form": form,
            "milestones": item.milestones.all(),
            "reports": item.reports.select_related("status").prefetch_related("photos")[:20],
            "inspections": item.plan.inspections.select_related("deputy").filter(item__isnull=True)
            | item.inspections.select_related("deputy"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@role_required(Role.STAFF, Role.HANDLING_OFFICER)
def milestone_done(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("item"), pk=pk)
    item = get_item_for_reporter(request.user, milestone.item_id)
    form = MilestoneDoneData(request)
    return run_action(
        request,
        lambda: services.record_milestone(
            actor=request.user, milestone=milestone, done_on=form.done_on, note=form.note
        ),
        then=reverse("livelihood:item_report", args=[item.pk]),
        done="已登记节点完成。",
    )


class MilestoneDoneData:
    """The two fields of the small 'done' form under each milestone (today by default)."""

    def __init__(self, request: HttpRequest) -> None:
        raw = request.POST.get("done_on", "")
        try:
            self.done_on = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            self.done_on = timezone.localdate()
        self.note = request.POST.get("note", "")[:500]


@require_POST
@role_required(Role.STAFF, Role.HANDLING_OFFICER)
def inspection_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for_unit(request.user, pk)
    reply = request.POST.get("reply", "")[:4000]
    then = (
        reverse("livelihood:item_report", args=[inspection.item_id])
        if inspection.item_id and not can_manage_votes(request.user)
        else _detail(inspection.plan_id)
    )
    return run_action(
        request,
        lambda: services.reply_inspection(actor=request.user, inspection=inspection, reply=reply),
        then=then,
        done="已答复。",
    )


# --- supervising deputies (phone first) ------------------------------------------------------


@role_required(*VOTER_ROLES)
def my_supervision(request: AuthenticatedRequest) -> HttpResponse:
    deputy = deputy_of(request.user)
    rows = (
        Plan.objects.filter(supervisors__deputy=deputy)
        .exclude(state=Plan.State.DRAFT)
        .select_related("project")
        .order_by("-project__year", "project__title")
        if deputy is not None
        else Plan.objects.none()
    )
    return render(request, "livelihood/implementation/my_supervision.html", {"plans": rows})


@role_required(*VOTER_ROLES)
def supervise_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_supervisor(request.user, pk)
    form = InspectionForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        row = attempt(
            form,
            lambda: services.record_inspection(
                actor=request.user,
                plan=plan,
                kind=d["kind"],
                text=d["text"],
                visited_on=d["visited_on"],
                item=d["item"],
                photos=d["photos"],
            ),
        )
        if row is not None:
            messages.success(request, "已提交，责任单位会收到提醒。")
            return redirect("livelihood:supervise_plan", plan.pk)
    return render(
        request,
        "livelihood/implementation/supervise.html",
        {
            "plan": plan,
            **progress.summary(plan),
            "form": form,
            "inspections": plan.inspections.select_related("deputy", "item").prefetch_related(
                "photos"
            )[:30],
        },
    )


# --- photos and the public ---------------------------------------------------------------


def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A progress report's photo is public once its plan is published; an inspection's photo
    is shown to staff, SC members, the plan's supervisors and its units' officers."""
    found = get_object_or_404(
        ProgressPhoto.objects.select_related("report__item__plan", "inspection__plan"), pk=pk
    )
    if found.report_id is not None and found.report is not None:
        plan = found.report.item.plan
        if plan.state == Plan.State.DRAFT:
            user = request.user
            if not user.is_authenticated or not can_report_on(user, found.report.item):
                raise Http404
    else:
        user = request.user
        if not user.is_authenticated or found.inspection is None:
            raise Http404
        get_plan_for_user(user, found.inspection.plan_id)
    response = FileResponse(found.image.open("rb"))
    response["Content-Type"] = (
        "image/png" if found.image.name.lower().endswith(".png") else "image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def public_plans(request: HttpRequest) -> HttpResponse:
    rows = (
        Plan.objects.exclude(state=Plan.State.DRAFT)
        .select_related("project")
        .order_by("-project__year", "project__title")[:100]
    )
    return render(request, "livelihood/public/plans.html", {"plans": rows})


def public_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_public_plan(pk)
    data = progress.summary(plan)
    reports = (
        ProgressReport.objects.filter(item__plan=plan)
        .select_related("item", "status")
        .prefetch_related("photos")[:30]
    )
    return render(
        request,
        "livelihood/public/plan.html",
        {
            "plan": plan,
            **data,
            "reports": reports,
            "supervisor_count": plan.supervisors.count(),
            "inspection_count": plan.inspections.count(),
        },
    )
