"""manage.py archive_audit --before YYYY-MM-DD: move audit rows older than that date (at
least 180 days ago) into the archive tables, keeping the chain verifiable
(core/backup/archive.py). Run it with the database owner's DATABASE_URL: the application's
role may not delete from the audit log (docs/deploy.md §2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.core import audit
from renda.core.backup import archive


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from error


class Command(BaseCommand):
    help = "归档早于某日（至少 180 天前）的审计日志，归档后日志链仍可校验。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", type=_date, required=True, help="归档此日之前的记录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = archive.archive_audit(actor=None, before=options["before"])
        except archive.ArchiveError as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(result.message)
        report = audit.verify_chain()
        if not report.ok:
            raise CommandError(
                f"归档后校验失败：第 {report.broken_id} 号（{report.reason}）", returncode=1
            )
        self.stdout.write(f"归档后审计日志链完整：已校验 {report.checked} 条。")
