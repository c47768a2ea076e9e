"""One-time backup codes (django-otp static tokens) for a lost phone."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from renda.accounts import services
from renda.core.models import AuditEvent

from .support import post_login


def test_it_shows_ten_new_codes_once(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = client.post(reverse("accounts:backup_codes"))
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "只显示这一次" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert sorted(
        StaticToken.objects.filter(device__user=world.staff).values_list("token", flat=True)
    ) == sorted(codes)
    again = client.get(reverse("accounts:backup_codes"))
    assert again.context["codes"] == [] and again.context["remaining"] == 10
    assert AuditEvent.objects.filter(action="otp.backup_codes", actor=world.staff).exists()


def test_new_codes_replace_the_old_ones(world: Any) -> None:
    first = services.generate_backup_codes(actor=world.staff)
    second = services.generate_backup_codes(actor=world.staff)
    assert StaticDevice.objects.filter(user=world.staff).count() == 1
    assert not StaticToken.objects.filter(token__in=set(first) - set(second)).exists()


def test_a_backup_code_passes_the_second_step_once(world: Any) -> None:
    code = services.generate_backup_codes(actor=world.staff)[0]
    client = Client()
    post_login(client, "staff")
    response = client.post(reverse("accounts:otp_verify"), {"token": code.upper()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:workbench")
    assert "还剩 9 个" in response.content.decode()
    other = Client()
    post_login(other, "staff")
    StaticDevice.objects.filter(user=world.staff).update(throttling_failure_count=0)
    assert other.post(reverse("accounts:otp_verify"), {"token": code}).status_code == 200


def test_a_user_without_an_authenticator_cannot_make_codes(world: Any, client_for: Any) -> None:
    client = client_for("deputy")
    assert "请先" in client.get(reverse("accounts:backup_codes")).content.decode()
    response = client.post(reverse("accounts:backup_codes"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp_setup")
    assert not StaticDevice.objects.filter(user=world.deputy).exists()


def test_a_malformed_code_gets_a_chinese_message(world: Any) -> None:
    client = Client()
    post_login(client, "staff")
    html = client.post(reverse("accounts:otp_verify"), {"token": "abc"}).content.decode()
    assert "请输入 6 位数字动态验证码，或 8 位备用验证码。" in html
