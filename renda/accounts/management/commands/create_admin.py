"""Create one of the three administrators (三员). There is no default administrator account
and no page can create one: an operator on the server runs

    python manage.py create_admin --role security_admin --username aqgly --name 李四

The password comes from --password-file, else the RENDA_ADMIN_PASSWORD environment variable,
else a prompt (typed twice, not echoed). It must meet the password policy, and the new
administrator must change it at first log in and enrol a TOTP device.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.accounts import services
from renda.accounts.models import User
from renda.core.roles import ADMIN_ROLES, Role

PASSWORD_ENV = "RENDA_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "创建系统管理员、安全管理员或审计管理员账号（三员）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--role",
            required=True,
            choices=sorted(str(r.value) for r in ADMIN_ROLES),
            help="system_admin（系统管理员）、security_admin（安全管理员）或 audit_admin（审计管理员）",
        )
        parser.add_argument("--username", required=True, help="登录账号")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--mobile", default="", help="手机号（可选）")
        parser.add_argument(
            "--password-file",
            type=Path,
            help=f"从文件读取口令（第一行）；不给出时读环境变量 {PASSWORD_ENV}，再不然提示输入",
        )

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_file"] is not None:
            try:
                lines = options["password_file"].read_text(encoding="utf-8").splitlines()
            except OSError as error:
                raise CommandError(f"无法读取口令文件：{error}") from error
            return lines[0] if lines else ""
        if os.environ.get(PASSWORD_ENV):
            return os.environ[PASSWORD_ENV]
        if not options.get("interactive", True):
            raise CommandError(f"请用 --password-file 或环境变量 {PASSWORD_ENV} 提供口令。")
        first = getpass.getpass("口令：")
        second = getpass.getpass("再次输入口令：")
        if first != second:
            raise CommandError("两次输入的口令不一致。")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"账号 {username} 已存在。")
        password = self._password(options)
        try:
            user = services.create_first_admin(
                username=username,
                name=options["name"],
                password=password,
                role=options["role"],
                mobile=options["mobile"],
            )
        except ValidationError as error:
            raise CommandError("未创建账号：" + "；".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建{Role(user.role).label} {user.username}（{user.name}）。"
                "首次登录须修改口令并绑定手机验证器。"
            )
        )
