"""Helpers shared by the accounts tests (not collected: the name does not start with test_)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from renda.accounts import services
from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.accounts.models import User
from renda.conftest import PASSWORD


def totp_token(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def wrong_token(device: TOTPDevice) -> str:
    return f"{(int(totp_token(device)) + 500_000) % 1_000_000:06d}"


def post_login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def new_user(
    role: str, username: str, *, must_change_password: bool = False, **fields: Any
) -> User:
    return services.create_user(
        actor=None,
        username=username,
        name=fields.pop("name", f"测试{username}"),
        role=role,
        password=PASSWORD,
        must_change_password=must_change_password,
        **fields,
    )


def logged_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
