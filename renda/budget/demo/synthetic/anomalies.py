"""One or more planted cases of every rule, each listed in the manifest with the level the
rule should give it; each case uses a unit of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from renda.budget.demo.synthetic.base import Indicator, Row, Unit
from renda.budget.demo.synthetic.budgets import BudgetsMixin
from renda.budget.demo.synthetic.payments import PaymentsMixin
from renda.budget.demo.synthetic.tables import RUSH, money


class AnomaliesMixin(BudgetsMixin, PaymentsMixin):
    def unit_pool(self) -> Iterator[Unit]:
        """Subordinate units with a goods indicator, each used for one anomaly only."""
        candidates = [u for u in self.units if u.dept_code and "capital" not in u.categories]
        self.rng.shuffle(candidates)
        yield from candidates

    def indicator_of(self, unit: Unit, cat: str) -> Indicator:
        return next(
            i for i in self.indicators if i.unit is unit and i.cat == cat and i.kind == "年初预算"
        )

    def plant(self, indicator: Indicator, row: Row) -> None:
        """A planted payment inside an indicator that was given room for it (so that only
        the rule it is planted for fires)."""
        indicator.amount += money(float(row.amount) / 0.95)
        indicator.planted += row.amount
        self.planted_rows.append(row)

    def plant_anomalies(self) -> None:
        """One case (or two, for two levels) of every payment and indicator rule, in a fixed
        order: the order decides which unit and which random numbers each case gets."""
        pool = self.unit_pool()
        self._plant_b01_lagging(pool)
        self._plant_b02_overspent(pool)
        self._plant_b03_without_indicator(pool)
        self._plant_b04_year_end_rush(pool)
        self._plant_b05_labour_to_people(pool)
        self._plant_b06_large_payment()
        self._plant_b07_split_payments(pool)
        self._plant_b08_non_workdays(pool)
        self._plant_b09_three_public()
        self._plant_b11_suspicious_purposes(pool)
        self._plant_b12_paid_to_itself(pool)
        self._plant_b13_frequent_adjustments(pool)
        self._plant_b13_large_transfer_in(pool)
        self._plant_b16_round_amounts(pool)

    def _plant_b01_lagging(self, pool: Iterator[Unit]) -> None:
        lag_severe, lag_warning = next(pool), next(pool)
        for unit, frac, level in ((lag_severe, 0.55, "severe"), (lag_warning, 0.76, "warning")):
            for ind in self.indicators:
                if ind.unit is unit:
                    ind.frac = frac
            self.note("B01", level, "unit", unit.code, f"{unit.name} 年末支出进度约 {frac:.0%}")

    def _plant_b02_overspent(self, pool: Iterator[Unit]) -> None:
        over = self.indicator_of(next(pool), "goods")
        over.frac = 1.12
        self.note(
            "B02", "severe", "indicator", over.bgt_id, f"{over.unit.name} 指标支付约为指标数的 112%"
        )

    def _plant_b03_without_indicator(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        missing = (
            f"{self.year}{self.scale.region_code}9999999",
            f"{self.year}{self.scale.region_code}9999998",
        )
        for n, bgt in enumerate(("", "", "", *missing)):
            row = self.row(
                unit,
                None,
                "goods",
                self.workday(3 + n),
                Decimal(self.rng.randint(5000, 30000)) + Decimal("0.37"),
            )
            row.bgt_id = bgt
            row.note = ("B03", "severe", "无指标支付" if not bgt else "指标编号不存在")
            self.planted_rows.append(row)
            # keep the unit's totals in line
            goods.amount -= min(goods.amount * Decimal("0.5"), row.amount)

    def _plant_b04_year_end_rush(self, pool: Iterator[Unit]) -> None:
        rush = next(pool)
        for ind in self.indicators:
            if ind.unit is rush:
                ind.weights = RUSH
        self.note(
            "B04", "warning", "unit", rush.code, f"{rush.name} 11–12 月支出约占全年指标的 57%"
        )

    def _plant_b05_labour_to_people(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        for amount in (Decimal("28000.00"), Decimal("16500.00")):
            row = self.row(unit, goods, "labour", self.workday(5), amount)
            row.payee, row.account, row.payee_type = self.person(), self.account(True), "个人"
            row.dep, row.purpose = "30226", "劳务费"
            row.note = ("B05", "warning", f"向个人支付 {amount} 元（劳务费）")
            self.plant(goods, row)

    def _plant_b06_large_payment(self) -> None:
        capital = next(
            (i for i in self.indicators if i.cat == "capital" and i.amount > 3_000_000), None
        )
        if capital is None:
            capital = self.indicators[0]
        row = self.row(capital.unit, capital, "capital", self.workday(9), Decimal("6800000.00"))
        row.note = ("B06", "notice", "单笔支付 6,800,000.00 元")
        self.plant(capital, row)

    def _plant_b07_split_payments(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        payee, account = self.company("capital"), self.account(False)
        day = self.workday(6)
        for text in ("420000.00", "390000.00", "310000.00"):
            # Three consecutive working days: well inside the 7-day window of rule B07.
            row = self.row(unit, goods, "goods", day, Decimal(text))
            day += dt.timedelta(1)
            while not self.is_workday(day):
                day += dt.timedelta(1)
            row.payee, row.account, row.purpose = payee, account, "零星维修工程款"
            row.note = ("B07", "warning", f"7 天内向{payee}支付 3 笔共 1,120,000.00 元")
            self.plant(goods, row)

    def _plant_b08_non_workdays(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        sunday = next(
            d for d in self.holidays if d.month == 4 and d.weekday() == 6 and d <= self.as_of
        )
        national = dt.date(self.year, 10, 1)
        for day in (sunday, national):
            if day > self.as_of:
                continue
            row = self.row(
                unit, goods, "goods", day, Decimal(self.rng.randint(2000, 9000)) + Decimal("0.50")
            )
            row.note = ("B08", "notice", f"{day.isoformat()} 为非工作日")
            self.plant(goods, row)

    def _plant_b09_three_public(self) -> None:
        """Two departments (not from the pool): one spends 115 % of its 三公 budget, one 95 %."""
        for level, ratio in (("severe", 1.15), ("notice", 0.95)):
            unit = next(
                u
                for u in self.units
                if not u.dept_code and u.code not in {n["subject"] for n in self.manifest}
            )
            thr = [i for i in self.indicators if i.unit is unit and i.thr]
            for ind in thr:
                ind.frac = 0.95
            if ratio > 1:
                limit = sum((i.amount for i in thr), Decimal(0))
                goods = self.indicator_of(unit, "goods")
                extra = money(float(limit) * (ratio - 0.95))
                row = self.row(unit, goods, "reception", self.workday(11), extra)
                row.thr = "公务接待"
                row.note = None
                self.plant(goods, row)
            self.note(
                "B09", level, "unit", unit.code, f"{unit.name} 三公经费支出约为预算的 {ratio:.0%}"
            )

    def _plant_b11_suspicious_purposes(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        purposes = {"购物卡": "购买节日购物卡", "礼品": "节日礼品采购", "旅游": "组织职工旅游费用"}
        for word, purpose in purposes.items():
            row = self.row(
                unit,
                goods,
                "goods",
                self.workday(self.rng.randint(1, 11)),
                Decimal(self.rng.randint(3000, 40000)) + Decimal("0.20"),
            )
            row.purpose = purpose
            row.note = ("B11", "warning", f"用途含「{word}」")
            self.plant(goods, row)

    def _plant_b12_paid_to_itself(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        row = self.row(unit, goods, "goods", self.workday(7), Decimal("86000.00"))
        row.payee, row.purpose = unit.name, "往来款划转"
        row.note = ("B12", "warning", "收款人为付款单位本身")
        self.plant(goods, row)

    def _plant_b13_frequent_adjustments(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods, wages = self.indicator_of(unit, "goods"), self.indicator_of(unit, "wages")
        for n in range(7):
            self.add_adjustment(
                goods, wages, money(float(goods.amount) * 0.004), when=self.workday(2 + n)
            )
        self.note("B13", "notice", "unit", unit.code, f"{unit.name} 全年调剂 7 次")

    def _plant_b13_large_transfer_in(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        initial = sum(
            (i.amount for i in self.indicators if i.unit is unit and i.kind == "年初预算"),
            Decimal(0),
        )
        self.add_adjustment(None, goods, money(float(initial) * 0.3), when=self.workday(5))
        self.note("B13", "warning", "unit", unit.code, f"{unit.name} 调入资金约为年初指标的 30%")

    def _plant_b16_round_amounts(self, pool: Iterator[Unit]) -> None:
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        for name, text in (
            (f"{self.prefix}万家福超市有限公司", "3000.00"),
            ("湖南华联百货商场有限公司", "5800.00"),
        ):
            row = self.row(
                unit, goods, "goods", self.workday(self.rng.randint(2, 11)), Decimal(text)
            )
            row.payee, row.purpose = name, "慰问物资采购"
            row.note = ("B16", "notice", f"整数金额 {text} 元付给{name}")
            self.plant(goods, row)
