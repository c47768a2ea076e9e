"""Log in with the mobile number and an SMS code (deputies and handling officers;
accounts.services.sms_login holds the rules)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from renda.core.forms import attempt
from renda.core.middleware import client_ip

from ..forms import SmsLoginForm
from ..middleware import SMS_LOGIN_KEY
from ..services import sms_login as service
from .auth import safe_next

BACKEND = "renda.accounts.backends.UsernameOrMobileBackend"


@never_cache
@sensitive_post_parameters("code")
def sms_login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SmsLoginForm(request.POST or None)
    sent = ""
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        code = form.cleaned_data["code"]
        ip = client_ip(request)
        if request.POST.get("action") == "send":
            sent = attempt(form, lambda: service.request_code(mobile=mobile, ip=ip)) or ""
        elif not code:
            form.add_error("code", "请输入短信验证码。")
        else:
            user = attempt(form, lambda: service.verify_code(mobile=mobile, code=code, ip=ip))
            if user is not None:
                login(request, user, backend=BACKEND)
                request.session[SMS_LOGIN_KEY] = True
                return redirect(safe_next(request))
    return render(
        request,
        "accounts/sms_login.html",
        {
            "form": form,
            "sent": sent,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "limit": service.FAILURE_LIMIT,
            "lock_minutes": int(service.LOCKOUT.total_seconds() // 60),
        },
    )
