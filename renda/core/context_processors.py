from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import modules_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    unread = 0
    if user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()  # type: ignore[union-attr]
    return {"nav_modules": modules_for(user), "unread_count": unread}
