"""Log in and out, password change, two-factor enrolment and verification."""

from __future__ import annotations

import base64
import math
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from renda.core.forms import attempt

from .. import services
from ..forms import ChangePasswordForm, LoginForm, TokenForm, VerifyForm, lockout_minutes
from ..models import EncryptedTOTPDevice as TOTPDevice
from ..permissions import acting_user


def safe_next(request: HttpRequest, default: str = "core:workbench") -> str:
    """Where to go after a log-in step: the `next` the user came with if it stays on this
    site (no open redirect to a phishing page), else the workbench."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


login = LoginView.as_view()


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


def lockout(request: HttpRequest, response: Any, credentials: dict[str, Any]) -> HttpResponse:
    """django-axes calls this once an account name is locked from an address (5 failures →
    30 minutes, longer for repeated lock-outs), and for every attempt from that address while
    it stays locked, the right password included."""
    return render(
        request,
        "accounts/locked.html",
        {"minutes": lockout_minutes(request), "limit": settings.AXES_FAILURE_LIMIT},
        status=403,
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ChangePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_password = form.cleaned_data["new_password1"]

        def change(password: str) -> bool:
            services.change_password(actor=user, new_password=password)
            return True

        if attempt(form, lambda: change(new_password)):
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect(safe_next(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
        },
    )


def _totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="手机验证器绑定二维码"
    )


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret for manual entry in an authenticator app, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        if services.confirm_totp_enrolment(
            actor=user, device=device, token=form.cleaned_data["token"]
        ):
            otp_login(request, device)
            messages.success(
                request, "双因素认证已启用。建议再生成一组备用验证码，以备手机丢失时使用。"
            )
            return redirect(safe_next(request))
        form.add_error("token", "验证码不正确，请确认手机时间准确后重试。")
    if device is None:
        device = services.start_totp_enrolment(actor=user)
    has_confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _totp_qr_svg(device),
            "secret": device_secret(device),
            "has_confirmed": has_confirmed,
            "next": request.GET.get("next", ""),
        },
    )


def _seconds_until_allowed(user: AbstractBaseUser | AnonymousUser) -> int:
    """How long django-otp's throttling makes the user wait before the next try (0: none)."""
    wait = 0.0
    for device in devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            wait = max(wait, (info["locked_until"] - timezone.now()).total_seconds())
    return math.ceil(wait)


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(
            actor=acting_user(request), token=form.cleaned_data["token"]
        )
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request, f"您使用了备用验证码，还剩 {left} 个。请尽快找回或重新绑定手机验证器。"
                )
            return redirect(safe_next(request))
        wait = _seconds_until_allowed(request.user)
        if wait > 0:
            form.add_error("token", f"验证码不正确或已过期。尝试过于频繁，请 {wait} 秒后再试。")
        else:
            form.add_error("token", "验证码不正确或已过期。")
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Generate one-time backup codes; they are shown on this response only."""
    user = acting_user(request)
    has_totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    remaining = sum(
        d.token_set.count() for d in StaticDevice.objects.filter(user=user, confirmed=True)
    )
    codes: list[str] = []
    if request.method == "POST":
        if not has_totp:
            messages.error(request, "请先绑定手机验证器，再生成备用验证码。")
            return redirect("accounts:otp_setup")
        codes = services.generate_backup_codes(actor=user)
        remaining = len(codes)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "remaining": remaining, "has_totp": has_totp},
    )
