"""The system administrator cannot become staff (issue 13 item 2, 三员分立): an account with a
business role needs the security administrator's approval, its credential goes to the user's
own mobile, and no administrator ever sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from renda.accounts import services
from renda.accounts.models import AccountRequest, User
from renda.core.models import AuditEvent
from renda.core.notifications import ConsoleSMSBackend
from renda.core.roles import Role

from .support import logged_in_user_id, post_login


def ask_for_staff(world: Any) -> AccountRequest:
    return services.create_account(
        actor=world.system_admin,
        username="mole",
        name="内线",
        role=Role.STAFF,
        mobile="13912349999",
    )


def test_the_system_admin_gets_no_usable_account(world: Any, client_for: Any) -> None:
    response = client_for("system_admin").post(
        reverse("accounts:user_create"),
        {"username": "mole", "name": "内线", "role": Role.STAFF, "mobile": "13912349999"},
        follow=True,
    )
    html = response.content.decode()
    assert "口令：" not in html and "只显示这一次" not in html
    user = User.objects.get(username="mole")
    assert not user.is_active and not user.has_usable_password()
    for guess in ("", "Demo-Pass-2024", services.generate_password()):
        client = Client()
        post_login(client, "mole", guess)
        assert logged_in_user_id(client) is None


def test_approval_activates_and_sends_the_password_to_the_user_only(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = ask_for_staff(world)
    ConsoleSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_request(actor=world.security_admin, request=request)
    user = User.objects.get(username="mole")
    assert user.is_active and user.must_change_password
    ((mobile, text),) = ConsoleSMSBackend.sent
    assert mobile == "13912349999"
    password = text.split("口令：", 1)[1].split("。", 1)[0]
    assert user.check_password(password)
    assert not any(password in str(e.details) for e in AuditEvent.objects.all())
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"account_request.submit", "account_request.approve", "user.credential_sent"} <= actions


def test_only_the_security_admin_decides(world: Any) -> None:
    request = ask_for_staff(world)
    for actor in (world.system_admin, world.audit_admin, world.staff):
        with pytest.raises(PermissionDenied):
            services.approve_request(actor=actor, request=request)
    services.reject_request(actor=world.security_admin, request=request, reason="身份未核实")
    request.refresh_from_db()
    assert request.status == "rejected" and request.decided_by == world.security_admin
    assert not User.objects.get(username="mole").is_active
    with pytest.raises(ValidationError, match="已经审批过"):
        services.approve_request(actor=world.security_admin, request=request)


def test_the_security_admin_approves_in_the_pages(world: Any, client_for: Any) -> None:
    request = ask_for_staff(world)
    client = client_for("security_admin")
    html = client.get(reverse("accounts:request_list")).content.decode()
    assert "mole" in html and "开通账号" in html
    response = client.post(reverse("accounts:request_approve", args=[request.pk]), follow=True)
    assert "已批准" in response.content.decode()
    assert User.objects.get(username="mole").is_active
    assert client.post(reverse("accounts:request_reject", args=[request.pk])).status_code == 404


def test_a_role_change_to_staff_waits_for_approval(world: Any) -> None:
    services.update_user(
        actor=world.system_admin,
        user=world.deputy,
        name=world.deputy.name,
        role=Role.STAFF,
        organization=None,
        mobile=world.deputy.mobile,
        email="",
    )
    world.deputy.refresh_from_db()
    assert world.deputy.role == Role.DEPUTY
    assert AccountRequest.objects.filter(user=world.deputy, status="pending", role=Role.STAFF)


def test_the_mobile_cannot_be_redirected_to_receive_a_reset(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Otherwise the administrator could put his own number on the account, then reset."""
    original = world.deputy.mobile
    services.update_user(
        actor=world.system_admin,
        user=world.deputy,
        name=world.deputy.name,
        role=world.deputy.role,
        organization=None,
        mobile="13600006666",
        email="",
    )
    world.deputy.refresh_from_db()
    assert world.deputy.mobile == original
    ConsoleSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_password(actor=world.system_admin, user=world.deputy)
    assert [mobile for mobile, _ in ConsoleSMSBackend.sent] == [original]


def test_a_second_request_waits_for_the_first(world: Any) -> None:
    request = ask_for_staff(world)
    with pytest.raises(ValidationError, match="待安全管理员审批"):
        services.set_user_active(actor=world.system_admin, user=request.user, is_active=True)
