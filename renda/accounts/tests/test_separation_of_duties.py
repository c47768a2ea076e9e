"""三员: the system, security and audit administrators each reach only their own tools, and
no ordinary user reaches any of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.core.models import AuditEvent

SYSTEM_PAGES = ["accounts:user_list", "accounts:user_create"]
SECURITY_PAGES = ["accounts:lockout_list", "accounts:two_factor_list", "accounts:security_settings"]
AUDIT_PAGES = ["core:audit_log"]
OWN = {"system_admin": SYSTEM_PAGES, "security_admin": SECURITY_PAGES, "audit_admin": AUDIT_PAGES}


@pytest.mark.parametrize("persona", list(OWN))
def test_each_admin_opens_only_their_own_pages(world: Any, client_for: Any, persona: str) -> None:
    client = client_for(persona)
    for owner, pages in OWN.items():
        for name in pages:
            expected = 200 if owner == persona else 403
            assert client.get(reverse(name)).status_code == expected, (persona, name)


def test_the_system_admin_cannot_read_the_audit_log_or_unlock(world: Any, client_for: Any) -> None:
    client = client_for("system_admin")
    assert client.get(reverse("core:audit_log")).status_code == 403
    assert client.get(reverse("core:audit_export")).status_code == 403
    assert client.post(reverse("accounts:unlock"), {"username": "deputy"}).status_code == 403
    assert (
        client.post(reverse("accounts:two_factor_reset", args=[world.staff.pk])).status_code == 403
    )
    # Each refusal is itself a security event in the audit log.
    denied = AuditEvent.objects.filter(action="auth.permission_denied", actor=world.system_admin)
    assert denied.count() == 4


def test_the_security_and_audit_admins_cannot_manage_accounts(world: Any, client_for: Any) -> None:
    for persona in ("security_admin", "audit_admin"):
        client = client_for(persona)
        assert client.post(reverse("accounts:user_create"), {"username": "x"}).status_code == 403
        assert (
            client.post(reverse("accounts:user_reset_password", args=[world.deputy.pk])).status_code
            == 403
        )
        assert (
            client.post(
                reverse("accounts:user_set_active", args=[world.deputy.pk]), {"active": "0"}
            ).status_code
            == 403
        )
    world.deputy.refresh_from_db()
    assert world.deputy.is_active


@pytest.mark.parametrize(
    "persona", ["staff", "sc_member", "deputy", "handling_officer", "data_provider", "nominee"]
)
def test_ordinary_users_reach_no_admin_page(world: Any, client_for: Any, persona: str) -> None:
    client = client_for(persona)
    for name in ["accounts:admin_home", *SYSTEM_PAGES, *SECURITY_PAGES, *AUDIT_PAGES]:
        assert client.get(reverse(name)).status_code == 403, name


def test_one_role_per_account_means_nobody_holds_two_admin_roles(world: Any) -> None:
    from renda.accounts.models import User

    field = User._meta.get_field("role")
    assert not field.many_to_many and not field.blank
