"""Forced password change: at first log in (must_change_password) and, for the strict roles,
once the password is older than PASSWORD_MAX_AGE_DAYS (90; 0 turns it off)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.conftest import PASSWORD, login
from renda.core.roles import Role

from .support import new_user

PAGES = ["core:workbench", "core:inbox", "deputies:list", "accounts:otp_setup", "portal:home"]


def age_password(user: User, days: int) -> None:
    # Time passing is not a service: move the stored date back instead.
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=days)
    )
    user.refresh_from_db()


def change_password(client: Client, new: str = "Xinmima-2026!") -> Any:
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


def test_a_new_account_must_change_its_password_before_anything_else(world: Any) -> None:
    user = new_user(Role.DEPUTY, "xindaibiao", must_change_password=True)
    client = login(Client(), user)
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:password_change")), name
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "首次登录或密码被重置后，须修改密码" in page.content.decode()
    assert change_password(client).status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    for name in ["core:workbench", "core:inbox", "portal:home"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_it_returns_to_the_page_first_asked_for(world: Any) -> None:
    user = new_user(Role.STAFF, "xinganbu", must_change_password=True)
    client = login(Client(), user)
    response = client.get(reverse("deputies:list"))
    assert response["Location"] == reverse("accounts:password_change") + "?next=%2Fdeputies%2F"
    response = client.post(
        response["Location"],
        {
            "old_password": PASSWORD,
            "new_password1": "Xinmima-2026!",
            "new_password2": "Xinmima-2026!",
        },
    )
    assert response["Location"] == "/deputies/"


def test_log_out_stays_possible_while_the_change_is_pending(world: Any) -> None:
    client = login(Client(), new_user(Role.DEPUTY, "xindaibiao", must_change_password=True))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert "_auth_user_id" not in client.session


def test_a_strict_users_password_expires_after_90_days(world: Any, client_for: Any) -> None:
    age_password(world.staff, 91)
    client = client_for("staff")
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:password_change")
    )
    assert "已使用超过 90 天" in client.get(reverse("accounts:password_change")).content.decode()
    change_password(client)
    assert client.get(reverse("core:workbench")).status_code == 200


def test_a_password_younger_than_the_limit_is_fine(world: Any, client_for: Any) -> None:
    age_password(world.staff, 89)
    assert client_for("staff").get(reverse("core:workbench")).status_code == 200


@pytest.mark.parametrize("persona", ["deputy", "handling_officer", "nominee"])
def test_other_roles_are_not_forced_after_90_days(
    world: Any, client_for: Any, persona: str
) -> None:
    age_password(world.users[persona], 400)
    assert client_for(persona).get(reverse("core:workbench")).status_code == 200


def test_the_age_limit_is_configurable_and_0_turns_it_off(
    world: Any, client_for: Any, settings: Any
) -> None:
    age_password(world.security_admin, 40)
    settings.PASSWORD_MAX_AGE_DAYS = 30
    assert client_for("security_admin").get(reverse("core:workbench")).status_code == 302
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert client_for("security_admin").get(reverse("core:workbench")).status_code == 200


def test_the_web_app_files_load_while_the_change_is_pending(world: Any) -> None:
    client = login(Client(), new_user(Role.DEPUTY, "xindaibiao", must_change_password=True))
    # The service worker must register on the first visit, even before the new password.
    for name in ("core:service_worker", "core:manifest", "core:offline"):
        assert client.get(reverse(name)).status_code == 200, name
    # Everything else still waits for the change.
    assert client.get(reverse("core:workbench")).status_code == 302
