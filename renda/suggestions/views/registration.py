"""Staff registration and assignment: register (code and field), merge duplicates, assign
the handling units, key supervision."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.forms import attempt
from renda.core.roles import Role, role_required

from .. import permissions as perms
from .. import services
from ..forms import (
    AssignForm,
    KeyForm,
    MergeForm,
    RegisterForm,
)
from ..models import Suggestion
from .detail import render_detail


@role_required(Role.STAFF)
@require_POST
def register(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = RegisterForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.register_suggestion(
                actor=request.user,
                suggestion=s,
                field=d["field"],
                committee=d["committee"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已登记为 {s.code}。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, register=form)


@role_required(Role.STAFF)
@require_POST
def merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        into = Suggestion.objects.filter(code=d["into"].strip(), term=s.term).first()
        if into is None:
            form.add_error("into", "没有找到这个编号的建议。")
        elif attempt(
            form,
            lambda: services.merge_suggestion(
                actor=request.user,
                suggestion=s,
                into=into,
                note=d["note"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已并入 {into.code}。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, merge=form)


@role_required(Role.STAFF)
@require_POST
def assign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.assign_suggestion(
                actor=request.user,
                suggestion=s,
                mode=d["mode"],
                lead_unit=d["lead_unit"],
                co_units=list(d["co_units"]),
                split_units=list(d["split_units"]),
                note=d["note"],
                expected_state=d["expected_state"] or None,
            ),
        ):
            messages.success(request, f"已交办，答复期限 {timezone.localtime(s.due_at):%Y-%m-%d}。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, assign=form)


@role_required(Role.STAFF)
@require_POST
def key(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = KeyForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.set_key_supervision(
                actor=request.user,
                suggestion=s,
                is_key=form.cleaned_data["is_key"],
                reason=form.cleaned_data["reason"],
            ),
        )
        is not None
    ):
        messages.success(request, "已更新重点督办。")
        return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, key=form)
