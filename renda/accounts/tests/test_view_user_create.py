"""The system administrator asks for an account; the security administrator approves it; the
random initial password goes by SMS to the user's own mobile, never to an administrator, and is
changed at first log in (三员分立, issue 13 item 2)."""

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


def approve_and_read_sms(world: Any, username: str, capture: Any) -> str:
    from renda.accounts import services
    from renda.accounts.models import AccountRequest
    from renda.core.notifications import ConsoleSMSBackend

    ConsoleSMSBackend.sent.clear()
    request = AccountRequest.objects.get(user__username=username, status="pending")
    with capture(execute=True):
        services.approve_request(actor=world.security_admin, request=request)
    ((mobile, text),) = ConsoleSMSBackend.sent
    assert mobile == User.objects.get(username=username).mobile
    return text.split("口令：", 1)[1].split("。", 1)[0]


def test_it_files_the_account_and_shows_no_password(world: Any, client_for: Any) -> None:
    # Changed (issue 13 item 2): the page used to render the initial password ("只显示这一次");
    # now the account waits, inactive and without a usable password, for the security
    # administrator, and no page shown to the system administrator carries a password.
    data = form(organization=world.office.pk)
    response = client_for("system_admin").post(URL, data, follow=True)
    assert response.status_code == 200 and "password" not in response.context
    assert "待安全管理员审批" in response.content.decode()
    user = User.objects.get(username="wangwu")
    assert user.name == "王五" and user.role == Role.STAFF and user.organization == world.office
    assert user.mobile == "13912340000" and user.must_change_password
    assert not user.is_active and not user.has_usable_password()
    event = AuditEvent.objects.get(action="user.create", target_id=str(user.pk))
    assert event.actor == world.system_admin
    assert AuditEvent.objects.filter(action="account_request.submit").exists()


def test_the_initial_password_meets_the_policy(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth.password_validation import validate_password

    client_for("system_admin").post(URL, form())
    password = approve_and_read_sms(world, "wangwu", django_capture_on_commit_callbacks)
    validate_password(password)
    assert len(password) >= 12
    assert not any(password in str(e.details) for e in AuditEvent.objects.all())


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


def test_the_new_user_must_change_the_password_at_first_log_in(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    from .support import post_login

    client_for("system_admin").post(URL, form(role=Role.DEPUTY))
    password = approve_and_read_sms(world, "wangwu", django_capture_on_commit_callbacks)
    client = Client()
    assert post_login(client, "wangwu", password).status_code == 302
    response = client.get(reverse("core:workbench"))
    assert response["Location"] == reverse("accounts:password_change")


def test_an_account_without_a_mobile_number_is_refused(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").post(URL, form(mobile="")).content.decode()
    assert "初始口令将以短信直接发给本人" in html
    assert not User.objects.filter(username="wangwu").exists()
