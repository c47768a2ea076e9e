"""闭会: attendance is fixed and becomes the deputies' duty records (出席 / 请假 / 缺席) by
itself, once. The records go through the deputies app's `record_duty`, which is idempotent per
(deputy, kind, source) and backed by the database's unique constraint."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core.workflow import apply_transition
from renda.deputies.models import DutyRecord
from renda.deputies.services import record_duty

from ..models import Meeting, MeetingMember
from ..permissions import require_manager

Attendance = MeetingMember.Attendance

# Attendance → duty-record kind (deputies' DutyRecord.Kind; all three are automatic kinds that
# only this service writes).
DUTY_KINDS: dict[str, str] = {
    Attendance.PRESENT: DutyRecord.Kind.MEETING_ATTENDANCE,
    Attendance.LEAVE: DutyRecord.Kind.MEETING_LEAVE,
    Attendance.ABSENT: DutyRecord.Kind.MEETING_ABSENCE,
}


def _attendance_of(member: MeetingMember) -> str:
    if hasattr(member, "checkin"):
        return Attendance.PRESENT
    if member.leave == MeetingMember.Leave.APPROVED:
        return Attendance.LEAVE
    return Attendance.ABSENT


def record_attendance(*, actor: Any, meeting: Meeting) -> int:
    """Fix every member's attendance and write the duty records; running it again writes
    nothing new. 列席 members get a record only when they came. Returns the records made."""
    members = list(meeting.members.select_related("checkin", "deputy"))
    day = timezone.localtime(meeting.start_at).date()
    made = 0
    for state in Attendance.values:
        if not state:
            continue
        ids = [m.pk for m in members if _attendance_of(m) == state and m.attendance != state]
        MeetingMember.objects.filter(pk__in=ids).update(attendance=state)
    for member in members:
        state = _attendance_of(member)
        if member.role != MeetingMember.Role.ATTEND and state != Attendance.PRESENT:
            continue
        label = {"present": "出席", "leave": "请假", "absent": "缺席"}[state]
        record_duty(
            actor=actor,
            deputy=member.deputy,
            kind=DUTY_KINDS[state],
            occurred_on=day,
            title=f"{label}{meeting.title}",
            details=f"{meeting.venue}；{timezone.localtime(meeting.start_at):%Y-%m-%d %H:%M}",
            source=meeting,
        )
        made += 1
    return made


@transaction.atomic
def close_meeting(*, actor: Any, meeting: Meeting) -> int:
    """闭会 (in progress → closed). Refused while a leave request waits for a decision.
    Returns the number of duty records of the meeting."""
    require_manager(actor)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    pending = locked.members.filter(leave=MeetingMember.Leave.PENDING).count()
    if pending and locked.state == "in_progress":
        raise ValidationError(f"还有 {pending} 份请假申请未审批，请先审批再闭会。")
    # The transition's effect (workflows.record_attendance) writes the duty records, so the
    # meeting cannot close without them.
    apply_transition(actor=actor, obj=locked, transition="close")
    meeting.state = locked.state
    return DutyRecord.objects.filter(
        source_type=Meeting._meta.label_lower, source_id=str(meeting.pk)
    ).count()
