"""The system administrator edits an account: role, unit and contact data; deactivates and
reactivates it; resets its password."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.core.roles import Role

from .support import logged_in_user_id, post_login


def edit_url(user: Any) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def test_it_changes_role_and_unit_and_records_what_changed(world: Any, client_for: Any) -> None:
    client = client_for("system_admin")
    page = client.get(edit_url(world.handling_officer))
    assert page.status_code == 200 and 'value="测试handling_officer"' in page.content.decode()
    response = client.post(
        edit_url(world.handling_officer),
        {
            "name": "测试handling_officer",
            "role": Role.DATA_PROVIDER,
            "organization": world.finance.pk,
            "mobile": world.handling_officer.mobile,
            "email": "",
        },
    )
    assert response.status_code == 302
    world.handling_officer.refresh_from_db()
    # Changed (issue 13 item 2): the unit changes at once, the role only when the security
    # administrator approves (it used to change at once too).
    assert (
        world.handling_officer.role == Role.HANDLING_OFFICER
        and world.handling_officer.organization == world.finance
    )
    event = AuditEvent.objects.get(action="user.update")
    assert event.actor == world.system_admin and event.details == {"changed": ["organization"]}
    from renda.accounts import services
    from renda.accounts.models import AccountRequest

    pending = AccountRequest.objects.get(user=world.handling_officer, status="pending")
    assert pending.kind == "change" and pending.role == Role.DATA_PROVIDER
    services.approve_request(actor=world.security_admin, request=pending)
    world.handling_officer.refresh_from_db()
    assert world.handling_officer.role == Role.DATA_PROVIDER
    approved = AuditEvent.objects.filter(action="user.update").latest("id")
    assert approved.actor == world.security_admin and approved.details["changed"] == ["role"]


def test_a_bad_edit_changes_nothing(world: Any, client_for: Any) -> None:
    response = client_for("system_admin").post(
        edit_url(world.deputy),
        {
            "name": "",
            "role": Role.DEPUTY,
            "organization": "",
            "mobile": world.staff.mobile,
            "email": "",
        },
    )
    assert response.status_code == 200
    world.deputy.refresh_from_db()
    assert world.deputy.name == "测试deputy"
    assert not AuditEvent.objects.filter(action="user.update").exists()
    assert "这个字段是必填项。" in response.content.decode()


def test_a_taken_mobile_is_refused_on_edit(world: Any, client_for: Any) -> None:
    html = (
        client_for("system_admin")
        .post(
            edit_url(world.deputy),
            {
                "name": "测试deputy",
                "role": Role.DEPUTY,
                "organization": "",
                "mobile": world.staff.mobile,
                "email": "",
            },
        )
        .content.decode()
    )
    assert "该手机号已被其他账号使用。" in html
    world.deputy.refresh_from_db()
    assert world.deputy.mobile != world.staff.mobile


def test_an_administrators_account_is_out_of_reach(world: Any, client_for: Any) -> None:
    client = client_for("system_admin")
    for admin in (world.audit_admin, world.security_admin, world.system_admin):
        assert client.get(edit_url(admin)).status_code == 404
        assert (
            client.post(
                reverse("accounts:user_set_active", args=[admin.pk]), {"active": "0"}
            ).status_code
            == 404
        )
        assert (
            client.post(reverse("accounts:user_reset_password", args=[admin.pk])).status_code == 404
        )
    world.audit_admin.refresh_from_db()
    assert world.audit_admin.is_active


def test_deactivate_and_reactivate(world: Any, client_for: Any) -> None:
    client = client_for("system_admin")
    url = reverse("accounts:user_set_active", args=[world.deputy.pk])
    response = client.post(url, {"active": "0"}, follow=True)
    assert "已停用账号 deputy" in response.content.decode()
    world.deputy.refresh_from_db()
    assert not world.deputy.is_active
    refused = Client()
    assert "该账号已停用" in post_login(refused, "deputy").content.decode()
    assert logged_in_user_id(refused) is None
    again = client.post(url, {"active": "0"}, follow=True)
    assert "该账号已经是停用状态。" in again.content.decode()
    # Changed (issue 13 item 2): re-activation is a request the security administrator
    # approves; it used to take effect at once.
    client.post(url, {"active": "1"})
    world.deputy.refresh_from_db()
    assert not world.deputy.is_active
    from renda.accounts import services
    from renda.accounts.models import AccountRequest

    pending = AccountRequest.objects.get(user=world.deputy, status="pending")
    services.approve_request(actor=world.security_admin, request=pending)
    world.deputy.refresh_from_db()
    assert world.deputy.is_active
    assert post_login(Client(), "deputy").status_code == 302
    assert [
        e.action
        for e in AuditEvent.objects.filter(
            action__in=["user.deactivate", "user.activate"]
        ).order_by("id")
    ] == [
        "user.deactivate",
        "user.activate",
    ]


def test_reset_password_sends_it_to_the_user_and_forces_a_change(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Changed (issue 13 item 2): the new password used to be rendered to the system
    # administrator; now it goes by SMS to the user's own mobile and the page shows none.
    from renda.core.notifications import ConsoleSMSBackend

    ConsoleSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("system_admin").post(
            reverse("accounts:user_reset_password", args=[world.deputy.pk]), follow=True
        )
    assert response.status_code == 200 and "新口令已以短信发至本人" in response.content.decode()
    ((mobile, text),) = ConsoleSMSBackend.sent
    assert mobile == world.deputy.mobile
    password = text.split("口令：", 1)[1].split("。", 1)[0]
    assert password not in response.content.decode()
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(password) and world.deputy.must_change_password
    assert post_login(Client(), "deputy").status_code == 200  # the old password no longer works
    client = Client()
    post_login(client, "deputy", password)
    assert client.get(reverse("core:workbench"))["Location"] == reverse("accounts:password_change")
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor == world.system_admin and password not in str(event.details)
    assert AuditEvent.objects.filter(action="user.credential_sent").exists()


def test_reset_password_needs_a_post(world: Any, client_for: Any) -> None:
    assert (
        client_for("system_admin")
        .get(reverse("accounts:user_reset_password", args=[world.deputy.pk]))
        .status_code
        == 405
    )
