"""`python manage.py import_budget KIND FILE`: import one budget data file (xlsx or csv in
UTF-8 or GB18030), print the outcome, exit non-zero when the file is rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from renda.accounts.models import User
from renda.budget.ingest.kinds import KINDS
from renda.budget.ingest.values import MAX_ERRORS
from renda.budget.services.batches import import_path
from renda.core.models import ImportBatch
from renda.core.roles import Role


class Command(BaseCommand):
    help = "导入预算数据文件（类型：" + "、".join(KINDS) + "）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="数据类型")
        parser.add_argument("file", help="xlsx 或 csv 文件")
        parser.add_argument(
            "--user", help="记为导入人的账号（默认：第一个在用的数据报送或机关工作人员账号）"
        )
        parser.add_argument("--year", type=int, help="只接受该预算年度的数据")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = self._actor(options.get("user"))
        try:
            batch = import_path(
                actor=actor, kind=options["kind"], path=path, expected_year=options.get("year")
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except DatabaseError as exc:  # the database went away (a restart): nothing was written
            raise CommandError(
                f"数据库连接中断，文件未导入，没有写入任何数据（{exc.__class__.__name__}：{str(exc).strip()[:200]}）。"
                "请在数据库恢复后重新运行同一命令"
            ) from exc
        summary = batch.summary
        self.stdout.write(
            f"批次 #{batch.pk}（{KINDS[options['kind']].title}）：{batch.get_status_display()}；"
            f"共 {summary.get('rows', 0)} 行，新增 {summary.get('inserted', 0)}，修改 {summary.get('updated', 0)}，"
            f"未变 {summary.get('unchanged', 0)}，有错的行 {summary.get('rejected', 0)}"
        )
        if summary.get("message"):
            self.stdout.write(summary["message"])
        if summary.get("ignored_columns"):
            self.stdout.write("已忽略的列：" + "、".join(summary["ignored_columns"]))
        if batch.status not in (ImportBatch.Status.COMMITTED, ImportBatch.Status.DISCARDED):
            for error in batch.errors[:50]:
                self.stderr.write(error["text"])
            if summary.get("errors", 0) > 50:
                self.stderr.write(
                    f"……共列出 {summary['errors']} 处错误（最多 {MAX_ERRORS} 处），详见导入记录页面"
                )
            raise CommandError("文件未导入：没有写入任何数据")

    def _actor(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"账号 {username} 不存在或已停用") from None
        user = (
            User.objects.filter(is_active=True, role__in=[Role.DATA_PROVIDER, Role.STAFF])
            .order_by("id")
            .first()
        )
        if user is None:
            raise CommandError("请用 --user 指定导入人账号")
        return user
