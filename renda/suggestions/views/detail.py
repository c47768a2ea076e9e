"""One suggestion's page: everything about it and the forms the viewer may use; the POST
views of the other modules re-render it with their bound form when a form or service refuses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.models import User
from renda.accounts.permissions import AuthenticatedRequest
from renda.core import workflow as wf
from renda.core.roles import Role, role_required
from renda.core.sources import sources_of

from .. import permissions as perms
from .. import selectors, services
from ..forms import (
    AssignForm,
    AttachmentForm,
    InviteForm,
    KeyForm,
    MergeForm,
    NoteForm,
    OpinionForm,
    PublishForm,
    RateForm,
    RegisterForm,
    ReplyForm,
    ReturnForm,
    UnpublishForm,
)
from ..models import Assignment, Attachment, Suggestion
from ..permissions import ALL_INSIDE
from ..workflows import BUTTON_TRANSITIONS

ROLE_ORDER = {"lead": 0, "split": 1, "co": 2}


def _detail_forms(
    user: User, s: Suggestion, ctx: dict[str, Any], assignment: Assignment | None
) -> dict[str, Any]:
    """The unbound forms of the steps this viewer may take on the item now."""
    forms: dict[str, Any] = {}
    if ctx["can_edit"]:
        forms["invite"] = InviteForm(subject=s) if not perms.is_staff(user) else None
        forms["attachment"] = AttachmentForm()
    if perms.can_register(user, s):
        forms["register"] = RegisterForm(initial={"expected_state": s.state})
    if perms.can_merge(user, s):
        forms["merge"] = MergeForm(initial={"expected_state": s.state})
        ctx["similar"] = selectors.similar_to(s)
    if perms.can_assign(user, s):
        forms["assign"] = AssignForm(initial={"expected_state": s.state, "mode": "lead"})
    if perms.can_set_key(user, s):
        forms["key"] = KeyForm(initial={"is_key": s.is_key, "reason": s.key_reason})
    if perms.can_publish(user, s):
        forms["publish"] = PublishForm(
            initial={
                "title": s.public_title or s.title,
                "content": s.public_content or services.redact(s.content),
                "reply": s.public_reply
                or services.redact("\n\n".join(r.content for r in ctx["replies"])),
            }
        )
        if s.published_at:
            forms["unpublish"] = UnpublishForm()
    if perms.can_reply(user, s, assignment):
        forms["reply"] = ReplyForm(initial={"expected_state": s.state})
    if perms.can_return(user, s, assignment):
        forms["return"] = ReturnForm(initial={"expected_state": s.state})
    if perms.can_give_opinion(user, s, assignment):
        forms["opinion"] = OpinionForm(
            initial={"opinion": assignment.opinion if assignment else ""}
        )
    if perms.can_add_note(user, s, assignment):
        forms["note"] = NoteForm(initial={"occurred_on": timezone.localdate()})
        forms["media"] = AttachmentForm(initial={"kind": Attachment.Kind.HANDLING})
    if perms.can_rate(user, s):
        forms["rate"] = RateForm(initial={"expected_state": s.state})
    return forms


def _detail_context(request: AuthenticatedRequest, s: Suggestion, **bound: Any) -> dict[str, Any]:
    user = request.user
    ctx = wf.page_context(user, s)
    ctx["workflow_actions"] = [t for t in ctx["workflow_actions"] if t.name in BUTTON_TRANSITIONS]
    assignment = perms.my_assignment(user, s)
    staff = perms.is_staff(user)
    signature = perms.my_signature(user, s)
    signatures = list(s.signatures.select_related("deputy", "deputy__region"))
    ctx.update(
        s=s,
        signatures=signatures,
        unconfirmed=[g.deputy.name for g in signatures if not g.is_lead and not g.confirmed_at],
        # Lead first, then split and co-handling units; returned ones last.
        assignments=sorted(
            s.assignments.select_related("unit").filter(**({} if staff else {"active": True})),
            key=lambda a: (not a.active, ROLE_ORDER.get(a.role, 9), a.pk),
        ),
        notes=list(s.notes.select_related("unit", "created_by")),
        replies=list(s.replies.select_related("unit")),
        evaluations=list(s.evaluations.all()),
        attachments=list(s.attachments.select_related("unit")),
        merged_items=list(s.merged_items.only("id", "code", "title")),
        my_assignment=assignment,
        my_signature=signature,
        is_staff=staff,
        can_edit=perms.can_edit_draft(user, s),
        can_submit=s.state == "draft" and perms.can_edit_draft(user, s),
        action_url=reverse("suggestions:transition", args=[s.pk]),
    )
    forms = _detail_forms(user, s, ctx, assignment)
    forms.update(bound)
    ctx["forms"] = forms
    # Where it came from (a constituent opinion, a budget alert…): core source links.
    ctx["sources"] = sources_of(s)
    return ctx


def render_detail(request: AuthenticatedRequest, s: Suggestion, **bound: Any) -> HttpResponse:
    return render(request, "suggestions/detail.html", _detail_context(request, s, **bound))


@role_required(*ALL_INSIDE)
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render_detail(request, perms.get_suggestion_for_user(request.user, pk))


@role_required(*ALL_INSIDE)
def attachment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Attachment, pk=pk)
    if item.suggestion_id:
        perms.get_suggestion_for_user(request.user, item.suggestion_id)
    else:
        perms.get_motion_for_user(request.user, item.motion_id)  # type: ignore[arg-type]
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)  # type: ignore[return-value]


@role_required(Role.STAFF, Role.DEPUTY, Role.HANDLING_OFFICER)
@require_POST
def transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plain buttons (撤回, 申请延期, 批准延期, 办结 …); steps with their own forms are
    refused here so that their checks cannot be skipped."""
    s = perms.get_suggestion_for_user(request.user, pk)
    if request.POST.get("transition") not in BUTTON_TRANSITIONS:
        messages.error(request, "该操作需要在对应的表单中办理。")
        return redirect("suggestions:detail", s.pk)
    wf.apply_posted_transition(request, s)
    return redirect("suggestions:detail", s.pk)
