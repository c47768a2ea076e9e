"""The data pages: figures, filters, totals, exports, bounded queries, and who sees what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renda.budget.models import BudgetUnit, Payment
from renda.budget.tests.factories import load, payment_row, with_indicator, write_csv
from renda.core.models import ImportBatch


@pytest.fixture
def data(world, tmp_path):
    with_indicator(world.staff, tmp_path)
    rows = [
        payment_row(f"V{n}", amount=f"{1000 + n}.00", pay_date=f"2025-0{1 + n % 9}-1{n % 9}")
        for n in range(60)
    ]
    rows.append(
        payment_row(
            "P1", amount="30000.00", payee_name="张三", payee_type="个人", dep_eco_code="30226"
        )
    )
    load(world.data_provider, tmp_path, "payments", rows)
    return tmp_path


def test_home_shows_the_years_figures(world, data, client_for):
    response = client_for("staff").get(reverse("budget:home"))
    assert response.status_code == 200
    assert response.context["payment_count"] == 61
    assert response.context["indicator_total"] == Decimal("200000.00")


def test_payments_filter_by_payee_and_amount_with_totals(
    world, data, client_for, django_assert_max_num_queries
):
    client = client_for("staff")
    with django_assert_max_num_queries(15):
        response = client.get(
            reverse("budget:payments"), {"payee_type": "individual", "amount_min": "10000"}
        )
    assert response.status_code == 200
    assert [p.voucher_no for p in response.context["page"]] == ["P1"]
    assert response.context["total"] == Decimal("30000.00")


def test_list_pages_use_a_bounded_number_of_queries(
    world, data, client_for, django_assert_max_num_queries
):
    client = client_for("staff")
    for name in (
        "budget:payments",
        "budget:indicators",
        "budget:units",
        "budget:batches",
        "budget:home",
    ):
        with django_assert_max_num_queries(15):
            assert client.get(reverse(name)).status_code == 200


def test_a_bad_filter_says_what_is_wrong(world, data, client_for):
    response = client_for("staff").get(
        reverse("budget:payments"), {"date_from": "2025-05-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_unit_page_shows_the_execution_rate(world, data, client_for, django_assert_max_num_queries):
    unit = BudgetUnit.objects.get(code="105001")
    client = client_for("sc_member")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("budget:unit_detail", args=[unit.pk]))
    paid = sum(p.amount for p in Payment.objects.filter(unit=unit))
    assert response.context["figures"].paid_total == paid
    assert response.context["rate"] == (paid / Decimal("100000") * 100).quantize(Decimal("0.1"))


def test_exports_are_excel_files(world, data, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    client = client_for("staff")
    response = client.get(reverse("budget:payments_export"), {"payee": "张三"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "凭证号" and rows[1][0] == "P1" and len(rows) == 2
    response = client.get(reverse("budget:indicators_export"))
    assert len(list(load_workbook(BytesIO(response.content)).active.iter_rows())) == 3


def test_template_download_has_the_headers(world, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for("data_provider").get(reverse("budget:template", args=["payments"]))
    header = next(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:3] == ("凭证号", "支付日期", "预算年度")


def test_a_data_provider_sees_only_their_own_batches(world, data, client_for):
    own = ImportBatch.objects.filter(created_by=world.data_provider).first()
    other = ImportBatch.objects.filter(created_by=world.staff).first()
    client = client_for("data_provider")
    listed = {b.pk for b in client.get(reverse("budget:batches")).context["page"]}
    assert own.pk in listed and other.pk not in listed
    assert client.get(reverse("budget:batch_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("budget:batch_detail", args=[other.pk])).status_code == 404


def test_upload_runs_the_import_in_the_background_and_shows_the_outcome(
    world, data, client_for, django_capture_on_commit_callbacks
):
    path = write_csv(data, "payments", [payment_row("U1"), payment_row("U2", amount="0")])
    upload = SimpleUploadedFile("支付.csv", path.read_bytes(), content_type="text/csv")
    client = client_for("data_provider")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget:upload"), {"kind": "payments", "file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("id")
    assert batch.status == ImportBatch.Status.INVALID and batch.created_by == world.data_provider
    page = client.get(reverse("budget:batch_detail", args=[batch.pk])).content.decode()
    assert "金额不能为零" in page and not Payment.objects.filter(voucher_no="U1").exists()


def test_upload_refuses_a_wrong_file_type(world, client_for):
    upload = SimpleUploadedFile(
        "支付.xls", b"\xd0\xcf\x11\xe0", content_type="application/vnd.ms-excel"
    )
    response = client_for("staff").post(
        reverse("budget:upload"), {"kind": "payments", "file": upload}
    )
    assert response.status_code == 200
    assert "只接受 .xlsx 或 .csv 文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_batch_page_lists_corrections(world, data, client_for):
    batch = load(
        world.staff, data, "payments", [payment_row("V1", amount="999.99", pay_date="2025-02-11")]
    )
    page = client_for("staff").get(reverse("budget:batch_detail", args=[batch.pk])).content.decode()
    assert "本批次修改的记录" in page and "V1" in page


def test_running_batches_report_progress_to_htmx(world, client_for):
    from renda.budget.tests.world_data import make_batch

    batch = make_batch(world, world.staff)
    response = client_for("staff").get(
        reverse("budget:batch_detail", args=[batch.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "batch-running" in response.content.decode()


def test_the_payment_list_filters_payments_without_an_indicator(world, tmp_path, client_for):
    from renda.budget.tests.factories import load, payment_row, with_indicator

    with_indicator(world.staff, tmp_path)
    load(
        world.staff,
        tmp_path,
        "payments",
        [payment_row("ZF-HAS-INDICATOR"), payment_row("ZF-NO-INDICATOR", bgt_id="")],
    )
    page = client_for("staff").get("/budget/payments/?year=2025&no_indicator=on").content.decode()
    assert "ZF-NO-INDICATOR" in page and "ZF-HAS-INDICATOR" not in page
