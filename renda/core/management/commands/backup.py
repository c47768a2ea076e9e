"""manage.py backup DIR [--keep-daily N --keep-monthly M]: write one backup directory under
DIR (core/backup/dump.py), then optionally prune older ones by the retention of docs/deploy.md
§8 (the newest of each of the last N days and of each of the last M months)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.core import audit
from renda.core.backup import dump


class Command(BaseCommand):
    help = "备份数据库、上传文件和审计日志检查点到 DIR 下的一个新目录；可按保留策略清理旧备份。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="存放备份的目录")
        parser.add_argument(
            "--keep-daily", type=int, default=None, help="保留最近 N 天每天最新的一份"
        )
        parser.add_argument(
            "--keep-monthly", type=int, default=None, help="保留最近 M 个月每月最新的一份"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["target"]
        daily, monthly = options["keep_daily"], options["keep_monthly"]
        if (daily is None) != (monthly is None) or min(daily or 0, monthly or 0) < 0:
            raise CommandError("--keep-daily 和 --keep-monthly 要一起给出，且不小于 0")
        try:
            result = dump.create_backup(target)
        except dump.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        cp = manifest["audit"]
        audit.record(
            actor=None,
            action="backup.create",
            username="manage.py backup",
            details={"backup": result.path.name, "audit_last_id": cp["last_id"]},
        )
        self.stdout.write(f"备份完成：{result.path}")
        for part, facts in manifest["parts"].items():
            self.stdout.write(f"  {part}  {facts['bytes']} 字节  SHA-256 {facts['sha256']}")
        self.stdout.write(
            f"  审计日志检查点：第 {cp['last_id']} 号，链值 {cp['chain']}，共 {cp['count']} 条"
        )
        if daily is not None and monthly is not None:
            removed = dump.prune(target, daily=daily, monthly=monthly)
            for path in removed:
                self.stdout.write(f"  按保留策略删除旧备份：{path.name}")
