"""Log in with the mobile number and a code sent by SMS (issue 15 item 4).

For deputies and handling officers only (SMS_LOGIN_ROLES): staff and the administrators keep
the password and TOTP, and a code is never sent to their numbers. The account is found by the
number's blind index (User.mobile_index).

- A code has 6 digits, lasts CODE_LIFETIME (5 minutes), is used once, and is kept only as a
  keyed HMAC-SM3 digest. A new request replaces the earlier codes of the number.
- Sending is rate-limited: RESEND_AFTER between two codes for a number, PER_NUMBER_PER_HOUR
  codes an hour for a number, PER_IP_PER_HOUR from one address (plus the SMS channel's daily
  cap per number).
- FAILURE_LIMIT wrong codes within LOCKOUT lock the number for LOCKOUT, and the answer says so
  (in Chinese, with the minutes left); the outstanding code is void.
- No enumeration: a number on record and one that is not (or that belongs to a staff member)
  get the same answers, limits and lock-out; only the first gets a text message.
- Everything is audited (auth.sms_code_*, auth.sms_login) under the account's username, or the
  masked number when it belongs to nobody — never the number in clear.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit, sms
from renda.core.fields import make_blind_index
from renda.core.roles import Role
from renda.lib.idcard import is_mobile

from ..backends import canonical_login_name
from ..models import SmsLoginCode, SmsLoginFailure, User

SMS_LOGIN_ROLES = frozenset({Role.DEPUTY, Role.HANDLING_OFFICER})
CODE_LIFETIME = dt.timedelta(minutes=5)
RESEND_AFTER = dt.timedelta(seconds=60)
PER_NUMBER_PER_HOUR = 5
PER_IP_PER_HOUR = 20
FAILURE_LIMIT = 5
LOCKOUT = dt.timedelta(minutes=30)

SENT = "如该手机号已登记可用短信登录的账号，验证码已发送，5 分钟内有效。"
BAD_NUMBER = "请输入 11 位手机号码。"
WRONG = "验证码不正确或已过期。连续错误 {limit} 次，该手机号将被锁定 {minutes} 分钟；还可尝试 {left} 次。"
LOCKED = "验证码错误次数过多，该手机号已被锁定，请 {minutes} 分钟后再试，或使用账号密码登录。"


@dataclass(frozen=True)
class Number:
    mobile: str
    index: str
    name: str  # for the audit log: the username, or the masked number


def _number(raw: str) -> Number:
    mobile = raw.strip().replace(" ", "")
    if not is_mobile(mobile):
        raise ValidationError({"mobile": BAD_NUMBER})
    return Number(mobile, make_blind_index(mobile), canonical_login_name(mobile))


def _digest(index: str, code: str) -> str:
    return "hmac_sm3$" + make_blind_index(f"sms-login:{index}:{code}")


def _eligible(index: str) -> User | None:
    user = User.objects.filter(mobile_index=index).first()
    if user is None or not user.is_active or user.role not in SMS_LOGIN_ROLES:
        return None
    return user


def locked_for(index: str, *, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How much longer the number stays locked (None: not locked)."""
    now = now or timezone.now()
    times = list(
        SmsLoginFailure.objects.filter(mobile_index=index, created_at__gt=now - LOCKOUT)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:FAILURE_LIMIT]
    )
    if len(times) < FAILURE_LIMIT:
        return None
    return times[0] + LOCKOUT - now


def _minutes(left: dt.timedelta) -> int:
    return max(1, math.ceil(left.total_seconds() / 60))


def _refusal(number: Number, ip: str | None, reason: str, message: str) -> str:
    audit.record(
        actor=None,
        action="auth.sms_code_refused",
        outcome="failure",
        username=number.name,
        ip=ip,
        details={"reason": reason},
    )
    return message


def _check_request(number: Number, ip: str | None, now: dt.datetime) -> str:
    """Why a code may not be sent now (the Chinese answer), or "" when it may."""
    left = locked_for(number.index, now=now)
    if left is not None:
        return _refusal(number, ip, "locked", LOCKED.format(minutes=_minutes(left)))
    recent = SmsLoginCode.objects.filter(
        mobile_index=number.index, created_at__gt=now - dt.timedelta(hours=1)
    )
    last = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < RESEND_AFTER:
        wait = math.ceil((last + RESEND_AFTER - now).total_seconds())
        return _refusal(number, ip, "too_soon", f"验证码发送过于频繁，请 {wait} 秒后再试。")
    if recent.count() >= PER_NUMBER_PER_HOUR:
        return _refusal(
            number,
            ip,
            "number_hourly_limit",
            "该手机号一小时内获取验证码次数已达上限，请稍后再试，或使用账号密码登录。",
        )
    from_ip = SmsLoginCode.objects.filter(ip=ip, created_at__gt=now - dt.timedelta(hours=1))
    if ip and from_ip.count() >= PER_IP_PER_HOUR:
        return _refusal(number, ip, "ip_hourly_limit", "本网络获取验证码次数过多，请稍后再试。")
    return ""


def _issue(number: Number, ip: str | None, now: dt.datetime) -> None:
    user = _eligible(number.index)
    code = f"{secrets.randbelow(10**6):06d}"
    # Earlier codes of the number are void: only the newest one works.
    SmsLoginCode.objects.filter(mobile_index=number.index, used_at__isnull=True).update(used_at=now)
    SmsLoginCode.objects.create(
        mobile_index=number.index,
        user=user,
        code_digest=_digest(number.index, code) if user is not None else "",
        ip=ip,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    if user is not None:
        sms.queue(kind="login_code", mobile=number.mobile, params={"code": code})
    audit.record(
        actor=None,
        action="auth.sms_code_request",
        outcome="success" if user is not None else "failure",
        username=number.name,
        ip=ip,
        details={"sent": user is not None},
    )


def request_code(*, mobile: str, ip: str | None) -> str:
    """Send a log-in code to `mobile` if it belongs to an account that may log in by SMS;
    return the answer shown to everybody alike. Raises ValidationError (Chinese) when the
    number is malformed, locked or over a limit (the refusal is audited and committed)."""
    number = _number(mobile)
    now = timezone.now()
    with transaction.atomic():
        refusal = _check_request(number, ip, now)
        if not refusal:
            _issue(number, ip, now)
    if refusal:
        raise ValidationError(refusal)
    return SENT


def verify_code(*, mobile: str, code: str, ip: str | None) -> User:
    """The account whose number and fresh code these are; the code is used up. Raises
    ValidationError (Chinese) otherwise; a wrong code counts towards the number's lock-out
    (recorded and committed before the error is raised)."""
    number = _number(mobile)
    now = timezone.now()
    code = code.strip()
    user: User | None = None
    with transaction.atomic():
        left = locked_for(number.index, now=now)
        if left is not None:
            error = _refusal(number, ip, "locked", LOCKED.format(minutes=_minutes(left)))
        else:
            user = _check_code(number, code, now)
            error = "" if user is not None else _wrong(number, ip, now)
        if user is not None:
            SmsLoginFailure.objects.filter(mobile_index=number.index).delete()
            audit.record(
                actor=user, action="auth.sms_login", target=user, ip=ip, details={"channel": "sms"}
            )
    if user is None:
        raise ValidationError(error)
    return user


def _check_code(number: Number, code: str, now: dt.datetime) -> User | None:
    """The account, with its code used up, if `code` is the number's live code."""
    challenge = (
        SmsLoginCode.objects.select_for_update()
        .filter(mobile_index=number.index, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if challenge is None or challenge.user_id is None or not challenge.code_digest:
        return None
    if not hmac.compare_digest(challenge.code_digest, _digest(number.index, code)):
        return None
    user = _eligible(number.index)
    if user is None or user.pk != challenge.user_id:
        return None
    used = SmsLoginCode.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=now)
    return user if used else None


def _wrong(number: Number, ip: str | None, now: dt.datetime) -> str:
    """Record a wrong code; the answer (which says when the number is now locked)."""
    SmsLoginFailure.objects.create(mobile_index=number.index, ip=ip, created_at=now)
    left = locked_for(number.index, now=now)
    audit.record(
        actor=None,
        action="auth.sms_code_failed",
        outcome="failure",
        username=number.name,
        ip=ip,
        details={"locked": left is not None},
    )
    if left is not None:
        # The lock voids the outstanding code: after it, a new one must be requested.
        SmsLoginCode.objects.filter(mobile_index=number.index, used_at__isnull=True).update(
            used_at=now
        )
        audit.record(
            actor=None,
            action="auth.sms_code_lockout",
            outcome="failure",
            username=number.name,
            ip=ip,
            details={"minutes": _minutes(left)},
        )
        return LOCKED.format(minutes=_minutes(left))
    failures = SmsLoginFailure.objects.filter(
        mobile_index=number.index, created_at__gt=now - LOCKOUT
    ).count()
    return WRONG.format(
        limit=FAILURE_LIMIT, minutes=_minutes(LOCKOUT), left=max(FAILURE_LIMIT - failures, 0)
    )
