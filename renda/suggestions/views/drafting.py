"""Drafting and co-signing: a deputy's drafts, staff typing in paper suggestions, invitations
and answers to them, attachments, submission, and the deputy's home page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.forms import add_service_errors, attempt
from renda.core.models import Notification
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.deputies.models import DutyRecord
from renda.deputies.selectors import scoring

from .. import permissions as perms
from .. import selectors, services
from ..forms import (
    AttachmentForm,
    InviteForm,
    PaperForm,
    SuggestionForm,
)
from ..models import Attachment, Motion, Signature, Suggestion
from .detail import render_detail


@role_required(Role.DEPUTY)
def create(request: AuthenticatedRequest) -> HttpResponse:
    deputy = perms.acting_deputy(request.user)
    if deputy is None or not perms.can_submit(request.user):
        raise PermissionDenied("您的账号尚未关联在任代表档案。")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {"title": d["title"], "content": d["content"], "allow_public": d["allow_public"]}
        s = attempt(
            form, lambda: services.create_suggestion(actor=request.user, deputy=deputy, **fields)
        )
        if s is not None:
            messages.success(request, "草稿已保存。可以邀请其他代表联名、添加附件，然后提交。")
            return redirect("suggestions:detail", s.pk)
    return render(request, "suggestions/form.html", {"form": form, "title": "提出建议"})


@duty_required(Duty.SUGGESTIONS)
def paper_create(request: AuthenticatedRequest) -> HttpResponse:
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        s = attempt(
            form,
            lambda: services.create_suggestion(
                actor=request.user,
                deputy=d["deputy"],
                title=d["title"],
                content=d["content"],
                allow_public=d["allow_public"],
                channel=Suggestion.Source.PAPER,
                cosigners=list(d["cosigners"]),
            ),
        )
        if s is not None:
            messages.success(request, "纸质建议已录入为草稿，核对无误后请点“提交”。")
            return redirect("suggestions:detail", s.pk)
    return render(
        request,
        "suggestions/form.html",
        {"form": form, "title": "代录纸质建议", "multipart": False},
    )


@role_required(Role.DEPUTY, Role.STAFF)
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以修改自己的草稿。")
    form = SuggestionForm(
        request.POST or None,
        initial={"title": s.title, "content": s.content, "allow_public": s.allow_public},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.update_draft(
                actor=request.user,
                suggestion=s,
                title=d["title"],
                content=d["content"],
                allow_public=d["allow_public"],
            ),
        ):
            messages.success(request, "草稿已保存。")
            return redirect("suggestions:detail", s.pk)
    return render(
        request, "suggestions/form.html", {"form": form, "title": "修改草稿", "object": s}
    )


DROP_FIELD = "drop_unconfirmed"


def may_drop_unconfirmed(request: AuthenticatedRequest, subject: Suggestion | Motion) -> bool:
    """Submitting drops the invited co-signers who have not confirmed: only when the deputy,
    told who they are next to the button, ticked that they do not wait for them."""
    names = selectors.unconfirmed_signers(subject)
    if names and request.POST.get(DROP_FIELD) != "1":
        messages.error(
            request,
            f"{'、'.join(names)}尚未确认联名，提交后将不列入联名。"
            "请勾选“不等待以上代表确认”后再提交，或等待他们确认。",
        )
        return False
    return True


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以提交自己的建议。")
    if not may_drop_unconfirmed(request, s):
        return redirect("suggestions:detail", s.pk)
    try:
        services.submit_suggestion(actor=request.user, suggestion=s)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        lapsed = getattr(s, "_lapsed_invitations", 0)
        note = f"有 {lapsed} 位被邀请的代表未确认，未列入联名。" if lapsed else ""
        messages.success(request, f"建议已提交，等待人大常委会登记交办。{note}")
    return redirect("suggestions:detail", s.pk)


@role_required(Role.DEPUTY)
@require_POST
def invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    if not perms.can_edit_draft(request.user, s):
        raise PermissionDenied("只有领衔代表可以邀请联名。")
    form = InviteForm(request.POST, subject=s)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.invite_cosigner(
                actor=request.user, subject=s, deputy=form.cleaned_data["deputy"]
            ),
        )
        is not None
    ):
        messages.success(request, f"已邀请 {form.cleaned_data['deputy'].name} 代表联名，待其确认。")
        return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, invite=form)


def respond_to_invitation(
    request: AuthenticatedRequest, subject: Suggestion | Motion, url: str
) -> HttpResponse:
    signature = perms.my_signature(request.user, subject)
    if signature is None:
        raise PermissionDenied("您没有被邀请联名。")
    accept = request.POST.get("accept") == "1"
    try:
        services.respond_signature(actor=request.user, signature=signature, accept=accept)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(url, subject.pk)
    if accept:
        messages.success(request, "您已确认联名。")
        return redirect(url, subject.pk)
    messages.info(request, "您已谢绝联名。")
    return redirect("suggestions:deputy_home")


@role_required(Role.DEPUTY)
@require_POST
def cosign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return respond_to_invitation(
        request, perms.get_suggestion_for_user(request.user, pk), "suggestions:detail"
    )


@role_required(Role.DEPUTY, Role.STAFF, Role.HANDLING_OFFICER)
@require_POST
def attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    key = "media" if request.POST.get("kind") == Attachment.Kind.HANDLING else "attachment"
    if form.is_valid():
        try:
            services.add_attachment(
                actor=request.user,
                subject=s,
                uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"] or Attachment.Kind.MATERIAL,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "文件已上传。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, **{key: form})


@role_required(Role.DEPUTY)
def deputy_home(request: AuthenticatedRequest) -> HttpResponse:
    """代表之家 on a phone: my items and their status, what waits for me, my record and score."""
    deputy = perms.acting_deputy(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    mine = selectors.list_queryset(perms.visible_suggestions(request.user))
    year = timezone.localdate().year
    return render(
        request,
        "suggestions/deputy_home.html",
        {
            "deputy": deputy,
            "to_rate": list(mine.filter(state="replied", lead_deputy=deputy)[:20]),
            "invitations": list(
                Signature.objects.filter(deputy=deputy, confirmed_at__isnull=True, is_lead=False)
                .filter(Q(suggestion__state="draft") | Q(motion__state="draft"))
                .select_related("suggestion__lead_deputy", "motion__lead_deputy")
            ),
            "suggestions": list(mine[:30]),
            "motions": list(perms.visible_motions(request.user).select_related("lead_deputy")[:10]),
            "score": scoring.deputy_score(deputy, year),
            "year": year,
            "records": list(DutyRecord.objects.filter(deputy=deputy)[:5]),
            "notifications": list(
                Notification.objects.filter(recipient=request.user, read_at__isnull=True).order_by(
                    "-id"
                )[:5]
            ),
            "can_submit": perms.can_submit(request.user),
        },
    )
