"""The security administrator decides the account requests the system administrator files
(三员分立: opening, re-activating, changing role or mobile number need a second person)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from renda.core.actions import run_action
from renda.core.roles import Role, role_required

from .. import services
from ..models import AccountRequest
from ..permissions import AuthenticatedRequest

PAGE_SIZE = 50


@role_required(Role.SECURITY_ADMIN)
def request_list(request: AuthenticatedRequest) -> HttpResponse:
    base = AccountRequest.objects.select_related("user", "requested_by", "decided_by")
    pending = base.filter(status=AccountRequest.Status.PENDING).order_by("requested_at", "pk")
    decided = base.exclude(status=AccountRequest.Status.PENDING)
    page = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/admin/request_list.html",
        {"pending": list(pending), "page": page, "query": ""},
    )


def _pending_request(pk: int) -> AccountRequest:
    return get_object_or_404(
        AccountRequest.objects.select_related("user"), pk=pk, status=AccountRequest.Status.PENDING
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def request_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _pending_request(pk)
    return run_action(
        request,
        lambda: services.approve_request(actor=request.user, request=item),
        then="accounts:request_list",
        done=f"已批准：{item.get_kind_display()} {item.user.username}。",
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def request_reject(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _pending_request(pk)
    reason = request.POST.get("reason", "")
    return run_action(
        request,
        lambda: services.reject_request(actor=request.user, request=item, reason=reason),
        then="accounts:request_list",
        done=f"已驳回：{item.get_kind_display()} {item.user.username}。",
    )
