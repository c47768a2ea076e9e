"""`manage.py demo_totp <username>`: the current 6-digit code of a demo account's TOTP device,
for a newcomer without an authenticator app. Works only for devices holding the published
demo key, and only with DEBUG on unless --force is given."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp import devices_for_user
from django_otp.oath import totp

from renda.core import demo_data


class Command(BaseCommand):
    help = "显示演示账号当前的 6 位动态验证码（仅限使用演示密钥的账号）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="演示账号，如 staff")
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时仍然显示")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG 未开启，拒绝显示动态验证码。确属演示环境请加 --force。")
        username = options["username"]
        # The keys are encrypted at rest, so the demo key is found by reading, not by a query;
        # django-otp finds the account's devices whatever model (app) holds them.
        user = get_user_model().objects.filter(username=username).first()
        devices = devices_for_user(user, confirmed=True) if user is not None else []
        device = next(
            (d for d in devices if getattr(d, "key", None) == demo_data.DEMO_TOTP_KEY_HEX), None
        )
        if device is None:
            raise CommandError(f"账号 {username} 没有使用演示密钥的动态口令设备。")
        now = time.time()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        remaining = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        self.stderr.write(f"（{remaining} 秒内有效；同一验证码只能使用一次）")
