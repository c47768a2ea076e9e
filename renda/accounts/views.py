from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.core import audit

from . import services
from .forms import ChangePasswordForm, LoginForm, TokenForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login = LoginView.as_view()


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


def lockout(request: HttpRequest, response: Any, credentials: dict[str, Any]) -> HttpResponse:
    """django-axes calls this once an account is locked (5 failures → 30 minutes)."""
    return render(request, "accounts/locked.html", status=403)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(actor=request.user, new_password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
        update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
        messages.success(request, "密码已修改。")
        return redirect("core:workbench")
    return render(request, "accounts/password_change.html", {"form": form})


def _totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        if services.confirm_totp_enrolment(actor=user, device=device, token=form.cleaned_data["token"]):  # type: ignore[arg-type]
            otp_login(request, device)
            messages.success(request, "双因素认证已启用。")
            return redirect("core:workbench")
        form.add_error("token", "验证码不正确，请确认手机时间准确后重试。")
    if device is None:
        device = services.start_totp_enrolment(actor=user)  # type: ignore[arg-type]
    has_confirmed = any(True for _ in devices_for_user(user, confirmed=True))
    return render(
        request, "accounts/otp_setup.html",
        {"form": form, "qr_svg": _totp_qr_svg(device), "secret": device_secret(device), "has_confirmed": has_confirmed},
    )


def device_secret(device: TOTPDevice) -> str:
    """The base32 secret for manual entry in an authenticator app."""
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                audit.record(actor=request.user, action="otp.verify", target=request.user)
                return redirect(request.GET.get("next") or "core:workbench")
        audit.record(actor=request.user, action="otp.verify", target=request.user, outcome="failure")
        form.add_error("token", "验证码不正确或已过期。")
    return render(request, "accounts/otp_verify.html", {"form": form})
