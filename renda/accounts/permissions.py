"""Who may do what, by role. Views use the decorators; templates never decide access.

A failed check raises PermissionDenied, which the 403 handler (core.views.errors) audits.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from renda.core.roles import (
    ADMIN_ROLES,
    CONGRESS_ROLES,
    Role,
    has_role,
)

from .models import User

# Whoever a permission is asked about: `request.user` as Django types it (the account model,
# or the anonymous member of the public).
AnyUser = AbstractBaseUser | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required` or `role_required`."""

    user: User  # type: ignore[assignment]


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind `login_required` or `role_required`."""
    return cast(User, request.user)


def can_manage_users(user: AnyUser) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_manage_security(user: AnyUser) -> bool:
    return has_role(user, Role.SECURITY_ADMIN)


def can_manage_deputies(user: AnyUser) -> bool:
    return has_role(user, Role.STAFF)


def can_view_deputies(user: AnyUser) -> bool:
    return has_role(user, *CONGRESS_ROLES)


def can_edit_user(user: AnyUser, target: User) -> bool:
    """The system administrator manages ordinary accounts; the administrators' own accounts
    are out of his reach (三员 separation: he must not be able to take over the audit
    administrator's account)."""
    return can_manage_users(user) and target.role not in ADMIN_ROLES


# --- scoped fetches -----------------------------------------------------------------------


def get_managed_user_for(user: AnyUser, pk: int) -> User:
    """An account the system administrator may edit, or 404 (an administrator's account is
    not even acknowledged)."""
    if not can_manage_users(user):
        raise PermissionDenied("您的角色无权管理账号。")
    return get_object_or_404(User.objects.exclude(role__in=ADMIN_ROLES), pk=pk)


def get_user_for_security_admin(user: AnyUser, pk: int) -> User:
    """Any account, for the security administrator (lock-outs and 2FA apply to everybody,
    the other administrators included)."""
    if not can_manage_security(user):
        raise PermissionDenied("您的角色无权执行此操作。")
    return get_object_or_404(User, pk=pk)
