"""The alert export, defined once: records for scripts (the `export_alerts` command, CSV or
JSON) and the API, and the columns of the alert list's spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from django.db.models import QuerySet
from django.utils import timezone

from renda.budget.ingest.kinds import KINDS
from renda.budget.models import Alert, AlertLevel, BudgetIndicator, Payment
from renda.budget.selectors.agenda import agenda_label, with_agenda_item
from renda.core.exports import Column


@dataclass(frozen=True)
class AlertField:
    """One column of the alert export: its key in records (command, API), its header in the
    spreadsheet, its value in records and, where staff read something else, in the sheet."""

    key: str
    header: str
    value: Callable[[Alert], Any]
    shown: Callable[[Alert], Any] | None = None
    in_sheet: bool = True

    def column(self) -> Column[Alert]:
        return Column(self.header, self.shown or self.value)


def _raised_at(alert: Alert) -> str:
    return timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M")


# The one definition of the alert export: the page's spreadsheet (headers, display values)
# and the records of the `export_alerts` command and the API (keys, stored values).
ALERT_FIELDS: tuple[AlertField, ...] = (
    AlertField("id", "编号", lambda a: a.pk, in_sheet=False),
    AlertField("rule", "规则编号", lambda a: a.rule.code),
    AlertField("rule_name", "规则名称", lambda a: a.rule.name),
    AlertField("level", "级别代码", lambda a: a.level, in_sheet=False),
    AlertField("level_name", "级别", lambda a: AlertLevel(a.level).label),
    AlertField("region", "财政区划", lambda a: a.region.code),
    AlertField("year", "预算年度", lambda a: a.year),
    AlertField("period", "期间", lambda a: a.period.strftime("%Y-%m")),
    AlertField(
        "subject_type", "对象类型", lambda a: a.subject_type, lambda a: a.get_subject_type_display()
    ),
    AlertField("subject", "对象编码", lambda a: a.subject_key),
    AlertField("subject_name", "对象", lambda a: a.subject_label),
    AlertField("unit", "预算单位", lambda a: a.unit.name if a.unit else ""),
    AlertField("amount", "涉及金额（元）", lambda a: str(a.amount), lambda a: a.amount),
    AlertField("status", "状态", lambda a: a.status, lambda a: a.get_status_display()),
    AlertField("handling", "处理情况", lambda a: a.handling, lambda a: a.get_handling_display()),
    AlertField("explanation", "说明", lambda a: a.explanation),
    AlertField(
        "figures",
        "数据",
        lambda a: a.figures,
        lambda a: json.dumps(a.figures, ensure_ascii=False),
    ),
    AlertField("rule_version", "规则版本", lambda a: a.rule_version),
    AlertField("raised_at", "首次预警时间", lambda a: a.raised_at.isoformat(), _raised_at),
    # Read through the agenda's source links: the querysets below are `with_agenda_item`.
    AlertField("agenda_title", "提请常委会审议", agenda_label),
)
FIELDS = tuple(f.key for f in ALERT_FIELDS)
SHEET_COLUMNS: list[Column[Alert]] = [f.column() for f in ALERT_FIELDS if f.in_sheet]


def filtered(
    qs: QuerySet[Alert],
    *,
    year: int | None = None,
    rule: str | None = None,
    level: int | None = None,
    status: str | None = None,
    period: str | None = None,
) -> QuerySet[Alert]:
    if year:
        qs = qs.filter(year=year)
    if rule:
        qs = qs.filter(rule__code=rule.upper())
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if period:  # "2026-04"
        y, m = (int(x) for x in period.split("-"))
        qs = qs.filter(period__year=y, period__month=m)
    return with_agenda_item(qs)


def record(alert: Alert) -> dict[str, Any]:
    return {f.key: f.value(alert) for f in ALERT_FIELDS}


def records(qs: QuerySet[Alert]) -> Iterator[dict[str, Any]]:
    for alert in (
        qs.select_related("rule", "region", "unit")
        .order_by("period", "rule__code", "subject_key")
        .iterator(chunk_size=2000)
    ):
        yield record(alert)


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({**row, "figures": json.dumps(row["figures"], ensure_ascii=False)})
        n += 1
    return n


# --- the data lists' spreadsheets -----------------------------------------------------------

INDICATOR_COLUMNS: list[Column[BudgetIndicator]] = [
    Column("指标编号", lambda i: i.bgt_id),
    Column("预算年度", lambda i: i.year),
    Column("单位编码", lambda i: i.unit.code),
    Column("单位名称", lambda i: i.unit.name),
    Column("项目编码", lambda i: i.project_code),
    Column("项目名称", lambda i: i.project_name),
    Column("功能分类", lambda i: i.func_code),
    Column("政府经济分类", lambda i: i.gov_eco_code),
    Column("部门经济分类", lambda i: i.dep_eco_code),
    Column("资金性质", lambda i: i.fund_type),
    Column("指标类型", lambda i: i.get_kind_display()),
    Column("原指标编号", lambda i: i.ori_bgt_id),
    Column("文号", lambda i: i.doc_no),
    Column("下达日期", lambda i: i.doc_date),
    Column("金额（元）", lambda i: i.amount),
    Column("三公经费", lambda i: i.get_thr_exp_display()),
]

# In the order of the payments file format, so an export can be imported again.
PAYMENT_COLUMNS: list[Column[Payment]] = [
    Column(c.header, value)
    for c, value in zip(
        KINDS["payments"].columns,
        (
            lambda p: p.voucher_no,
            lambda p: p.pay_date,
            lambda p: p.year,
            lambda p: p.region.code,
            lambda p: p.unit.code,
            lambda p: p.unit.name,
            lambda p: p.bgt_id,
            lambda p: p.func_code,
            lambda p: p.gov_eco_code,
            lambda p: p.dep_eco_code,
            lambda p: p.fund_type,
            lambda p: p.pay_type,
            lambda p: p.settle_mode,
            lambda p: p.payee_name,
            lambda p: p.payee_account,
            lambda p: p.get_payee_type_display(),
            lambda p: abs(p.amount),
            lambda p: p.purpose,
            lambda p: p.get_thr_exp_display(),
            lambda p: "作废" if p.is_void else p.get_kind_display(),
            lambda p: p.original_voucher,
        ),
        strict=True,
    )
]

ERROR_COLUMNS: list[Column[dict[str, Any]]] = [
    Column("行号", lambda e: e.get("row") or ""),
    Column("列", lambda e: e.get("column", "")),
    Column("错误", lambda e: e.get("message", "")),
]
