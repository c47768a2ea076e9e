"""Meetings on the phone's 待办 list (core.selectors.due_items): a member's notices to answer
(确认参会 / 请假) and today's meetings to check in to; for staff, the leave requests waiting
for a decision, one line per meeting."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from renda.core.roles import Role, has_role
from renda.core.selectors import Due

from .models import MeetingMember
from .permissions import seats_for
from .services.checkin import window
from .services.notices import ANSWERABLE

KIND = "会议"
# A reminder list, not the meeting register: the soonest ones.
MAX_DUE = 20


def due(user: Any) -> list[Due]:
    items = _member_items(user)
    if has_role(user, Role.STAFF):
        items += _leave_requests()
    return items


def _member_items(user: Any) -> list[Due]:
    now = timezone.now()
    today = timezone.localdate(now)
    seats = (
        seats_for(user)
        .filter(meeting__state__in=ANSWERABLE, meeting__end_at__gte=now)
        .select_related("meeting", "checkin")
        .order_by("meeting__start_at", "meeting_id")[:MAX_DUE]
    )
    items: list[Due] = []
    for seat in seats:
        meeting = seat.meeting
        url = reverse("meetings:my_detail", args=[meeting.pk])
        start = timezone.localtime(meeting.start_at)
        venue = f" · {meeting.venue}" if meeting.venue else ""
        on_leave = seat.leave in (MeetingMember.Leave.APPROVED, MeetingMember.Leave.PENDING)
        checked_in = getattr(seat, "checkin", None) is not None
        closes = window(meeting)[1]
        if start.date() == today and not checked_in and not on_leave and now <= closes:
            # On the day the notice is past answering: what is due is the check-in, by the
            # time the window closes.
            note = f"今天 {start:%H:%M} 开会{venue} · 到会场扫码签到"
            items.append(Due(KIND, f"会议签到：{meeting.title}", url, closes, note))
        elif seat.response == MeetingMember.Response.NONE:
            note = f"{start:%m月%d日 %H:%M} 开会{venue} · 请确认参会或请假"
            items.append(Due(KIND, f"答复会议通知：{meeting.title}", url, meeting.start_at, note))
        elif seat.leave == MeetingMember.Leave.REFUSED and not checked_in:
            note = f"{start:%m月%d日 %H:%M} 开会{venue} · 请按时参会"
            items.append(Due(KIND, f"请假未获批准：{meeting.title}", url, meeting.start_at, note))
    return items


def _leave_requests() -> list[Due]:
    """One line per meeting with requests waiting, however many members asked (one query)."""
    waiting = (
        MeetingMember.objects.filter(
            leave=MeetingMember.Leave.PENDING, meeting__state__in=ANSWERABLE
        )
        .values("meeting_id", "meeting__title")
        .annotate(n=Count("pk"), start_at=Min("meeting__start_at"))
        .order_by("start_at", "meeting_id")[:MAX_DUE]
    )
    return [
        Due(
            KIND,
            f"审批请假：{row['meeting__title']}",
            reverse("meetings:members", args=[row["meeting_id"]]) + "?show=leave",
            row["start_at"],
            f"{row['n']} 人请假待审批",
        )
        for row in waiting
    ]
