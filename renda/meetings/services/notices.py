"""会议通知 and receipts: the notice goes to every member once, by inbox and SMS; a member
reads it, confirms or asks for leave with a reason; staff approve or refuse the leave."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.core import audit
from renda.core.notifications import notify, sms_backend
from renda.core.workflow import apply_transition

from ..models import Meeting, MeetingMember
from ..permissions import deputy_of, require_manager

ANSWERABLE = ("notified", "in_progress")


def notice_text(meeting: Meeting) -> str:
    """The SMS and inbox text: what, when, where (never an ID number or a mobile)."""
    start = timezone.localtime(meeting.start_at)
    return (
        f"【会议通知】{meeting.title}定于{start:%Y年%m月%d日%H:%M}在{meeting.venue}召开，"
        "请登录智慧人大确认参会或请假。"
    )


@transaction.atomic
def notify_members(*, actor: Any, meeting: Meeting) -> int:
    """Send the notice to every member not yet notified (inbox for those with an account, an
    SMS to the mobile on record), and move a draft meeting to 已通知. Running it again sends
    nothing twice: it returns how many members were notified this time (0 the second time);
    a member invited later gets the notice on the next run."""
    require_manager(actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.state == "closed":
        raise ValidationError("会议已闭会，不能再发通知。")
    if locked.state == "draft":
        apply_transition(actor=actor, obj=locked, transition="notify")
        meeting.state = locked.state
    pending = list(
        locked.members.filter(notified_at__isnull=True).select_related("deputy", "deputy__user")
    )
    if not pending:
        return 0
    text = notice_text(locked)
    url = reverse("meetings:my_detail", args=[locked.pk])
    users = [
        m.deputy.user for m in pending if m.deputy.user is not None and m.deputy.user.is_active
    ]
    if users:
        notify(actor=actor, recipients=users, title=f"会议通知：{locked.title}", body=text, url=url)
    sender = sms_backend()
    texted = 0
    for member in pending:
        if member.deputy.mobile:
            sender.send(mobile=member.deputy.mobile, text=text)
            texted += 1
    MeetingMember.objects.filter(pk__in=[m.pk for m in pending]).update(notified_at=timezone.now())
    audit.record(
        actor=actor,
        action="meeting.notify",
        target=locked,
        details={"count": len(pending), "inbox": len(users), "sms": texted},
    )
    return len(pending)


def _own(actor: Any, member: MeetingMember) -> MeetingMember:
    """The member's row, locked, if it is the actor's own and the meeting takes answers."""
    deputy = deputy_of(actor)
    if deputy is None or deputy.pk != member.deputy_id:
        raise PermissionDenied("只能答复本人的会议通知。")
    # Only the member row: locking the meeting too would queue every notice read behind the
    # check-ins in flight during a burst at the venue.
    locked = (
        MeetingMember.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=member.pk)
    )
    if locked.meeting.state not in ANSWERABLE:
        raise ValidationError("会议已闭会，不能再答复通知。")
    return locked


@transaction.atomic
def mark_notice_read(*, actor: Any, member: MeetingMember) -> bool:
    """已读: the first time the member opens the notice. True if it was new."""
    locked = _own(actor, member) if member.read_at is None else None
    if locked is None or locked.read_at is not None:
        return False
    locked.read_at = timezone.now()
    locked.save(update_fields=["read_at"])
    member.read_at = locked.read_at
    audit.record(actor=actor, action="meeting.notice_read", target=locked.meeting)
    return True


def _answer(actor: Any, locked: MeetingMember, response: str) -> None:
    now = timezone.now()
    locked.read_at = locked.read_at or now
    locked.response = response
    locked.responded_at = now
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="meeting.respond",
        target=locked.meeting,
        details={"response": response},
    )


@transaction.atomic
def confirm_attendance(*, actor: Any, member: MeetingMember) -> MeetingMember:
    """确认参会 (also withdraws a leave request)."""
    locked = _own(actor, member)
    locked.leave = MeetingMember.Leave.NONE
    locked.leave_reason = ""
    locked.leave_decided_by = None
    locked.leave_decided_at = None
    locked.leave_note = ""
    _answer(actor, locked, MeetingMember.Response.CONFIRMED)
    return locked


@transaction.atomic
def request_leave(*, actor: Any, member: MeetingMember, reason: str) -> MeetingMember:
    """请假 with a reason; it waits for staff's decision."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写请假事由。"})
    if len(reason) > 500:
        raise ValidationError({"reason": "请假事由不能超过500字。"})
    locked = _own(actor, member)
    if locked.leave == MeetingMember.Leave.APPROVED:
        raise ValidationError("您的请假已获批准。")
    if hasattr(locked, "checkin"):
        raise ValidationError("您已签到，不能再请假。")
    locked.leave = MeetingMember.Leave.PENDING
    locked.leave_reason = reason
    _answer(actor, locked, MeetingMember.Response.LEAVE)
    return locked


@transaction.atomic
def decide_leave(
    *, actor: Any, member: MeetingMember, approve: bool, note: str = ""
) -> MeetingMember:
    """Staff approve (准假) or refuse (不准假) a pending leave request; the member is told."""
    require_manager(actor)
    locked = (
        MeetingMember.objects.select_for_update()
        .select_related("meeting", "deputy")
        .get(pk=member.pk)
    )
    if locked.meeting.state == "closed":
        raise ValidationError("会议已闭会，不能再审批请假。")
    if locked.leave != MeetingMember.Leave.PENDING:
        raise ValidationError("该代表没有待审批的请假申请。")
    if not approve and not note.strip():
        raise ValidationError({"note": "不准假时请填写理由。"})
    locked.leave = MeetingMember.Leave.APPROVED if approve else MeetingMember.Leave.REFUSED
    locked.leave_decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.leave_decided_at = timezone.now()
    locked.leave_note = note.strip()[:200]
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="meeting.leave_decide",
        target=locked.meeting,
        details={"deputy": locked.deputy_id, "approve": approve},
    )
    user = locked.deputy.user
    if user is not None:
        word = "已准假" if approve else f"不准假（{locked.leave_note}）"
        notify(
            actor=actor,
            recipients=[user],
            title=f"请假申请{word}：{locked.meeting.title}",
            url=reverse("meetings:my_detail", args=[locked.meeting_id]),
        )
    return locked
