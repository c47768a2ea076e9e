"""Issue 6 acceptance on county-scale data: every anomaly the generator planted raises its
alert at its level, and a clean generated year raises none of the payment rules."""

from __future__ import annotations

import datetime as dt

import pytest

from renda.budget import rules
from renda.budget.demo import seed
from renda.budget.models import Alert, AlertLevel, FinanceRegion, Payment, RuleRun

LEVELS = {"notice": AlertLevel.NOTICE, "warning": AlertLevel.WARNING, "severe": AlertLevel.SEVERE}
PAYMENT_RULES = {r.code for r in rules.PAYMENT_RULES} | {"B07"}


def load(world, *, anomalies: bool, payments: int | None = None):
    """Generate and import one county year through the real import path (rules run once at
    the end, as the demo seed does)."""
    from renda.budget.demo import synthetic

    original = synthetic.generate

    def generate(**kwargs):
        kwargs["anomalies"] = anomalies
        return original(**kwargs)

    synthetic.generate = generate
    try:
        manifest = seed.load_demo_year(actor=world.staff, year=2025, payments=payments)
    finally:
        synthetic.generate = original
    return manifest, FinanceRegion.objects.get(code=manifest["region"])


@pytest.mark.django_db(transaction=True)
def test_every_planted_anomaly_raises_its_alert_at_its_level(world):
    manifest, region = load(world, anomalies=True)
    assert Payment.objects.filter(year=2025).count() > 90_000  # county scale
    run = RuleRun.objects.latest("started_at")
    assert run.status == RuleRun.Status.DONE, run.results
    assert run.as_of == dt.date(2025, 12, 31)
    alerts = list(Alert.objects.filter(region=region, year=2025).select_related("rule"))
    by_key = {(a.rule.code, a.subject_key): a for a in alerts}
    vouchers = dict(Payment.objects.filter(year=2025).values_list("voucher_no", "pk"))
    missing = []
    for planted in manifest["anomalies"]:
        rule, subject, level = planted["rule"], planted["subject"], LEVELS[planted["level"]]
        if rule == "B07":
            # One alert for the split (unit + payee + first date) holds each planted payment.
            hit = [
                a
                for a in alerts
                if a.rule.code == "B07" and vouchers[subject] in a.evidence.get("payments", [])
            ]
        else:
            hit = [by_key[(rule, subject)]] if (rule, subject) in by_key else []
        if not hit or hit[0].level != level:
            missing.append((planted, [(a.level, a.explanation) for a in hit]))
    assert not missing, missing
    # Every alert explains itself in a Chinese sentence and keeps the version that raised it.
    assert all(a.explanation and a.rule_version == a.rule.version for a in alerts)


@pytest.mark.django_db(transaction=True)
def test_a_clean_year_raises_no_payment_rule(world):
    _, region = load(world, anomalies=False)
    fired = Alert.objects.filter(region=region, year=2025, rule__code__in=PAYMENT_RULES)
    assert list(fired.values_list("rule__code", "explanation")[:10]) == []
