"""Account services: the only code that writes users, their authentication devices and their
lock-out records.

The three separated administrators (三员) each have their own services here:
- system administrator: `create_account`, `update_user`, `set_user_active`, `reset_password`
  (ordinary accounts only; the administrators themselves are created by `manage.py create_admin`).
  Opening or re-activating an account and changing its role or mobile number only file a
  request (services.requests); no password is ever shown to him, it goes to the user by SMS;
- security administrator: `approve_request`, `reject_request`, `unlock_account`,
  `reset_two_factor`;
- audit administrator: reads the audit log (renda.core), writes nothing.
A service refuses an actor of the wrong role even if a view forgot to check (defence in depth);
`actor=None` means an operator at the command line.
"""

from __future__ import annotations

import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.core import audit
from renda.core.fields import make_blind_index
from renda.core.models import Organization
from renda.core.roles import ADMIN_ROLES, Role
from renda.lib.idcard import is_mobile

from ..models import AccountRequest, User
from ..permissions import can_manage_security, can_manage_users
from . import passwords, requests

# Initial and reset passwords are read off a screen and typed by hand: no look-alike characters.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#%+-=@"
BACKUP_CODE_COUNT = 10


def generate_password(length: int = 12) -> str:
    """A random password that meets the complexity policy (all four character classes)."""
    alphabet = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    chars = [secrets.choice(cls) for cls in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您的角色无权执行此操作。")


def _check_identity(user: User) -> None:
    """What `full_clean` cannot see: the mobile number is a log-in name too."""
    errors: dict[str, str] = {}
    if is_mobile(user.username):
        # Otherwise one person's username could be another person's mobile number.
        errors["username"] = "账号不能使用手机号格式，手机号请填在“手机号”一栏。"
    if user.mobile:
        user.mobile = user.mobile.strip()
        if not is_mobile(user.mobile):
            errors["mobile"] = "请输入 11 位中国大陆手机号。"
        else:
            user.mobile_index = make_blind_index(user.mobile)
            clash = User.objects.filter(mobile_index=user.mobile_index).exclude(pk=user.pk)
            if clash.exists():
                errors["mobile"] = "该手机号已被其他账号使用。"
    else:
        user.mobile_index = ""
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    name: str,
    role: str,
    password: str | None = None,
    organization: Organization | None = None,
    mobile: str = "",
    email: str = "",
    must_change_password: bool = True,
    sms_login_only: bool = False,
) -> User:
    """Create an account. Without a password a random one is set and must be changed at first
    log in (ASVS 6.4.1: initial passwords are random and expire). `sms_login_only` opens an
    account with no usable password at all, for a deputy or handling officer who logs in with
    the mobile number and a text-message code (accounts.services.sms_login); nobody is ever
    told a password, and no hashing is paid for 597 deputies at once."""
    user = User(
        username=username.strip(),
        name=name.strip(),
        role=role,
        organization=organization,
        mobile=mobile,
        email=email,
        must_change_password=must_change_password,
    )
    _check_identity(user)
    user.full_clean(exclude=["password"])
    if sms_login_only:
        if role not in (Role.DEPUTY, Role.HANDLING_OFFICER) or password is not None:
            raise ValidationError(
                {"role": "只有代表和承办单位工作人员的账号可以仅用短信验证码登录。"}
            )
        user.must_change_password = False
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=actor, action="user.create", target=user, details={"role": role, "login": "sms"}
        )
        return user
    if password is None:
        password = generate_password()
    else:
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    passwords.remember(user)
    audit.record(actor=actor, action="user.create", target=user, details={"role": role})
    return user


@transaction.atomic
def create_account(
    *,
    actor: User,
    username: str,
    name: str,
    role: str,
    organization: Organization | None = None,
    mobile: str = "",
    email: str = "",
) -> AccountRequest:
    """The system administrator asks for an ordinary account (三员: a second person decides).
    The account exists at once but is inactive and has no usable password; when the security
    administrator approves, it is activated and a random initial password is sent by SMS to
    the user's own mobile number (never shown to an administrator), to be changed at first
    log in."""
    _require(can_manage_users(actor))
    if role in ADMIN_ROLES:
        raise ValidationError({"role": "管理员账号只能由运维人员用 manage.py create_admin 创建。"})
    if not mobile.strip():
        raise ValidationError({"mobile": "请填写本人手机号：初始口令将以短信直接发给本人。"})
    user = User(
        username=username.strip(),
        name=name.strip(),
        role=role,
        organization=organization,
        mobile=mobile,
        email=email,
        must_change_password=True,
        is_active=False,
    )
    _check_identity(user)
    user.full_clean(exclude=["password"])
    user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor, action="user.create", target=user, details={"role": role, "pending": True}
    )
    return requests.submit(actor=actor, user=user, kind=AccountRequest.Kind.CREATE, role=role)


@transaction.atomic
def create_first_admin(
    *,
    username: str,
    name: str,
    password: str,
    role: str = Role.SYSTEM_ADMIN,
    mobile: str = "",
) -> User:
    """There is no default administrator (等保 访问控制 b); an operator creates each of the
    three administrators with `manage.py create_admin`. The administrator changes the password
    the operator typed at first log in, and enrols a TOTP device."""
    if role not in ADMIN_ROLES:
        raise ValidationError({"role": "只能创建系统管理员、安全管理员或审计管理员。"})
    return create_user(
        actor=None,
        username=username,
        name=name,
        role=role,
        password=password,
        mobile=mobile,
        must_change_password=True,
    )


def _check_manageable(user: User) -> None:
    if user.role in ADMIN_ROLES:
        # A system administrator who could edit the audit administrator's account could make
        # himself one (三员 separation).
        raise PermissionDenied("管理员账号不能在此修改。")


@transaction.atomic
def update_user(
    *,
    actor: User,
    user: User,
    name: str,
    role: str,
    organization: Organization | None,
    mobile: str,
    email: str,
) -> User:
    _require(can_manage_users(actor))
    _check_manageable(user)
    if role in ADMIN_ROLES:
        raise ValidationError({"role": "不能把普通账号改为管理员账号。"})
    new = {"name": name.strip(), "organization": organization, "email": email.strip()}
    # Names of changed fields only: the values may be personal data and stay out of the log.
    changed = sorted(field for field, value in new.items() if getattr(user, field) != value)
    mobile = mobile.strip()
    # The role (what the account may read) and the mobile number (where its credentials go)
    # change only once the security administrator approves.
    # Clearing the number sends nothing anywhere and is applied at once.
    held = {"role": role != user.role, "mobile": bool(mobile) and mobile != user.mobile}
    if not mobile:
        new["mobile"] = ""
        if user.mobile:
            changed = sorted([*changed, "mobile"])
    if any(held.values()):
        probe = User(pk=user.pk, username=user.username, mobile=mobile)
        _check_identity(probe)
    for field, value in new.items():
        setattr(user, field, value)
    _check_identity(user)
    user.full_clean(exclude=["password"])
    user.save()
    if changed:
        audit.record(actor=actor, action="user.update", target=user, details={"changed": changed})
    if any(held.values()):
        requests.submit(
            actor=actor,
            user=user,
            kind=AccountRequest.Kind.CHANGE,
            role=role,
            mobile=mobile,
            mobile_changed=held["mobile"],
        )
    return user


@transaction.atomic
def set_user_active(*, actor: User, user: User, is_active: bool) -> User:
    """停用 / 启用. A deactivated user's open sessions end at their next request (the
    authentication backend refuses inactive users)."""
    _require(can_manage_users(actor))
    _check_manageable(user)
    if user.is_active == is_active:
        raise ValidationError("该账号已经是" + ("启用" if is_active else "停用") + "状态。")
    if is_active:
        # Re-activation gives an account back its access: a second person decides.
        requests.submit(actor=actor, user=user, kind=AccountRequest.Kind.ACTIVATE, role=user.role)
        return user
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.activate" if is_active else "user.deactivate",
        target=user,
    )
    return user


@transaction.atomic
def reset_password(*, actor: User, user: User) -> None:
    """A new random password, sent by SMS to the user's own mobile number (the system
    administrator never sees it), to be changed at the next log in."""
    _require(can_manage_users(actor))
    _check_manageable(user)
    if not user.is_active:
        raise ValidationError("该账号未启用，不能重置口令。")
    if not user.mobile:
        raise ValidationError(
            "该账号没有登记手机号，新口令无法发给本人；请先登记手机号（须经安全管理员审批）。"
        )
    password = generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    passwords.remember(user)
    audit.record(actor=actor, action="user.password_reset", target=user)
    requests.send_credential(actor=actor, user=user, password=password, reason="的口令已重置")


@transaction.atomic
def change_password(*, actor: User, new_password: str) -> None:
    password_validation.validate_password(new_password, actor)
    passwords.check_not_reused(actor, new_password)
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "must_change_password", "password_changed_at"])
    passwords.remember(actor)
    audit.record(actor=actor, action="user.password_change", target=actor)


# --- lock-out (django-axes) -------------------------------------------------------------


@transaction.atomic
def unlock_account(*, actor: User | None, username: str) -> int:
    """Lift a lock-out before its 30 minutes are up: forget every failed attempt recorded for
    the account name. Returns how many attempt records were removed (0 if none)."""
    if actor is not None:
        _require(can_manage_security(actor))
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请指定要解锁的账号。"})
    removed = axes_reset(username=username)
    target = User.objects.filter(username=username).first()
    audit.record(
        actor=actor,
        action="auth.unlock",
        target=target or username,
        outcome="success" if removed else "failure",
        details={"username": username, "attempts_removed": removed},
    )
    return removed


# --- two-factor authentication (django-otp) ---------------------------------------------


@transaction.atomic
def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """An unconfirmed TOTP device; it counts only once the user proves a code from it."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name="手机验证器", confirmed=False)
    audit.record(actor=actor, action="otp.enrol_start", target=actor)
    return device


@transaction.atomic
def confirm_totp_enrolment(*, actor: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != actor.pk or not device.verify_token(token):
        audit.record(actor=actor, action="otp.enrol_confirm", target=actor, outcome="failure")
        return False
    TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor, action="otp.enrol_confirm", target=actor)
    return True


def _throttled(device: Device) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def verify_second_factor(*, actor: User, token: str) -> Device | None:
    """Check a code against the user's confirmed devices: a TOTP code, or a one-time backup
    code. Each failure slows the next attempt down (django-otp's exponential throttling).
    Returns the device that accepted the code; the view records it in the session."""
    token = token.strip().replace(" ", "").lower()
    devices = list(devices_for_user(actor, confirmed=True))
    for device in devices:
        if device.verify_token(token):
            audit.record(
                actor=actor,
                action="otp.verify",
                target=actor,
                details={"device": "backup_code" if isinstance(device, StaticDevice) else "totp"},
            )
            return device
    audit.record(
        actor=actor,
        action="otp.verify",
        target=actor,
        outcome="failure",
        details={"throttled": any(_throttled(d) for d in devices)},
    )
    return None


@transaction.atomic
def generate_backup_codes(*, actor: User) -> list[str]:
    """Ten one-time codes for when the phone is lost, replacing any earlier set. They are
    shown once; each works once on the verification page."""
    StaticDevice.objects.filter(user=actor).delete()
    device = StaticDevice.objects.create(user=actor, name="备用验证码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(
        actor=actor, action="otp.backup_codes", target=actor, details={"count": len(codes)}
    )
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User | None, user: User) -> int:
    """The security administrator removes a user's authenticator and backup codes (a lost
    phone). At the next log in the user must enrol a new device. Returns devices removed."""
    if actor is not None:
        _require(can_manage_security(actor))
        if actor.pk == user.pk:
            raise ValidationError(
                "不能重置自己的双因素认证；如需更换手机验证器，请在“双因素认证”页面重新绑定。"
            )
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _ = model.objects.filter(user=user).delete()
        removed += count
    audit.record(
        actor=actor,
        action="otp.reset",
        target=user,
        details={"records_removed": removed},
    )
    return removed
