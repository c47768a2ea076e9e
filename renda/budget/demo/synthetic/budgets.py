"""Budget units, their indicators (with additions and reductions), adjustments between
indicators, and each indicator's net amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from renda.budget.demo.synthetic.base import GeneratorBase, Indicator, Unit
from renda.budget.demo.synthetic.tables import (
    DEPARTMENTS,
    FALLBACK_UNITS,
    SHARES,
    SIZE,
    chinese_number,
    money,
)


class BudgetsMixin(GeneratorBase):
    def build_units(self) -> None:
        """Every department (the county's own and one government per town) and its
        subordinate units, named from the department's templates."""
        towns = self.scale.towns or tuple(f"第{n}片区" for n in range(1, 41))
        departments: list[tuple[str, str, tuple[str, ...]]] = list(DEPARTMENTS)
        departments += [
            (
                f"{town}人民政府" if not town.endswith("街道") else f"{town}办事处",
                "2010301",
                ("{town}社会事务综合服务中心", "{town}农业综合服务站", "{town}中心学校"),
            )
            for town in towns
        ]
        per_dept = max(0, self.scale.units - len(departments)) / len(departments)
        used_names: set[str] = set()
        for code, (name, func, templates) in enumerate(departments, start=101):
            dept_code = f"{code:03d}"
            dept_name = name if name.endswith(("人民政府", "办事处")) else f"{self.prefix}{name}"
            used_names.add(dept_name)
            self.units.append(
                Unit(
                    dept_code,
                    dept_name,
                    "",
                    func,
                    self.rng.lognormvariate(1.2, 0.5),
                    ("wages", "goods", "labour", "reception", "vehicle"),
                )
            )
            count = int(per_dept) + (1 if self.rng.random() < per_dept - int(per_dept) else 0)
            own_town = name.removesuffix("人民政府").removesuffix("办事处")
            for n in range(1, count + 1):
                town = own_town if own_town != name else towns[(n * 7 + code) % len(towns)]
                unit_name = self._sub_unit_name(dept_name, templates, n, town, used_names)
                self.units.append(self._sub_unit(dept_code, func, n, unit_name))
        for unit in self.units:
            unit.payees = {}

    def _sub_unit_name(
        self, dept_name: str, templates: tuple[str, ...], n: int, town: str, used: set[str]
    ) -> str:
        """The n-th subordinate unit's name (from the templates, else a fallback after the
        department), numbered （二）, （三）… when taken; recorded in `used`."""
        template = templates[(n - 1) % len(templates)] if templates else ""
        if template and ("{n}" in template or "{town}" in template or n <= len(templates)):
            label = template.format(n=chinese_number(n), town=town)
            unit_name = label if "{town}" in template else f"{self.prefix}{label}"
        else:
            unit_name = f"{dept_name}{FALLBACK_UNITS[n % len(FALLBACK_UNITS)]}"
        base, k = unit_name, 1
        while unit_name in used:
            k += 1
            unit_name = f"{base}（{chinese_number(k)}）"
        used.add(unit_name)
        return unit_name

    def _sub_unit(self, dept_code: str, func: str, n: int, unit_name: str) -> Unit:
        cats = ["wages", "goods", "labour"]
        if func.startswith(("208", "213")) or "敬老院" in unit_name:
            cats.append("subsidy")
        if func.startswith(("212", "213", "214", "205", "210")) and self.rng.random() < 0.35:
            cats.append("capital")
        return Unit(
            f"{dept_code}{n:03d}",
            unit_name,
            dept_code,
            func,
            self.rng.lognormvariate(0.6, 0.6),
            tuple(cats),
        )

    def build_indicators(self) -> None:
        """Each unit's initial indicators, one per spending category, sized so that the year
        makes about the number of payments wanted; then additions and reductions."""
        # Budgets follow the number of payments wanted: first find how many payments one
        # 元 of budget makes, then scale the total.
        per_yuan = 0.0
        total_weight = sum(u.weight for u in self.units)
        for unit in self.units:
            for cat in unit.categories:
                per_yuan += unit.weight / total_weight * SHARES[cat] / SIZE[cat]
        total = self.target / per_yuan / 0.96
        for unit in self.units:
            budget = total * unit.weight / total_weight
            for cat in unit.categories:
                self.indicators.append(self._initial_indicator(unit, cat, budget))
        self._add_changes()

    def _initial_indicator(self, unit: Unit, cat: str, budget: float) -> Indicator:
        amount = money(budget * SHARES[cat] * self.rng.uniform(0.85, 1.15))
        if amount < 1000:
            amount = Decimal(1000)
        fund = "2" if cat == "capital" and unit.func.startswith(("212", "214")) else "1"
        thr = {"reception": "公务接待", "vehicle": "公务用车购置及运行"}.get(cat, "")
        project = ("", "")
        if cat == "capital":
            project = (
                f"XM{self.year}{len(self.indicators):05d}",
                f"{unit.name.removeprefix(self.prefix)}基础设施建设项目",
            )
        # 三公 stays well under the 90 % notice line of rule B09.
        frac = self.rng.uniform(0.6, 0.85) if thr else self.rng.uniform(0.93, 0.985)
        return Indicator(
            self.next_bgt_id(),
            unit,
            cat,
            fund,
            "年初预算",
            amount,
            thr,
            project=project,
            frac=frac,
        )

    def _add_changes(self) -> None:
        """Some units get an addition (追加) and some a reduction (调减) during the year."""
        for ind in list(self.indicators):
            if ind.cat == "goods" and self.rng.random() < 0.08:
                self.indicators.append(
                    Indicator(
                        self.next_bgt_id(),
                        ind.unit,
                        "goods",
                        "1",
                        "追加",
                        money(float(ind.amount) * 0.1),
                        frac=self.rng.uniform(0.93, 0.985),
                    )
                )
            elif ind.cat == "goods" and self.rng.random() < 0.05:
                self.indicators.append(
                    Indicator(
                        self.next_bgt_id(),
                        ind.unit,
                        "goods",
                        "1",
                        "调减",
                        money(float(ind.amount) * 0.03),
                        ori=ind.bgt_id,
                        frac=0,
                    )
                )

    def build_adjustments(self) -> None:
        goods = [i for i in self.indicators if i.cat == "goods" and i.kind == "年初预算"]
        wages = {i.unit.code: i for i in self.indicators if i.cat == "wages"}
        for ind in goods:
            if self.rng.random() < 0.15 and ind.unit.code in wages:
                self.add_adjustment(ind, wages[ind.unit.code], money(float(ind.amount) * 0.015))

    def add_adjustment(
        self,
        source: Indicator | None,
        target: Indicator,
        amount: Decimal,
        *,
        when: dt.date | None = None,
    ) -> str:
        number = f"TJ{self.year}{len(self.adjustments) + 1:05d}"
        day = when or self.workday(self.rng.randint(3, 10))
        self.adjustments.append(
            [
                number,
                str(self.year),
                self.scale.region_code,
                day.isoformat(),
                source.bgt_id if source else "",
                target.bgt_id,
                f"{amount:.2f}",
                f"{self.prefix[:3]}财预〔{self.year}〕{len(self.adjustments) + 10}号",
            ]
        )
        return number

    def compute_net(self) -> None:
        by_id = {i.bgt_id: i for i in self.indicators}
        for ind in self.indicators:
            ind.net = ind.amount if ind.kind != "调减" else Decimal(0)
        for ind in self.indicators:
            if ind.kind == "调减":
                by_id[ind.ori].net -= ind.amount
        for row in self.adjustments:
            amount = Decimal(row[6])
            if row[4]:
                by_id[row[4]].net -= amount
            by_id[row[5]].net += amount
