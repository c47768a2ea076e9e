"""The year's other files: carry-overs, revenue budget and receipts, debt, major projects,
state-owned enterprises and statistics."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from renda.budget.demo.synthetic.base import GeneratorBase
from renda.budget.demo.synthetic.tables import CENT, PROJECT_NAMES, chinese_number, money


class FiguresMixin(GeneratorBase):
    def carryovers(self) -> list[list[str]]:
        rows = []
        for n, ind in enumerate(
            i for i in self.indicators if i.kind == "年初预算" and i.cat in ("goods", "capital")
        ):
            if self.rng.random() < 0.1:
                approved = ind.amount * Decimal("0.8")
                rows.append(
                    [
                        str(self.year),
                        self.scale.region_code,
                        ind.unit.code,
                        ind.unit.name,
                        f"{self.year - 1}{self.scale.region_code}{n:07d}",
                        "",
                        ind.unit.func,
                        ind.fund,
                        f"{approved:.2f}",
                        f"{approved * Decimal(self.rng.uniform(0.02, 0.15)):.2f}",
                    ]
                )
        return rows

    def revenue(self) -> tuple[list[list[str]], list[list[str]]]:
        spending = sum((i.amount for i in self.indicators), Decimal(0))
        own = float(spending) * 0.42  # own revenue covers part of spending; transfers do the rest
        shares = {
            "10101": 0.30,
            "10104": 0.10,
            "10106": 0.04,
            "10107": 0.06,
            "10109": 0.06,
            "10110": 0.04,
            "10111": 0.02,
            "10112": 0.03,
            "10113": 0.03,
            "10119": 0.05,
            "10121": 0.01,
            "10302": 0.07,
            "10304": 0.05,
            "10305": 0.05,
            "10307": 0.15,
            # 国有资本经营收入 and 社会保险基金收入 fund the other two budgets.
            "10306": 0.05,
            "102": 0.29,
        }
        budget_rows, receipts = [], []
        seq = 0
        for code, share in shares.items():
            amount = money(own * share)
            fund = {"10307": "2", "10306": "3", "102": "4"}.get(code, "1")
            budget_rows.append(
                [str(self.year), self.scale.region_code, code, fund, f"{amount:.2f}"]
            )
            frac = self.rng.uniform(0.95, 1.02)
            if self.anomalies and code == "10119":
                frac = 0.55
                self.note("B10", "warning", "revenue_class", code, "契税年末入库约为预算的 55%")
            collector = "税务" if code.startswith("101") else "财政"
            count = max(12, int(self.target / 400 * share))
            for month in range(1, self.as_of.month + 1):
                n = max(1, round(count / 12))
                month_total = Decimal(float(amount) * frac / 12).quantize(CENT)
                for value in self.amounts(month_total, n, Decimal(10**12)):
                    seq += 1
                    receipts.append(
                        [
                            f"RK{self.scale.region_code}{self.year}{seq:07d}",
                            str(self.year),
                            self.scale.region_code,
                            self.workday(month).isoformat(),
                            code,
                            collector,
                            f"{value:.2f}",
                        ]
                    )
        receipts.sort(key=lambda r: r[3])
        return budget_rows, receipts

    def debt(self) -> list[list[str]]:
        # Debt is measured against the general and fund budgets (not the pension fund).
        spending = float(
            sum((i.amount for i in self.indicators if i.fund in ("1", "2")), Decimal(0))
        )
        general, special = spending * 0.4, spending * 0.5
        ratio = 2.1 if self.anomalies else 0.85
        capacity = (general + special) * 1.03 / ratio
        if self.anomalies:
            self.note("B14", "warning", "region", self.scale.region_code, "债务率约 210%")
        rows = []
        for month in range(1, self.as_of.month + 1):
            growth = 1 + 0.0025 * month
            rows.append(
                [
                    str(self.year),
                    self.scale.region_code,
                    str(month),
                    f"{general * growth:.2f}",
                    f"{general * 1.12:.2f}",
                    f"{special * growth:.2f}",
                    f"{special * 1.1:.2f}",
                    f"{capacity:.2f}",
                ]
            )
        return rows

    def projects(self) -> list[list[str]]:
        names = PROJECT_NAMES
        rows = []
        for n in range(self.scale.projects):
            name = names[n % len(names)] + (
                f"（{chinese_number(n // len(names) + 1)}期）" if n >= len(names) else ""
            )
            code = f"ZD{self.year}{n + 1:03d}"
            total = Decimal(self.rng.randint(50, 500) * 1_000_000)
            plan = (total * Decimal(self.rng.uniform(0.2, 0.4))).quantize(Decimal(1))
            before = (total * Decimal(self.rng.uniform(0, 0.3))).quantize(Decimal(1))
            final = self.rng.uniform(0.92, 1.0)
            if self.anomalies and n in (0, 1):
                final = 0.35 if n == 0 else 0.7
                self.note(
                    "B15",
                    "severe" if n == 0 else "warning",
                    "project",
                    code,
                    f"{self.prefix}{name} 年度完成投资约为计划的 {final:.0%}",
                )
            for month in (3, 6, 9, 12):
                report = dt.date(self.year, month, calendar.monthrange(self.year, month)[1])
                if report > self.as_of:
                    break
                done = (plan * Decimal(final * month / 12)).quantize(CENT)
                rows.append(
                    [
                        str(self.year),
                        self.scale.region_code,
                        code,
                        f"{self.prefix}{name}",
                        f"{self.prefix}城市建设投资集团有限公司",
                        f"{total:.2f}",
                        f"{plan:.2f}",
                        report.isoformat(),
                        f"{before + done:.2f}",
                        f"{done:.2f}",
                        f"{min(100, float((before + done) / total * 100)):.1f}",
                        "按计划推进" if final > 0.9 else "征地拆迁进度滞后",
                    ]
                )
        return rows

    def enterprises(self) -> list[list[str]]:
        names = (
            "城市建设投资集团有限公司",
            "交通建设投资有限公司",
            "国有资产经营有限公司",
            "水务投资有限公司",
            "工业园区开发建设有限公司",
            "文化旅游投资有限公司",
            "农业发展投资有限公司",
            "公共交通有限公司",
        )
        rows = []
        for n in range(self.scale.enterprises):
            name = f"{self.prefix}{names[n % len(names)]}" + (
                f"{n // len(names) + 1}" if n >= len(names) else ""
            )
            code = f"91{self.scale.region_code}MA4L{n:06d}"[:18]
            assets = Decimal(self.rng.randint(5, 80) * 100_000_000)
            for month in (3, 6, 9, 12):
                if dt.date(self.year, month, 28) > self.as_of:
                    break
                liabilities = (assets * Decimal(self.rng.uniform(0.45, 0.7))).quantize(CENT)
                revenue = (assets * Decimal(0.06 * month / 12)).quantize(CENT)
                profit = (revenue * Decimal(self.rng.uniform(-0.05, 0.12))).quantize(CENT)
                rows.append(
                    [
                        str(self.year),
                        self.scale.region_code,
                        code,
                        name,
                        str(month),
                        f"{assets:.2f}",
                        f"{liabilities:.2f}",
                        f"{assets - liabilities:.2f}",
                        f"{revenue:.2f}",
                        f"{profit:.2f}",
                        f"{max(Decimal(0), profit * Decimal('0.2')):.2f}",
                    ]
                )
        return rows

    def statistics(self) -> list[list[str]]:
        gdp = {"county": 3_100_000, "city": 19_000_000, "province": 520_000_000}[self.scale.name]
        rows = []
        for quarter in range(1, 5):
            if dt.date(self.year, quarter * 3, 28) > self.as_of:
                break
            period = f"{self.year}Q{quarter}"
            rows += [
                [
                    self.scale.region_code,
                    "地区生产总值",
                    period,
                    f"{gdp * quarter / 4 * self.rng.uniform(0.97, 1.03):.0f}",
                    "万元",
                ],
                [
                    self.scale.region_code,
                    "地区生产总值增速",
                    period,
                    f"{self.rng.uniform(4.2, 6.1):.1f}",
                    "%",
                ],
                [
                    self.scale.region_code,
                    "固定资产投资增速",
                    period,
                    f"{self.rng.uniform(-3, 8):.1f}",
                    "%",
                ],
                [
                    self.scale.region_code,
                    "社会消费品零售总额",
                    period,
                    f"{gdp * 0.38 * quarter / 4:.0f}",
                    "万元",
                ],
                [
                    self.scale.region_code,
                    "居民消费价格指数",
                    period,
                    f"{self.rng.uniform(99.5, 102.2):.1f}",
                    "上年=100",
                ],
            ]
        rows.append(
            [
                self.scale.region_code,
                "常住人口",
                str(self.year),
                {"county": "33.6", "city": "373.0", "province": "6568.0"}[self.scale.name],
                "万人",
            ]
        )
        return rows
