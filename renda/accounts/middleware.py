"""Session limits and the log-in gates of 等保 level 3.

- `SessionLifetimeMiddleware`: an absolute session lifetime on top of the sliding idle timeout
  (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST) — ASVS 7.3.2.
- `SecurityGateMiddleware`: a logged-in user who still owes a second factor, or a password
  change, can reach only the pages that settle it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_STARTED_KEY = "renda_auth_started"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "登录时间已超过上限，请重新登录。")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
        return self.get_response(request)


# Pages a user may open while a gate is pending (and static files, which never reach here
# in production because nginx serves them).
_OPEN_PREFIXES = ("/static/", "/media/", "/accounts/logout/")


class SecurityGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            target = self._pending_step(request)
            if target is not None and request.path != target:
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _pending_step(request: HttpRequest) -> str | None:
        user = request.user
        if getattr(user, "is_strict", False) and not user.is_verified():  # type: ignore[union-attr]
            from django_otp import devices_for_user

            if any(True for _ in devices_for_user(user, confirmed=True)):
                return reverse("accounts:otp_verify")
            return reverse("accounts:otp_setup")
        if getattr(user, "needs_password_change", False):
            return reverse("accounts:password_change")
        return None
