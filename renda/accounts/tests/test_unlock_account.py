"""`services.unlock_account` and `manage.py unlock_account`."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from renda.accounts import services
from renda.core.models import AuditEvent

from .support import post_login


def lock(username: str) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, username, "Wrong-Pass-1")


def test_it_removes_the_accounts_failed_attempts_only(world: Any) -> None:
    lock("deputy")
    post_login(Client(), "staff", "Wrong-Pass-1")
    assert services.unlock_account(actor=world.security_admin, username="deputy") == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["staff"]


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "staff"])
def test_it_refuses_anybody_but_the_security_admin(world: Any, persona: str) -> None:
    lock("deputy")
    with pytest.raises(PermissionDenied):
        services.unlock_account(actor=world.users[persona], username="deputy")
    assert AccessAttempt.objects.filter(username="deputy").exists()


def test_it_needs_a_username(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.unlock_account(actor=world.security_admin, username="  ")
    assert error.value.message_dict == {"username": ["请指定要解锁的账号。"]}


def test_the_command_unlocks_and_is_audited(world: Any) -> None:
    lock("deputy")
    out = StringIO()
    call_command("unlock_account", "deputy", stdout=out)
    assert "已解锁账号 deputy" in out.getvalue()
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="auth.unlock")
    assert event.actor is None and event.details["username"] == "deputy"
    assert post_login(Client(), "deputy").status_code == 302
