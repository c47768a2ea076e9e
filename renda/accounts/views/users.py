"""The system administrator's pages: ordinary accounts only (三员 separation). He cannot read
the audit log, unlock accounts or touch the administrators' own accounts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import ADMIN_ROLES, Role, role_required
from renda.lib.idcard import is_mobile

from .. import services
from ..forms import UserFilterForm, UserForm
from ..models import AccountRequest
from ..permissions import AuthenticatedRequest, get_managed_user_for
from ..selectors import mobile_search_token, user_directory

PAGE_SIZE = 50


def search_redirect(request: HttpRequest, url_name: str) -> HttpResponse | None:
    """Search forms are posted and redirected to a GET (PRG) in which a searched mobile
    number is replaced by its blind-index token `mi`: the number reaches neither the access
    log nor the browser history."""
    if request.method != "POST" and not is_mobile(request.GET.get("q", "")):
        return None
    query = (request.POST if request.method == "POST" else request.GET).copy()
    for key in ("csrfmiddlewaretoken", "page"):
        query.pop(key, None)
    q = query.get("q", "").strip()
    if q:
        query.pop("mi", None)  # a new search replaces an earlier search by number
    if is_mobile(q):
        query.pop("q")
        query["mi"] = mobile_search_token(q)
    return redirect(f"{reverse(url_name)}?{query.urlencode()}")


@role_required(Role.SYSTEM_ADMIN)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("q")
def user_list(request: AuthenticatedRequest) -> HttpResponse:
    if (response := search_redirect(request, "accounts:user_list")) is not None:
        return response
    form = UserFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = user_directory(
        q=filters.get("q", ""),
        role=filters.get("role", ""),
        active=filters.get("active", ""),
        mobile_token=filters.get("mi", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/admin/user_list.html",
        # Administrators' accounts are listed but not linked: they are managed by command only.
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "admin_roles": [str(r.value) for r in ADMIN_ROLES],
        },
    )


@never_cache
@role_required(Role.SYSTEM_ADMIN)
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submitted = attempt(
            form,
            lambda: services.create_account(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                role=data["role"],
                organization=data["organization"],
                mobile=data["mobile"],
                email=data["email"],
            ),
        )
        if submitted is not None:
            messages.success(
                request,
                f"已提交开通账号 {submitted.user.username} 的申请，待安全管理员审批；"
                "批准后初始口令将以短信直接发给本人。",
            )
            return redirect("accounts:user_edit", pk=submitted.user.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "account": None})


@role_required(Role.SYSTEM_ADMIN)
def user_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_managed_user_for(request.user, pk)
    pending = account.account_requests.filter(status=AccountRequest.Status.PENDING).first()
    form = UserForm(request.POST or None, editing=True, initial=UserForm.initial_for(account))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: services.update_user(
                actor=request.user,
                user=account,
                name=data["name"],
                role=data["role"],
                organization=data["organization"],
                mobile=data["mobile"],
                email=data["email"],
            ),
        )
        if saved is not None:
            messages.success(request, f"已保存 {account.name} 的账号信息。")
            if account.account_requests.filter(status=AccountRequest.Status.PENDING).exists():
                messages.info(request, "角色或手机号的变更已提交，待安全管理员审批后生效。")
            return redirect("accounts:user_edit", pk=account.pk)
    return render(
        request,
        "accounts/admin/user_form.html",
        {"form": form, "account": account, "pending": pending},
    )


@role_required(Role.SYSTEM_ADMIN)
@require_POST
def user_set_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = get_managed_user_for(request.user, pk)
    is_active = request.POST.get("active") == "1"
    done = (
        f"已提交重新启用账号 {account.username} 的申请，待安全管理员审批。"
        if is_active
        else f"已停用账号 {account.username}。"
    )
    return run_action(
        request,
        lambda: services.set_user_active(actor=request.user, user=account, is_active=is_active),
        then=reverse("accounts:user_edit", args=[account.pk]),
        done=done,
    )


@role_required(Role.SYSTEM_ADMIN)
@require_POST
def user_reset_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The new password goes by SMS to the user's own mobile number; the administrator never
    sees it (三员: he must not learn another account's credential)."""
    account = get_managed_user_for(request.user, pk)
    return run_action(
        request,
        lambda: services.reset_password(actor=request.user, user=account),
        then=reverse("accounts:user_edit", args=[account.pk]),
        done=f"已重置 {account.username} 的口令，新口令已以短信发至本人登记的手机。",
    )
