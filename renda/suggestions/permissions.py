"""Who sees and does what with suggestions and motions (docs/architecture.md §4.3). Scoping happens in the
querysets: a handling-unit officer's queryset holds only items his unit actively handles, a
deputy's only items he signed (drafts: his own, or ones he was invited to co-sign)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from renda.accounts.models import User
from renda.core.roles import Duty, Role, has_duty, has_role
from renda.deputies.models import Deputy
from renda.deputies.permissions import acting_deputy

from .models import Assignment, Motion, Reply, Signature, Suggestion
from .workflows import ANSWERED_STATES, HANDLING_STATES

# Whoever asks: a signed-in user, or nobody (a public page).
Viewer = User | AnonymousUser

READERS = (Role.STAFF, Role.SC_MEMBER)
# Everybody who works inside the system on suggestions (not the public).
ALL_INSIDE = (Role.STAFF, Role.SC_MEMBER, Role.DEPUTY, Role.HANDLING_OFFICER)


def _unit_id(user: Viewer) -> int | None:
    """The organization (a handling unit, for an officer) of a signed-in user."""
    return user.organization_id if isinstance(user, User) else None


def is_staff(user: Viewer) -> bool:
    return has_role(user, Role.STAFF)


def is_handler(user: Viewer) -> bool:
    """Staff who handle suggestions and motions (the deputies' affairs office's duty); every
    member of staff still reads them."""
    return has_duty(user, Duty.SUGGESTIONS)


def is_reader(user: Viewer) -> bool:
    return has_role(user, *READERS)


def is_officer(user: Viewer) -> bool:
    return has_role(user, Role.HANDLING_OFFICER) and _unit_id(user) is not None


def can_view_stats(user: Viewer) -> bool:
    return is_reader(user)


def can_manage_duty(user: Viewer) -> bool:
    return is_handler(user)


def can_submit(user: Viewer) -> bool:
    deputy = acting_deputy(user)
    return deputy is not None and deputy.status == Deputy.Status.ACTIVE


# --- scoped querysets and fetches ---------------------------------------------------------


def visible_suggestions(user: Viewer) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.all()
    if is_staff(user):
        return qs
    if has_role(user, Role.SC_MEMBER):
        return qs.exclude(state="draft")
    deputy = acting_deputy(user)
    if deputy is not None:
        return qs.filter(Exists(Signature.objects.filter(suggestion=OuterRef("pk"), deputy=deputy)))
    if is_officer(user):
        return qs.exclude(state="draft").filter(
            Exists(
                Assignment.objects.filter(
                    suggestion=OuterRef("pk"), unit_id=_unit_id(user), active=True
                )
            )
        )
    return qs.none()


def get_suggestion_for_user(user: Viewer, pk: int) -> Suggestion:
    """404 for an item outside the user's scope (ids give nothing away); 403 for a role that
    never sees suggestions."""
    if not (is_reader(user) or acting_deputy(user) is not None or is_officer(user)):
        raise PermissionDenied("您的角色无权查看代表建议。")
    return get_object_or_404(
        visible_suggestions(user).select_related(
            "lead_deputy", "term", "sitting", "committee", "duplicate_of", "motion"
        ),
        pk=pk,
    )


def visible_motions(user: Viewer) -> QuerySet[Motion]:
    qs = Motion.objects.all()
    if is_staff(user):
        return qs
    if has_role(user, Role.SC_MEMBER):
        return qs.exclude(state="draft")
    deputy = acting_deputy(user)
    if deputy is not None:
        return qs.filter(Exists(Signature.objects.filter(motion=OuterRef("pk"), deputy=deputy)))
    return qs.none()


def get_motion_for_user(user: Viewer, pk: int) -> Motion:
    if not (is_reader(user) or acting_deputy(user) is not None):
        raise PermissionDenied("您的角色无权查看议案。")
    return get_object_or_404(
        visible_motions(user).select_related("lead_deputy", "term", "sitting", "committee"), pk=pk
    )


def get_reply_for_user(user: Viewer, pk: int) -> Reply:
    reply = get_object_or_404(Reply.objects.select_related("suggestion", "unit"), pk=pk)
    get_suggestion_for_user(user, reply.suggestion_id)  # same scope as its suggestion
    return reply


# --- capabilities on one item (buttons and views ask the same question) ------------------------


def is_lead(user: Viewer, subject: Suggestion | Motion) -> bool:
    deputy = acting_deputy(user)
    return deputy is not None and deputy.pk == subject.lead_deputy_id


def can_edit_draft(user: Viewer, subject: Suggestion | Motion) -> bool:
    if subject.state != "draft":
        return False
    if is_staff(user):
        return is_handler(user) and getattr(subject, "source", "") == Suggestion.Source.PAPER
    return is_lead(user, subject)


def my_signature(user: Viewer, subject: Suggestion | Motion) -> Signature | None:
    deputy = acting_deputy(user)
    if deputy is None:
        return None
    return subject.signatures.filter(deputy=deputy, is_lead=False).first()


def can_register(user: Viewer, s: Suggestion) -> bool:
    return is_handler(user) and s.state == "submitted"


def can_merge(user: Viewer, s: Suggestion) -> bool:
    return is_handler(user) and s.state in ("submitted", "registered")


def can_assign(user: Viewer, s: Suggestion) -> bool:
    return is_handler(user) and s.state in ("registered", "returned")


def can_set_key(user: Viewer, s: Suggestion) -> bool:
    return is_handler(user) and s.state not in (
        "draft",
        "closed",
        "merged",
        "withdrawn",
        "not_accepted",
    )


def can_publish(user: Viewer, s: Suggestion) -> bool:
    return is_handler(user) and s.state in ANSWERED_STATES and s.allow_public


def my_assignment(user: Viewer, s: Suggestion) -> Assignment | None:
    if not is_officer(user):
        return None
    return s.assignments.filter(active=True, unit_id=_unit_id(user)).first()


def can_reply(user: Viewer, s: Suggestion, assignment: Assignment | None) -> bool:
    if assignment is None or assignment.role == Assignment.Role.CO:
        return False
    if s.state not in ("assigned", "extension_requested", "rehandling", "tracking"):
        return False
    return not Reply.objects.filter(
        suggestion=s, unit_id=assignment.unit_id, round=s.round
    ).exists()


def can_return(user: Viewer, s: Suggestion, assignment: Assignment | None) -> bool:
    return (
        assignment is not None
        and s.state == "assigned"
        and timezone.now() <= assignment.return_until
    )


def can_give_opinion(user: Viewer, s: Suggestion, assignment: Assignment | None) -> bool:
    return (
        assignment is not None
        and assignment.role == Assignment.Role.CO
        and s.state in HANDLING_STATES
    )


def can_add_note(user: Viewer, s: Suggestion, assignment: Assignment | None) -> bool:
    return assignment is not None and s.state in (*HANDLING_STATES, "replied")


def can_rate(user: Viewer, s: Suggestion) -> bool:
    return s.state == "replied" and (is_lead(user, s) or is_handler(user))


def can_decide_motion(user: Viewer, m: Motion) -> bool:
    return is_handler(user) and m.state in ("submitted", "referred")
