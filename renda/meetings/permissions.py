"""Who may see and do what with meetings (docs/architecture.md §4.3).

- Staff (人大机关工作人员): create meetings, build the agenda, send notices, decide leave,
  show the venue code, mark paper sign-in, open and close meetings.
- Standing-committee members: read every meeting, its agenda, receipts and attendance.
- A deputy (or any account linked to a deputy record): only the meetings they are a member
  of, their own notice, receipt and check-in. Another meeting is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from renda.core.roles import Duty, Role, has_duty, has_role
from renda.deputies.models import Deputy

from .models import AgendaItem, Meeting, MeetingMember

READ_ROLES = (Role.STAFF, Role.SC_MEMBER)
MEMBER_ROLES = (Role.DEPUTY, Role.SC_MEMBER)


def can_view_meetings(user: Any) -> bool:
    return has_role(user, *READ_ROLES)


def can_manage_meetings(user: Any) -> bool:
    """Staff whose office holds the meetings duty (办公室 in the demo county)."""
    return has_duty(user, Duty.MEETINGS)


def require_staff(actor: Any) -> None:
    """For put_on_agenda: any member of staff; the module whose matter goes on the agenda
    (a budget alert, an appointment list, a 票决) checks its own duty before calling."""
    if actor is not None and not has_role(actor, Role.STAFF):
        raise PermissionDenied("只有人大机关工作人员可以提请列入会议议程。")


def require_manager(actor: Any) -> None:
    """For services: only staff (or None, a background job or the demo loader)."""
    if actor is not None and not can_manage_meetings(actor):
        raise PermissionDenied("只有负责会议组织的工作人员可以办理会议事务。")


def deputy_of(user: Any) -> Deputy | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        deputy: Deputy | None = user.deputy
    except Deputy.DoesNotExist:
        return None
    return deputy


def meetings_for(user: Any) -> QuerySet[Meeting]:
    if not can_view_meetings(user):
        return Meeting.objects.none()
    return Meeting.objects.select_related("term", "term__congress")


def get_meeting_for_user(user: Any, pk: int, *, write: bool = False) -> Meeting:
    if write and not can_manage_meetings(user):
        raise PermissionDenied("只有人大机关工作人员可以办理会议事务。")
    if not can_view_meetings(user):
        raise PermissionDenied("您无权查看会议。")
    return get_object_or_404(meetings_for(user), pk=pk)


def get_agenda_item_for_user(user: Any, pk: int) -> AgendaItem:
    if not can_manage_meetings(user):
        raise PermissionDenied("只有人大机关工作人员可以办理会议事务。")
    return get_object_or_404(AgendaItem.objects.select_related("meeting"), pk=pk)


def get_member_for_manager(user: Any, pk: int) -> MeetingMember:
    if not can_manage_meetings(user):
        raise PermissionDenied("只有人大机关工作人员可以办理会议事务。")
    return get_object_or_404(MeetingMember.objects.select_related("meeting", "deputy"), pk=pk)


def seats_for(user: Any) -> QuerySet[MeetingMember]:
    """The user's own places in meetings (none for an account without a deputy record)."""
    deputy = deputy_of(user)
    if deputy is None or not has_role(user, *MEMBER_ROLES):
        return MeetingMember.objects.none()
    return MeetingMember.objects.filter(deputy=deputy).exclude(meeting__state="draft")


def get_own_seat(user: Any, meeting_pk: int) -> MeetingMember:
    """The user's place in a meeting that has been notified; 404 for any other meeting."""
    if not has_role(user, *MEMBER_ROLES):
        raise PermissionDenied("只有代表可以查看自己的会议。")
    return get_object_or_404(
        seats_for(user).select_related("meeting", "meeting__term"), meeting_id=meeting_pk
    )
