"""Test data for 实施监督, built through the services (budget rows stand for imported data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from renda.budget.models import BudgetIndicator, BudgetUnit, FinanceRegion, Payment
from renda.core.models import ImportBatch, Organization
from renda.deputies.models import Deputy
from renda.livelihood.models import Plan, PlanItem, ProgressStatus
from renda.livelihood.services import implementation as services
from renda.livelihood.tests.factories import a_project
from renda.meetings.tests.factories import a_deputy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def status(key: str) -> ProgressStatus:
    return ProgressStatus.objects.get(key=key)


def a_photo(name: str = "site.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@dataclass
class Scene:
    plan: Plan
    road: PlanItem  # 1,000,000 元, the world's department
    lights: PlanItem  # 3,000,000 元, another unit
    other_unit: Organization


def other_unit(world: Any) -> Organization:
    return Organization.objects.get_or_create(
        code="JTJ",
        defaults={
            "name": "冷水江市交通运输局",
            "kind": Organization.Kind.GOVERNMENT_DEPARTMENT,
            "region": world.county,
            "is_handling_unit": True,
        },
    )[0]


def a_plan(world: Any, *, publish: bool = True, deadline: dt.date | None = None) -> Scene:
    project = a_project(world, title="城区道路提质改造")
    plan = services.create_plan(actor=world.staff, project=project)
    due = deadline or dt.date(2099, 12, 31)
    unit = other_unit(world)
    road = services.add_item(
        actor=world.staff,
        plan=plan,
        title="人民路改造",
        owner_unit=world.department,
        budget=Decimal("1000000"),
        deadline=due,
    )
    lights = services.add_item(
        actor=world.staff,
        plan=plan,
        title="路灯安装",
        owner_unit=unit,
        budget=Decimal("3000000"),
        deadline=due,
    )
    if publish:
        services.publish_plan(actor=world.staff, plan=plan)
    plan.refresh_from_db()
    return Scene(plan, road, lights, unit)


def supervisor(world: Any, scene: Scene, user: Any = None) -> Deputy:
    """The deputy persona (or `user`) as a supervising deputy of the scene's plan."""
    user = user or world.deputy
    deputy = Deputy.objects.filter(user=user).first() or a_deputy(world, user=user)
    services.assign_supervisor(actor=world.staff, plan=scene.plan, deputy=deputy)
    return deputy


def budget_rows(world: Any, *, year: int = 2027) -> FinanceRegion:
    """An indicator ZB-001 of 2,000,000 元 (调减 200,000), two payments, one refund and one
    voided voucher on it, and a payment on another indicator."""
    region = FinanceRegion.objects.create(code="431381", name="冷水江市本级", region=world.county)
    batch = ImportBatch.objects.create(
        kind="budget",
        file_name="t.csv",
        sha256="0" * 64,
        status="committed",
        created_by=world.staff,
    )
    unit = BudgetUnit.objects.create(region=region, year=year, code="101", name="住建局")
    common = {"region": region, "year": year, "batch": batch, "unit": unit, "func_code": "212"}
    BudgetIndicator.objects.create(
        bgt_id="ZB-001", kind="initial", amount=Decimal("2000000"), fund_type="1", **common
    )
    BudgetIndicator.objects.create(
        bgt_id="ZB-001-J",
        ori_bgt_id="ZB-001",
        kind="reduction",
        amount=Decimal("-200000"),
        fund_type="1",
        **common,
    )
    BudgetIndicator.objects.create(
        bgt_id="ZB-999", kind="initial", amount=Decimal("500000"), fund_type="1", **common
    )
    pay = {**common, "fund_type": "1", "payee_type": "unit", "pay_date": dt.date(year, 5, 1)}
    Payment.objects.create(
        voucher_no="P1", bgt_id="ZB-001", amount=Decimal("300000"), payee_name="甲公司", **pay
    )
    Payment.objects.create(
        voucher_no="P2", bgt_id="ZB-001", amount=Decimal("150000.50"), payee_name="乙公司", **pay
    )
    Payment.objects.create(
        voucher_no="P3",
        bgt_id="ZB-001",
        amount=Decimal("-50000"),
        kind="refund",
        payee_name="甲公司",
        **pay,
    )
    Payment.objects.create(
        voucher_no="P4",
        bgt_id="ZB-001",
        amount=Decimal("999999"),
        is_void=True,
        payee_name="丙公司",
        **pay,
    )
    Payment.objects.create(
        voucher_no="P5", bgt_id="ZB-999", amount=Decimal("77777"), payee_name="丁公司", **pay
    )
    return region
