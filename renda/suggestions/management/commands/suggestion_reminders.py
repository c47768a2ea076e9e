"""`manage.py suggestion_reminders`: run the nightly deadline job now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.suggestions.services.reminders import run_reminders, summary


class Command(BaseCommand):
    help = "代表建议办理期限提醒、逾期标记与升级督办（每晚自动运行，也可手工运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(summary(run_reminders()))
