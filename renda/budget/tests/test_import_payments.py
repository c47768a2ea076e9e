"""The payment import: new, changed and unchanged rows, batch history, refunds and voids."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renda.budget.models import Payment, RecordChange
from renda.budget.services import batches
from renda.budget.tests.factories import load, payment_row, with_indicator, write_csv
from renda.core.models import AuditEvent, ImportBatch


@pytest.fixture
def ready(world, tmp_path):
    with_indicator(world.staff, tmp_path)
    return tmp_path


def test_it_imports_payments_and_links_their_indicator(world, ready):
    batch = load(
        world.data_provider, ready, "payments", [payment_row("V1"), payment_row("V2", bgt_id="")]
    )
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.summary["inserted"] == 2 and batch.summary["rows"] == 2
    first = Payment.objects.get(voucher_no="V1")
    assert first.indicator.bgt_id == "ZB001" and first.amount == Decimal("1200.00")
    assert (
        first.unit.name == "冷水江市第一中学"
        and first.payee_type == "unit"
        and first.batch == batch
    )
    # A blank indicator number is kept (rule B03 reports it), not rejected.
    assert Payment.objects.get(voucher_no="V2").indicator is None
    assert AuditEvent.objects.filter(
        action="budget.import", target_id=str(batch.pk), outcome="success"
    ).exists()


def test_it_changes_nothing_when_the_same_rows_come_again(world, ready):
    load(world.staff, ready, "payments", [payment_row("V1"), payment_row("V2")])
    # Same rows in another file (other order): nothing inserted or updated.
    again = load(world.staff, ready, "payments", [payment_row("V2"), payment_row("V1")])
    assert again.status == ImportBatch.Status.COMMITTED
    assert again.summary | {} == again.summary and (
        again.summary["inserted"],
        again.summary["updated"],
        again.summary["unchanged"],
    ) == (0, 0, 2)
    assert Payment.objects.count() == 2
    assert not RecordChange.objects.exists()


def test_it_discards_a_file_that_was_already_imported(world, ready):
    path = write_csv(ready, "payments", [payment_row("V1")])
    first = batches.import_path(actor=world.staff, kind="payments", path=path)
    second = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert second.status == ImportBatch.Status.DISCARDED
    assert second.summary["duplicate_of"] == first.pk and second.summary["unchanged"] == 1
    assert Payment.objects.count() == 1


def test_it_updates_a_corrected_row_and_keeps_the_change(world, ready):
    load(world.staff, ready, "payments", [payment_row("V1"), payment_row("V2")])
    fix = load(
        world.staff,
        ready,
        "payments",
        [payment_row("V1", amount="1300.50", purpose="办公用品采购（更正）"), payment_row("V2")],
    )
    assert (fix.summary["inserted"], fix.summary["updated"], fix.summary["unchanged"]) == (0, 1, 1)
    payment = Payment.objects.get(voucher_no="V1")
    assert payment.amount == Decimal("1300.50") and payment.batch == fix
    change = RecordChange.objects.get(batch=fix)
    assert change.record_key == "V1"
    changed = {name: (old, new) for name, old, new in change.changed_fields}
    assert Decimal(str(changed["amount"][0])) == Decimal("1200") and Decimal(
        str(changed["amount"][1])
    ) == Decimal("1300.5")
    assert changed["purpose"] == ("办公用品采购", "办公用品采购（更正）")


def test_it_stores_refunds_negative_and_keeps_voided_vouchers(world, ready):
    load(
        world.staff,
        ready,
        "payments",
        [
            payment_row("V1", amount="5000.00"),
            payment_row("V2", amount="500.00", vou_type="退款", original_voucher="V1"),
            payment_row("V3", amount="800.00", vou_type="作废"),
        ],
    )
    refund = Payment.objects.get(voucher_no="V2")
    assert (
        refund.kind == Payment.Kind.REFUND
        and refund.amount == Decimal("-500.00")
        and refund.original_voucher == "V1"
    )
    assert Payment.objects.get(voucher_no="V3").is_void
    # Voiding a voucher that was imported before is a correction of the stored row.
    load(world.staff, ready, "payments", [payment_row("V1", amount="5000.00", vou_type="作废")])
    assert Payment.objects.get(voucher_no="V1").is_void


def test_it_accepts_the_integrated_system_field_names(world, ready):
    from renda.budget.ingest.kinds import KINDS

    headers = [c.alias for c in KINDS["payments"].columns]
    batch = load(world.staff, ready, "payments", [payment_row("V9")], headers=headers)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Payment.objects.filter(voucher_no="V9").exists()


def test_it_links_payments_that_arrived_before_their_indicator(world, ready):
    from renda.budget.tests.factories import indicator_row

    load(world.staff, ready, "payments", [payment_row("V1", bgt_id="ZB777")])
    assert Payment.objects.get(voucher_no="V1").indicator is None
    load(world.staff, ready, "indicators", [indicator_row("ZB777")])
    assert Payment.objects.get(voucher_no="V1").indicator.bgt_id == "ZB777"
    # The summaries (rule B02 sums by indicator) follow the link.
    from renda.budget.models import PaymentSummary

    linked = Payment.objects.get(voucher_no="V1")
    assert PaymentSummary.objects.filter(indicator_id=linked.indicator_id).exists()
    assert not PaymentSummary.objects.filter(indicator_id__isnull=True).exists()


def test_it_refuses_rows_of_another_year_when_a_year_is_given(world, ready):
    path = write_csv(ready, "payments", [payment_row("V1")])
    batch = batches.import_path(actor=world.staff, kind="payments", path=path, expected_year=2026)
    assert batch.status == ImportBatch.Status.INVALID
    assert "2025 与本次导入指定的 2026 年度不符" in batch.errors[0]["text"]
    assert not Payment.objects.exists()
