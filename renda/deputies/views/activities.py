"""代表小组活动 pages: staff create activities and record attendance (desktop); a deputy sees
the activities open to them and signs up on the phone. Each view: decorators → permission-
checked fetch → form → one service call → redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Role, role_required

from ..forms import ActivityForm, AttendanceForm
from ..models import ActivityParticipant, GroupActivity
from ..permissions import (
    acting_deputy,
    can_manage_reporting,
    deputy_activities,
    get_activity_for_user,
)
from ..services import activities as services

READERS = (Role.STAFF, Role.SC_MEMBER)
PAGE_SIZE = 30


@role_required(*READERS)
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    activities = GroupActivity.objects.select_related("delegation").order_by("-starts_at", "-id")
    activities = activities.annotate(
        roster=Count("participants"),
        signed=Count("participants", filter=Q(participants__signed_up_at__isnull=False)),
        present=Count("participants", filter=Q(participants__attendance="present")),
    )
    kind = request.GET.get("kind", "")
    if kind in GroupActivity.Kind.values:
        activities = activities.filter(kind=kind)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deputies/activities/list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": GroupActivity.Kind.choices,
            "query": f"kind={kind}" if kind in GroupActivity.Kind.values else "",
            "can_manage": can_manage_reporting(request.user),
        },
    )


@role_required(Role.STAFF)
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        activity = attempt(
            form, lambda: services.create_activity(actor=request.user, **form.cleaned_data)
        )
        if activity is not None:
            messages.success(request, f"已新建活动，名单 {activity.participants.count()} 人。")
            return redirect("deputies:activity", activity.pk)
    return render(request, "deputies/activities/form.html", {"form": form})


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    deputy = acting_deputy(request.user)
    started = activity.starts_at <= timezone.now()
    if deputy is not None:
        row = ActivityParticipant.objects.filter(activity=activity, deputy=deputy).first()
        return render(
            request,
            "deputies/activities/deputy_detail.html",
            {"activity": activity, "row": row, "started": started},
        )
    rows = list(activity.participants.select_related("deputy", "deputy__region"))
    return render(
        request,
        "deputies/activities/detail.html",
        {
            "activity": activity,
            "rows": rows,
            "started": started,
            "can_record": can_manage_reporting(request.user)
            and started
            and activity.attendance_recorded_at is None
            and bool(rows),
        },
    )


@role_required(Role.STAFF)
def attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk, write=True)
    rows = list(activity.participants.select_related("deputy", "deputy__region"))
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        made = attempt(
            form,
            lambda: services.record_attendance(
                actor=request.user,
                activity=activity,
                attendance=form.attendance(),
                notes=form.notes(),
            ),
        )
        if made is not None:
            messages.success(request, f"出勤已登记，{made} 名代表的履职档案已记入。")
            return redirect("deputies:activity", activity.pk)
    return render(
        request, "deputies/activities/attendance.html", {"activity": activity, "form": form}
    )


@role_required(Role.DEPUTY)
def my_activities(request: AuthenticatedRequest) -> HttpResponse:
    deputy = acting_deputy(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    now = timezone.now()
    activities = list(deputy_activities(deputy).order_by("starts_at")[:100])
    mine = {
        r.activity_id: r
        for r in ActivityParticipant.objects.filter(
            deputy=deputy, activity__in=[a.pk for a in activities]
        )
    }
    cards = [(a, mine.get(a.pk)) for a in activities]
    return render(
        request,
        "deputies/activities/mine.html",
        {
            "upcoming": [c for c in cards if c[0].starts_at > now],
            "past": [c for c in cards if c[0].starts_at <= now][::-1],
        },
    )


@role_required(Role.DEPUTY)
@require_POST
def sign_up(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.sign_up(actor=request.user, activity=activity),
        then=reverse("deputies:activity", args=[activity.pk]),
        done="报名成功。",
    )


@role_required(Role.DEPUTY)
@require_POST
def cancel_sign_up(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.cancel_sign_up(actor=request.user, activity=activity),
        then=reverse("deputies:activity", args=[activity.pk]),
        done="已取消报名。",
    )
