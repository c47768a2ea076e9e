"""`python manage.py refresh_budget_summaries`: rebuild every year's payment summaries (after a
restore, or when data were written outside the importer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.budget.services.summaries import refresh_all


class Command(BaseCommand):
    help = "重建预算支付汇总表"

    def handle(self, *args: Any, **options: Any) -> None:
        refresh_all()
        self.stdout.write("支付汇总已重建。")
