"""The security administrator resets a user's two-factor authentication (a lost phone)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from renda.accounts import services
from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.core.models import AuditEvent

from .support import post_login


def test_the_user_must_enrol_again_after_a_reset(world: Any, client_for: Any) -> None:
    services.generate_backup_codes(actor=world.staff)
    response = client_for("security_admin").post(
        reverse("accounts:two_factor_reset", args=[world.staff.pk]), follow=True
    )
    assert "已重置 测试staff（staff）的双因素认证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.staff).exists()
    assert not StaticDevice.objects.filter(user=world.staff).exists()
    event = AuditEvent.objects.get(action="otp.reset")
    assert event.actor == world.security_admin and event.target_id == str(world.staff.pk)
    client = Client()
    post_login(client, "staff")
    assert client.get(reverse("core:workbench"))["Location"] == reverse("accounts:otp_setup")


def test_it_works_for_the_other_administrators_too(world: Any) -> None:
    assert services.reset_two_factor(actor=world.security_admin, user=world.audit_admin) == 1
    assert not TOTPDevice.objects.filter(user=world.audit_admin).exists()


def test_the_security_admin_cannot_reset_their_own(world: Any, client_for: Any) -> None:
    with pytest.raises(ValidationError):
        services.reset_two_factor(actor=world.security_admin, user=world.security_admin)
    response = client_for("security_admin").post(
        reverse("accounts:two_factor_reset", args=[world.security_admin.pk]), follow=True
    )
    assert "不能重置自己的双因素认证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.security_admin).exists()


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "staff"])
def test_nobody_else_can_reset(world: Any, client_for: Any, persona: str) -> None:
    assert (
        client_for(persona)
        .post(reverse("accounts:two_factor_reset", args=[world.sc_member.pk]))
        .status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.reset_two_factor(actor=world.users[persona], user=world.sc_member)
    assert TOTPDevice.objects.filter(user=world.sc_member).exists()
    assert not AuditEvent.objects.filter(action="otp.reset").exists()


def test_the_list_shows_who_has_enrolled(world: Any, client_for: Any) -> None:
    response = client_for("security_admin").get(reverse("accounts:two_factor_list"))
    rows = {u.username: u for u in response.context["page"]}
    assert rows["staff"].has_totp and not rows["deputy"].has_totp
    assert "已绑定" in response.content.decode()


def test_the_list_searches_by_mobile_without_putting_it_in_the_address(
    world: Any, client_for: Any
) -> None:
    client = client_for("security_admin")
    response = client.post(reverse("accounts:two_factor_list"), {"q": world.deputy.mobile})
    assert response.status_code == 302 and world.deputy.mobile not in response["Location"]
    page = client.get(response["Location"])
    assert [u.username for u in page.context["page"]] == ["deputy"]


def test_the_list_reads_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(40):
        services.create_user(actor=None, username=f"user{i}", name=f"用户{i}", role="deputy")
    client = client_for("security_admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:two_factor_list"))
    assert len(response.context["page"]) == 49
