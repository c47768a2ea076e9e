"""Who may read and change the deputy registry (docs/architecture.md §4.3).

Staff (人大机关工作人员) read and change every record; standing-committee members read them;
a deputy reads only their own record. Contact data (mobile, ID number) is shown to staff and
to the deputy themself, never to anybody else.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from renda.accounts.models import User
from renda.accounts.permissions import can_manage_deputies, can_view_deputies
from renda.core.roles import Role, has_role

from .models import Deputy, GroupActivity, Membership, ReportingAssignment, ReportingPlan
from .selectors import staff_deputies

# Whoever asks: a signed-in user, or nobody (a public page).
Viewer = User | AnonymousUser


def get_deputy_for_user(user: Viewer, pk: int, *, write: bool = False) -> Deputy:
    """Staff and SC members read every deputy; only staff change them. A deputy reads
    only their own record (404 for anybody else's, so that ids give nothing away)."""
    if write and not can_manage_deputies(user):
        raise PermissionDenied
    if can_view_deputies(user):
        return get_object_or_404(staff_deputies().defer(None), pk=pk)
    if has_role(user, Role.DEPUTY):
        return get_object_or_404(
            Deputy.objects.select_related("region", "term", "term__congress"), pk=pk, user=user
        )
    raise PermissionDenied


def get_own_deputy(user: Viewer) -> Deputy:
    """The record linked to a deputy's log-in account; 404 when staff have not linked one."""
    if not isinstance(user, User) or not has_role(user, Role.DEPUTY):
        raise PermissionDenied
    deputy = staff_deputies().defer(None).select_related("constituency").filter(user=user).first()
    if deputy is None:
        raise Http404("您的账号尚未关联代表档案")
    return deputy


def get_membership_for_user(
    user: Viewer, deputy: Deputy, pk: int, *, write: bool = False
) -> Membership:
    """A membership is reached through its deputy, so the deputy's scoping applies to it."""
    if write and not can_manage_deputies(user):
        raise PermissionDenied
    return get_object_or_404(
        Membership.objects.select_related("organization", "deputy"), pk=pk, deputy=deputy
    )


def can_see_contact_data(user: Viewer, deputy: Deputy | None = None) -> bool:
    if can_manage_deputies(user):
        return True
    return deputy is not None and deputy.user_id is not None and deputy.user_id == user.pk


def can_create_deputy(user: Viewer) -> bool:
    return can_manage_deputies(user)


def can_edit_deputy(user: Viewer, deputy: Deputy) -> bool:
    # Ended records stay editable: staff correct typing errors in the history too.
    return can_manage_deputies(user)


def can_end_mandate(user: Viewer, deputy: Deputy) -> bool:
    return can_manage_deputies(user) and deputy.status != Deputy.Status.ENDED


def can_create_account(user: Viewer, deputy: Deputy) -> bool:
    """Staff open a log-in account for a serving deputy who has none."""
    return (
        can_manage_deputies(user)
        and deputy.user_id is None
        and deputy.status != Deputy.Status.ENDED
    )


def can_add_membership(user: Viewer, deputy: Deputy) -> bool:
    return can_manage_deputies(user) and deputy.status != Deputy.Status.ENDED


def can_end_membership(user: Viewer, membership: Membership) -> bool:
    return can_manage_deputies(user) and membership.end_date is None


def acting_deputy(user: Viewer) -> Deputy | None:
    """The deputy a user acts as on the deputy pages: the linked record, only while the user
    is in the deputy role (a staff account linked to a deputy acts as staff)."""
    if not has_role(user, Role.DEPUTY):
        return None
    return getattr(user, "deputy", None)


def linked_deputy(user: Viewer) -> Deputy | None:
    """The deputy record linked to a signed-in account, whatever its role: what a service
    checks when it asks "is this actor that deputy?"."""
    return getattr(user, "deputy", None) if getattr(user, "is_authenticated", False) else None


# --- 代表述职 and 代表小组活动 ------------------------------------------------------------
# Staff arrange them and enter results; SC members read the staff pages; a deputy sees their
# own 述职 and the activities they are on the roster of (or may sign up for).


def can_manage_reporting(user: Viewer) -> bool:
    return has_role(user, Role.STAFF)


def can_view_reporting(user: Viewer) -> bool:
    return has_role(user, Role.STAFF, Role.SC_MEMBER)


def get_plan_for_user(user: Viewer, pk: int, *, write: bool = False) -> ReportingPlan:
    if not (can_manage_reporting(user) if write else can_view_reporting(user)):
        raise PermissionDenied
    return get_object_or_404(ReportingPlan.objects.select_related("term"), pk=pk)


def get_assignment_for_user(user: Viewer, pk: int, *, write: bool = False) -> ReportingAssignment:
    """Staff (and, reading, SC members) reach every 述职; a deputy only their own (404 for
    anybody else's)."""
    qs = ReportingAssignment.objects.select_related("plan", "deputy", "constituency")
    if can_manage_reporting(user) or (not write and can_view_reporting(user)):
        return get_object_or_404(qs, pk=pk)
    deputy = acting_deputy(user)
    if deputy is None:
        raise PermissionDenied
    return get_object_or_404(qs, pk=pk, deputy=deputy)


def get_activity_for_user(user: Viewer, pk: int, *, write: bool = False) -> GroupActivity:
    """Staff and SC members read every activity, only staff change one. A deputy reaches
    an activity they are on the roster of, or an open one of their term."""
    qs = GroupActivity.objects.select_related("term", "delegation")
    if can_manage_reporting(user) or (not write and can_view_reporting(user)):
        return get_object_or_404(qs, pk=pk)
    deputy = acting_deputy(user)
    if deputy is None or write:
        raise PermissionDenied
    return get_object_or_404(deputy_activities(deputy), pk=pk)


def deputy_activities(deputy: Deputy) -> QuerySet[GroupActivity]:
    """The activities a deputy sees: on the roster, or open to their term."""
    return (
        GroupActivity.objects.filter(
            Q(participants__deputy=deputy) | Q(open_signup=True, term_id=deputy.term_id)
        )
        .distinct()
        .select_related("term", "delegation")
    )
