"""Security events go to the audit log: log in, log out, failed log in, lockout."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from . import audit
from .middleware import client_ip


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def _logged_in(
    sender: type[AbstractBaseUser],
    request: HttpRequest | None,
    user: AbstractBaseUser,
    **kwargs: Any,
) -> None:
    audit.record(actor=user, action="auth.login", target=user, ip=_ip(request))


@receiver(user_logged_out)
def _logged_out(
    sender: type[AbstractBaseUser],
    request: HttpRequest | None,
    user: AbstractBaseUser | None,
    **kwargs: Any,
) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", target=user, ip=_ip(request))


@receiver(user_login_failed)
def _login_failed(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit.record(
        actor=None,
        action="auth.login_failed",
        outcome="failure",
        ip=_ip(request),
        username=str(credentials.get("username", ""))[:150],
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    audit.record(
        actor=None,
        action="auth.lockout",
        outcome="failure",
        ip=ip_address,
        username=(username or "")[:150],
        details={"reason": "连续登录失败"},
    )
