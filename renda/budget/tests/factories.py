"""Budget test data, set up through the import services (docs/architecture.md §4.8)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Any

from renda.budget.demo import reference
from renda.budget.ingest.kinds import KINDS
from renda.budget.services import batches
from renda.core.models import ImportBatch

YEAR = 2025
REGION = "431381"
_counter = itertools.count()


def write_csv(
    directory: Path,
    kind: str,
    rows: list[list[Any]],
    *,
    headers: list[str] | None = None,
    encoding: str = "utf-8",
) -> Path:
    path = directory / f"{kind}-{next(_counter)}.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers or [c.header for c in KINDS[kind].columns])
        writer.writerows(rows)
    return path


def load(
    actor: Any, directory: Path, kind: str, rows: list[list[Any]], **kwargs: Any
) -> ImportBatch:
    return batches.import_path(
        actor=actor, kind=kind, path=write_csv(directory, kind, rows, **kwargs)
    )


def reference_data(actor: Any, directory: Path, *, year: int = YEAR) -> None:
    """The public top-level codes, 冷水江's treasury and four units under two departments."""
    batches.ensure_finance_region(actor=actor, code=REGION, name="冷水江市")
    assert load(actor, directory, "codes", reference.code_rows(year)).status == "committed"
    units = [
        [year, REGION, "105", "冷水江市教育局", ""],
        [year, REGION, "105001", "冷水江市第一中学", "105"],
        [year, REGION, "119", "冷水江市卫生健康局", ""],
        [year, REGION, "119001", "冷水江市人民医院", "119"],
    ]
    assert load(actor, directory, "units", units).status == "committed"


def indicator_row(
    bgt_id: str, unit: str = "105001", amount: str = "100000.00", **over: Any
) -> list[Any]:
    values = {
        "bgt_id": bgt_id,
        "fiscal_year": YEAR,
        "mof_div_code": REGION,
        "agency_code": unit,
        "agency_name": "",
        "pro_code": "",
        "pro_name": "",
        "func_code": "2050203",
        "gov_eco_code": "50201",
        "dep_eco_code": "30201",
        "fund_type": "1",
        "bgt_kind": "年初预算",
        "ori_bgt_id": "",
        "doc_no": "冷财预〔2025〕1号",
        "doc_date": "2025-01-10",
        "amount": amount,
        "thr_exp": "",
    }
    values.update(over)
    return [values[c.key] for c in KINDS["indicators"].columns]


# The names reference_data() registers: a file names each unit as the registry does (a name
# that contradicts the unit code is a cell error).
UNIT_NAMES = {
    "105": "冷水江市教育局",
    "105001": "冷水江市第一中学",
    "119": "冷水江市卫生健康局",
    "119001": "冷水江市人民医院",
}


def payment_row(voucher: str, amount: str = "1200.00", **over: Any) -> list[Any]:
    if "agency_code" in over and "agency_name" not in over:
        over["agency_name"] = UNIT_NAMES.get(over["agency_code"], "")
    values = {
        "voucher_no": voucher,
        "pay_date": "2025-03-18",
        "fiscal_year": YEAR,
        "mof_div_code": REGION,
        "agency_code": "105001",
        "agency_name": "冷水江市第一中学",
        "bgt_id": "ZB001",
        "func_code": "2050203",
        "gov_eco_code": "50201",
        "dep_eco_code": "30201",
        "fund_type": "1",
        "pay_type": "国库集中支付",
        "settle_mode": "转账",
        "payee_name": "湖南锡都办公设备有限公司",
        "payee_account": "4305017036360000",
        "payee_type": "单位",
        "amount": amount,
        "purpose": "办公用品采购",
        "thr_exp": "",
        "vou_type": "",
        "original_voucher": "",
    }
    values.update(over)
    return [values[c.key] for c in KINDS["payments"].columns]


def with_indicator(actor: Any, directory: Path) -> None:
    reference_data(actor, directory)
    assert (
        load(
            actor,
            directory,
            "indicators",
            [indicator_row("ZB001"), indicator_row("ZB002", unit="119001")],
        ).status
        == "committed"
    )
