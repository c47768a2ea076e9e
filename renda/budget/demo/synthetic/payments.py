"""A year of treasury payments: each indicator spent month by month in lognormal amounts
under its cap, the planted rows mixed in, voided vouchers paid again and a few refunds."""

from __future__ import annotations

import csv
import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

from renda.budget.demo.synthetic.base import PAYMENT_HEADERS, GeneratorBase, Indicator, Row, Unit
from renda.budget.demo.synthetic.tables import (
    CAP,
    CENT,
    GOV_ECO,
    LARGE_CAPITAL,
    PURPOSES,
    SEASON,
    SIZE,
    split_counts,
)


class PaymentsMixin(GeneratorBase):
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
            counts = split_counts(total_count, weights)
            n = counts[month - 1]
            if n == 0:
                continue
            month_total = Decimal(target * n / total_count).quantize(CENT)
            if ind.cat == "pension":  # the same sum every month, paid out in equal parts
                part = (month_total / n).quantize(CENT)
                amounts = [part] * (n - 1) + [month_total - part * (n - 1)]
            else:
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

    def write_payments(self, path: Path) -> int:
        """payments.csv month by month; returns the number of vouchers written."""
        seq = 0
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(PAYMENT_HEADERS)
            for month in range(1, self.as_of.month + 1):
                batch, seq = self._month_lines(month, seq)
                writer.writerows(batch)
        return seq

    def _month_lines(self, month: int, seq: int) -> tuple[list[list[str]], int]:
        """One month's lines (voided vouchers paid again, then the month's refunds) and the
        last voucher sequence number used."""
        region, y = self.scale.region_code, str(self.year)
        batch: list[list[str]] = []
        refunds: list[tuple[str, Row]] = []
        for row in self.month_rows(month):
            seq += 1
            voucher = f"ZF{region}{y}{seq:08d}"
            if row.note:
                rule, level, detail = row.note
                self.note(rule, level, "payment", voucher, detail)
            kind = row.vou_type
            if not row.note and row.cat != "wages" and self.rng.random() < 0.0008:
                kind = "作废"
            batch.append(self._line(voucher, row.day, row, f"{row.amount:.2f}", row.purpose, kind))
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
            number = f"ZF{region}{y}{seq:08d}"
            purpose = f"{row.purpose}（退回多付款）"
            batch.append(self._line(number, day, row, f"{part:.2f}", purpose, "退款", voucher))
        return batch, seq

    def _line(
        self,
        voucher: str,
        day: dt.date,
        row: Row,
        amount: str,
        purpose: str,
        kind: str,
        original: str = "",
    ) -> list[str]:
        """One line of payments.csv in the column order of the payments kind."""
        return [
            voucher,
            day.isoformat(),
            str(self.year),
            self.scale.region_code,
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
            amount,
            purpose,
            row.thr,
            kind,
            original,
        ]
