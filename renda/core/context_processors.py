from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .navigation import modules_for, nav_groups


def navigation(request: HttpRequest) -> dict[str, Any]:
    # A request refused by a middleware before authentication (an unreadable body, say) has
    # no user yet: its error page is drawn as for an anonymous visitor.
    user = getattr(request, "user", None) or AnonymousUser()
    unread = 0
    if user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()  # type: ignore[union-attr]
    return {
        "nav_modules": modules_for(user),
        "nav_groups": nav_groups(user),
        "unread_count": unread,
    }
