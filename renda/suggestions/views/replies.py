"""Replies and rating: the unit's reply with its letter (答复函) and signed scan, and the
deputy's evaluation of it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Role, role_required
from renda.deputies.documents import docx_response

from .. import letters, services
from .. import permissions as perms
from ..forms import (
    RateForm,
    ReplyForm,
    ScanForm,
)
from ..models import Signature
from ..permissions import ALL_INSIDE
from ..workflows import SUGGESTION
from .detail import render_detail


@role_required(Role.HANDLING_OFFICER)
@require_POST
def reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        answer = attempt(
            form,
            lambda: services.reply_suggestion(
                actor=request.user,
                suggestion=s,
                reply_class=d["reply_class"],
                content=d["content"],
                signer=d["signer"],
                contact_person=d["contact_person"],
                signed_scan=d["signed_scan"],
                expected_state=d["expected_state"] or None,
            ),
        )
        if answer is not None:
            if s.state == "replied":
                messages.success(request, "已答复代表。请下载答复函，签发盖章后上传扫描件。")
            else:
                messages.success(request, "本单位答复已提交，待其他分办单位答复后一并送代表。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, reply=form)


@role_required(*ALL_INSIDE)
def reply_letter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    answer = perms.get_reply_for_user(request.user, pk)
    names = [
        sig.deputy.name
        for sig in Signature.objects.filter(
            suggestion_id=answer.suggestion_id, confirmed_at__isnull=False
        ).select_related("deputy")
    ]
    content = letters.reply_letter(answer, names)
    return docx_response(
        content, f"答复函-{answer.suggestion.code or answer.suggestion_id}-{answer.unit.name}.docx"
    )


@role_required(Role.HANDLING_OFFICER)
@require_POST
def reply_scan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    answer = perms.get_reply_for_user(request.user, pk)
    form = ScanForm(request.POST, request.FILES)
    then = reverse("suggestions:detail", args=[answer.suggestion_id])
    if not form.is_valid():
        messages.error(request, "请选择盖章答复件。")
        return redirect(then)
    return run_action(
        request,
        lambda: services.attach_signed_scan(
            actor=request.user, reply=answer, uploaded=form.cleaned_data["signed_scan"]
        ),
        then=then,
        done="盖章答复件已上传。",
    )


@role_required(Role.DEPUTY, Role.STAFF)
@require_POST
def rate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = RateForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.rate_suggestion(
                actor=request.user,
                suggestion=s,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                expected_state=form.cleaned_data["expected_state"] or None,
            ),
        )
        is not None
    ):
        messages.success(request, f"感谢您的评价。当前状态：{SUGGESTION.label(s.state)}。")
        return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, rate=form)
