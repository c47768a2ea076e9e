"""`manage.py demo_totp <username>`: the current 6-digit code of a demo account's TOTP device,
for a newcomer without an authenticator app. Works only for devices holding the published
demo key, and only with DEBUG on unless --force is given."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True, key=demo_data.DEMO_TOTP_KEY_HEX
        ).first()
        if device is None:
            raise CommandError(f"账号 {username} 没有使用演示密钥的动态口令设备。")
        now = time.time()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        remaining = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        self.stderr.write(f"（{remaining} 秒内有效；同一验证码只能使用一次）")
