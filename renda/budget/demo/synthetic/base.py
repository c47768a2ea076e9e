"""What the generator holds (units, indicators, payment rows before their voucher number) and
its base: the random source, names, accounts, the working-day calendar, indicator numbers, the
manifest notes and the CSV writer."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from renda.budget.demo.synthetic.tables import (
    CENT,
    GIVEN,
    PLACES,
    SEASON,
    SURNAMES,
    TRADE_NAMES,
    TRADES,
    Scale,
)
from renda.budget.ingest.kinds import KINDS


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


PAYMENT_HEADERS = [c.header for c in KINDS["payments"].columns]


class GeneratorBase:
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

    def next_bgt_id(self) -> str:
        self._ids += 1
        return f"{self.year}{self.scale.region_code}{self._ids:07d}"

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


def write_csv(path: Path, kind: str, rows: list[list[str]]) -> int:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in KINDS[kind].columns])
        writer.writerows(rows)
    return len(rows)
