"""Staff pages: meetings, the agenda, notices and receipts, leave, the venue screen with the
check-in code, paper sign-in, the live count against the quorum, opening and closing."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.core.sources import sources_of
from renda.core.workflow import page_context

from .. import services
from ..forms import AgendaItemForm, LeaveDecisionForm, MeetingForm, OutcomeForm
from ..links import staff_links
from ..models import Meeting, MeetingMember
from ..permissions import (
    can_manage_meetings,
    get_agenda_item_for_user,
    get_meeting_for_user,
    get_member_for_manager,
    meetings_for,
)
from ..rules import CODE_ROTATE_SECONDS
from ..selectors import attendance_summary, unanswered
from ..workflows import MEETING

READERS = (Role.STAFF, Role.SC_MEMBER)


@role_required(*READERS)
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    qs = meetings_for(request.user)
    state = request.GET.get("state", "")
    if state in MEETING.terminal_states or MEETING.state(state):
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "states": MEETING.choices,
            "state": state,
            "can_manage": can_manage_meetings(request.user),
            "query": f"state={state}" if state else "",
        },
    )


@duty_required(Duty.MEETINGS)
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = attempt(
            form, lambda: services.create_meeting(actor=request.user, **form.cleaned_data)
        )
        if meeting is not None:
            messages.success(
                request, f"已新建“{meeting.title}”，应出席 {meeting.members.count()} 人。"
            )
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "title": "新建会议", "back_url": reverse("meetings:list")},
    )


@role_required(*READERS)
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    agenda = list(meeting.agenda.all())
    for item in agenda:
        item.sources = sources_of(item)  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "summary": attendance_summary(meeting),
            "unanswered_count": unanswered(meeting).count(),
            "pending_leave": meeting.members.filter(leave=MeetingMember.Leave.PENDING).count(),
            "can_manage": can_manage_meetings(request.user),
            "agenda_form": AgendaItemForm(),
            "links": staff_links(meeting),
            **page_context(request.user, meeting),
        },
    )


@duty_required(Duty.MEETINGS)
def agenda_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = attempt(
            form,
            lambda: services.put_on_agenda(
                actor=request.user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                source=None,
            ),
        )
        if item is not None:
            messages.success(request, f"已列入议程第 {item.order} 项。")
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": f"添加议题 · {meeting.title}",
            "back_url": reverse("meetings:detail", args=[meeting.pk]),
        },
    )


@duty_required(Duty.MEETINGS)
def agenda_outcome(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_agenda_item_for_user(request.user, pk)
    form = OutcomeForm(
        request.POST or None,
        initial={"outcome_kind": item.outcome_kind or "opinion", "outcome": item.outcome},
    )
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.record_outcome(actor=request.user, item=item, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "已登记会议结果。")
            return redirect("meetings:detail", item.meeting_id)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": f"登记会议结果 · {item.title}",
            "back_url": reverse("meetings:detail", args=[item.meeting_id]),
        },
    )


@require_POST
@duty_required(Duty.MEETINGS)
def agenda_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_agenda_item_for_user(request.user, pk)
    return run_action(
        request,
        lambda: services.remove_from_agenda(actor=request.user, item=item),
        then=reverse("meetings:detail", args=[item.meeting_id]),
        done="已移出议程。",
    )


@require_POST
@duty_required(Duty.MEETINGS)
def meeting_notify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    then = reverse("meetings:detail", args=[meeting.pk])
    try:
        sent = services.notify_members(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(then)
    if sent:
        messages.success(request, f"已向 {sent} 名参会人员发出会议通知（站内消息和短信）。")
    else:
        messages.info(request, "所有参会人员都已收到会议通知，没有重复发送。")
    return redirect(then)


@require_POST
@duty_required(Duty.MEETINGS)
def meeting_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.open_meeting(actor=request.user, meeting=meeting),
        then=reverse("meetings:detail", args=[meeting.pk]),
        done="会议已开始。",
    )


@require_POST
@duty_required(Duty.MEETINGS)
def meeting_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.close_meeting(actor=request.user, meeting=meeting),
        then=reverse("meetings:detail", args=[meeting.pk]),
        done="会议已闭会，出席、请假情况已记入代表履职档案。",
    )


@role_required(*READERS)
def member_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Receipts: who read, confirmed, asked for leave, checked in; ?show=unanswered lists
    the members who have not answered, ?show=leave those who asked for leave (waiting first)."""
    meeting = get_meeting_for_user(request.user, pk)
    show = request.GET.get("show", "")
    if show == "unanswered":
        qs = unanswered(meeting).select_related("checkin")
    elif show == "leave":
        qs = (
            meeting.members.exclude(leave=MeetingMember.Leave.NONE)
            .select_related("deputy", "deputy__region", "checkin")
            .order_by(Case(When(leave=MeetingMember.Leave.PENDING, then=0), default=1), "pk")
        )
    else:
        show = ""
        qs = meeting.members.select_related("deputy", "deputy__region", "checkin")
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/members.html",
        {
            "meeting": meeting,
            "page": page,
            "show": show,
            "summary": attendance_summary(meeting),
            "pending_leave": meeting.members.filter(leave=MeetingMember.Leave.PENDING).count(),
            "can_manage": can_manage_meetings(request.user),
            "query": f"show={show}" if show else "",
        },
    )


@require_POST
@duty_required(Duty.MEETINGS)
def leave_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_member_for_manager(request.user, pk)
    form = LeaveDecisionForm(request.POST)
    then = reverse("meetings:members", args=[member.meeting_id])
    if not form.is_valid():
        messages.error(request, "请选择准假或不准假。")
        return redirect(then)
    approve = bool(form.cleaned_data["approve"])
    return run_action(
        request,
        lambda: services.decide_leave(
            actor=request.user, member=member, approve=approve, note=form.cleaned_data["note"]
        ),
        then=then,
        done=f"{member.deputy.name}：{'已准假' if approve else '不准假'}。",
    )


@require_POST
@duty_required(Duty.MEETINGS)
def paper_sign_in(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = get_member_for_manager(request.user, pk)
    return run_action(
        request,
        lambda: services.mark_paper_sign_in(actor=request.user, member=member),
        then=reverse("meetings:members", args=[member.meeting_id]),
        done=f"已登记{member.deputy.name}纸质签到。",
    )


def _code_context(request: AuthenticatedRequest, meeting: Meeting) -> dict[str, object]:
    code = services.make_code(meeting)
    url = request.build_absolute_uri(reverse("meetings:check_in")) + f"?code={code}"
    return {
        "meeting": meeting,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff"),
        "checkin_url": url,
        "rotate_seconds": CODE_ROTATE_SECONDS,
    }


@duty_required(Duty.MEETINGS)
def venue(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The screen at the venue: the check-in code (renewed every few minutes) and the count."""
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return render(
        request,
        "meetings/venue.html",
        {**_code_context(request, meeting), "summary": attendance_summary(meeting)},
    )


@duty_required(Duty.MEETINGS)
def venue_code(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, write=True)
    return render(request, "meetings/includes/venue_code.html", _code_context(request, meeting))


@role_required(*READERS)
def attendance_count(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    return render(
        request,
        "meetings/includes/count.html",
        {"meeting": meeting, "summary": attendance_summary(meeting), "poll": True},
    )
