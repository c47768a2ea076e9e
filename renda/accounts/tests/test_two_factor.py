"""TOTP two-factor log in (等保 身份鉴别 d): required for staff, SC members and the three
administrators; enrolment with a QR code; verification after the password; throttling."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renda.accounts import services
from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.conftest import login
from renda.core.models import AuditEvent
from renda.core.roles import STRICT_ROLES, Role

from .support import new_user, post_login, totp_token, wrong_token


def verify(client: Client, token: str, query: str = "") -> Any:
    return client.post(reverse("accounts:otp_verify") + query, {"token": token})


def test_the_strict_roles_are_staff_sc_members_and_the_three_admins() -> None:
    assert {
        Role.STAFF,
        Role.SC_MEMBER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    } == STRICT_ROLES


@pytest.mark.parametrize("role", sorted(STRICT_ROLES))
def test_a_strict_user_without_a_device_is_sent_to_enrol(world: Any, role: str) -> None:
    new_user(role, "xinren")
    client = Client()
    assert post_login(client, "xinren").status_code == 302
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("core:inbox"))["Location"].startswith(reverse("accounts:otp_setup"))


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(world: Any) -> None:
    user = new_user(Role.STAFF, "xinren")
    client = Client()
    post_login(client, "xinren")
    page = client.get(reverse("accounts:otp_setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "须绑定手机验证器" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    bad = client.post(reverse("accounts:otp_setup"), {"token": wrong_token(device)})
    assert "验证码不正确" in bad.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # the failure above slowed the next try down

    done = client.post(reverse("accounts:otp_setup"), {"token": totp_token(device)})
    assert done.status_code == 302 and done["Location"] == reverse("core:workbench")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:workbench")).status_code == 200
    assert AuditEvent.objects.filter(
        action="otp.enrol_confirm", outcome="success", actor=user
    ).exists()


def test_a_code_must_be_six_digits(world: Any) -> None:
    new_user(Role.STAFF, "xinren")
    client = Client()
    post_login(client, "xinren")
    client.get(reverse("accounts:otp_setup"))
    html = client.post(reverse("accounts:otp_setup"), {"token": "12a456"}).content.decode()
    assert "验证码应为 6 位数字。" in html


def test_a_user_with_a_device_must_enter_a_code_after_the_password(world: Any) -> None:
    device = TOTPDevice.objects.get(user=world.staff)
    client = Client()
    post_login(client, "staff")
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_verify")

    wrong = verify(client, wrong_token(device))
    assert wrong.status_code == 200 and "验证码不正确或已过期" in wrong.content.decode()
    assert client.get(reverse("core:workbench")).status_code == 302
    assert AuditEvent.objects.filter(
        action="otp.verify", outcome="failure", actor=world.staff
    ).exists()

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    right = verify(client, totp_token(device))
    assert right.status_code == 302 and right["Location"] == reverse("core:workbench")
    assert client.get(reverse("core:workbench")).status_code == 200
    assert AuditEvent.objects.filter(
        action="otp.verify", outcome="success", actor=world.staff
    ).exists()


def test_failed_codes_slow_the_next_attempt_down(world: Any) -> None:
    device = TOTPDevice.objects.get(user=world.staff)
    client = Client()
    post_login(client, "staff")
    verify(client, wrong_token(device))
    verify(client, wrong_token(device))  # refused outright: too soon after the first failure
    throttled = verify(client, totp_token(device))
    assert "秒后再试" in throttled.content.decode()
    assert client.get(reverse("core:workbench")).status_code == 302
    # Once the wait is over, the right code works.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= dt.timedelta(minutes=5)
    device.save()
    assert verify(client, totp_token(device))["Location"] == reverse("core:workbench")


def test_a_code_cannot_be_used_twice(world: Any) -> None:
    device = TOTPDevice.objects.get(user=world.staff)
    first, second = Client(), Client()
    post_login(first, "staff")
    post_login(second, "staff")
    token = totp_token(device)
    assert verify(first, token).status_code == 302
    assert verify(second, token).status_code == 200


def test_verification_returns_to_a_local_page_only(world: Any) -> None:
    device = TOTPDevice.objects.get(user=world.staff)
    client = Client()
    post_login(client, "staff")
    response = client.get(reverse("deputies:list"))
    assert response["Location"] == reverse("accounts:otp_verify") + "?next=%2Fdeputies%2F"
    assert verify(client, totp_token(device), "?next=%2Fdeputies%2F")["Location"] == "/deputies/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http://testserver.evil/"]
)
def test_verification_never_redirects_to_another_site(world: Any, target: str) -> None:
    device = TOTPDevice.objects.get(user=world.staff)
    client = Client()
    post_login(client, "staff")
    response = client.post(
        reverse("accounts:otp_verify"), {"token": totp_token(device), "next": target}
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")


def test_an_unverified_user_cannot_swap_the_device(world: Any) -> None:
    # With only the password, nobody may enrol a new device in place of the owner's.
    client = Client()
    post_login(client, "staff")
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:otp_verify")
    )
    assert not TOTPDevice.objects.filter(user=world.staff, confirmed=False).exists()


@pytest.mark.parametrize("persona", ["deputy", "handling_officer", "data_provider", "nominee"])
def test_other_roles_do_not_need_a_second_factor(world: Any, persona: str) -> None:
    client = Client()
    post_login(client, persona)
    assert client.get(reverse("core:workbench")).status_code == 200


def test_a_deputy_who_enrolled_a_device_must_use_it(world: Any) -> None:
    device = services.start_totp_enrolment(actor=world.deputy)
    assert services.confirm_totp_enrolment(
        actor=world.deputy, device=device, token=totp_token(device)
    )
    client = Client()
    post_login(client, "deputy")
    assert client.get(reverse("core:workbench"))["Location"] == reverse("accounts:otp_verify")


def test_a_verified_user_may_replace_the_device(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    old = TOTPDevice.objects.get(user=world.staff, confirmed=True)
    page = client.get(reverse("accounts:otp_setup"))
    assert "原验证器失效" in page.content.decode()
    new = TOTPDevice.objects.get(user=world.staff, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"token": totp_token(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=world.staff).values_list("pk", flat=True)) == [
        new.pk
    ]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_the_conftest_login_helper_passes_the_gate(world: Any) -> None:
    # The shared fixture must model a real log in, or every staff test would test the gate.
    client = login(Client(), world.sc_member)
    assert client.get(reverse("core:workbench")).status_code == 200
