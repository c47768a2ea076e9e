"""No return to one of the last five passwords (issue 13 item 11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from renda.accounts import services
from renda.accounts.models import PasswordHistory

from .support import post_login

PASSWORDS = [f"Xinmima-{n}#Ab" for n in range(1, 7)]


def test_the_last_five_passwords_are_refused_in_chinese(world: Any) -> None:
    user = world.deputy
    for password in PASSWORDS[:5]:
        services.change_password(actor=user, new_password=password)
    for old in PASSWORDS[:5]:
        with pytest.raises(ValidationError) as caught:
            services.change_password(actor=user, new_password=old)
        assert "最近 5 次使用过的密码" in str(caught.value)
    assert PasswordHistory.objects.filter(user=user).count() == 5


def test_a_password_older_than_five_changes_may_come_back(world: Any) -> None:
    user = world.deputy
    for password in PASSWORDS:
        services.change_password(actor=user, new_password=password)
    services.change_password(actor=user, new_password=PASSWORDS[0])
    assert user.check_password(PASSWORDS[0])


def test_the_change_page_refuses_the_previous_password(world: Any) -> None:
    from renda.conftest import PASSWORD

    client = Client()
    post_login(client, "deputy")
    url = reverse("accounts:password_change")
    data = {"old_password": PASSWORD, "new_password1": PASSWORDS[0], "new_password2": PASSWORDS[0]}
    assert client.post(url, data).status_code == 302
    back = {"old_password": PASSWORDS[0], "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post(url, back)
    assert response.status_code == 200
    assert "最近 5 次使用过的密码" in response.content.decode()
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(PASSWORDS[0])
