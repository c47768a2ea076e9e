from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from renda.core.fields import make_blind_index
from renda.lib.idcard import is_mobile

from .models import User


class UsernameOrMobileBackend(ModelBackend):
    """Log in with the username or with the mobile number (found through its blind index)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None,
        password: str | None = None, **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None and is_mobile(username):
            user = User.objects.filter(mobile_index=make_blind_index(username)).first()
        if user is None:
            User().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
