"""Who may do what, by role. Views use the decorators; templates never decide access.

A failed check raises PermissionDenied, which the 403 handler (core.views.errors) audits.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .models import ADMIN_ROLES, Role, User

V = TypeVar("V", bound=Callable[..., HttpResponse])

# Staff-side readers of the congress's own work (committees, offices, SC members).
CONGRESS_ROLES = frozenset({Role.STAFF, Role.SC_MEMBER})
# Everybody who works inside the system and has a workbench (工作台).
WORKBENCH_ROLES = frozenset(
    {
        Role.STAFF,
        Role.SC_MEMBER,
        Role.DEPUTY,
        Role.HANDLING_OFFICER,
        Role.DATA_PROVIDER,
        Role.NOMINEE,
        *ADMIN_ROLES,
    }
)


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind `login_required` or `role_required`."""
    return cast(User, request.user)


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


def can_edit_user(user: Any, target: Any) -> bool:
    """The system administrator manages ordinary accounts; the administrators' own accounts
    are out of his reach (三员 separation: he must not be able to take over the audit
    administrator's account)."""
    return can_manage_users(user) and target.role not in ADMIN_ROLES


# --- scoped fetches -----------------------------------------------------------------------


def get_managed_user_for(user: Any, pk: int) -> User:
    """An account the system administrator may edit, or 404 (an administrator's account is
    not even acknowledged)."""
    if not can_manage_users(user):
        raise PermissionDenied("您的角色无权管理账号。")
    return get_object_or_404(User.objects.exclude(role__in=ADMIN_ROLES), pk=pk)


def get_user_for_security_admin(user: Any, pk: int) -> User:
    """Any account, for the security administrator (lock-outs and 2FA apply to everybody,
    the other administrators included)."""
    if not can_manage_security(user):
        raise PermissionDenied("您的角色无权执行此操作。")
    return get_object_or_404(User, pk=pk)
