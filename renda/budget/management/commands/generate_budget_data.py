"""`python manage.py generate_budget_data --scale county --year 2025 --out DIR`: synthetic
fiscal data in the import formats, with planted anomalies listed in DIR/manifest.json."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from renda.budget.demo.synthetic import SCALES, generate


class Command(BaseCommand):
    help = "生成预算联网监督的模拟数据（含预置的异常，见 manifest.json）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument("--year", type=int, default=timezone.localdate().year)
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--payments", type=int, help="支付凭证条数（默认按规模）")
        parser.add_argument("--seed", type=int, default=20250101)
        parser.add_argument("--clean", action="store_true", help="不预置异常（用于检验规则不误报）")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="数据截止日期（默认年末）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        manifest = generate(
            out=Path(options["out"]),
            scale=options["scale"],
            year=options["year"],
            payments=options.get("payments"),
            seed=options["seed"],
            anomalies=not options["clean"],
            as_of=options.get("as_of"),
        )
        counts = "，".join(f"{kind} {n}" for kind, n in manifest["counts"].items())
        self.stdout.write(
            f"已生成 {manifest['region_name']} {manifest['year']} 年数据（{time.monotonic() - started:.1f} 秒）：{counts}"
        )
        self.stdout.write(
            f"预置异常 {len(manifest['anomalies'])} 处，见 {Path(options['out']) / 'manifest.json'}"
        )
