"""Ratios are compared exactly and rounded only for display (issue 14 item 2): a unit 0.01 元
over its 三公 budget is 严重, not 100.0 % 提示; each rule that compares a ratio or a progress
figure with a threshold decides on the exact value at and just beside each threshold; the
debt colour on the dashboard likewise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from renda.budget.models import Alert, AlertLevel, FinanceRegion
from renda.budget.rules import registry
from renda.budget.rules.base import tier
from renda.budget.rules.findings import ratio_of, shown
from renda.budget.selectors import dashboards
from renda.budget.services import engine
from renda.budget.services.summaries import refresh_payment_summary
from renda.budget.tests.factories import indicator_row, load, payment_row, reference_data

pytestmark = pytest.mark.django_db

TINY = Decimal("0.000001")  # far below the 0.01 the rate used to be rounded to
# How each rule compares its figure with its thresholds: ≥, or > for the strict levels.
STRICT = {"B01": (), "B04": ("notice", "warning", "severe"), "B09": ("severe",), "B10": ()}
STRICT |= {"B14": (), "B15": ()}


def thresholds(code):
    params = registry.RULES[code].clean({})
    return params, [
        (n, Decimal(str(params[n])))
        for n in ("notice", "warning", "severe")
        if params.get(n) is not None
    ]


def level_of(name):
    return int(
        {"notice": AlertLevel.NOTICE, "warning": AlertLevel.WARNING, "severe": AlertLevel.SEVERE}[
            name
        ]
    )


@pytest.mark.parametrize("code", sorted(STRICT))
def test_each_threshold_is_judged_on_the_exact_ratio(code):
    params, levels = thresholds(code)
    for name, threshold in levels:
        whole = Decimal("1000000.00")
        # A part whose exact ratio is a hair beside the threshold: rounded, it is the threshold.
        above = ratio_of(whole * (threshold + TINY) / 100, whole)
        below = ratio_of(whole * (threshold - TINY) / 100, whole)
        at = ratio_of(whole * threshold / 100, whole)
        assert shown(above) == shown(below) == shown(at) == f"{threshold:.2f}"
        assert tier(above, params, strict=STRICT[code]) == level_of(name)
        below_level = tier(below, params, strict=STRICT[code])
        assert below_level is None or below_level < level_of(name)
        at_level = tier(at, params, strict=STRICT[code])
        if name in STRICT[code]:
            assert at_level is None or at_level < level_of(name)
        else:
            assert at_level == level_of(name)


def test_b13_inflow_share_is_compared_exactly():
    params = registry.RULES["B13"].defaults()
    limit = Decimal(str(params["inflow_percent"]))
    initial = Decimal("1000000.00")
    share = ratio_of(initial * limit / 100 + Decimal("0.01"), initial)
    assert shown(share) == f"{limit:.2f}" and share > limit


def test_time_progress_is_exact():
    from renda.budget.rules.base import Context

    ctx = Context(region=None, year=2025, as_of=dt.date(2025, 4, 1), batch_id=None)
    assert ctx.time_progress == Decimal(91) * 100 / 365  # 24.931506849…, not 24.93


@pytest.fixture
def three_public(world, tmp_path):
    reference_data(world.staff, tmp_path)
    row = indicator_row("ZB009", amount="10000.00", thr_exp="公务接待")
    assert load(world.staff, tmp_path, "indicators", [row]).status == "committed"
    region = FinanceRegion.objects.get(code="431381")
    engine.ensure_rules()
    return region


def pay_three_public(world, tmp_path, region, amount):
    row = payment_row("S1", amount, bgt_id="ZB009", thr_exp="公务接待")
    assert load(world.staff, tmp_path, "payments", [row]).status == "committed"
    refresh_payment_summary(region_id=region.pk, year=2025)
    engine.run_rules(
        actor=None, region=region, year=2025, as_of=dt.date(2025, 6, 30), codes=["B09"]
    )
    return Alert.objects.get(rule__code="B09")


def test_a_cent_over_the_three_public_budget_is_severe(world, tmp_path, three_public):
    alert = pay_three_public(world, tmp_path, three_public, "10000.01")
    assert alert.level == AlertLevel.SEVERE
    assert alert.figures["比例（%）"] == "100.00"  # shown rounded, judged exactly


def test_exactly_the_three_public_budget_is_not_severe(world, tmp_path, three_public):
    alert = pay_three_public(world, tmp_path, three_public, "10000.00")
    assert alert.level == AlertLevel.NOTICE


def test_the_debt_colour_is_judged_on_the_exact_ratio(world, tmp_path):
    reference_data(world.staff, tmp_path)
    region = FinanceRegion.objects.get(code="431381")
    capacity = Decimal("1000000.00")
    rows = [
        ["2025", "431381", str(month), balance, "2000000.00", "0.00", "0.00", f"{capacity:.2f}"]
        for month, balance in ((1, "1199999.99"), (2, "1200000.00"), (3, "1200000.01"))
    ]
    assert load(world.staff, tmp_path, "debt", rows).status == "committed"
    rows = dashboards.debt(region, 2025)["rows"]
    assert [r["level"] for r in rows] == [None, AlertLevel.NOTICE, AlertLevel.NOTICE]


def test_the_dashboard_gap_colour_is_judged_on_the_exact_gap():
    """gap_tone: 20 points behind time progress is red, 10 behind orange. The gap used to be
    rounded rate minus rounded progress, so 19.96 points behind showed red."""
    from renda.budget.selectors.figures import execution_row, time_progress
    from renda.budget.templatetags.dashboard_tags import gap_tone, points

    progress = time_progress(dt.date(2025, 4, 1))  # 24.9315…, exact
    assert progress == Decimal(91) * 100 / 365

    def row(points_behind):
        available = Decimal("1000000.00")
        paid = (available * (progress - points_behind) / 100).quantize(Decimal("0.01"))
        return execution_row(available, paid, progress)

    just_short = row(Decimal("19.96"))  # shown "-20.0", judged as 19.96 behind
    assert points(just_short["gap"]) == "-20.0"
    assert gap_tone(just_short["gap"]) == "text-warning-emphasis"
    assert gap_tone(row(Decimal("20.001"))["gap"]) == "text-danger"
    assert gap_tone(row(Decimal("9.996"))["gap"]) == "text-body"
    assert gap_tone(row(Decimal("10.001"))["gap"]) == "text-warning-emphasis"
    assert gap_tone(Decimal("-20")) == "text-danger" and gap_tone(Decimal("-10")) == (
        "text-warning-emphasis"
    )
