"""`python manage.py run_budget_rules --year YYYY [--as-of YYYY-MM-DD] [--region CODE]
[--rule B01 …]`: evaluate the supervision rules and bring the alerts up to date; prints each
rule's outcome and exits non-zero when a rule failed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.budget.models import FinanceRegion, Payment, RuleRun
from renda.budget.services.engine import run_rules


class Command(BaseCommand):
    help = "运行预算监督预警规则"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="预算年度")
        parser.add_argument(
            "--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认：数据的最后支付日）"
        )
        parser.add_argument("--region", help="财政区划代码（默认：该年度有数据的全部区划）")
        parser.add_argument("--rule", action="append", dest="rules", help="只运行这些规则，可重复")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"截至日期格式应为 YYYY-MM-DD：{options['as_of']}") from exc
        if options.get("region"):
            regions = list(FinanceRegion.objects.filter(code=options["region"]))
            if not regions:
                raise CommandError(f"没有财政区划 {options['region']}")
        else:
            ids = (
                Payment.objects.filter(year=year)
                .values_list("region_id", flat=True)
                .distinct()
                .order_by()
            )
            regions = list(FinanceRegion.objects.filter(pk__in=list(ids)))
            if not regions:
                raise CommandError(f"{year} 年度没有支付数据")
        failed = False
        for region in regions:
            try:
                run = run_rules(
                    actor=None,
                    region=region,
                    year=year,
                    as_of=as_of,
                    trigger=RuleRun.Trigger.COMMAND,
                    codes=[c.upper() for c in options.get("rules") or []] or None,
                )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            self.stdout.write(f"{region.name} {year} 截至 {run.as_of}：{run.get_status_display()}")
            for code, result in run.results.items():
                if result["status"] == "ok":
                    self.stdout.write(
                        f"  {code} 发现 {result['found']}，新增 {result['raised']}，升级 {result['escalated']}，"
                        f"消除 {result['cleared']}（{result['seconds']} 秒）"
                    )
                else:
                    failed = True
                    self.stderr.write(f"  {code} 失败：{result['error']}")
        if failed:
            raise CommandError("有规则运行失败，见上。")
