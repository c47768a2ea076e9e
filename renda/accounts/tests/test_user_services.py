"""The account services on their own: validation in Chinese, nothing written on bad input,
the system administrator's limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renda.accounts import services
from renda.accounts.models import User
from renda.accounts.validators import ComplexityValidator
from renda.core.models import AuditEvent
from renda.core.roles import Role


def test_generated_passwords_meet_the_policy_and_differ() -> None:
    passwords = {services.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        ComplexityValidator(min_length=8, min_classes=4).validate(password)
        assert not set(password) & set("0O1lI")


def test_create_account_refuses_administrator_roles(world: Any) -> None:
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        with pytest.raises(ValidationError) as error:
            services.create_account(actor=world.system_admin, username="x", name="某", role=role)
        assert "manage.py create_admin" in error.value.message_dict["role"][0]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("persona", ["security_admin", "audit_admin", "staff"])
def test_only_the_system_admin_manages_accounts(world: Any, persona: str) -> None:
    actor = world.users[persona]
    with pytest.raises(PermissionDenied):
        services.create_account(actor=actor, username="x", name="某", role=Role.DEPUTY)
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=actor, user=world.deputy)
    with pytest.raises(PermissionDenied):
        services.set_user_active(actor=actor, user=world.deputy, is_active=False)
    with pytest.raises(PermissionDenied):
        services.update_user(
            actor=actor,
            user=world.deputy,
            name="改",
            role=Role.DEPUTY,
            organization=None,
            mobile="",
            email="",
        )
    assert not User.objects.filter(username="x").exists()
    world.deputy.refresh_from_db()
    assert world.deputy.is_active and world.deputy.name == "测试deputy"


def test_the_system_admin_cannot_promote_or_touch_an_administrator(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.update_user(
            actor=world.system_admin,
            user=world.staff,
            name="测试staff",
            role=Role.AUDIT_ADMIN,
            organization=None,
            mobile="",
            email="",
        )
    with pytest.raises(PermissionDenied):
        services.reset_password(actor=world.system_admin, user=world.audit_admin)
    with pytest.raises(PermissionDenied):
        services.set_user_active(
            actor=world.system_admin, user=world.security_admin, is_active=False
        )
    world.staff.refresh_from_db()
    assert world.staff.role == Role.STAFF


def test_create_user_writes_nothing_on_a_bad_field(world: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_user(actor=None, username="bad name!", name="", role="nobody")
    assert set(error.value.message_dict) >= {"username", "name", "role"}
    assert AuditEvent.objects.count() == before
    assert not User.objects.filter(username="bad name!").exists()


def test_change_password_validates_too(world: Any) -> None:
    with pytest.raises(ValidationError):
        services.change_password(actor=world.deputy, new_password="short")
    world.deputy.refresh_from_db()
    assert world.deputy.check_password("Renda-Test-2026!")


def test_clearing_a_mobile_number_frees_it(world: Any) -> None:
    number = world.deputy.mobile
    services.update_user(
        actor=world.system_admin,
        user=world.deputy,
        name="测试deputy",
        role=Role.DEPUTY,
        organization=None,
        mobile="",
        email="",
    )
    world.deputy.refresh_from_db()
    assert world.deputy.mobile == "" and world.deputy.mobile_index == ""
    services.create_user(
        actor=None, username="newowner", name="新", role=Role.DEPUTY, mobile=number
    )
