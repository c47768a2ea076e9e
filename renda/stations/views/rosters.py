"""On-duty rosters: reception days, rotation, publishing, the deputy's check-in and check-out
on a phone, and the list of deputies below the yearly minimum."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import year_param
from renda.core.roles import Role, role_required
from renda.deputies.models import Deputy

from .. import services
from ..forms import ReasonForm, RotationForm, SlotForm
from ..models import DutyAssignment, DutySlot
from ..permissions import (
    can_work_on_station,
    clerk_station_ids,
    get_own_assignment,
    get_slot_for_user,
    get_station_for_user,
    opinions_to_draft,
)
from ..rules import rules
from ..selectors import deputies_below_minimum


@role_required(Role.STAFF)
def slot_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    station = get_station_for_user(request.user, pk, write=True)
    form = SlotForm(request.POST or None, station=station, initial={"place": station.address})
    if request.method == "POST" and form.is_valid():
        slot = attempt(
            form,
            lambda: services.create_slot(actor=request.user, station=station, **form.cleaned_data),
        )
        if slot is not None:
            messages.success(request, f"已安排 {slot.date:%Y-%m-%d} 接待日，发布后在人大之家公告。")
            return redirect("stations:slot_detail", slot.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "title": "安排接待日",
            "back_url": reverse("stations:detail", args=[station.pk]),
            "menu": "list",
        },
    )


@role_required(Role.STAFF)
def rotation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """轮值: fixed reception days for a year with deputies taken in turn."""
    station = get_station_for_user(request.user, pk, write=True)
    today = timezone.localdate()
    form = RotationForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dates = [
            d
            for d in services.fixed_reception_days(
                data["year"], days_of_month=data["days_of_month"], months=data["months"]
            )
            if d >= today
        ]
        slots = attempt(
            form,
            lambda: services.plan_rotation(
                actor=request.user,
                station=station,
                dates=dates,
                start_time=data["start_time"],
                end_time=data["end_time"],
                per_slot=data["per_slot"],
                topic=data["topic"],
            ),
        )
        if slots is not None:
            messages.success(request, f"已排定 {len(slots)} 个接待日，代表轮流值班。")
            return redirect("stations:detail", station.pk)
    return render(
        request,
        "stations/form.html",
        {
            "form": form,
            "station": station,
            "title": "按固定接待日轮值排班",
            "back_url": reverse("stations:detail", args=[station.pk]),
            "submit_label": "生成排班",
            "menu": "list",
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER)
def slot_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_user(request.user, pk)
    return render(
        request,
        "stations/slot_detail.html",
        {
            "slot": slot,
            "assignments": slot.assignments.select_related("deputy", "deputy__term"),
            "receptions": slot.receptions.all()[:50],
            "can_work": can_work_on_station(request.user, slot.station),
            "today": timezone.localdate(),
            "publish_days": rules().publish_days_ahead,
            "cancel_form": ReasonForm(),
        },
    )


@require_POST
@role_required(Role.STAFF)
def slot_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.publish_slot(actor=request.user, slot=slot),
        then=reverse("stations:slot_detail", args=[slot.pk]),
        done="已在人大之家公告该接待日。",
    )


@require_POST
@role_required(Role.STAFF)
def slot_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "") if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.cancel_slot(actor=request.user, slot=slot, reason=reason),
        then=reverse("stations:slot_detail", args=[slot.pk]),
        done="已取消该接待日。",
    )


@require_POST
@role_required(Role.STAFF)
def attendance_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(DutyAssignment.objects.select_related("slot"), pk=pk)
    slot = get_slot_for_user(request.user, assignment.slot_id, write=True)
    return run_action(
        request,
        lambda: services.confirm_attendance(actor=request.user, assignment=assignment),
        then=reverse("stations:slot_detail", args=[slot.pk]),
        done="已补登，并记入代表履职档案。",
    )


@role_required(Role.DEPUTY)
def my_duties(request: AuthenticatedRequest) -> HttpResponse:
    """The deputy's own duties on a phone: today's with big check-in/out buttons."""
    deputy = getattr(request.user, "deputy", None)
    today = timezone.localdate()
    assignments = (
        DutyAssignment.objects.filter(deputy=deputy)
        .exclude(slot__status=DutySlot.Status.CANCELLED)
        .select_related("slot", "slot__station")
        .order_by("-slot__date", "-slot__start_time")
        if deputy
        else DutyAssignment.objects.none()
    )
    upcoming = list(assignments.filter(slot__date__gte=today).order_by("slot__date")[:10])
    done = assignments.filter(slot__date__year=today.year, checked_out_at__isnull=False).count()
    return render(
        request,
        "stations/my_duties.html",
        {
            "deputy": deputy,
            "today": today,
            "upcoming": upcoming,
            "past": assignments.filter(slot__date__lt=today)[:20],
            "done": done,
            "minimum": rules().min_duty_days,
            "remaining": max(0, rules().min_duty_days - done),
            "opinions_to_draft": list(opinions_to_draft(request.user)),
        },
    )


@require_POST
@role_required(Role.DEPUTY)
def check_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request.user, pk)
    return run_action(
        request,
        lambda: services.check_in(actor=request.user, assignment=assignment),
        then="stations:my_duties",
        done="签到成功。",
    )


@require_POST
@role_required(Role.DEPUTY)
def check_out(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request.user, pk)
    return run_action(
        request,
        lambda: services.check_out(actor=request.user, assignment=assignment),
        then="stations:my_duties",
        done="签退成功，本次进站已记入您的履职档案。",
    )


def duty_minimum_columns(year: int) -> list[Column[Deputy]]:
    minimum = rules().min_duty_days
    return [
        Column("代表", lambda d: d.name),
        Column("层级", lambda d: d.term.get_level_display()),
        Column("站点", lambda d: d.station_member.station.name),
        Column(f"{year}年进站天数", lambda d: d.duty_days),  # type: ignore[attr-defined]
        Column("年度最低要求", lambda d: minimum),
    ]


@role_required(Role.STAFF, Role.SC_MEMBER)
def duty_minimum(request: AuthenticatedRequest) -> HttpResponse:
    """Deputies below the yearly minimum of duty days (staff follow them up)."""
    year = year_param(request.GET) or timezone.localdate().year
    user = request.user
    ids = clerk_station_ids(user) if user.role == Role.STAFF else None
    qs = deputies_below_minimum(year, ids)
    if request.GET.get("format") == "xlsx":
        return export_xlsx(
            title="进站不足",
            columns=duty_minimum_columns(year),
            rows=qs.iterator(chunk_size=1000),
            filename=f"进站不足代表-{year}.xlsx",
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "stations/duty_minimum.html",
        {"page": page, "year": year, "minimum": rules().min_duty_days, "query": f"year={year}"},
    )
