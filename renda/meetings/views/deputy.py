"""The member's own pages, phone first: my meetings, the notice with its receipt buttons,
leave with a reason, and the check-in page the venue's QR code opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import role_required

from .. import services
from ..forms import LeaveForm
from ..links import member_links
from ..models import Meeting
from ..permissions import MEMBER_ROLES, deputy_of, get_own_seat, seats_for
from ..services.checkin import meeting_of_code, window
from ..services.notices import ANSWERABLE


@role_required(*MEMBER_ROLES)
def my_meetings(request: AuthenticatedRequest) -> HttpResponse:
    seats = (
        seats_for(request.user).select_related("meeting", "checkin").order_by("-meeting__start_at")
    )
    now = timezone.now()
    return render(
        request,
        "meetings/my_list.html",
        {
            "deputy": deputy_of(request.user),
            "upcoming": [s for s in seats if s.meeting.state != "closed"],
            "past": [s for s in seats if s.meeting.state == "closed"][:20],
            "now": now,
        },
    )


@role_required(*MEMBER_ROLES)
def my_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = get_own_seat(request.user, pk)
    if seat.read_at is None and seat.meeting.state in ANSWERABLE:
        services.mark_notice_read(actor=request.user, member=seat)
    opens, closes = window(seat.meeting)
    return render(
        request,
        "meetings/my_detail.html",
        {
            "seat": seat,
            "meeting": seat.meeting,
            "agenda": seat.meeting.agenda.all(),
            "answerable": seat.meeting.state in ANSWERABLE,
            "checked_in": getattr(seat, "checkin", None),
            "opens": opens,
            "closes": closes,
            "links": member_links(seat.meeting),
        },
    )


@require_POST
@role_required(*MEMBER_ROLES)
def my_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = get_own_seat(request.user, pk)
    return run_action(
        request,
        lambda: services.confirm_attendance(actor=request.user, member=seat),
        then=reverse("meetings:my_detail", args=[pk]),
        done="已确认参会。",
    )


@role_required(*MEMBER_ROLES)
def my_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = get_own_seat(request.user, pk)
    form = LeaveForm(request.POST or None, initial={"reason": seat.leave_reason})
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.request_leave(
                actor=request.user, member=seat, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, "已提交请假申请，请等待审批。")
            return redirect("meetings:my_detail", pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": f"请假 · {seat.meeting.title}",
            "back_url": reverse("meetings:my_detail", args=[pk]),
            "submit_label": "提交请假",
            "narrow": True,
        },
    )


@login_required
def check_in(request: AuthenticatedRequest) -> HttpResponse:
    """What the venue's QR code opens (?code=…): the meeting and a big 签到 button; the POST
    checks the logged-in user in as themselves. A bad code is refused with a reason."""
    code = (request.POST.get("code") if request.method == "POST" else request.GET.get("code")) or ""
    meeting_pk = meeting_of_code(code[:200])
    meeting = Meeting.objects.filter(pk=meeting_pk).first() if meeting_pk else None
    error = ""
    if meeting is None:
        error = "签到码无效，请扫描会场屏幕上的二维码。"
    elif request.method == "POST":
        try:
            services.check_in_with_code(actor=request.user, meeting=meeting, code=code)
        except ValidationError as refusal:
            error = "；".join(refusal.messages)
        else:
            messages.success(request, f"签到成功：{meeting.title}。")
            if seats_for(request.user).filter(meeting=meeting).exists():
                return redirect("meetings:my_detail", meeting.pk)
            return redirect("meetings:check_in_done")
    else:
        try:
            services.read_code(meeting, code)
        except ValidationError as refusal:
            error = "；".join(refusal.messages)
    return render(
        request,
        "meetings/check_in.html",
        {"meeting": meeting, "code": code, "error": error},
        status=200,
    )


@login_required
def check_in_done(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "meetings/check_in.html", {"done": True})
