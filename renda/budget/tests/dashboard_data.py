"""Small hand-made budget data for the dashboard tests, with figures easy to check by hand.

Fiscal data go through the import services (factories.load) and the summaries through
summaries.refresh_payment_summary, as in production. Rules, alerts and inquiries are written
with the ORM: their services belong to other parts of issue 6, and only their counts matter
here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from renda.budget.models import Alert, AlertLevel, FinanceRegion, Inquiry, Rule
from renda.budget.services import summaries
from renda.budget.tests.factories import (
    REGION,
    YEAR,
    indicator_row,
    load,
    payment_row,
    reference_data,
)

_numbers = itertools.count(1)

# Payee names, accounts and vouchers the public page must never show.
SECRET_PAYEES = ("湖南锡都办公设备有限公司", "张三丰", "冷水江华湘建材有限公司")
SECRET_ACCOUNTS = ("4305017036360000", "6217000011112222333", "4305990088776655")
SECRET_VOUCHERS = tuple(f"PZ2025QX{n:04d}" for n in range(1, 8))


def fiscal_data(actor: Any, directory: Path) -> FinanceRegion:
    """Four units, five indicators (one 调减, one 三公), one adjustment, payments in March
    and April with a refund and a voided voucher, revenue, debt and two projects.

    Vouchers V1…V7 are SECRET_VOUCHERS[0…6]. Available amounts: ZB001 200,000 − 20,000
    (调减 ZB004) + 10,000 (调剂 from ZB002) = 190,000; ZB002 100,000 − 10,000 = 90,000;
    ZB003 (基金) 50,000; ZB005 (公务接待) 10,000; total 340,000. Paid: ZB001 95,000 −
    5,000 refund = 90,000 (void V4 7,000 not counted); ZB002 30,000; ZB003 40,000; ZB005
    6,000; total 166,000; last payment 2025-04-30."""
    reference_data(actor, directory)
    indicators = [
        indicator_row("ZB001", amount="200000.00"),
        indicator_row("ZB002", unit="119001", amount="100000.00", func_code="2100201"),
        indicator_row("ZB003", amount="50000.00", fund_type="2", func_code="2120801"),
        indicator_row("ZB004", amount="20000.00", bgt_kind="调减", ori_bgt_id="ZB001"),
        indicator_row(
            "ZB005", unit="119001", amount="10000.00", func_code="2010101", thr_exp="公务接待"
        ),
    ]
    assert load(actor, directory, "indicators", indicators).status == "committed"
    adjustment = [["TJ001", YEAR, REGION, "2025-03-01", "ZB002", "ZB001", "10000.00", "调剂"]]
    assert load(actor, directory, "adjustments", adjustment).status == "committed"
    payments = [
        payment_row(SECRET_VOUCHERS[0], amount="50000.00", pay_date="2025-03-10"),
        payment_row(SECRET_VOUCHERS[1], amount="45000.00", pay_date="2025-04-10"),
        payment_row(
            SECRET_VOUCHERS[2],
            amount="5000.00",
            pay_date="2025-04-12",
            vou_type="退款",
            original_voucher=SECRET_VOUCHERS[0],
        ),
        payment_row(SECRET_VOUCHERS[3], amount="7000.00", pay_date="2025-04-13", vou_type="作废"),
        payment_row(
            SECRET_VOUCHERS[4],
            amount="30000.00",
            pay_date="2025-04-20",
            agency_code="119001",
            agency_name="冷水江市人民医院",
            bgt_id="ZB002",
            func_code="2100201",
            payee_name=SECRET_PAYEES[1],
            payee_account=SECRET_ACCOUNTS[1],
            payee_type="个人",
            dep_eco_code="30226",
        ),
        payment_row(
            SECRET_VOUCHERS[5],
            amount="40000.00",
            pay_date="2025-04-25",
            bgt_id="ZB003",
            fund_type="2",
            func_code="2120801",
            payee_name=SECRET_PAYEES[2],
            payee_account=SECRET_ACCOUNTS[2],
        ),
        payment_row(
            SECRET_VOUCHERS[6],
            amount="6000.00",
            pay_date="2025-04-30",
            agency_code="119001",
            agency_name="冷水江市人民医院",
            bgt_id="ZB005",
            func_code="2010101",
            thr_exp="公务接待",
        ),
    ]
    assert load(actor, directory, "payments", payments).status == "committed"
    region = FinanceRegion.objects.get(code=REGION)
    summaries.refresh_payment_summary(region_id=region.pk, year=YEAR)
    revenue_budget = [
        [YEAR, REGION, "10101", "1", "1000000.00"],
        [YEAR, REGION, "10119", "1", "200000.00"],
    ]
    assert load(actor, directory, "revenue-budget", revenue_budget).status == "committed"
    receipts = [
        ["RK1", YEAR, REGION, "2025-03-15", "10101", "税务", "300000.00"],
        ["RK2", YEAR, REGION, "2025-04-15", "1010101", "税务", "50000.00"],
        ["RK3", YEAR, REGION, "2025-04-16", "10119", "税务", "20000.00"],
    ]
    assert load(actor, directory, "revenue", receipts).status == "committed"
    # Ratios 110 %, 150 %, 250 %, 320 %: no tier, 提示, 警告, 严重.
    debt = [
        [YEAR, REGION, m, f"{general:.2f}", "9000000.00", "0.00", "9000000.00", "1000000.00"]
        for m, general in ((1, 1_100_000), (2, 1_500_000), (3, 2_500_000), (4, 3_200_000))
    ]
    assert load(actor, directory, "debt", debt).status == "committed"
    projects = [
        # An older and a newer report of one project: only the newer counts.
        [YEAR, REGION, "ZD001", "污水管网", "城投", "9000000", "1000000", "2025-03-31", "100000",
         "100000", "5", ""],
        [YEAR, REGION, "ZD001", "污水管网", "城投", "9000000", "1000000", "2025-04-30", "250000",
         "250000", "8", "征地滞后"],
        [YEAR, REGION, "ZD002", "风光带", "城投", "5000000", "2000000", "2025-04-30", "800000",
         "800000", "20", ""],
    ]  # fmt: skip
    assert load(actor, directory, "projects", projects).status == "committed"
    return region


def make_rule(code: str = "T01", level: int = AlertLevel.WARNING) -> Rule:
    rule, _ = Rule.objects.get_or_create(
        code=code,
        defaults={
            "name": f"测试规则{code}",
            "description": "测试",
            "basis": "测试依据",
            "category": Rule.Category.RISK,
            "subject_type": Rule.SubjectType.UNIT,
            "evaluator": "test",
        },
    )
    return rule


def make_alert(
    region: FinanceRegion,
    *,
    period: dt.date,
    level: int,
    amount: str = "1000.00",
    status: str = Alert.Status.OPEN,
    handling: str = Alert.Handling.NEW,
    label: str = "",
) -> Alert:
    now = timezone.now()
    n = next(_numbers)
    return Alert.objects.create(
        rule=make_rule(),
        rule_version=1,
        params={},
        region=region,
        year=period.year,
        period=period,
        subject_type=Rule.SubjectType.UNIT,
        subject_key=f"S{n}",
        subject_label=label or f"对象{n}",
        level=level,
        first_level=level,
        amount=Decimal(amount),
        explanation="测试",
        status=status,
        handling=handling,
        raised_at=now,
        last_seen_at=now,
        cleared_at=now if status == Alert.Status.CLEARED else None,
    )


def april_alerts(region: FinanceRegion) -> list[Alert]:
    """The reference article's April: 4 提示, 4 警告, 6 严重 (14), plus 2 in March. Of the
    April severe ones, 2 are cleared and 1 is handled."""
    april, march = dt.date(YEAR, 4, 1), dt.date(YEAR, 3, 1)
    alerts = [make_alert(region, period=april, level=AlertLevel.NOTICE) for _ in range(4)]
    alerts += [make_alert(region, period=april, level=AlertLevel.WARNING) for _ in range(4)]
    alerts += [
        make_alert(
            region, period=april, level=AlertLevel.SEVERE, amount="10000.00", label=f"严重{i}"
        )
        for i in range(3)
    ]
    alerts.append(
        make_alert(
            region,
            period=april,
            level=AlertLevel.SEVERE,
            amount="20000.00",
            handling=Alert.Handling.INQUIRED,
        )
    )
    alerts += [
        make_alert(
            region,
            period=april,
            level=AlertLevel.SEVERE,
            amount="50000.00",
            status=Alert.Status.CLEARED,
        )
        for _ in range(2)
    ]
    alerts.append(make_alert(region, period=march, level=AlertLevel.NOTICE))
    alerts.append(make_alert(region, period=march, level=AlertLevel.SEVERE, amount="3000.00"))
    return alerts


def make_inquiry(world: Any, alerts: list[Alert], *, state: str, overdue: bool = False) -> Inquiry:
    n = next(_numbers)
    due = timezone.now() + dt.timedelta(days=-3 if overdue else 10)
    inquiry = Inquiry.objects.create(
        number=f"问询〔2025〕{n}号",
        title=f"关于预警{n}的问询",
        questions="请说明情况",
        addressee=world.finance,
        state=state,
        due_at=due if state != "draft" else None,
        created_by=world.staff,
    )
    inquiry.alerts.set(alerts)
    return inquiry
