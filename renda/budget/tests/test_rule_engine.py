"""The rule engine: thresholds validated and versioned, alerts deduplicated, raised,
escalated and cleared by re-runs, a failing rule isolated, incremental runs, the command,
the export and the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from renda.budget import rules
from renda.budget.models import (
    Alert,
    AlertChange,
    AlertLevel,
    FinanceRegion,
    Rule,
    RuleRun,
    RuleVersion,
)
from renda.budget.services import engine
from renda.budget.services.summaries import refresh_payment_summary
from renda.budget.tests.factories import indicator_row, load, payment_row, reference_data
from renda.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world, tmp_path):
    """Two units with one 1,000,000 indicator each; the first school has paid 500,000 by
    30 June (time progress 49.6 %, so it is on time), the hospital nothing (lag 49.6 pp)."""
    reference_data(world.staff, tmp_path)
    assert (
        load(
            world.staff,
            tmp_path,
            "indicators",
            [
                indicator_row("ZB001", amount="1000000.00"),
                indicator_row("ZB002", unit="119001", amount="1000000.00"),
            ],
        ).status
        == "committed"
    )
    days = ("2025-01-10", "2025-02-12", "2025-03-13", "2025-04-14", "2025-05-15")  # working days
    rows = [payment_row(f"P{n}", "100000.00", pay_date=day) for n, day in enumerate(days)]
    assert load(world.staff, tmp_path, "payments", rows).status == "committed"
    region = FinanceRegion.objects.get(code="431381")
    refresh_payment_summary(region_id=region.pk, year=2025)
    engine.ensure_rules()
    return region


def run(region, as_of="2025-06-30", **kw):
    return engine.run_rules(
        actor=None, region=region, year=2025, as_of=dt.date.fromisoformat(as_of), **kw
    )


def test_rules_are_created_from_the_registry_with_version_one():
    engine.ensure_rules()
    assert set(Rule.objects.values_list("code", flat=True)) == {f"B{n:02d}" for n in range(1, 17)}
    b01 = Rule.objects.get(code="B01")
    assert b01.params["notice"] == "10" and b01.params["severe"] == "30"
    assert RuleVersion.objects.filter(rule=b01, version=1).exists()
    assert {s["name"] for s in b01.param_specs} >= {"notice", "warning", "severe", "min_indicators"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"notice": "150"}, "不能大于 100"),
        ({"notice": "-1"}, "不能小于 0"),
        ({"notice": "十"}, "应为数字"),
        ({"start_month": "3.5"}, "应为整数"),
        ({"start_month": "13"}, "不能大于 12"),
        ({"notice": "25", "warning": "20"}, "阈值应当随级别升高"),
    ],
)
def test_a_threshold_out_of_bounds_or_of_the_wrong_type_is_refused(world, params, message):
    engine.ensure_rules()
    rule = Rule.objects.get(code="B01")
    with pytest.raises(ValidationError) as exc:
        engine.update_rule(
            actor=world.staff,
            rule=rule,
            params={**rule.params, **params},
            enabled=True,
            schedule=rule.schedule,
        )
    assert any(message in m for m in exc.value.messages)
    rule.refresh_from_db()
    assert rule.version == 1 and RuleVersion.objects.filter(rule=rule).count() == 1


def test_a_change_is_versioned_and_audited(world):
    engine.ensure_rules()
    rule = Rule.objects.get(code="B11")
    engine.update_rule(
        actor=world.staff,
        rule=rule,
        params={"words": "礼品，购物卡, 茅台", "level": "3"},
        enabled=False,
        schedule=Rule.Schedule.NIGHTLY,
        note="加入茅台",
    )
    rule.refresh_from_db()
    assert rule.version == 2 and not rule.enabled
    assert rule.params == {"words": ["礼品", "购物卡", "茅台"], "level": 3}
    version = RuleVersion.objects.get(rule=rule, version=2)
    assert version.created_by == world.staff and version.note == "加入茅台"
    event = AuditEvent.objects.filter(action="budget.rule.update").latest("id")
    assert (
        event.details["before"]["params"]["words"][0] == "礼品"
        and event.details["after"]["enabled"] is False
    )
    with pytest.raises(ValidationError, match="没有修改"):
        engine.update_rule(
            actor=world.staff, rule=rule, params=rule.params, enabled=False, schedule=rule.schedule
        )


def test_a_rerun_does_not_duplicate_raises_the_level_and_clears_but_keeps(world, county):
    run(county, codes=["B01"])
    alert = Alert.objects.get(rule__code="B01")
    assert alert.subject_key == "119001" and alert.level == AlertLevel.SEVERE  # 49.6 pp behind
    assert "落后49.6个百分点" in alert.explanation and alert.period == dt.date(2025, 6, 1)
    run(county, codes=["B01"])
    assert Alert.objects.filter(rule__code="B01").count() == 1

    # Lower the severe line is impossible (it is already severe); show escalation instead by
    # starting from thresholds where the lag is only a notice, then tightening them.
    rule = Rule.objects.get(code="B01")
    engine.update_rule(
        actor=world.staff,
        rule=rule,
        params={**rule.params, "notice": "40", "warning": "60", "severe": "80"},
        enabled=True,
        schedule=rule.schedule,
    )
    Alert.objects.all().delete()
    run(county, codes=["B01"])
    alert = Alert.objects.get(rule__code="B01")
    assert alert.level == AlertLevel.NOTICE and alert.rule_version == 2
    rule.refresh_from_db()
    engine.update_rule(
        actor=world.staff,
        rule=rule,
        params={**rule.params, "notice": "10", "warning": "45", "severe": "80"},
        enabled=True,
        schedule=rule.schedule,
    )
    run(county, codes=["B01"])
    alert.refresh_from_db()
    assert (
        alert.level == AlertLevel.WARNING
        and alert.first_level == AlertLevel.NOTICE
        and alert.rule_version == 3
    )
    assert alert.params["warning"] == "45"
    assert list(alert.changes.values_list("kind", "from_level", "to_level")) == [
        (AlertChange.Kind.RAISED, None, AlertLevel.NOTICE),
        (AlertChange.Kind.ESCALATED, AlertLevel.NOTICE, AlertLevel.WARNING),
    ]
    # A higher line makes the condition go away: cleared, kept, and the level not lowered.
    rule.refresh_from_db()
    engine.update_rule(
        actor=world.staff,
        rule=rule,
        params={**rule.params, "notice": "60", "warning": "70", "severe": "80"},
        enabled=True,
        schedule=rule.schedule,
    )
    run(county, codes=["B01"])
    alert.refresh_from_db()
    assert (
        alert.status == Alert.Status.CLEARED
        and alert.cleared_at
        and alert.level == AlertLevel.WARNING
    )
    assert Alert.objects.count() == 1


def test_a_failing_rule_is_recorded_and_the_others_still_run(world, county, monkeypatch):
    def broken(ctx, params):
        raise ZeroDivisionError("坏数据")

    monkeypatch.setitem(
        rules.RULES, "B14", dataclasses.replace(rules.RULES["B14"], evaluate=broken)
    )
    result = run(county)
    assert result.status == RuleRun.Status.PARTIAL
    assert (
        result.results["B14"]["status"] == "failed"
        and "ZeroDivisionError" in result.results["B14"]["error"]
    )
    assert (
        result.results["B01"]["status"] == "ok" and Alert.objects.filter(rule__code="B01").exists()
    )


def test_a_failing_payment_rule_does_not_stop_the_other_payment_rules(
    world, county, tmp_path, monkeypatch
):
    load(
        world.staff, tmp_path, "payments", [payment_row("BIG", "6000000.00", pay_date="2025-06-20")]
    )

    def broken(ctx, params):
        raise RuntimeError("规则函数出错")

    monkeypatch.setitem(
        rules.RULES, "B11", dataclasses.replace(rules.RULES["B11"], predicate=broken)
    )
    result = run(county)
    assert result.results["B11"]["status"] == "failed"
    assert result.results["B06"]["status"] == "ok"
    assert Alert.objects.filter(
        rule__code="B06", subject_key="BIG", level=AlertLevel.NOTICE
    ).exists()


def test_payment_rules_find_their_payments(world, county, tmp_path):
    rows = [
        payment_row(
            "IND",
            "20000.00",
            payee_type="个人",
            payee_name="张三",
            dep_eco_code="30226",
            pay_date="2025-06-03",
        ),
        payment_row(
            "WAGE",
            "20000.00",
            payee_type="个人",
            payee_name="李四",
            dep_eco_code="30101",
            pay_date="2025-06-03",
        ),
        payment_row("SUN", "800.00", pay_date="2025-06-08"),  # a Sunday
        payment_row("GIFT", "800.00", purpose="中秋礼品", pay_date="2025-06-04"),
        payment_row("SELF", "800.00", payee_name="冷水江市第一中学", pay_date="2025-06-04"),
        payment_row("MART", "3000.00", payee_name="万家福超市", pay_date="2025-06-04"),
        payment_row("MART2", "3000.50", payee_name="万家福超市", pay_date="2025-06-04"),
        payment_row("NOIND", "800.00", bgt_id="", pay_date="2025-06-04"),
        payment_row("S1", "600000.00", payee_name="甲建设公司", pay_date="2025-06-16"),
        payment_row("S2", "500000.00", payee_name="甲建设公司", pay_date="2025-06-20"),
        payment_row("S3", "500000.00", payee_name="乙建设公司", pay_date="2025-06-03"),
        payment_row(
            "S4", "500000.00", payee_name="乙建设公司", pay_date="2025-06-12"
        ),  # 10 days apart
    ]
    assert load(world.staff, tmp_path, "payments", rows).status == "committed"
    # What the import hook does after a commit (it runs on commit, which a test
    # transaction never reaches).
    refresh_payment_summary(region_id=county.pk, year=2025)
    run(county)
    found = set(
        Alert.objects.filter(rule__code__in=["B03", "B05", "B08", "B11", "B12", "B16"]).values_list(
            "rule__code", "subject_key"
        )
    )
    assert found == {
        ("B05", "IND"),
        ("B08", "SUN"),
        ("B11", "GIFT"),
        ("B12", "SELF"),
        ("B16", "MART"),
        ("B03", "NOIND"),
    }
    split = Alert.objects.get(rule__code="B07")
    assert split.subject_key == "105001|甲建设公司|2025-06-16" and split.amount == Decimal(
        "1100000.00"
    )
    assert len(split.evidence["payments"]) == 2
    assert "疑似拆分支付" in split.explanation


def test_an_incremental_run_sees_the_new_payments_only_and_clears_nothing(world, county, tmp_path):
    load(
        world.staff,
        tmp_path,
        "payments",
        [payment_row("OLD", "800.00", payee_name="冷水江市第一中学", pay_date="2025-06-04")],
    )
    run(county)
    assert Alert.objects.filter(rule__code="B12").count() == 1
    batch = load(
        world.staff, tmp_path, "payments", [payment_row("NEW", "7000000.00", pay_date="2025-06-25")]
    )
    result = run(county, batch_id=batch.pk, trigger=RuleRun.Trigger.IMPORT)
    assert result.incremental and result.results["B06"]["found"] == 1
    assert result.results["B12"]["found"] == 0
    assert Alert.objects.get(rule__code="B12").status == Alert.Status.OPEN  # not cleared


def test_an_incremental_run_finds_a_split_across_an_earlier_and_a_new_batch(
    world, county, tmp_path
):
    load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("E1", "600000.00", payee_name="甲建设公司", pay_date="2025-06-16"),
            payment_row("FAR", "600000.00", payee_name="乙建设公司", pay_date="2025-05-02"),
        ],
    )
    run(county)
    assert not Alert.objects.filter(rule__code="B07").exists()
    batch = load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("N1", "500000.00", payee_name="甲建设公司", pay_date="2025-06-20"),
            payment_row("N2", "500000.00", payee_name="乙建设公司", pay_date="2025-06-20"),
        ],
    )
    result = run(county, batch_id=batch.pk, trigger=RuleRun.Trigger.IMPORT, kinds={"payments"})
    assert result.results["B07"]["found"] == 1
    split = Alert.objects.get(rule__code="B07")
    assert split.subject_key == "105001|甲建设公司|2025-06-16"
    assert split.amount == Decimal("1100000.00") and len(split.evidence["payments"]) == 2


def test_splits_of_several_units_and_payees_are_told_apart(world, county, tmp_path):
    """B07 reads the payments of every unit with every payee of the pairs it checks; a unit's
    payments to another pair's payee must neither join nor make a split."""
    hospital = {"agency_code": "119001"}
    load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("S1", "600000.00", payee_name="甲建设公司", pay_date="2025-06-16"),
            payment_row("S2", "500000.00", payee_name="甲建设公司", pay_date="2025-06-18"),
            payment_row(
                "S3", "700000.00", payee_name="乙建设公司", pay_date="2025-06-17", **hospital
            ),
            payment_row(
                "S4", "400000.00", payee_name="乙建设公司", pay_date="2025-06-19", **hospital
            ),
            # The school to 乙 and the hospital to 甲: within the window, below the total.
            payment_row("C1", "450000.00", payee_name="乙建设公司", pay_date="2025-06-17"),
            payment_row("C2", "450000.00", payee_name="乙建设公司", pay_date="2025-06-18"),
            payment_row(
                "C3", "300000.00", payee_name="甲建设公司", pay_date="2025-06-18", **hospital
            ),
        ],
    )
    run(county)
    found = {
        a.subject_key: (a.amount, sorted(a.evidence["payments"]))
        for a in Alert.objects.filter(rule__code="B07")
    }
    from renda.budget.models import Payment

    def ids(*vouchers: str) -> list[int]:
        return sorted(Payment.objects.filter(voucher_no__in=vouchers).values_list("pk", flat=True))

    assert found == {
        "105001|甲建设公司|2025-06-16": (Decimal("1100000.00"), ids("S1", "S2")),
        "119001|乙建设公司|2025-06-17": (Decimal("1100000.00"), ids("S3", "S4")),
    }


def test_a_run_after_an_import_evaluates_only_the_rules_that_read_its_kind(world, county):
    from renda.budget import rules as registry

    after_payments = run(county, trigger=RuleRun.Trigger.IMPORT, kinds={"payments"})
    assert set(after_payments.results) == {
        code
        for code, spec in registry.RULES.items()
        if "payments" in spec.inputs and spec.schedule == Rule.Schedule.IMPORT_AND_NIGHTLY
    }
    assert {"B02", "B03", "B07", "B09"} <= set(after_payments.results)
    # Not what the payments do not feed, nor the rules judged against the calendar nightly.
    assert not {"B01", "B04", "B10", "B13", "B14", "B15"} & set(after_payments.results)
    after_debt = run(county, trigger=RuleRun.Trigger.IMPORT, kinds={"debt"})
    assert set(after_debt.results) == {"B14"}
    nightly = run(county, trigger=RuleRun.Trigger.NIGHTLY)
    assert len(nightly.results) == 16


@pytest.mark.django_db(transaction=True)
def test_an_import_refreshes_the_summaries_and_runs_the_rules(world, tmp_path):
    reference_data(world.staff, tmp_path)
    load(world.staff, tmp_path, "indicators", [indicator_row("ZB001", amount="1000000.00")])
    load(
        world.staff, tmp_path, "payments", [payment_row("BIG", "6000000.00", pay_date="2025-03-20")]
    )
    alert = Alert.objects.get(rule__code="B06")
    assert alert.subject_key == "BIG" and alert.period == dt.date(2025, 3, 1)
    assert RuleRun.objects.filter(trigger=RuleRun.Trigger.IMPORT, incremental=True).exists()
    # The dashboard overview of the new data is ready in the cache for its first reader.
    from django.core.cache import cache

    from renda.budget.selectors import dashboards

    region = alert.region
    key = dashboards._cache_key(region, 2025, dashboards.as_of_date(region, 2025))
    assert cache.get(key) is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_runs_at_once_do_not_duplicate_alerts(world, tmp_path):
    reference_data(world.staff, tmp_path)
    load(world.staff, tmp_path, "indicators", [indicator_row("ZB001", amount="1000000.00")])
    from renda.budget.tasks import rules_paused

    with rules_paused():
        load(
            world.staff,
            tmp_path,
            "payments",
            [payment_row(f"B{n}", "6000000.00", pay_date=f"2025-03-{10 + n}") for n in range(5)],
        )
    region = FinanceRegion.objects.get(code="431381")
    refresh_payment_summary(region_id=region.pk, year=2025)
    engine.ensure_rules()
    barrier, errors = threading.Barrier(2), []

    def go(trigger):
        from django.db import connections

        try:
            barrier.wait()
            engine.run_rules(actor=None, region=region, year=2025, trigger=trigger)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=go, args=(t,))
        for t in (RuleRun.Trigger.NIGHTLY, RuleRun.Trigger.MANUAL)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Alert.objects.filter(rule__code="B06").count() == 5
    both = RuleRun.objects.filter(trigger__in=[RuleRun.Trigger.NIGHTLY, RuleRun.Trigger.MANUAL])
    assert sorted(both.values_list("status", flat=True)) == [RuleRun.Status.DONE] * 2


def test_backtest_counts_without_writing(world, county):
    rule = Rule.objects.get(code="B01")
    result = engine.backtest(
        rule=rule,
        params={**rule.params, "notice": "5", "warning": "40", "severe": "90"},
        region=county,
        year=2025,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 6, 30),
    )
    assert Alert.objects.count() == 0 and RuleRun.objects.count() == 0
    # The hospital is behind every month end from March to June: 4 findings; with the
    # proposed lines the June lag (49.6) is a warning, the March–May lags notices or warnings.
    assert sum(result["proposed"].values()) == 4 + sum(
        1 for m in result["months"] if m["proposed"].get(1) and False
    )
    assert sum(result["current"].values()) >= 4
    with pytest.raises(ValidationError):
        engine.backtest(
            rule=rule,
            params={**rule.params, "notice": "abc"},
            region=county,
            year=2025,
            start=dt.date(2025, 3, 1),
            end=dt.date(2025, 6, 30),
        )


def test_command_and_exports(world, county, capsys, tmp_path):
    call_command("run_budget_rules", "--year", "2025", "--as-of", "2025-06-30")
    out = capsys.readouterr().out
    assert "B01 发现 1" in out
    target = tmp_path / "alerts.json"
    call_command("export_alerts", "--format", "json", "--output", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data[0]["rule"] == "B01" and data[0]["level"] == 3 and data[0]["period"] == "2025-06"
    assert data[0]["figures"]["时间进度（%）"] == "49.59"
    call_command("export_alerts", "--format", "csv", "--level", "3")
    assert "B01,支出进度滞后,3,严重" in capsys.readouterr().out


def test_command_refuses_a_bad_date(world, county):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_budget_rules", "--year", "2025", "--as-of", "2025-13-40")
    with pytest.raises(CommandError, match="不在 2025 年度内"):
        call_command("run_budget_rules", "--year", "2025", "--as-of", "2024-06-30")


def test_alerts_api(world, county, client_for):
    run(county)
    response = client_for("sc_member").get("/api/v1/budget/alerts?level=3&year=2025")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["subject"] == "119001"
    assert client_for("sc_member").get("/api/v1/budget/alerts?level=7").status_code == 400
    assert client_for("data_provider").get("/api/v1/budget/alerts").status_code == 401


def test_the_nightly_job_runs_every_year_with_data(world, county):
    from renda.budget.tasks import nightly_budget_rules

    nightly_budget_rules.call_local()
    run = RuleRun.objects.get(trigger=RuleRun.Trigger.NIGHTLY)
    assert run.year == 2025 and run.as_of == dt.date(2025, 5, 15)  # the last payment
    assert run.status == RuleRun.Status.DONE


def test_a_later_month_supersedes_or_clears_the_earlier_months_open_alerts(world, county):
    run(county, as_of="2025-03-31", codes=["B01"])
    run(county, as_of="2025-04-30", codes=["B01"])
    march, april = Alert.objects.filter(rule__code="B01").order_by("period")
    assert (march.status, april.status) == (Alert.Status.SUPERSEDED, Alert.Status.OPEN)
    assert march.changes.last().kind == AlertChange.Kind.SUPERSEDED
    # An alert under inquiry is the inquiry's business: it stays as it is.
    april.handling = Alert.Handling.INQUIRED
    april.save(update_fields=["handling"])
    rule = Rule.objects.get(code="B01")
    engine.update_rule(
        actor=world.staff,
        rule=rule,
        params={**rule.params, "notice": "60", "warning": "70", "severe": "80"},
        enabled=True,
        schedule=rule.schedule,
    )
    run(county, as_of="2025-05-31", codes=["B01"])  # nobody lags 60 points: nothing found
    april.refresh_from_db()
    assert april.status == Alert.Status.OPEN
    april.handling = Alert.Handling.NEW
    april.save(update_fields=["handling"])
    run(county, as_of="2025-05-31", codes=["B01"])
    april.refresh_from_db()
    assert april.status == Alert.Status.CLEARED and april.cleared_at is not None
    # A run for a past month leaves the later months alone.
    run(county, as_of="2025-03-31", codes=["B01"])
    april.refresh_from_db()
    assert april.status == Alert.Status.CLEARED
