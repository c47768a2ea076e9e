"""Monthly payment summaries: equal to the payments they sum, rebuilt by month for the months
an import touched, voided vouchers left out, refunds netted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from renda.budget.models import BudgetUnit, FinanceRegion, Payment, PaymentSummary, SummaryState
from renda.budget.services import summaries
from renda.budget.tests.factories import indicator_row, load, payment_row, reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(world, tmp_path):
    reference_data(world.staff, tmp_path)
    load(world.staff, tmp_path, "indicators", [indicator_row("ZB001", amount="1000000.00")])
    return FinanceRegion.objects.get(code="431381")


def test_the_summary_equals_the_payments(world, tmp_path, region):
    rows = [
        payment_row("A1", "100.00", pay_date="2025-01-10"),
        payment_row("A2", "250.50", pay_date="2025-01-20", thr_exp="公务接待"),
        payment_row(
            "A3",
            "-50.50",
            pay_date="2025-01-21",
            vou_type="退款",
            original_voucher="A2",
            thr_exp="公务接待",
        ),
        payment_row("A4", "999.00", pay_date="2025-02-11", vou_type="作废"),
        payment_row("A5", "700.00", pay_date="2025-02-12", bgt_id=""),
        payment_row("A6", "300.00", pay_date="2025-03-12", agency_code="119001", bgt_id="ZB002"),
    ]
    assert load(world.staff, tmp_path, "payments", rows).status == "committed"
    summaries.refresh_payment_summary(region_id=region.pk, year=2025)
    by_month = dict(
        PaymentSummary.objects.values_list("month").annotate(t=Sum("amount")).order_by()
    )
    assert by_month == {1: Decimal("300.00"), 2: Decimal("700.00"), 3: Decimal("300.00")}
    three_public = PaymentSummary.objects.filter(thr_exp="reception").aggregate(t=Sum("amount"))[
        "t"
    ]
    assert three_public == Decimal("200.00")
    no_indicator = PaymentSummary.objects.get(month=2)
    assert no_indicator.indicator_id is None and no_indicator.count == 1
    total = Payment.objects.filter(is_void=False).aggregate(t=Sum("amount"))["t"]
    assert PaymentSummary.objects.aggregate(t=Sum("amount"))["t"] == total
    state = SummaryState.objects.get(region=region, year=2025)
    assert state.last_pay_date == dt.date(2025, 3, 12) and state.payments == 5


def test_the_import_keeps_the_summaries_and_rebuilds_only_its_months(world, tmp_path, region):
    load(world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-01-10")])
    january = PaymentSummary.objects.get(month=1)
    assert january.amount == Decimal("100.00")
    batch = load(
        world.staff, tmp_path, "payments", [payment_row("B1", "40.00", pay_date="2025-04-10")]
    )
    assert summaries.months_of_batch(batch.pk) == {(region.pk, 2025): [4]}
    assert PaymentSummary.objects.get(month=1).pk == january.pk  # not rebuilt
    assert PaymentSummary.objects.get(month=4).amount == Decimal("40.00")
    # A correction of January in a later batch rebuilds January.
    load(world.staff, tmp_path, "payments", [payment_row("A1", "120.00", pay_date="2025-01-10")])
    assert PaymentSummary.objects.get(month=1).amount == Decimal("120.00")
    assert PaymentSummary.objects.aggregate(t=Sum("amount"))["t"] == Decimal("160.00")


def test_a_correction_that_moves_a_payment_rebuilds_the_month_it_left(world, tmp_path, region):
    load(world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-01-10")])
    fix = load(
        world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-03-02")]
    )
    assert summaries.months_of_batch(fix.pk) == {(region.pk, 2025): [1, 3]}
    by_month = dict(
        PaymentSummary.objects.values_list("month").annotate(t=Sum("amount")).order_by()
    )
    assert by_month == {3: Decimal("100.00")}
    assert SummaryState.objects.get(region=region, year=2025).last_pay_date == dt.date(2025, 3, 2)


def test_an_insert_only_batch_is_added_once_and_sums_stay_right(world, tmp_path, region):
    from renda.budget.models import PayeeSummary

    load(world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-04-01")])
    load(world.staff, tmp_path, "payments", [payment_row("A2", "60.00", pay_date="2025-04-02")])
    # PostgreSQL adds the batch into the key's row (upsert); SQLite rebuilds the month.
    april = PaymentSummary.objects.filter(month=4)
    assert april.count() == 1 and april.get().amount == Decimal("160.00") and april.get().count == 2
    payees = PayeeSummary.objects.filter(payee_name="湖南锡都办公设备有限公司")
    assert payees.aggregate(t=Sum("amount"), n=Sum("count")) == {"t": Decimal("160.00"), "n": 2}
    assert SummaryState.objects.get(region=region, year=2025).payments == 2
    # The same file again changes nothing, in the payments or in the summaries.
    load(world.staff, tmp_path, "payments", [payment_row("A2", "60.00", pay_date="2025-04-02")])
    assert PaymentSummary.objects.get(month=4).amount == Decimal("160.00")
    assert SummaryState.objects.get(region=region, year=2025).payments == 2


def test_a_rejected_file_leaves_the_summaries_alone(world, tmp_path, region):
    load(world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-04-01")])
    bad = load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("A2", "60.00", pay_date="2025-04-02"),
            payment_row("A3", "abc", pay_date="2025-04-03"),
        ],
    )
    assert bad.status == "invalid"
    assert PaymentSummary.objects.aggregate(t=Sum("amount"))["t"] == Decimal("100.00")
    assert SummaryState.objects.get(region=region, year=2025).payments == 1


def test_the_dashboard_roll_ups_follow_the_summary(world, tmp_path, region):
    from django.db.models.functions import Substr

    from renda.budget.models import OverviewSummary, UnitPaidSummary

    def rolled_up() -> tuple[dict, dict]:
        by_class = {
            (f, c, t, m): a
            for f, c, t, m, a in OverviewSummary.objects.values_list(
                "fund_type", "class_code", "thr_exp", "month", "amount"
            )
        }
        by_unit = dict(UnitPaidSummary.objects.values_list("unit_id", "amount"))
        return by_class, by_unit

    def from_summary() -> tuple[dict, dict]:
        rows = PaymentSummary.objects.annotate(c=Substr("func_code", 1, 3))
        by_class = {
            (r["fund_type"], r["c"], r["thr_exp"], r["month"]): r["t"]
            for r in rows.values("fund_type", "c", "thr_exp", "month")
            .annotate(t=Sum("amount"))
            .order_by()
        }
        by_unit = dict(
            PaymentSummary.objects.values("unit_id")
            .annotate(t=Sum("amount"))
            .values_list("unit_id", "t")
            .order_by()
        )
        return by_class, by_unit

    load(world.staff, tmp_path, "payments", [payment_row("A1", "100.00", pay_date="2025-01-10")])
    load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("A2", "60.00", pay_date="2025-04-02", thr_exp="公务接待"),
            payment_row("A3", "40.00", pay_date="2025-04-03", agency_code="119001", bgt_id=""),
        ],
    )
    assert rolled_up() == from_summary()
    assert UnitPaidSummary.objects.aggregate(t=Sum("amount"))["t"] == Decimal("200.00")
    # A correction rebuilds the months and the roll-ups with them.
    load(world.staff, tmp_path, "payments", [payment_row("A1", "150.00", pay_date="2025-01-10")])
    assert rolled_up() == from_summary()
    assert UnitPaidSummary.objects.aggregate(t=Sum("amount"))["t"] == Decimal("250.00")
    # The per-unit roll-up also carries the available amounts, and follows indicator imports.
    from renda.budget.selectors import dashboards

    def available_by_unit() -> dict:
        return {
            unit_id: amount
            for (unit_id,), amount in dashboards.available(region, 2025, ("unit_id",)).items()
        }

    assert dict(UnitPaidSummary.objects.values_list("unit_id", "available")) == {
        unit_id: available_by_unit().get(unit_id, Decimal(0))
        for unit_id in UnitPaidSummary.objects.values_list("unit_id", flat=True)
    }
    load(
        world.staff,
        tmp_path,
        "indicators",
        [indicator_row("ZB001", amount="1000000.00"), indicator_row("ZB009", amount="5000.00")],
    )
    rolled = dict(UnitPaidSummary.objects.values_list("unit_id", "available"))
    assert rolled[BudgetUnit.objects.get(code="105001").pk] == Decimal("1005000.00")
    assert set(available_by_unit().items()) <= set(rolled.items())


def test_the_year_totals_the_rules_read_equal_the_summary_by_month(world, tmp_path, region):
    """Rule B02 (by indicator) and B01 (by unit) read the per-indicator and per-unit year
    totals kept with the summary when the as-of date reaches the last payment; the totals
    are those of the summary read month by month, before and after a correction."""
    from renda.budget import rules
    from renda.budget.models import IndicatorPaidSummary
    from renda.budget.rules import spending

    load(
        world.staff,
        tmp_path,
        "indicators",
        [indicator_row("ZB001", amount="1000000.00"), indicator_row("ZB002", amount="500.00")],
    )

    def totals(ctx: rules.Context, group: str, **kw) -> dict:
        sql, params = ctx.paid_sql(group, **kw)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # Payments without an indicator (key None) are no indicator's: the roll-up
            # leaves them out.
            return {key: Decimal(str(total)) for key, total in cursor.fetchall() if key is not None}

    def check() -> None:
        ctx = rules.Context(region=region, year=2025, as_of=dt.date(2025, 12, 31))
        for group in ("indicator_id", "unit_id"):
            assert "budget_paymentsummary" not in ctx.paid_sql(group)[0]  # the roll-up
            assert totals(ctx, group) == totals(ctx, group, months=range(1, 13))

    load(
        world.staff,
        tmp_path,
        "payments",
        [
            payment_row("A1", "100.00", pay_date="2025-01-10"),
            payment_row("A2", "400.00", pay_date="2025-02-10", bgt_id="ZB002"),
            payment_row("A3", "300.00", pay_date="2025-02-11", bgt_id=""),  # no indicator
        ],
    )
    check()
    load(
        world.staff,
        tmp_path,
        "payments",
        [payment_row("A4", "250.00", pay_date="2025-04-01", bgt_id="ZB002")],
    )
    check()
    zb002 = IndicatorPaidSummary.objects.get(indicator__bgt_id="ZB002")
    assert zb002.amount == Decimal("650.00") and zb002.count == 2
    # B02 finds the indicator paid beyond its 500 through the roll-up.
    ctx = rules.Context(region=region, year=2025, as_of=dt.date(2025, 4, 30))
    (found,) = spending._b02(ctx, {"level": 3})
    assert found.subject_key == "ZB002" and found.amount == Decimal("150.00")
    # A backtest of an earlier date reads the months instead: on 1 March only 400 were paid.
    earlier = rules.Context(region=region, year=2025, as_of=dt.date(2025, 3, 1))
    assert "indicatorpaidsummary" not in earlier.paid_sql("indicator_id")[0]
    assert spending._b02(earlier, {"level": 3}) == []
    # A correction rebuilds the months, and the year totals with them.
    load(
        world.staff,
        tmp_path,
        "payments",
        [payment_row("A2", "40.00", pay_date="2025-02-10", bgt_id="ZB002")],
    )
    check()
    assert IndicatorPaidSummary.objects.get(indicator__bgt_id="ZB002").amount == Decimal("290.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_imports_at_once_keep_the_roll_ups_equal_to_the_summary(world, tmp_path, monkeypatch):
    """Two payment imports of one treasury and year commit at the same time: each recomputes
    the roll-ups in its own transaction, and neither may leave the other's rows behind
    (duplicated per-unit totals) or fail on them."""
    import threading

    from django.db import connections

    from renda.budget.models import IndicatorPaidSummary, OverviewSummary, UnitPaidSummary
    from renda.budget.tasks import rules_paused

    reference_data(world.staff, tmp_path)
    load(
        world.staff,
        tmp_path,
        "indicators",
        [indicator_row("ZB001"), indicator_row("ZB002", unit="119001")],
    )
    with rules_paused():
        load(world.staff, tmp_path, "payments", [payment_row("A0", "10.00", pay_date="2025-01-10")])
    region = FinanceRegion.objects.get(code="431381")
    # Both transactions reach the summaries with their payments written, neither committed.
    barrier, errors = threading.Barrier(2, timeout=10), []
    real = summaries.append_batch

    def append_when_both_are_there(*, batch_id: int) -> dict:
        barrier.wait()
        return real(batch_id=batch_id)

    monkeypatch.setattr(summaries, "append_batch", append_when_both_are_there)

    def go(name: str, rows: list) -> None:
        try:
            directory = tmp_path / name
            directory.mkdir()
            with rules_paused():
                batch = load(world.staff, directory, "payments", rows)
            assert batch.status == "committed", batch.errors
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def school(voucher: str, amount: str) -> list:
        return payment_row(voucher, amount, pay_date="2025-02-10")

    def hospital(voucher: str, amount: str) -> list:
        return payment_row(
            voucher, amount, pay_date="2025-03-10", agency_code="119001", bgt_id="ZB002"
        )

    # Different keys: neither batch's upserts wait for the other's.
    threads = [
        threading.Thread(target=go, args=("a", [school("A1", "100.00")])),
        threading.Thread(target=go, args=("b", [hospital("B1", "200.00"), hospital("B2", "3.00")])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = Decimal("313.00")
    assert PaymentSummary.objects.aggregate(t=Sum("amount"))["t"] == total
    for model in (UnitPaidSummary, IndicatorPaidSummary, OverviewSummary):
        assert model.objects.filter(region=region).aggregate(t=Sum("amount"))["t"] == total, (
            model.__name__
        )
    assert UnitPaidSummary.objects.count() == 2 and IndicatorPaidSummary.objects.count() == 2
