"""Roles and the role checks every app needs (docs/architecture.md §5). They live in core, below every app,
so that core's own pages and any app can ask "may this user…" without importing accounts; the
account model (accounts) stores one of these roles per user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse

V = TypeVar("V", bound=Callable[..., HttpResponse])


class Role(models.TextChoices):
    """One role per account. One role per person also enforces the separation of the three
    administrators (三员): nobody can hold two of them."""

    DEPUTY = "deputy", "人大代表"
    STAFF = "staff", "人大机关工作人员"
    SC_MEMBER = "sc_member", "常委会组成人员"
    HANDLING_OFFICER = "handling_officer", "承办单位工作人员"
    DATA_PROVIDER = "data_provider", "数据报送单位工作人员"
    NOMINEE = "nominee", "拟任命人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class Duty(models.TextChoices):
    """Least privilege inside the staff role (等保 访问控制: 最小权限). Every member of staff
    reads across committees where the work needs it; writing in a module takes its duty, which
    the security administrator grants to an office or committee (so every account of it holds
    it) or, with a reason, to one account (accounts.models.OfficeDuty, PersonalDuty)."""

    BUDGET = "budget", "预算联网监督（阈值与规则、询问函、列入议程、收款人明细、数据上传）"
    SUGGESTIONS = "suggestions", "代表建议和议案（登记、合并、交办、重点督办、公开、议案处理）"
    STATIONS = "stations", "代表联络站和“双联”管理"
    MEETINGS = "meetings", "会议组织与会议文件"
    EXAMS = "exams", "任前法律考试（题库、组卷、考试、阅卷、任免）"
    LIVELIHOOD = "livelihood", "民生实事项目（征集、审查、票决组织、实施监督）"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that must log in with TOTP and rotate passwords (等保 身份鉴别 a, d).
STRICT_ROLES = frozenset({Role.STAFF, Role.SC_MEMBER, *ADMIN_ROLES})
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


class Actor(Protocol):
    """What core needs to know of whoever acts: the account model of accounts satisfies it,
    and so does Django's anonymous user for the checks (`is_authenticated` is False)."""

    pk: Any

    @property
    def is_authenticated(self) -> bool: ...


def has_role(user: Any, *roles: str) -> bool:
    """`user` may be anonymous (no role) or a user of any role."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) in roles
    )


def has_duty(user: Any, duty: str) -> bool:
    """A member of staff whose office (or own grant) holds `duty`. Other roles never hold a
    duty: what they may do follows from their role and their own records."""
    if not has_role(user, Role.STAFF):
        return False
    holds = getattr(user, "holds_duty", None)
    return bool(holds is not None and holds(duty))


def role_required(*roles: str) -> Callable[[V], V]:
    """Log in first (redirect), then the role must match (403, audited by the 403 handler)."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def duty_required(duty: str) -> Callable[[V], V]:
    """A staff page that writes in one module: log in first, then staff holding `duty`
    (403 otherwise, with the duty named)."""

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_duty(request.user, duty):
                raise PermissionDenied(f"此操作须有“{Duty(duty).label}”职责。")
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


# --- the capabilities core's own pages check ---------------------------------------------


def can_view_workbench(user: Any) -> bool:
    return has_role(user, *WORKBENCH_ROLES)


def can_read_audit_log(user: Any) -> bool:
    return has_role(user, Role.AUDIT_ADMIN)


def can_edit_calendar(user: Any) -> bool:
    return has_role(user, Role.STAFF, Role.SYSTEM_ADMIN)
