"""Who may do what, by role. Views use the decorators; templates never decide access.

A failed check raises PermissionDenied, which the 403 handler (core.views.errors) audits.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import ADMIN_ROLES, Role

V = TypeVar("V", bound=Callable[..., HttpResponse])

# Staff-side readers of the congress's own work (committees, offices, SC members).
CONGRESS_ROLES = frozenset({Role.STAFF, Role.SC_MEMBER})
# Everybody who works inside the system and has a workbench (工作台).
WORKBENCH_ROLES = frozenset(
    {Role.STAFF, Role.SC_MEMBER, Role.DEPUTY, Role.HANDLING_OFFICER, Role.DATA_PROVIDER, Role.NOMINEE,
     *ADMIN_ROLES}
)


def has_role(user: Any, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def role_required(*roles: str) -> Callable[[V], V]:
    """Log in first (redirect), then the role must match (403)."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


# --- one predicate per capability (DESIGN §4.3) -----------------------------------------

def can_view_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def can_read_audit_log(user: Any) -> bool:
    return has_role(user, Role.AUDIT_ADMIN)


def can_manage_users(user: Any) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_manage_security(user: Any) -> bool:
    return has_role(user, Role.SECURITY_ADMIN)


def can_manage_deputies(user: Any) -> bool:
    return has_role(user, Role.STAFF)


def can_view_deputies(user: Any) -> bool:
    return has_role(user, *CONGRESS_ROLES)


def can_edit_calendar(user: Any) -> bool:
    return has_role(user, Role.STAFF, Role.SYSTEM_ADMIN)
