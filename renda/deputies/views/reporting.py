"""代表述职 pages: staff plan the year's 述职 and enter the constituents' evaluation (desktop);
a deputy reads their own 述职 and writes the report on the phone. Each view: decorators →
permission-checked fetch → form → one service call → redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.forms import attempt
from renda.core.params import int_param
from renda.core.roles import Role, role_required

from ..forms import EvaluationForm, ReportingAssignmentForm, ReportingPlanForm, ReportTextForm
from ..models import ReportingAssignment, ReportingPlan
from ..permissions import (
    acting_deputy,
    can_manage_reporting,
    get_assignment_for_user,
    get_plan_for_user,
)
from ..services import reporting as services
from ..services.reporting import can_write_report

READERS = (Role.STAFF, Role.SC_MEMBER)


@role_required(*READERS)
def plan_list(request: AuthenticatedRequest) -> HttpResponse:
    plans = ReportingPlan.objects.select_related("term", "term__congress")
    year = int_param(request.GET, "year", low=2000, high=2100)
    if year is not None:
        plans = plans.filter(year=year)
    plans = plans.annotate(
        assigned=Count("assignments"),
        reported=Count("assignments", filter=~Q(assignments__report_text="")),
        evaluated=Count("assignments", filter=Q(assignments__evaluated_at__isnull=False)),
    )
    return render(
        request,
        "deputies/reporting/plans.html",
        {"plans": plans, "year": year, "can_manage": can_manage_reporting(request.user)},
    )


@role_required(Role.STAFF)
def plan_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ReportingPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = attempt(
            form, lambda: services.create_reporting_plan(actor=request.user, **form.cleaned_data)
        )
        if plan is not None:
            messages.success(request, "已新建述职计划，请为代表安排述职。")
            return redirect("deputies:reporting_plan", plan.pk)
    return render(request, "deputies/reporting/plan_form.html", {"form": form})


@role_required(*READERS)
def plan_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk)
    assignments = plan.assignments.select_related("deputy", "deputy__region", "constituency")
    return render(
        request,
        "deputies/reporting/plan.html",
        {
            "plan": plan,
            "assignments": assignments,
            "can_manage": can_manage_reporting(request.user),
        },
    )


@role_required(Role.STAFF)
def assignment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, write=True)
    form = ReportingAssignmentForm(request.POST or None, term=plan.term)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.add_reporting_assignment(
                actor=request.user, plan=plan, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, f"已安排 {done.deputy.name} 述职。")
            return redirect("deputies:reporting_plan", plan.pk)
    return render(request, "deputies/reporting/assign_form.html", {"form": form, "plan": plan})


@role_required(*READERS)
def assignment_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk)
    manage = can_manage_reporting(request.user)
    return render(
        request,
        "deputies/reporting/assignment.html",
        {
            "a": assignment,
            "can_write": can_write_report(request.user, assignment),
            "can_evaluate": manage and not assignment.evaluated,
        },
    )


@role_required(Role.STAFF, Role.DEPUTY)
def report_write(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The report text: the deputy on the phone, or staff from a paper copy."""
    assignment = get_assignment_for_user(request.user, pk, write=True)
    form = ReportTextForm(request.POST or None, initial={"report_text": assignment.report_text})
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.submit_report(
                actor=request.user, assignment=assignment, text=form.cleaned_data["report_text"]
            ),
        )
        if saved is not None:
            messages.success(request, "述职报告已保存。")
            if acting_deputy(request.user) is not None:
                return redirect("deputies:reporting_mine")
            return redirect("deputies:reporting_assignment", assignment.pk)
    return render(
        request,
        "deputies/reporting/write.html",
        {
            "a": assignment,
            "form": form,
            "can_write": can_write_report(request.user, assignment),
            "is_deputy": acting_deputy(request.user) is not None,
        },
    )


@role_required(Role.STAFF)
def evaluate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_assignment_for_user(request.user, pk, write=True)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.record_evaluation(
                actor=request.user, assignment=assignment, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "测评结果已登记，并记入该代表的履职档案。")
            return redirect("deputies:reporting_assignment", assignment.pk)
    return render(request, "deputies/reporting/evaluate.html", {"a": assignment, "form": form})


@role_required(Role.DEPUTY)
def my_reports(request: AuthenticatedRequest) -> HttpResponse:
    deputy = acting_deputy(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    assignments = ReportingAssignment.objects.filter(deputy=deputy).select_related("plan")
    return render(
        request,
        "deputies/reporting/mine.html",
        {"deputy": deputy, "assignments": assignments.order_by("-scheduled_on")},
    )
