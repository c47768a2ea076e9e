"""The system administrator opens an account: a random initial password shown once, to be
changed at first log in."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.accounts.models import User
from renda.core.models import AuditEvent
from renda.core.roles import Role

URL = reverse("accounts:user_create")


def form(**overrides: Any) -> dict[str, Any]:
    data = {
        "username": "wangwu",
        "name": "王五",
        "role": Role.STAFF,
        "organization": "",
        "mobile": "13912340000",
        "email": "",
    }
    data.update(overrides)
    return data


def test_it_creates_the_account_and_shows_the_password_once(world: Any, client_for: Any) -> None:
    data = form(organization=world.office.pk)
    response = client_for("system_admin").post(URL, data)
    assert response.status_code == 200
    assert (
        response["Cache-Control"].startswith("max-age=0")
        and "no-store" in response["Cache-Control"]
    )
    password = response.context["password"]
    assert password in response.content.decode() and "只显示这一次" in response.content.decode()
    user = User.objects.get(username="wangwu")
    assert user.name == "王五" and user.role == Role.STAFF and user.organization == world.office
    assert user.mobile == "13912340000" and user.must_change_password
    assert user.check_password(password)
    event = AuditEvent.objects.get(action="user.create", target_id=str(user.pk))
    assert event.actor == world.system_admin and password not in str(event.details)


def test_the_initial_password_meets_the_policy(world: Any, client_for: Any) -> None:
    from django.contrib.auth.password_validation import validate_password

    password = client_for("system_admin").post(URL, form()).context["password"]
    validate_password(password)
    assert len(password) >= 12


def test_the_form_offers_no_administrator_role(world: Any, client_for: Any) -> None:
    client = client_for("system_admin")
    html = client.get(URL).content.decode()
    assert 'value="audit_admin"' not in html and 'value="staff"' in html
    response = client.post(URL, form(role=Role.AUDIT_ADMIN))
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()


def test_a_taken_username_is_refused_in_chinese(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(username="deputy")).content.decode()
    assert "已存在" in html
    assert User.objects.filter(username="deputy").count() == 1


def test_a_taken_mobile_number_is_refused(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(mobile=world.deputy.mobile)).content.decode()
    assert "该手机号已被其他账号使用。" in html
    assert not User.objects.filter(username="wangwu").exists()


def test_a_malformed_mobile_number_is_refused(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(mobile="12345")).content.decode()
    assert "请输入 11 位中国大陆手机号。" in html


def test_a_username_shaped_like_a_mobile_number_is_refused(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(username="13712345678")).content.decode()
    assert "账号不能使用手机号格式" in html


def test_it_keeps_what_was_typed_after_an_error(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(mobile="12345")).content.decode()
    assert 'value="王五"' in html and 'value="wangwu"' in html


def test_the_new_user_must_change_the_password_at_first_log_in(world: Any, client_for: Any) -> None:
    from django.test import Client

    from .support import post_login

    password = client_for("system_admin").post(URL, form(role=Role.DEPUTY)).context["password"]
    client = Client()
    assert post_login(client, "wangwu", password).status_code == 302
    response = client.get(reverse("core:workbench"))
    assert response["Location"] == reverse("accounts:password_change")
