"""Budget units, their indicators (with additions and reductions), adjustments between
indicators, and each indicator's net amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from renda.budget.demo.synthetic.base import GeneratorBase, Indicator, Unit
from renda.budget.demo.synthetic.tables import (
    DEPARTMENTS,
    PENSION_BANKS,
    SHARES,
    SIZE,
    STATE_ENTERPRISES,
    TOWN_UNITS,
    chinese_number,
    money,
)


class BudgetsMixin(GeneratorBase):
    def build_units(self) -> None:
        """Every department (the county's own and one government per town) with the units a
        county really has under it: first the named ones (人民医院, 公证处 …) and each town's
        own, then, up to the scale's number of units, the ones that come one per town or by
        number (派出所 in each town, 第三完全小学 …), taken in turn across departments."""
        towns = self.scale.towns or tuple(f"第{n}片区" for n in range(1, 41))
        departments: list[tuple[str, str, tuple[str, ...]]] = list(DEPARTMENTS)
        departments += [
            (f"{town}人民政府" if not town.endswith("街道") else f"{town}办事处", "2010301", ())
            for town in towns
        ]
        extra: list[list[tuple[str, str, str]]] = []  # per department: (dept code, func, name)
        for code, (name, func, templates) in enumerate(departments, start=101):
            dept_code = f"{code:03d}"
            own_town = name.removesuffix("人民政府").removesuffix("办事处")
            is_town = own_town != name
            dept_name = name if is_town else f"{self.prefix}{name}"
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
            fixed = [t.format(town=own_town) for t in TOWN_UNITS] if is_town else []
            fixed += [f"{self.prefix}{t}" for t in templates if "{" not in t]
            for unit_name in fixed:
                self.units.append(self._sub_unit(dept_code, func, unit_name))
            extra.append([(dept_code, func, name) for name in self._expanded(templates, towns)])
        wanted = max(0, self.scale.units - len(self.units))
        queue = [names for names in extra if names]
        while wanted and queue:
            for names in list(queue):
                if not wanted:
                    break
                dept_code, func, unit_name = names.pop(0)
                self.units.append(self._sub_unit(dept_code, func, unit_name))
                wanted -= 1
                if not names:
                    queue.remove(names)

    def _expanded(self, templates: tuple[str, ...], towns: tuple[str, ...]) -> list[str]:
        """The one-per-town and numbered units of a department, interleaved."""
        per_town = [
            [t.format(town=town) for town in towns if _fits(t, town)]
            for t in templates
            if "{town}" in t
        ]
        numbered = [
            [f"{self.prefix}{t.format(n=chinese_number(n))}" for n in range(1, 31)]
            for t in templates
            if "{n}" in t
        ]
        lists = per_town + numbered
        return [
            lst[i] for i in range(max(map(len, lists), default=0)) for lst in lists if i < len(lst)
        ]

    def _sub_unit(self, dept_code: str, func: str, unit_name: str) -> Unit:
        cats = ["wages", "goods", "labour"]
        if func.startswith(("208", "213")) or "敬老院" in unit_name:
            cats.append("subsidy")
        if func.startswith(("212", "213", "214", "205", "210")) and self.rng.random() < 0.35:
            cats.append("capital")
        n = sum(1 for u in self.units if u.dept_code == dept_code) + 1
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
        self._other_budgets(total)

    def _other_budgets(self, total: float) -> None:
        """The two other budgets of the four (四本预算): 国有资本经营预算 (capital for the
        county's enterprises, paid by the finance bureau) and 社会保险基金预算 (pensions, paid
        monthly by the social insurance centre through the banks)."""
        finance = next((u for u in self.units if not u.dept_code and "财政局" in u.name), None)
        pensions = next((u for u in self.units if u.name.endswith("社会保险服务中心")), None)
        if finance is not None:
            finance.payees["capital"] = [
                (f"{self.prefix}{name}", self.account(False)) for name in STATE_ENTERPRISES
            ]
            project = (f"XM{self.year}{len(self.indicators):05d}", "国有企业资本金注入")
            self.indicators.append(
                Indicator(
                    self.next_bgt_id(),
                    finance,
                    "capital",
                    "3",
                    "年初预算",
                    money(total * 0.02),
                    project=project,
                    frac=self.rng.uniform(0.93, 0.985),
                )
            )
        if pensions is not None:
            county = self.prefix.removesuffix("市").removesuffix("县")
            pensions.payees["pension"] = [
                (name.format(county=county), self.account(False)) for name in PENSION_BANKS
            ]
            self.indicators.append(
                Indicator(
                    self.next_bgt_id(),
                    pensions,
                    "pension",
                    "4",
                    "年初预算",
                    money(total * 0.12),
                    frac=self.rng.uniform(0.95, 0.985),
                    weights=(1 / 12,) * 12,
                )
            )

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


# Rural services exist in 镇/乡, a 社区卫生服务中心 in a 街道.
RURAL = ("卫生院", "林业站", "农业综合服务中心", "动物防疫站", "水利站", "村镇建设", "交通管理站")


def _fits(template: str, town: str) -> bool:
    urban = town.endswith("街道")
    if "社区卫生服务中心" in template:
        return urban
    return not (urban and any(word in template for word in RURAL))
