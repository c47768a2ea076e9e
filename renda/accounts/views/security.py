"""The security administrator's pages: lock-outs and unlocking, two-factor reset, and the
security settings in force. Nobody else sees them (三员 separation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from renda.core.actions import run_action
from renda.core.roles import Role, role_required

from .. import services
from ..forms import SearchForm, UnlockForm, lockout_minutes
from ..permissions import AuthenticatedRequest, get_user_for_security_admin
from ..selectors import lockout_rows, security_policy, user_directory, with_two_factor_status
from .users import search_redirect

PAGE_SIZE = 50


@role_required(Role.SECURITY_ADMIN)
def lockout_list(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    locked_only = request.GET.get("locked") == "1"
    rows = lockout_rows(q=q, locked_only=locked_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin/lockout_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "locked_only": locked_only,
            "minutes": lockout_minutes(),
        },
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def unlock(request: AuthenticatedRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请指定要解锁的账号。")
        return redirect("accounts:lockout_list")
    username = form.cleaned_data["username"]
    try:
        removed = services.unlock_account(actor=request.user, username=username)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if removed:
            messages.success(request, f"已解锁账号 {username}，该账号可以重新登录。")
        else:
            messages.info(request, f"账号 {username} 没有登录失败记录，无需解锁。")
    return redirect("accounts:lockout_list")


@role_required(Role.SECURITY_ADMIN)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("q")
def two_factor_list(request: AuthenticatedRequest) -> HttpResponse:
    if (response := search_redirect(request, "accounts:two_factor_list")) is not None:
        return response
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = with_two_factor_status(
        user_directory(q=data.get("q", ""), mobile_token=data.get("mi", ""))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin/two_factor_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@role_required(Role.SECURITY_ADMIN)
@require_POST
def two_factor_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_user_for_security_admin(request.user, pk)
    return run_action(
        request,
        lambda: services.reset_two_factor(actor=request.user, user=account),
        then="accounts:two_factor_list",
        done=f"已重置 {account.name}（{account.username}）的双因素认证，其下次登录时须重新绑定手机验证器。",
    )


@role_required(Role.SECURITY_ADMIN)
def security_settings(request: AuthenticatedRequest) -> HttpResponse:
    items = security_policy()
    sections: dict[str, list[object]] = {}
    for item in items:
        sections.setdefault(item.section, []).append(item)
    return render(request, "accounts/admin/security_settings.html", {"sections": sections})
