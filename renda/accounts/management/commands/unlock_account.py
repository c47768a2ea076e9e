"""Unlock an account locked by repeated failed log-ins, from the server (the security
administrator's page does the same). Unlike django-axes' own `axes_reset_username`, this
records the unlock in the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.accounts import services


class Command(BaseCommand):
    help = "解除账号的登录锁定（记入审计日志）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="要解锁的账号")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            removed = services.unlock_account(actor=None, username=options["username"])
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        if removed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已解锁账号 {options['username']}（清除 {removed} 条失败记录）。"
                )
            )
        else:
            self.stdout.write(f"账号 {options['username']} 没有登录失败记录。")
