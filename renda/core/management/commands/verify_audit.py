from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.core import audit


class Command(BaseCommand):
    help = "校验审计日志的 HMAC-SM3 链，报告第一条断裂的记录（退出码 1）。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit.verify_chain()
        if report.ok:
            self.stdout.write(f"审计日志链完整：已校验 {report.checked} 条。")
            return
        self.stderr.write(
            f"审计日志链断裂：第 {report.broken_id} 号记录校验失败（{report.reason}）；"
            f"此前 {report.checked} 条完好。"
        )
        raise SystemExit(1)
