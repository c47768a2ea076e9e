"""Motions (议案): drafting with enough co-signers, submission, the presidium's decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core import workflow as wf
from renda.core.forms import attempt
from renda.core.roles import Role, role_required

from .. import permissions as perms
from .. import services
from ..forms import (
    DecideForm,
    InviteForm,
    MotionForm,
)
from ..models import Motion
from ..permissions import READERS
from ..rules import RULES
from ..workflows import MOTION, MOTION_BUTTONS
from .drafting import may_drop_unconfirmed, respond_to_invitation
from .lists import PAGE_SIZE


def _motion_context(request: AuthenticatedRequest, m: Motion, **bound: Any) -> dict[str, Any]:
    user = request.user
    ctx = wf.page_context(user, m)
    ctx["workflow_actions"] = [t for t in ctx["workflow_actions"] if t.name in MOTION_BUTTONS]
    signatures = list(m.signatures.select_related("deputy", "deputy__region"))
    forms: dict[str, Any] = {}
    can_edit = perms.can_edit_draft(user, m)
    if can_edit:
        forms["invite"] = InviteForm(subject=m)
    if perms.can_decide_motion(user, m):
        forms["decide"] = DecideForm(initial={"expected_state": m.state})
    forms.update(bound)
    ctx.update(
        m=m,
        signatures=signatures,
        forms=forms,
        can_edit=can_edit,
        unconfirmed=[s.deputy.name for s in signatures if not s.is_lead and not s.confirmed_at],
        confirmed=sum(1 for s in signatures if s.confirmed_at),
        needed=RULES.min_signers(m.term.level),
        my_signature=perms.my_signature(user, m),
        attachments=list(m.attachments.all()),
        action_url=reverse("suggestions:motion_transition", args=[m.pk]),
        converted=getattr(m, "converted_suggestion", None) if m.state == "converted" else None,
        workflow_name=MOTION.name,
    )
    return ctx


def render_motion_detail(request: AuthenticatedRequest, m: Motion, **bound: Any) -> HttpResponse:
    return render(request, "suggestions/motion_detail.html", _motion_context(request, m, **bound))


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def motion_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render_motion_detail(request, perms.get_motion_for_user(request.user, pk))


@role_required(*READERS)
def motion_list(request: AuthenticatedRequest) -> HttpResponse:
    qs = (
        perms.visible_motions(request.user)
        .select_related("lead_deputy", "sitting")
        .annotate(signers=Count("signatures", filter=Q(signatures__confirmed_at__isnull=False)))
        .order_by("-created_at")
    )
    state = request.GET.get("state", "")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/motion_list.html",
        {"page": page, "states": MOTION.choices, "state": state, "query": f"state={state}"},
    )


@role_required(Role.DEPUTY)
def motion_create(request: AuthenticatedRequest) -> HttpResponse:
    deputy = perms.acting_deputy(request.user)
    if deputy is None or not perms.can_submit(request.user):
        raise PermissionDenied("您的账号尚未关联在任代表档案。")
    form = MotionForm(request.POST or None)
    sitting = services.open_sitting(deputy.term)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        m = attempt(form, lambda: services.create_motion(actor=request.user, deputy=deputy, **d))
        if m is not None:
            messages.success(request, "议案草稿已保存。请邀请代表联名，确认人数够后提交。")
            return redirect("suggestions:motion_detail", m.pk)
    return render(
        request,
        "suggestions/motion_form.html",
        {
            "form": form,
            "sitting": sitting,
            "title": "提出议案",
            "needed": RULES.min_signers(deputy.term.level),
        },
    )


@role_required(Role.DEPUTY)
def motion_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以修改自己的议案草稿。")
    form = MotionForm(
        request.POST or None,
        initial={"title": m.title, "cause": m.cause, "basis": m.basis, "plan": m.plan},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form, lambda: services.update_motion(actor=request.user, motion=m, **form.cleaned_data)
        )
        is not None
    ):
        messages.success(request, "议案草稿已保存。")
        return redirect("suggestions:motion_detail", m.pk)
    return render(
        request, "suggestions/motion_form.html", {"form": form, "title": "修改议案", "object": m}
    )


@role_required(Role.DEPUTY)
@require_POST
def motion_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以提交议案。")
    if not may_drop_unconfirmed(request, m):
        return redirect("suggestions:motion_detail", m.pk)
    try:
        services.submit_motion(actor=request.user, motion=m)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"议案已提交，编号 {m.code}，等待主席团决定。")
    return redirect("suggestions:motion_detail", m.pk)


@role_required(Role.DEPUTY)
@require_POST
def motion_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, m):
        raise PermissionDenied("只有领衔代表可以邀请联名。")
    form = InviteForm(request.POST, subject=m)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.invite_cosigner(
                actor=request.user, subject=m, deputy=form.cleaned_data["deputy"]
            ),
        )
        is not None
    ):
        messages.success(request, f"已邀请 {form.cleaned_data['deputy'].name} 代表联名。")
        return redirect("suggestions:motion_detail", m.pk)
    return render_motion_detail(request, m, invite=form)


@role_required(Role.DEPUTY)
@require_POST
def motion_cosign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return respond_to_invitation(
        request, perms.get_motion_for_user(request.user, pk), "suggestions:motion_detail"
    )


@role_required(Role.STAFF)
@require_POST
def motion_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.decide_motion(
                actor=request.user,
                motion=m,
                decision=d["decision"],
                note=d["note"],
                committee=d["committee"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(
                request, f"已记录主席团决定：{services.MOTION_DECISIONS[d['decision']]}。"
            )
            return redirect("suggestions:motion_detail", m.pk)
    return render_motion_detail(request, m, decide=form)


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def motion_transition(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    m = perms.get_motion_for_user(request.user, pk)
    if request.POST.get("transition") not in MOTION_BUTTONS:
        messages.error(request, "该操作需要在对应的表单中办理。")
        return redirect("suggestions:motion_detail", m.pk)
    wf.apply_posted_transition(request, m)
    return redirect("suggestions:motion_detail", m.pk)
