"""Reads for the administrators' pages: the account directory, current lock-outs, and the
security settings in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.plugins.otp_static.models import StaticDevice

from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.core.fields import make_blind_index
from renda.core.models import AuditEvent
from renda.core.roles import STRICT_ROLES, Role
from renda.lib.idcard import is_mobile

from . import lockout
from .models import User


def mobile_search_token(text: str) -> str:
    """A list page puts this keyed token in its URL instead of a searched mobile number, so the
    number reaches neither access logs nor browser history (as the deputy list does)."""
    return make_blind_index(text.strip())


def user_directory(
    *,
    q: str = "",
    role: str = "",
    active: str = "",
    mobile_token: str = "",
) -> QuerySet[User]:
    """Accounts matching a search (name or username contains; a mobile number matches
    exactly through its blind index), with what a list row shows in the same query."""
    qs = User.objects.select_related("organization").order_by("username")
    q = q.strip()
    if q and is_mobile(q):
        mobile_token = mobile_search_token(q)
    elif q:
        qs = qs.filter(Q(username__icontains=q) | Q(name__contains=q))
    if mobile_token:
        qs = qs.filter(mobile_index=mobile_token)
    if role:
        qs = qs.filter(role=role)
    if active in {"1", "0"}:
        qs = qs.filter(is_active=active == "1")
    return qs


def with_two_factor_status(qs: QuerySet[User]) -> QuerySet[User]:
    return qs.annotate(
        has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        has_backup_codes=Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
    )


def lockout_threshold() -> dt.datetime | None:
    """Failed attempts older than this no longer count for anybody (the longest delay)."""
    return timezone.now() - lockout.LONGEST


@dataclass(frozen=True)
class LockoutRow:
    username: str
    name: str
    failures: int  # across every address: the username-wide signal
    last_attempt: dt.datetime
    ip_count: int
    locked: bool  # from at least one address
    locked_until: dt.datetime | None
    locked_ips: int = 0


def _lockout_counts(names: list[str]) -> dict[tuple[str, str], int]:
    since = timezone.now() - lockout.MEMORY
    rows = (
        AuditEvent.objects.filter(
            action="auth.lockout", actor_username__in=names, created_at__gte=since
        )
        .order_by("created_at", "id")
        .values_list("actor_username", "ip", "created_at")
    )
    times: dict[tuple[str, str], list[dt.datetime]] = {}
    for username, ip, created_at in rows[:50_000]:
        times.setdefault((username, str(ip)), []).append(created_at)
    return {key: lockout.episodes(found) for key, found in times.items()}


def _locked_addresses(
    attempts: QuerySet[AccessAttempt], names: list[str]
) -> dict[str, list[dt.datetime]]:
    """For each name, until when each of its locked addresses stays locked (a lock is on the
    name and the address; the delay grows with repeated lock-outs)."""
    limit = settings.AXES_FAILURE_LIMIT
    per_address = (
        attempts.filter(username__in=names)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
    )
    counts = _lockout_counts(names)
    now = timezone.now()
    result: dict[str, list[dt.datetime]] = {}
    for r in per_address:
        lockouts = counts.get((r["username"], str(r["ip_address"])), 1)
        until = r["last"] + lockout.delay_after(lockouts)
        if until > now:
            result.setdefault(r["username"], []).append(until)
    return result


def lockout_rows(*, q: str = "", locked_only: bool = False) -> list[LockoutRow]:
    """Accounts with failed log-in attempts that still count, most recent first, one row per
    account name (django-axes keeps one record per name × IP × browser): the failures across
    every address, and whether (and until when) some address is locked.

    The number of account names with live attempts is bounded by the cool-off window, so the
    page reads them in a fixed number of queries whatever the number of attempt records."""
    attempts = AccessAttempt.objects.exclude(username__isnull=True)
    threshold = lockout_threshold()
    if threshold is not None:
        attempts = attempts.filter(attempt_time__gte=threshold)
    if q.strip():
        attempts = attempts.filter(username__icontains=q.strip())
    grouped = (
        attempts.values("username")
        .annotate(
            failures=Sum("failures_since_start"),
            last=Max("attempt_time"),
            ips=Count("ip_address", distinct=True),
        )
        .order_by("-last")
    )
    rows = list(grouped[:500])
    usernames = [r["username"] for r in rows]
    names = dict(User.objects.filter(username__in=usernames).values_list("username", "name"))
    locked = _locked_addresses(attempts, usernames)
    result = []
    for r in rows:
        until = locked.get(r["username"], [])
        if locked_only and not until:
            continue
        result.append(
            LockoutRow(
                username=r["username"],
                name=names.get(r["username"], ""),
                failures=r["failures"],
                last_attempt=r["last"],
                ip_count=r["ips"],
                locked=bool(until),
                locked_until=max(until) if until else None,
                locked_ips=len(until),
            )
        )
    return result


@dataclass(frozen=True)
class PolicyItem:
    section: str
    label: str
    value: str
    basis: str = ""


def _validator_options(dotted_name: str) -> dict[str, Any] | None:
    entries = cast(list[dict[str, Any]], settings.AUTH_PASSWORD_VALIDATORS)
    for entry in entries:
        if entry["NAME"].endswith(dotted_name):
            return dict(entry.get("OPTIONS", {}))
    return None


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    if seconds % 60 == 0:
        return f"{seconds // 60} 分钟"
    return f"{seconds} 秒"


def security_policy() -> list[PolicyItem]:
    """The security settings in force, read from the running configuration (not a copy of the
    documentation), for the security administrator and the 等保 assessor."""
    strict = "、".join(str(Role(r).label) for r in Role.values if r in STRICT_ROLES)
    return [*_password_policy(strict), *_lockout_policy(), *_session_policy(), *_otp_policy(strict)]


def _password_policy(strict: str) -> list[PolicyItem]:
    complexity = _validator_options("ComplexityValidator")
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    # Tests put a fast variant first (settings.TESTING); report the one production uses.
    production_hasher = import_string(
        next(path for path in settings.PASSWORD_HASHERS if "Fast" not in path)
    )()
    return [
        PolicyItem(
            "口令",
            "最小长度",
            f"{complexity.get('min_length', 8)} 个字符" if complexity is not None else "未启用",
            "等保 身份鉴别 a",
        ),
        PolicyItem(
            "口令",
            "字符类别",
            f"大写字母、小写字母、数字、符号中至少 {complexity.get('min_classes', 3)} 类"
            if complexity is not None
            else "未启用",
            "等保 身份鉴别 a",
        ),
        PolicyItem(
            "口令",
            "常见口令检查",
            "已启用" if _validator_options("CommonPasswordValidator") is not None else "未启用",
        ),
        PolicyItem(
            "口令",
            "定期更换",
            f"{strict}每 {max_age} 天须更换" if max_age > 0 else "未启用",
            "等保 身份鉴别 a",
        ),
        PolicyItem(
            "口令", "首次登录改密", "新建账号和重置后的口令须在首次登录时修改", "ASVS 6.4.1"
        ),
        PolicyItem(
            "口令",
            "存储算法",
            f"{production_hasher.algorithm}（迭代 {getattr(production_hasher, 'iterations', '—')} 次）",
            "密评 身份鉴别（SM3）",
        ),
    ]


def _lockout_policy() -> list[PolicyItem]:
    cool_off = get_cool_off()
    return [
        PolicyItem(
            "登录失败处理",
            "锁定阈值",
            f"连续失败 {settings.AXES_FAILURE_LIMIT} 次",
            "等保 身份鉴别 b",
        ),
        PolicyItem(
            "登录失败处理",
            "锁定时长",
            _duration(cool_off.total_seconds()) if cool_off is not None else "直至安全管理员解锁",
            "等保 身份鉴别 b",
        ),
        PolicyItem(
            "登录失败处理",
            "锁定依据",
            "账号（含经由手机号登录）＋IP 地址：他处输错口令不会锁住本人；"
            "同一账号和地址一天内再次锁定，时长加倍（至多 24 小时）",
        ),
    ]


def _session_policy() -> list[PolicyItem]:
    return [
        PolicyItem("会话", "空闲超时", _duration(settings.SESSION_COOKIE_AGE), "等保 身份鉴别 b"),
        PolicyItem(
            "会话", "最长登录时间", _duration(settings.SESSION_ABSOLUTE_SECONDS), "ASVS 7.3.2"
        ),
        PolicyItem(
            "会话", "关闭浏览器即退出", "是" if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else "否"
        ),
        PolicyItem(
            "会话",
            "仅 HTTPS 传输会话 Cookie",
            "是" if settings.SESSION_COOKIE_SECURE else "否（开发环境）",
            "等保 身份鉴别 c",
        ),
    ]


def _otp_policy(strict: str) -> list[PolicyItem]:
    return [
        PolicyItem("双因素认证", "必须使用的角色", strict, "等保 身份鉴别 d"),
        PolicyItem("双因素认证", "方式", "手机验证器动态码（TOTP，30 秒）；备用验证码（一次性）"),
        PolicyItem(
            "双因素认证",
            "验证码错误限速",
            f"每次失败后等待时间加倍（系数 {getattr(settings, 'OTP_TOTP_THROTTLE_FACTOR', 1)} 秒）",
        ),
    ]
