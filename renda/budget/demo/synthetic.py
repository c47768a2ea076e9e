"""Synthetic fiscal data in the import formats (issue 5 §6): budget units with realistic
Chinese names, their indicators, adjustments, carry-overs, a year of treasury payments with
December peaks, revenue, debt, major projects, state-owned enterprises and statistics.

Clean data is built so that none of the rules of the next issue fires: every indicator is
spent to 93–98.5 % (never over), payments fall on working days, payments to individuals
above 10,000 are wages (301) or subsidies (303), no payment reaches 5,000,000, one unit
pays one payee at most three times a month and each payment below 1,000,000 stays under
150,000 (so no 7-day window of such payments reaches 1,000,000), purposes and payee names
avoid the suspicious words. Then, unless `anomalies=False`, one or more cases of every rule
are planted and listed in `manifest.json` with the level the rule should give them.

Memory stays flat: payments are written month by month, and only the indicators (a few per
unit) are held.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from renda.budget.demo import reference
from renda.budget.ingest.kinds import KINDS

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scale:
    name: str
    region_code: str
    region_name: str
    units: int
    payments: int
    projects: int
    enterprises: int
    towns: tuple[str, ...]


LENGSHUIJIANG_TOWNS = (
    "冷水江街道",
    "布溪街道",
    "锡矿山街道",
    "沙塘湾街道",
    "岩口街道",
    "禾青镇",
    "渣渡镇",
    "铎山镇",
    "三尖镇",
    "毛易镇",
    "金竹山乡",
    "中连乡",
)
GENERIC_TOWNS = tuple(
    f"{a}{b}"
    for a in ("东山", "西湖", "南岭", "北塘", "金石", "清溪", "白马", "青山", "桃花", "龙泉")
    for b in ("镇", "乡", "街道")
)

SCALES = {
    "county": Scale("county", "431381", "冷水江市", 300, 100_000, 12, 6, LENGSHUIJIANG_TOWNS),
    "city": Scale("city", "431300", "娄底市", 900, 1_000_000, 30, 15, GENERIC_TOWNS[:12]),
    "province": Scale("province", "430000", "湖南省", 3000, 10_000_000, 80, 40, ()),
}

# (name, functional class 项, subordinate units; "{n}" numbers them, "{town}" names a town)
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("人大常委会办公室", "2010101", ()),
    ("政协委员会办公室", "2010201", ()),
    ("人民政府办公室", "2010301", ("政务服务中心", "机关事务服务中心")),
    ("发展和改革局", "2010401", ("粮食和物资储备中心",)),
    ("统计局", "2010501", ("普查中心",)),
    ("财政局", "2010601", ("国库集中支付中心", "财政事务中心", "{town}财政所")),
    ("审计局", "2010801", ("政府投资审计中心",)),
    ("市场监督管理局", "2013801", ("{town}市场监管所", "检验检测中心")),
    ("公安局", "2040201", ("{town}派出所", "交通警察大队", "看守所")),
    ("人民法院", "2040501", ("{town}人民法庭",)),
    ("人民检察院", "2040401", ()),
    ("司法局", "2040601", ("{town}司法所", "公证处")),
    (
        "教育局",
        "2050101",
        ("第{n}中学", "第{n}完全小学", "{town}中心学校", "第{n}幼儿园", "职业中专学校"),
    ),
    ("科学技术局", "2060101", ("科技情报所",)),
    ("文化旅游广电体育局", "2070101", ("图书馆", "文化馆", "博物馆", "体育中心")),
    ("人力资源和社会保障局", "2080101", ("就业服务中心", "社会保险服务中心", "劳动人事争议仲裁院")),
    ("民政局", "2080201", ("社会福利院", "救助管理站", "{town}敬老院")),
    ("退役军人事务局", "2082801", ("退役军人服务中心",)),
    (
        "卫生健康局",
        "2100101",
        ("人民医院", "中医医院", "疾病预防控制中心", "妇幼保健院", "{town}卫生院"),
    ),
    ("医疗保障局", "2101501", ("医疗保障事务中心",)),
    ("生态环境分局", "2110101", ("环境监测站",)),
    ("住房和城乡建设局", "2120101", ("城市建设服务中心", "住房保障服务中心", "园林绿化中心")),
    ("城市管理和综合执法局", "2120201", ("环境卫生服务中心",)),
    ("农业农村局", "2130101", ("农业技术推广中心", "畜牧水产事务中心", "{town}农业综合服务中心")),
    ("林业局", "2130201", ("{town}林业站",)),
    ("水利局", "2130301", ("水库管理所", "水利工程建设中心")),
    ("交通运输局", "2140101", ("公路建设养护中心", "道路运输服务中心")),
    ("工业和信息化局", "2150501", ("中小企业服务中心",)),
    ("商务局", "2160201", ("招商服务中心",)),
    ("自然资源局", "2200101", ("不动产登记中心", "{town}自然资源所")),
    ("应急管理局", "2240101", ("应急救援指挥中心",)),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌辉鹏飞宇浩然子轩梓涵欣怡思远晓东海燕春梅秋菊冬青立新德胜永福"
TRADE_NAMES = (
    "锡都",
    "华湘",
    "金石",
    "恒泰",
    "鑫源",
    "宏达",
    "志远",
    "博创",
    "中湘",
    "天成",
    "资江",
    "梅山",
    "湘中",
    "鼎盛",
    "瑞丰",
    "长兴",
    "兴业",
    "景泰",
    "润泽",
    "广源",
    "新锐",
    "汇通",
    "永昌",
    "银河",
)
PLACES = ("湖南", "娄底", "冷水江", "长沙", "湘中", "新化", "涟源")
# Clean payee trades never contain the words rule B16 looks for (超市/商场/商贸/百货).
TRADES = {
    "goods": (
        "办公设备",
        "信息技术",
        "印刷",
        "物业管理",
        "保安服务",
        "电子科技",
        "文化传媒",
        "环保科技",
        "园林绿化",
        "家具制造",
        "医疗器械",
        "教学设备",
        "电力工程",
        "通信技术",
        "劳务派遣",
    ),
    "capital": (
        "建设工程",
        "建筑工程",
        "市政工程",
        "路桥工程",
        "水利水电工程",
        "装饰工程",
        "建设集团",
    ),
    "reception": ("宾馆", "酒店管理", "餐饮管理"),
    "vehicle": ("汽车维修服务", "汽车服务", "石油化工销售"),
}
PURPOSES = {
    "wages": (("30101", "基本工资"), ("30102", "津贴补贴"), ("30107", "绩效工资")),
    "goods": (
        ("30201", "办公费"),
        ("30201", "办公用品采购"),
        ("30205", "水费"),
        ("30206", "电费"),
        ("30207", "邮电费"),
        ("30209", "物业管理费"),
        ("30211", "差旅费"),
        ("30213", "维修（护）费"),
        ("30215", "会议费"),
        ("30216", "培训费"),
        ("30227", "委托业务费"),
        ("30218", "专用材料费"),
    ),
    "labour": (("30226", "劳务费"),),
    "subsidy": (
        ("30305", "生活补助"),
        ("30302", "退休费"),
        ("30309", "奖励金"),
        ("30399", "困难群众救助"),
    ),
    "capital": (
        ("31005", "基础设施建设工程进度款"),
        ("31002", "办公设备购置"),
        ("30905", "基础设施建设"),
        ("31003", "专用设备购置"),
    ),
    "reception": (("30217", "公务接待费"),),
    "vehicle": (
        ("30231", "公务用车运行维护费"),
        ("30231", "公务用车加油费"),
        ("30231", "公务用车维修费"),
    ),
}
GOV_ECO = {
    "wages": "50101",
    "goods": "50201",
    "labour": "50201",
    "subsidy": "50901",
    "capital": "50302",
    "reception": "50206",
    "vehicle": "50208",
}
DEP_ECO_INDICATOR = {
    "wages": "30101",
    "goods": "30201",
    "labour": "30226",
    "subsidy": "30305",
    "capital": "31005",
    "reception": "30217",
    "vehicle": "30231",
}
# Median payment size per category (元) and the cap for clean payments.
SIZE = {
    "wages": 6500,
    "goods": 9000,
    "labour": 3000,
    "subsidy": 1800,
    "capital": 60000,
    "reception": 2300,
    "vehicle": 1600,
}
CAP = {
    "wages": 30000,
    "goods": 150000,
    "labour": 9500,
    "subsidy": 9000,
    "capital": 150000,
    "reception": 9000,
    "vehicle": 9000,
}
LARGE_CAPITAL = (Decimal(1_000_000), Decimal(4_800_000))
SEASON = (0.055, 0.055, 0.08, 0.075, 0.075, 0.09, 0.075, 0.075, 0.09, 0.07, 0.09, 0.17)
RUSH = (
    0.03,
    0.03,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.035,
    0.2,
    0.4,
)  # B04's planted unit
SUSPICIOUS = ("礼品", "购物卡", "烟酒", "宴请", "旅游", "会员卡", "红包")

FALLBACK_UNITS = (
    "机关服务中心",
    "信息中心",
    "综合事务中心",
    "培训中心",
    "档案馆",
    "后勤服务中心",
    "执法大队",
)
PAYMENT_HEADERS = [c.header for c in KINDS["payments"].columns]


@dataclass
class Unit:
    code: str
    name: str
    dept_code: str
    func: str
    weight: float
    categories: tuple[str, ...]
    payees: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


@dataclass
class Indicator:
    bgt_id: str
    unit: Unit
    cat: str
    fund: str
    kind: str
    amount: Decimal
    thr: str = ""
    ori: str = ""
    project: tuple[str, str] = ("", "")
    frac: float = 0.96
    planted: Decimal = Decimal(0)
    net: Decimal = Decimal(0)
    weights: tuple[float, ...] = SEASON


@dataclass
class Row:
    """One payment before it gets its voucher number."""

    day: dt.date
    unit: Unit
    indicator: Indicator | None
    bgt_id: str
    cat: str
    dep: str
    payee: str
    account: str
    payee_type: str
    amount: Decimal
    purpose: str
    thr: str = ""
    vou_type: str = ""
    original: str = ""
    func: str = ""
    note: tuple[str, str, str] | None = None  # (rule, level, detail) of a planted anomaly


class Generator:
    def __init__(
        self, *, scale: Scale, year: int, payments: int, seed: int, anomalies: bool, as_of: dt.date
    ):
        self.scale, self.year, self.target, self.anomalies, self.as_of = (
            scale,
            year,
            payments,
            anomalies,
            as_of,
        )
        self.rng = random.Random(seed)
        self.prefix = scale.region_name
        self.units: list[Unit] = []
        self.indicators: list[Indicator] = []
        self.adjustments: list[list[str]] = []
        self.manifest: list[dict[str, Any]] = []
        self.planted_rows: list[Row] = []
        self._ids = 0
        self._names: set[str] = set()
        self._workdays = {m: self._month_workdays(m) for m in range(1, 13)}
        self.holidays = self._non_workdays()

    # --- names ---------------------------------------------------------------------
    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    def company(self, cat: str) -> str:
        for _ in range(50):
            name = f"{self.rng.choice(PLACES)}{self.rng.choice(TRADE_NAMES)}{self.rng.choice(TRADES.get(cat, TRADES['goods']))}有限公司"
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{self.rng.choice(PLACES)}{self.rng.choice(TRADE_NAMES)}{len(self._names)}号{self.rng.choice(TRADES['goods'])}有限公司"
        self._names.add(name)
        return name

    def account(self, individual: bool) -> str:
        if individual:
            return "6217" + "".join(str(self.rng.randrange(10)) for _ in range(15))
        return "4305" + "".join(str(self.rng.randrange(10)) for _ in range(16))

    # --- calendar ------------------------------------------------------------------
    def _month_workdays(self, month: int) -> list[dt.date]:
        days = [
            dt.date(self.year, month, d)
            for d in range(1, calendar.monthrange(self.year, month)[1] + 1)
        ]
        return [d for d in days if self.is_workday(d)]

    def is_workday(self, day: dt.date) -> bool:
        try:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(day))
        except (ImportError, NotImplementedError):
            return day.weekday() < 5

    def _non_workdays(self) -> list[dt.date]:
        start = dt.date(self.year, 1, 1)
        return [
            start + dt.timedelta(n)
            for n in range(365)
            if not self.is_workday(start + dt.timedelta(n))
        ]

    def workday(self, month: int) -> dt.date:
        days = [d for d in self._workdays[month] if d <= self.as_of]
        return self.rng.choice(days or self._workdays[month])

    # --- units and indicators ----------------------------------------------------------
    def build_units(self) -> None:
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
        code = 100
        used_names: set[str] = set()
        for name, func, templates in departments:
            code += 1
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
                template = templates[(n - 1) % len(templates)] if templates else ""
                town = own_town if own_town != name else towns[(n * 7 + code) % len(towns)]
                if template and ("{n}" in template or "{town}" in template or n <= len(templates)):
                    label = template.format(n=_chinese_number(n), town=town)
                    unit_name = label if "{town}" in template else f"{self.prefix}{label}"
                else:
                    unit_name = f"{dept_name}{FALLBACK_UNITS[n % len(FALLBACK_UNITS)]}"
                base, k = unit_name, 1
                while unit_name in used_names:
                    k += 1
                    unit_name = f"{base}（{_chinese_number(k)}）"
                used_names.add(unit_name)
                cats = ["wages", "goods", "labour"]
                if func.startswith(("208", "213")) or "敬老院" in unit_name:
                    cats.append("subsidy")
                if (
                    func.startswith(("212", "213", "214", "205", "210"))
                    and self.rng.random() < 0.35
                ):
                    cats.append("capital")
                self.units.append(
                    Unit(
                        f"{dept_code}{n:03d}",
                        unit_name,
                        dept_code,
                        func,
                        self.rng.lognormvariate(0.6, 0.6),
                        tuple(cats),
                    )
                )
        for unit in self.units:
            unit.payees = {}

    def next_bgt_id(self) -> str:
        self._ids += 1
        return f"{self.year}{self.scale.region_code}{self._ids:07d}"

    def build_indicators(self) -> None:
        shares = {
            "wages": 0.42,
            "goods": 0.22,
            "labour": 0.03,
            "subsidy": 0.10,
            "capital": 0.30,
            "reception": 0.004,
            "vehicle": 0.008,
        }
        # Budgets follow the number of payments wanted: first find how many payments one
        # 元 of budget makes, then scale the total.
        per_yuan = 0.0
        total_weight = sum(u.weight for u in self.units)
        for unit in self.units:
            for cat in unit.categories:
                per_yuan += unit.weight / total_weight * shares[cat] / SIZE[cat]
        total = self.target / per_yuan / 0.96
        for unit in self.units:
            budget = total * unit.weight / total_weight
            for cat in unit.categories:
                amount = _money(budget * shares[cat] * self.rng.uniform(0.85, 1.15))
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
                self.indicators.append(
                    Indicator(
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
                )
        # Some units get an addition (追加) and some a reduction (调减) during the year.
        for ind in list(self.indicators):
            if ind.cat == "goods" and self.rng.random() < 0.08:
                self.indicators.append(
                    Indicator(
                        self.next_bgt_id(),
                        ind.unit,
                        "goods",
                        "1",
                        "追加",
                        _money(float(ind.amount) * 0.1),
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
                        _money(float(ind.amount) * 0.03),
                        ori=ind.bgt_id,
                        frac=0,
                    )
                )

    def build_adjustments(self) -> None:
        goods = [i for i in self.indicators if i.cat == "goods" and i.kind == "年初预算"]
        wages = {i.unit.code: i for i in self.indicators if i.cat == "wages"}
        for ind in goods:
            if self.rng.random() < 0.15 and ind.unit.code in wages:
                self.add_adjustment(ind, wages[ind.unit.code], _money(float(ind.amount) * 0.015))

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

    # --- anomalies ---------------------------------------------------------------------
    def note(self, rule: str, level: str, subject_type: str, subject: str, detail: str) -> None:
        self.manifest.append(
            {
                "rule": rule,
                "level": level,
                "subject_type": subject_type,
                "subject": subject,
                "detail": detail,
            }
        )

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
        indicator.amount += _money(float(row.amount) / 0.95)
        indicator.planted += row.amount
        self.planted_rows.append(row)

    def plant_anomalies(self) -> None:
        pool = self.unit_pool()
        first = next(pool)
        lag_severe, lag_warning = first, next(pool)
        for unit, frac, level in ((lag_severe, 0.55, "severe"), (lag_warning, 0.76, "warning")):
            for ind in self.indicators:
                if ind.unit is unit:
                    ind.frac = frac
            self.note("B01", level, "unit", unit.code, f"{unit.name} 年末支出进度约 {frac:.0%}")
        over = self.indicator_of(next(pool), "goods")
        over.frac = 1.12
        self.note(
            "B02", "severe", "indicator", over.bgt_id, f"{over.unit.name} 指标支付约为指标数的 112%"
        )
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        for n, bgt in enumerate(
            (
                "",
                "",
                "",
                f"{self.year}{self.scale.region_code}9999999",
                f"{self.year}{self.scale.region_code}9999998",
            )
        ):
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
            goods.amount -= min(
                goods.amount * Decimal("0.5"), row.amount
            )  # keep the unit's totals in line
        rush = next(pool)
        for ind in self.indicators:
            if ind.unit is rush:
                ind.weights = RUSH
        self.note(
            "B04", "warning", "unit", rush.code, f"{rush.name} 11–12 月支出约占全年指标的 57%"
        )
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        for amount in (Decimal("28000.00"), Decimal("16500.00")):
            row = self.row(unit, goods, "labour", self.workday(5), amount)
            row.payee, row.account, row.payee_type = self.person(), self.account(True), "个人"
            row.dep, row.purpose = "30226", "劳务费"
            row.note = ("B05", "warning", f"向个人支付 {amount} 元（劳务费）")
            self.plant(goods, row)
        capital = next(
            (i for i in self.indicators if i.cat == "capital" and i.amount > 3_000_000), None
        )
        if capital is None:
            capital = self.indicators[0]
        row = self.row(capital.unit, capital, "capital", self.workday(9), Decimal("6800000.00"))
        row.note = ("B06", "notice", "单笔支付 6,800,000.00 元")
        self.plant(capital, row)
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        payee, account = self.company("capital"), self.account(False)
        start = self.workday(6)
        day = start
        for text in ("420000.00", "390000.00", "310000.00"):
            # Three consecutive working days: well inside the 7-day window of rule B07.
            row = self.row(unit, goods, "goods", day, Decimal(text))
            day += dt.timedelta(1)
            while not self.is_workday(day):
                day += dt.timedelta(1)
            row.payee, row.account, row.purpose = payee, account, "零星维修工程款"
            row.note = ("B07", "warning", f"7 天内向{payee}支付 3 笔共 1,120,000.00 元")
            self.plant(goods, row)
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
        for level, ratio in (("severe", 1.15), ("notice", 0.95)):
            unit = next(
                u
                for u in self.units
                if not u.dept_code and u.code not in {n["subject"] for n in self.manifest}
            )
            thr = [i for i in self.indicators if i.unit is unit and i.thr]
            limit = sum((i.amount for i in thr), Decimal(0))
            if ratio > 1:
                goods = self.indicator_of(unit, "goods")
                extra = _money(float(limit) * (ratio - 0.95))
                for ind in thr:
                    ind.frac = 0.95
                row = self.row(unit, goods, "reception", self.workday(11), extra)
                row.thr = "公务接待"
                row.note = None
                self.plant(goods, row)
            else:
                for ind in thr:
                    ind.frac = 0.95
            self.note(
                "B09", level, "unit", unit.code, f"{unit.name} 三公经费支出约为预算的 {ratio:.0%}"
            )
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        for word in ("购物卡", "礼品", "旅游"):
            purpose = {
                "购物卡": "购买节日购物卡",
                "礼品": "节日礼品采购",
                "旅游": "组织职工旅游费用",
            }[word]
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
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        row = self.row(unit, goods, "goods", self.workday(7), Decimal("86000.00"))
        row.payee, row.purpose = unit.name, "往来款划转"
        row.note = ("B12", "warning", "收款人为付款单位本身")
        self.plant(goods, row)
        unit = next(pool)
        goods, wages = self.indicator_of(unit, "goods"), self.indicator_of(unit, "wages")
        for n in range(7):
            self.add_adjustment(
                goods, wages, _money(float(goods.amount) * 0.004), when=self.workday(2 + n)
            )
        self.note("B13", "notice", "unit", unit.code, f"{unit.name} 全年调剂 7 次")
        unit = next(pool)
        goods = self.indicator_of(unit, "goods")
        initial = sum(
            (i.amount for i in self.indicators if i.unit is unit and i.kind == "年初预算"),
            Decimal(0),
        )
        self.add_adjustment(None, goods, _money(float(initial) * 0.3), when=self.workday(5))
        self.note("B13", "warning", "unit", unit.code, f"{unit.name} 调入资金约为年初指标的 30%")
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

    # --- payments --------------------------------------------------------------------
    def row(
        self, unit: Unit, ind: Indicator | None, cat: str, day: dt.date, amount: Decimal
    ) -> Row:
        dep, purpose = self.rng.choice(PURPOSES[cat])
        individual = cat in ("wages", "labour", "subsidy")
        payee = self.person() if individual else self.company(cat)
        return Row(
            day,
            unit,
            ind,
            ind.bgt_id if ind else "",
            cat,
            dep,
            payee,
            self.account(individual),
            "个人" if individual else "单位",
            amount,
            purpose,
            thr={"reception": "公务接待", "vehicle": "公务用车购置及运行"}.get(cat, ""),
            func=ind.unit.func if ind else unit.func,
        )

    def payees_for(self, unit: Unit, cat: str, count: int) -> list[tuple[str, str]]:
        kind = "person" if cat in ("wages", "labour", "subsidy") else cat
        pool = unit.payees.setdefault(kind, [])
        while len(pool) < count:
            pool.append(
                (self.person(), self.account(True))
                if kind == "person"
                else (self.company(cat), self.account(False))
            )
        return pool

    def month_rows(self, month: int) -> list[Row]:
        rows: list[Row] = []
        last_day = self.as_of if month == self.as_of.month else None
        for ind in self.indicators:
            if ind.kind == "调减":
                continue
            target = float(ind.net) * ind.frac - float(ind.planted)
            if target <= 0:
                continue
            weights = (
                (1 / 12,) * 12 if ind.cat == "wages" and ind.weights is SEASON else ind.weights
            )
            total_count = max(1, round(target / SIZE[ind.cat]))
            large = ind.cat == "capital" and target >= 3_000_000
            if large:
                total_count = max(1, math.ceil(target / 2_500_000))
            counts = _split_counts(total_count, weights)
            n = counts[month - 1]
            if n == 0:
                continue
            month_total = Decimal(target * n / total_count).quantize(CENT)
            amounts = self.amounts(
                month_total, n, LARGE_CAPITAL[1] if large else Decimal(CAP[ind.cat])
            )
            per_payee = 1 if ind.cat == "wages" else 3
            payees = self.payees_for(ind.unit, ind.cat, math.ceil(len(amounts) / per_payee) + 2)
            start = self.rng.randrange(len(payees))
            for index, amount in enumerate(amounts):
                payee, account = payees[(start + index // per_payee) % len(payees)]
                dep, purpose = self.rng.choice(PURPOSES[ind.cat])
                day = self.workday(month)
                if last_day and day > last_day:
                    continue
                if ind.cat == "wages":
                    purpose = f"{self.year}年{month}月{purpose}"
                elif ind.cat == "capital" and ind.project[1]:
                    purpose = f"{ind.project[1]}{purpose}"
                rows.append(
                    Row(
                        day,
                        ind.unit,
                        ind,
                        ind.bgt_id,
                        ind.cat,
                        dep,
                        payee,
                        account,
                        "个人" if ind.cat in ("wages", "labour", "subsidy") else "单位",
                        amount,
                        purpose,
                        thr=ind.thr,
                        func=ind.unit.func,
                    )
                )
        rows.extend(r for r in self.planted_rows if r.day.month == month)
        rows.sort(key=lambda r: (r.day, r.unit.code))
        return rows

    def amounts(self, total: Decimal, count: int, cap: Decimal) -> list[Decimal]:
        count = max(count, math.ceil(total / cap))
        shape = [self.rng.lognormvariate(0, 0.6) for _ in range(count)]
        scale = float(total) / sum(shape)
        values = [min(float(cap), s * scale) for s in shape]
        # Rounding and the cap move a little money; the last payments take it back.
        result = [Decimal(v).quantize(CENT, rounding=ROUND_HALF_UP) for v in values]
        rest = total - sum(result, Decimal(0))
        for i in range(len(result) - 1, -1, -1):
            if rest == 0:
                break
            room = cap - result[i] if rest > 0 else result[i] - CENT
            step = min(abs(rest), room)
            result[i] += step if rest > 0 else -step
            rest -= step if rest > 0 else -step
        return [a for a in result if a > 0]

    # --- files -----------------------------------------------------------------------
    def write(self, out: Path) -> dict[str, Any]:
        out.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        region, year, y = self.scale.region_code, self.year, str(self.year)
        counts["codes"] = _write(out / "codes.csv", "codes", reference.code_rows(year))
        counts["regions"] = _write(
            out / "regions.csv", "regions", [[region, self.scale.region_name, ""]]
        )
        counts["units"] = _write(
            out / "units.csv",
            "units",
            [[y, region, u.code, u.name, u.dept_code] for u in self.units],
        )
        counts["indicators"] = _write(
            out / "indicators.csv",
            "indicators",
            [
                [
                    i.bgt_id,
                    y,
                    region,
                    i.unit.code,
                    i.unit.name,
                    i.project[0],
                    i.project[1],
                    i.unit.func,
                    GOV_ECO[i.cat],
                    DEP_ECO_INDICATOR[i.cat],
                    i.fund,
                    i.kind,
                    i.ori,
                    f"{self.prefix[:3]}财预〔{year}〕{1 + n % 40}号",
                    dt.date(year, 1, 10).isoformat()
                    if i.kind == "年初预算"
                    else self.workday(6).isoformat(),
                    f"{i.amount:.2f}",
                    i.thr,
                ]
                for n, i in enumerate(self.indicators)
            ],
        )
        counts["adjustments"] = _write(out / "adjustments.csv", "adjustments", self.adjustments)
        counts["carryovers"] = _write(out / "carryovers.csv", "carryovers", self.carryovers())
        counts["payments"] = self.write_payments(out / "payments.csv")
        revenue_budget, receipts = self.revenue()
        counts["revenue-budget"] = _write(
            out / "revenue-budget.csv", "revenue-budget", revenue_budget
        )
        counts["revenue"] = _write(out / "revenue.csv", "revenue", receipts)
        counts["debt"] = _write(out / "debt.csv", "debt", self.debt())
        counts["projects"] = _write(out / "projects.csv", "projects", self.projects())
        counts["enterprises"] = _write(out / "enterprises.csv", "enterprises", self.enterprises())
        counts["statistics"] = _write(out / "statistics.csv", "statistics", self.statistics())
        manifest = {
            "scale": self.scale.name,
            "year": year,
            "region": region,
            "region_name": self.scale.region_name,
            "as_of": self.as_of.isoformat(),
            "anomalies_planted": self.anomalies,
            "counts": counts,
            "anomalies": self.manifest,
        }
        (out / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return manifest

    def write_payments(self, path: Path) -> int:
        seq = 0
        region, y = self.scale.region_code, str(self.year)
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(PAYMENT_HEADERS)
            for month in range(1, self.as_of.month + 1):
                batch = []
                refunds = []
                for row in self.month_rows(month):
                    seq += 1
                    voucher = f"ZF{region}{y}{seq:08d}"
                    if row.note:
                        rule, level, detail = row.note
                        self.note(rule, level, "payment", voucher, detail)
                    kind = row.vou_type
                    if not row.note and row.cat != "wages" and self.rng.random() < 0.0008:
                        kind = "作废"
                    batch.append(
                        [
                            voucher,
                            row.day.isoformat(),
                            y,
                            region,
                            row.unit.code,
                            row.unit.name,
                            row.bgt_id,
                            row.func,
                            GOV_ECO.get(row.cat, "50201"),
                            row.dep,
                            row.indicator.fund if row.indicator else "1",
                            "国库集中支付",
                            "转账",
                            row.payee,
                            row.account,
                            row.payee_type,
                            f"{row.amount:.2f}",
                            row.purpose,
                            row.thr,
                            kind,
                            "",
                        ]
                    )
                    if kind == "作废":
                        # A voided voucher is paid again under a new number.
                        seq += 1
                        batch.append([f"ZF{region}{y}{seq:08d}", *batch[-1][1:19], "", ""])
                    elif not row.note and row.cat == "goods" and self.rng.random() < 0.0008:
                        refunds.append((voucher, row))
                for voucher, row in refunds:
                    seq += 1
                    part = (row.amount * Decimal("0.1")).quantize(CENT)
                    if part <= 0:
                        continue
                    day = min(row.day + dt.timedelta(3), self.as_of)
                    while not self.is_workday(day) and day > row.day:
                        day -= dt.timedelta(1)
                    batch.append(
                        [
                            f"ZF{region}{y}{seq:08d}",
                            day.isoformat(),
                            y,
                            region,
                            row.unit.code,
                            row.unit.name,
                            row.bgt_id,
                            row.func,
                            GOV_ECO.get(row.cat, "50201"),
                            row.dep,
                            row.indicator.fund if row.indicator else "1",
                            "国库集中支付",
                            "转账",
                            row.payee,
                            row.account,
                            row.payee_type,
                            f"{part:.2f}",
                            f"{row.purpose}（退回多付款）",
                            row.thr,
                            "退款",
                            voucher,
                        ]
                    )
                writer.writerows(batch)
        return seq

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
        }
        budget_rows, receipts = [], []
        seq = 0
        for code, share in shares.items():
            amount = _money(own * share)
            fund = "2" if code == "10307" else "1"
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
        spending = float(sum((i.amount for i in self.indicators), Decimal(0)))
        general, special = spending * 0.55, spending * 0.75
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
        names = (
            "城区污水管网改造工程",
            "资江风光带建设工程",
            "老旧小区改造工程",
            "人民医院门诊楼建设项目",
            "第一中学教学楼建设项目",
            "城乡供水一体化工程",
            "工业园区标准厂房建设",
            "国省道改扩建工程",
            "农村公路提质改造工程",
            "垃圾焚烧发电项目",
            "保障性租赁住房建设项目",
            "智慧城市建设项目",
            "高标准农田建设项目",
            "体育中心建设项目",
            "殡仪馆迁建项目",
            "城市燃气管网改造工程",
        )
        rows = []
        for n in range(self.scale.projects):
            name = names[n % len(names)] + (
                f"（{_chinese_number(n // len(names) + 1)}期）" if n >= len(names) else ""
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


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _money(value: float | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _split_counts(total: int, weights: tuple[float, ...]) -> list[int]:
    """`total` split by `weights` with the largest-remainder method (the parts add up)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[index] += 1
    return counts


def _write(path: Path, kind: str, rows: list[list[str]]) -> int:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in KINDS[kind].columns])
        writer.writerows(rows)
    return len(rows)


def generate(
    *,
    out: Path,
    scale: str = "county",
    year: int,
    payments: int | None = None,
    seed: int = 20250101,
    anomalies: bool = True,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Write one year of data for `scale` into `out`; returns the manifest."""
    profile = SCALES[scale]
    as_of = as_of or dt.date(year, 12, 31)
    gen = Generator(
        scale=profile,
        year=year,
        payments=payments or profile.payments,
        seed=seed,
        anomalies=anomalies,
        as_of=as_of,
    )
    gen.build_units()
    gen.build_indicators()
    gen.build_adjustments()
    if anomalies:
        gen.plant_anomalies()
    gen.compute_net()
    return gen.write(Path(out))
