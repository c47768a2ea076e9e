"""The budget part of the demo data set (called by `seed_demo`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from renda.accounts.models import User
from renda.budget import rules as registry
from renda.budget.demo import inquiries, synthetic
from renda.budget.ingest.kinds import LOAD_ORDER
from renda.budget.models import Alert, FinanceRegion, Payment, RuleRun
from renda.budget.services.batches import ensure_finance_region, import_path
from renda.budget.services.engine import month_ends, run_rules
from renda.budget.tasks import rules_paused
from renda.core.demo_clock import simulated_clock
from renda.core.models import ImportBatch


def load_demo_year(
    *,
    actor: User,
    year: int,
    payments: int | None = None,
    scale: str = "county",
    monthly_history: bool = False,
) -> dict[str, Any]:
    """Generate and import a county-scale year for 冷水江 (seed_demo calls this). Returns the
    generator's manifest with each kind's batch id."""

    with tempfile.TemporaryDirectory() as tmp:
        manifest = synthetic.generate(out=Path(tmp), scale=scale, year=year, payments=payments)
        profile = synthetic.SCALES[scale]
        ensure_finance_region(actor=actor, code=profile.region_code, name=profile.region_name)
        batches = {}
        # One rules run at the end instead of one per file.

        with rules_paused():
            batches = _import_demo_files(actor, Path(tmp))
        manifest["batches"] = batches
    region = FinanceRegion.objects.get(code=synthetic.SCALES[scale].region_code)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE budget_payment")

    # The payments import brought the summaries up to date in its own transaction.
    if monthly_history:
        # What the nightly job would have left behind over the year: the progress rules
        # judged at every month end (the alerts-by-month view), before the year-end run.

        # Debt ratios (B14) and major projects (B15) are judged on the year's figures: a
        # month-by-month history of them would only repeat the same debt and projects.
        progress = [
            r.code
            for r in registry.AGGREGATE_RULES
            if not r.payment_months and r.code not in ("B14", "B15")
        ]
        for as_of in month_ends(dt.date(year, 1, 1), dt.date(year, 11, 30)):
            run_rules(
                actor=actor,
                region=region,
                year=year,
                as_of=as_of,
                trigger=RuleRun.Trigger.COMMAND,
                codes=progress,
            )
    run_rules(actor=actor, region=region, year=year, trigger=RuleRun.Trigger.COMMAND)
    return manifest


def _import_demo_files(actor: User, folder: Path) -> dict[str, int]:
    batches = {}
    for kind in LOAD_ORDER:
        path = folder / f"{kind}.csv"
        if path.exists():
            batch = import_path(actor=actor, kind=kind, path=path)
            if batch.status not in (ImportBatch.Status.COMMITTED, ImportBatch.Status.DISCARDED):
                raise RuntimeError(f"演示数据 {kind} 导入失败：{batch.errors[:3]}")
            batches[kind] = batch.pk
    return batches


def load_demo_budget(*, actor: User | None = None) -> dict[str, int]:
    """Load last year's county-scale fiscal data for 冷水江 once (≈10^5 payments, with the
    generator's planted anomalies), a complete budget year with no payment dated in the
    future, and run the rules as the nightly job would have month by month; then some of the
    alerts are handled through inquiry letters (inquiries.py). Idempotent: a year already
    loaded is left alone, and the letters are written once."""
    year = timezone.localdate().year - 1
    # Import batches need a person behind them; the demo budget-committee clerk is that person.
    importer = actor or User.objects.filter(username="staff").first()
    if importer is None:
        return {}
    created: dict[str, int] = {}
    if not Payment.objects.filter(year=year).exists():
        # The year-end data arrive in January and the rules run on them then, so that the
        # letters about the alerts can follow over the months after (inquiries.py).
        moment = inquiries.load_moment(year)
        with simulated_clock(moment) if moment else contextlib.nullcontext():
            load_demo_year(actor=importer, year=year, monthly_history=True)
        created["预算支付凭证"] = Payment.objects.filter(year=year).count()
    raised = Alert.objects.filter(year=year).aggregate(t=Max("raised_at"))["t"]
    if raised is not None and inquiries.room_for_letters(raised):
        created.update(inquiries.seed_inquiries(actor=importer, year=year, start=raised))
    return created
