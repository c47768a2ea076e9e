from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from renda.core.fields import make_blind_index
from renda.lib.idcard import is_mobile

from .models import User


def mask_mobile(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}"


def canonical_login_name(raw: str) -> str:
    """The one name an account is known by in the lock-out records and the audit log.

    A mobile number that belongs to an account becomes that account's username; one that
    belongs to nobody is masked (138****1234) so that typed numbers never reach a log. A
    masked name cannot be a username ('*' is not allowed in usernames)."""
    raw = raw.strip()
    if not is_mobile(raw) or User.objects.filter(username=raw).exists():
        return raw
    username = (
        User.objects.filter(mobile_index=make_blind_index(raw))
        .values_list("username", flat=True)
        .first()
    )
    return username or mask_mobile(raw)


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the username or with the mobile number (found through its blind index)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        username = username.strip()
        user = User.objects.filter(username=username).first()
        if user is None and is_mobile(username):
            user = User.objects.filter(mobile_index=make_blind_index(username)).first()
        if user is None:
            User().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
