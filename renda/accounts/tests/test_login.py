"""Log in by username or by mobile number (found through its blind index)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from renda.accounts import services
from renda.core.models import AuditEvent

from .support import logged_in_user_id, post_login


def test_it_logs_in_with_the_username(world: Any) -> None:
    client = Client()
    response = post_login(client, "deputy")
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")
    assert logged_in_user_id(client) == str(world.deputy.pk)


def test_it_logs_in_with_the_mobile_number(world: Any) -> None:
    client = Client()
    response = post_login(client, world.deputy.mobile)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(world.deputy.pk)
    # The audit log names the account, not the number typed.
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_username == "deputy" and world.deputy.mobile not in str(event.details)


def test_the_mobile_number_is_matched_exactly_not_stored_in_clear(world: Any) -> None:
    # The column holds ciphertext; the log-in goes through the blind index.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mobile, mobile_index FROM accounts_user WHERE id = %s", [world.deputy.pk]
        )
        stored, index = cursor.fetchone()
    assert world.deputy.mobile not in stored and index
    client = Client()
    post_login(client, world.deputy.mobile[:-1] + "9")  # someone else's (unused) number
    assert logged_in_user_id(client) is None


def test_a_wrong_password_is_refused_in_chinese(world: Any) -> None:
    client = Client()
    response = post_login(client, "deputy", "Wrong-Pass-1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "账号或密码不正确" in html and "锁定 30 分钟" in html
    assert logged_in_user_id(client) is None


def test_an_unknown_mobile_number_is_masked_in_the_audit_log(world: Any) -> None:
    post_login(Client(), "13912345678", "Wrong-Pass-1")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_username == "139****5678"
    assert "13912345678" not in str(event.details)


def test_a_deactivated_account_is_told_so_only_with_the_right_password(world: Any) -> None:
    services.set_user_active(actor=world.system_admin, user=world.deputy, is_active=False)
    client = Client()
    html = post_login(client, "deputy").content.decode()
    assert "该账号已停用，请联系系统管理员。" in html
    assert logged_in_user_id(client) is None
    # A stranger guessing does not learn that the account exists and is deactivated.
    html = post_login(client, "deputy", "Wrong-Pass-1").content.decode()
    assert "账号或密码不正确" in html and "已停用" not in html


def test_a_deactivated_users_open_session_ends(world: Any, client_for: Any) -> None:
    client = client_for("deputy")
    assert client.get(reverse("core:workbench")).status_code == 200
    services.set_user_active(actor=world.system_admin, user=world.deputy, is_active=False)
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_logged_in_user_visiting_the_log_in_page_goes_to_the_workbench(client_for: Any) -> None:
    response = client_for("deputy").get(reverse("accounts:login"))
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")


def test_it_ignores_a_next_address_on_another_site(world: Any) -> None:
    response = Client().post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": "deputy", "password": "Renda-Test-2026!"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")


def test_it_follows_a_next_address_on_this_site(world: Any) -> None:
    response = Client().post(
        reverse("accounts:login"),
        {"username": "deputy", "password": "Renda-Test-2026!", "next": "/inbox/"},
    )
    assert response["Location"] == "/inbox/"
