"""Session limits and the log-in gates of 等保 level 3.

- `SessionLifetimeMiddleware`: an absolute session lifetime on top of the sliding idle timeout
  (SESSION_COOKIE_AGE, pushed ahead by writing the session back at most once per
  SESSION_REFRESH_SECONDS) — ASVS 7.3.2.
- `SecurityGateMiddleware`: a logged-in user who still owes a second factor, or a password
  change, can reach only the pages that settle it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user

from renda.core import audit

if TYPE_CHECKING:
    from .models import User

SESSION_STARTED_KEY = "renda_auth_started"
SESSION_REFRESHED_KEY = "renda_refreshed"
OTP_ENROLLED_KEY = "renda_otp_enrolled"
# Set by the SMS-code log in (views/sms_login.py): no password was used, so none is owed.
SMS_LOGIN_KEY = "renda_sms_login"


def mark_session_start(request: HttpRequest, user: User) -> None:
    """Called at log in (accounts.signals): the absolute lifetime counts from here, and a
    user outside the strict roles who enrolled a device is noted as owing a code."""
    request.session[SESSION_STARTED_KEY] = int(time.time())
    if not getattr(user, "is_strict", False):
        request.session[OTP_ENROLLED_KEY] = any(
            True for _ in devices_for_user(user, confirmed=True)
        )


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                # A session from before this middleware existed: start counting now.
                request.session[SESSION_STARTED_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                audit.record(
                    actor=request.user,
                    action="auth.session_expired",
                    target=request.user,
                    details={"limit_seconds": settings.SESSION_ABSOLUTE_SECONDS},
                )
                logout(request)
                # This middleware runs before MessageMiddleware, so the log-in page is told
                # through the query string why the user is back.
                query = urlencode({"next": request.get_full_path(), "expired": "1"})
                return redirect(f"{reverse('accounts:login')}?{query}")
            if now - int(request.session.get(SESSION_REFRESHED_KEY, 0)) >= (
                settings.SESSION_REFRESH_SECONDS
            ):
                # Changing the session makes SessionMiddleware save it, and a save pushes the
                # idle expiry SESSION_COOKIE_AGE ahead.
                request.session[SESSION_REFRESHED_KEY] = now
        return self.get_response(request)


# Pages a user may open while a gate is pending (and static files, which never reach here
# in production because nginx serves them).
# Open while a password change or TOTP step is pending: files, logging out, and the web app's
# manifest, service worker and offline page (they hold no user data, and a worker script
# answered with a redirect would not register until a later visit).
_OPEN_PREFIXES = (
    "/static/",
    "/media/",
    "/accounts/logout/",
    "/manifest.webmanifest",
    "/sw.js",
    "/offline/",
)


class SecurityGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            target = self._pending_step(request)
            if target is not None and request.path != target:
                if request.method == "GET" and request.path != reverse("core:workbench"):
                    # Come back to the page asked for once the step is done.
                    target = f"{target}?{urlencode({'next': request.get_full_path()})}"
                return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _pending_step(request: HttpRequest) -> str | None:
        user = request.user
        if not user.is_verified():  # type: ignore[union-attr]
            strict = getattr(user, "is_strict", False)
            # Staff and administrators must have a second factor; anybody else who enrolled
            # one (a deputy may) must use it too. The latter is noted at log in so that the
            # pages of the many users without a device cost no extra query.
            if strict or request.session.get(OTP_ENROLLED_KEY):
                if any(True for _ in devices_for_user(user, confirmed=True)):
                    return reverse("accounts:otp_verify")
                if strict:
                    return reverse("accounts:otp_setup")
        if getattr(user, "needs_password_change", False) and not request.session.get(SMS_LOGIN_KEY):
            return reverse("accounts:password_change")
        return None
