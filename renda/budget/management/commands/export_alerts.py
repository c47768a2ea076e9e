"""`python manage.py export_alerts --format csv|json [--year Y] [--rule B01] [--level 3]
[--status open] [--output FILE]`: the alerts as records (rule, level, subject, period,
figures, status) for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import QuerySet

from renda.budget.models import Alert
from renda.budget.selectors.exports import filtered, records, write_csv


class Command(BaseCommand):
    help = "导出预警（CSV 或 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--year", type=int)
        parser.add_argument("--rule")
        parser.add_argument("--level", type=int, choices=[1, 2, 3])
        parser.add_argument("--status", choices=[s for s, _ in Alert.Status.choices])
        parser.add_argument("--period", help="YYYY-MM")
        parser.add_argument("--output", help="输出文件（默认：标准输出）")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = filtered(
            Alert.objects.all(),
            year=options.get("year"),
            rule=options.get("rule"),
            level=options.get("level"),
            status=options.get("status"),
            period=options.get("period"),
        )
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                self._write(qs, options["format"], out)
        else:
            self._write(qs, options["format"], sys.stdout)

    def _write(self, qs: QuerySet[Alert], fmt: str, out: TextIO) -> None:
        if fmt == "json":
            json.dump(list(records(qs)), out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            write_csv(records(qs), out)
