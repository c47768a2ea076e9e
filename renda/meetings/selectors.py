"""Reads for meetings: the live attendance count against the quorum, who has not answered,
and a deputy's attendance rate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from renda.deputies.models import Deputy

from .models import Meeting, MeetingMember
from .rules import QUORUM_RULES

ATTEND = MeetingMember.Role.ATTEND


@dataclass(frozen=True)
class AttendanceSummary:
    total: int  # members who must attend (出席); 列席 members are not counted
    present: int
    on_leave: int
    absent: int
    observers_present: int
    needed: int  # present members the quorum needs
    rule_label: str

    @property
    def quorum_met(self) -> bool:
        return self.total > 0 and self.present >= self.needed


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    """One query. Present = checked in (a member on leave who came counts as present)."""
    checked = Q(checkin__isnull=False)
    counts = MeetingMember.objects.filter(meeting=meeting).aggregate(
        total=Count("pk", filter=Q(role=ATTEND)),
        present=Count("pk", filter=Q(role=ATTEND) & checked),
        on_leave=Count(
            "pk", filter=Q(role=ATTEND, leave=MeetingMember.Leave.APPROVED, checkin__isnull=True)
        ),
        observers=Count("pk", filter=~Q(role=ATTEND) & checked),
    )
    rule = QUORUM_RULES[meeting.quorum]
    total = counts["total"]
    return AttendanceSummary(
        total=total,
        present=counts["present"],
        on_leave=counts["on_leave"],
        absent=total - counts["present"] - counts["on_leave"],
        observers_present=counts["observers"],
        needed=rule.needed(total),
        rule_label=meeting.get_quorum_display(),
    )


def unanswered(meeting: Meeting) -> QuerySet[MeetingMember]:
    """Members who have neither confirmed nor asked for leave."""
    return (
        meeting.members.filter(response=MeetingMember.Response.NONE)
        .select_related("deputy", "deputy__region")
        .order_by("deputy__region__code", "deputy__name")
    )


@dataclass(frozen=True)
class AttendanceRate:
    meetings: int  # closed meetings the deputy had to attend that year
    present: int
    leave: int
    absent: int

    @property
    def rate(self) -> float | None:
        return self.present / self.meetings if self.meetings else None


def attendance_rate(deputy: Deputy, year: int) -> AttendanceRate:
    """出席率 of `deputy` in `year`: present ÷ closed meetings they had to attend (出席)."""
    counts = MeetingMember.objects.filter(
        deputy=deputy, role=ATTEND, meeting__state="closed", meeting__start_at__year=year
    ).aggregate(
        total=Count("pk"),
        present=Count("pk", filter=Q(attendance=MeetingMember.Attendance.PRESENT)),
        leave=Count("pk", filter=Q(attendance=MeetingMember.Attendance.LEAVE)),
        absent=Count("pk", filter=Q(attendance=MeetingMember.Attendance.ABSENT)),
    )
    return AttendanceRate(counts["total"], counts["present"], counts["leave"], counts["absent"])


def year_summary(year: int) -> dict[str, int]:
    """The year's meetings for the annual report: meetings held (closed) by kind, and the
    attendance of the members who had to attend them (出席 / 请假 / 缺席). Two queries."""
    held = Meeting.objects.filter(state="closed", start_at__year=year)
    by_kind = dict(held.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    seats = MeetingMember.objects.filter(
        role=ATTEND, meeting__state="closed", meeting__start_at__year=year
    ).aggregate(
        seats=Count("pk"),
        present=Count("pk", filter=Q(attendance=MeetingMember.Attendance.PRESENT)),
        leave=Count("pk", filter=Q(attendance=MeetingMember.Attendance.LEAVE)),
        absent=Count("pk", filter=Q(attendance=MeetingMember.Attendance.ABSENT)),
    )
    return {
        "held": sum(by_kind.values()),
        **{f"held_{kind}": by_kind.get(kind, 0) for kind in Meeting.Kind.values},
        **seats,
    }
