"""Test data for the alert, inquiry and escalation pages.

Rules are the real ones (engine.ensure_rules); `Alert` rows are made directly, the way a rule
run leaves them, so that each page test sets up exactly the alert it needs. Inquiries are
made through the services.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from renda.budget.models import Alert, AlertChange, AlertLevel, Inquiry, Payment, Rule
from renda.budget.services import batches, engine, inquiries

REGION = "431381"
_serial = itertools.count(1)


def make_rule(code: str = "B06") -> Rule:
    """The real rule row (created from the registry in budget/rules.py)."""
    engine.ensure_rules()
    return Rule.objects.get(code=code)


def make_region(world: Any) -> Any:
    return batches.ensure_finance_region(actor=world.staff, code=REGION, name="冷水江市")


def make_alert(
    world: Any,
    *,
    code: str = "B06",
    level: int = AlertLevel.SEVERE,
    period: dt.date = dt.date(2025, 4, 1),
    unit: Any = None,
    payments: list[Payment] | None = None,
    explanation: str = "",
    amount: Decimal = Decimal("6000000.00"),
    **over: Any,
) -> Alert:
    """An alert as a rule run leaves it, with a `raised` change row."""
    rule = make_rule(code)
    n = next(_serial)
    now = timezone.now()
    values: dict[str, Any] = {
        "rule": rule,
        "rule_version": rule.version,
        "params": rule.params,
        "region": make_region(world),
        "year": period.year,
        "period": period,
        "subject_type": rule.subject_type,
        "subject_key": f"S{n:05d}",
        "subject_label": unit.name if unit else f"冷水江市第{n}中学",
        "unit": unit,
        "level": level,
        "first_level": level,
        "amount": amount,
        "figures": {"金额（元）": str(amount), "大额标准（元）": "5000000"},
        "evidence": {"payments": [p.pk for p in payments or []], "indicators": []},
        "explanation": explanation
        or f"冷水江市第{n}中学于{period:%Y年%m月}单笔支付600.00万元，达到大额支付标准500万元。",
        "raised_at": now,
        "last_seen_at": now,
    }
    values.update(over)
    alert = Alert.objects.create(**values)
    AlertChange.objects.create(alert=alert, kind=AlertChange.Kind.RAISED, to_level=level, at=now)
    return alert


def make_alerts(world: Any, count: int, **kw: Any) -> list[Alert]:
    return [make_alert(world, **kw) for _ in range(count)]


def load_payments(world: Any, directory: Path, count: int = 3) -> list[Payment]:
    """Reference data, two indicators and ``count`` payments of 第一中学, via the importer."""
    from renda.budget.tests.factories import load, payment_row, with_indicator

    with_indicator(world.staff, directory)
    rows = [payment_row(f"E{n}", amount=f"{2000000 + n}.00") for n in range(count)]
    load(world.data_provider, directory, "payments", rows)
    return list(Payment.objects.order_by("id"))


def draft_inquiry(world: Any, alerts: list[Alert] | None = None, **kw: Any) -> Inquiry:
    return inquiries.create_inquiry(
        actor=world.staff,
        alerts=alerts or [make_alert(world)],
        addressee=kw.pop("addressee", world.finance),
        **kw,
    )


def issued_inquiry(world: Any, alerts: list[Alert] | None = None, **kw: Any) -> Inquiry:
    inquiry = draft_inquiry(world, alerts, **kw)
    return inquiries.issue_inquiry(actor=world.staff, inquiry=inquiry)


def responded_inquiry(
    world: Any, finding: str = Inquiry.Finding.CORRECTED, files: list[Any] | None = None
) -> Inquiry:
    inquiry = issued_inquiry(world)
    return inquiries.respond_inquiry(
        actor=world.data_provider,
        inquiry=inquiry,
        response="经核实，该笔支付为教学楼维修工程进度款，已按合同支付。",
        finding=finding,
        files=files or [],
    )


def pdf(name: str = "合同.pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")
