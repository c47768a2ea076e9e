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

Modules: `tables` (scales, names, classes, sizes), `base` (records, names, calendar),
`budgets` (units, indicators, adjustments), `payments`, `anomalies` (the planted cases),
`figures` (revenue, debt, projects, enterprises, statistics); `Generator` here writes the files.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from renda.budget.demo import reference
from renda.budget.demo.synthetic.anomalies import AnomaliesMixin
from renda.budget.demo.synthetic.base import write_csv
from renda.budget.demo.synthetic.figures import FiguresMixin
from renda.budget.demo.synthetic.tables import DEP_ECO_INDICATOR, GOV_ECO, SCALES, SUSPICIOUS

__all__ = ["SCALES", "SUSPICIOUS", "Generator", "generate"]


class Generator(AnomaliesMixin, FiguresMixin):
    def write(self, out: Path) -> dict[str, Any]:
        out.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        region, year, y = self.scale.region_code, self.year, str(self.year)
        counts["codes"] = write_csv(out / "codes.csv", "codes", reference.code_rows(year))
        counts["regions"] = write_csv(
            out / "regions.csv", "regions", [[region, self.scale.region_name, ""]]
        )
        counts["units"] = write_csv(
            out / "units.csv",
            "units",
            [[y, region, u.code, u.name, u.dept_code] for u in self.units],
        )
        counts["indicators"] = write_csv(
            out / "indicators.csv", "indicators", self.indicator_rows()
        )
        counts["adjustments"] = write_csv(out / "adjustments.csv", "adjustments", self.adjustments)
        counts["carryovers"] = write_csv(out / "carryovers.csv", "carryovers", self.carryovers())
        counts["payments"] = self.write_payments(out / "payments.csv")
        revenue_budget, receipts = self.revenue()
        counts["revenue-budget"] = write_csv(
            out / "revenue-budget.csv", "revenue-budget", revenue_budget
        )
        counts["revenue"] = write_csv(out / "revenue.csv", "revenue", receipts)
        counts["debt"] = write_csv(out / "debt.csv", "debt", self.debt())
        counts["projects"] = write_csv(out / "projects.csv", "projects", self.projects())
        counts["enterprises"] = write_csv(
            out / "enterprises.csv", "enterprises", self.enterprises()
        )
        counts["statistics"] = write_csv(out / "statistics.csv", "statistics", self.statistics())
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

    def indicator_rows(self) -> list[list[str]]:
        region, year, y = self.scale.region_code, self.year, str(self.year)
        return [
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
        ]


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
