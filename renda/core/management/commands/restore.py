"""manage.py restore BACKUP_DIR: restore a backup into the EMPTY database of DATABASE_URL and
an empty MEDIA_ROOT, then verify the audit chain up to the backup's checkpoint, the row counts
and the ballot boxes (core/backup/load.py). Exit status 1 on any refusal or mismatch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.core.backup import load


class Command(BaseCommand):
    help = "把 manage.py backup 的备份恢复到空数据库，并校验审计日志链、行数和票箱。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="备份目录（内有 manifest.json）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load.restore(options["backup"])
        except load.RestoreError as error:
            raise CommandError(f"拒绝恢复：{error}", returncode=1) from error
        for line in report.lines:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"恢复后的核对有 {len(report.problems)} 项不符，见上。", returncode=1
            )
        self.stdout.write("恢复完成，核对全部通过。")
