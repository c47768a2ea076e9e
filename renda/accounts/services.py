"""Account services: the only code that writes users and their authentication devices."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.core import audit

from .models import ADMIN_ROLES, Role, User


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    name: str,
    role: str,
    password: str | None = None,
    organization: Any = None,
    mobile: str = "",
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """Create an account. Without a password a random one is set and must be changed at first
    log in (ASVS 6.4.1: initial passwords are random and expire)."""
    user = User(
        username=username, name=name, role=role, organization=organization, mobile=mobile,
        email=email, must_change_password=must_change_password,
    )
    if password is None:
        password = secrets.token_urlsafe(12) + "aA1!"
    else:
        password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor=actor, action="user.create", target=user, details={"role": role})
    return user


@transaction.atomic
def create_first_admin(*, username: str, name: str, password: str, role: str = Role.SYSTEM_ADMIN) -> User:
    """There is no default administrator (等保 访问控制 b); an operator creates each of the
    three administrators with `manage.py create_admin`."""
    if role not in ADMIN_ROLES:
        raise ValueError("只能创建系统管理员、安全管理员或审计管理员")
    return create_user(actor=None, username=username, name=name, role=role, password=password)


@transaction.atomic
def change_password(*, actor: User, new_password: str) -> None:
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(actor=actor, action="user.password_change", target=actor)


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
