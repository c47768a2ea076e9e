"""Session bookkeeping at log in. (The audit of log in / out / failure / lock-out is in
renda.core.signals.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .middleware import mark_session_start
from .models import User


@receiver(user_logged_in)
def _start_session_clock(
    sender: type[User], request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is not None and hasattr(request, "session"):
        mark_session_start(request, user)
