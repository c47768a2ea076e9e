"""The payment list and its export (issue 14, item 10): a long export runs in the background
with progress and a download link for the requester alone, audited; a short one downloads
at once; the list page reads a bounded number of queries."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from renda.budget.models import ExportJob
from renda.budget.services import exports
from renda.budget.tests.factories import load, payment_row, with_indicator
from renda.core.models import AuditEvent, Notification


@pytest.fixture(autouse=True)
def temp_media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BUDGET_EXPORT_INLINE_ROWS = 10  # so that a dozen rows count as "long"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def paid(world: Any, tmp_path: Path) -> None:
    with_indicator(world.staff, tmp_path)
    rows = [
        payment_row(
            f"V{n:02d}", amount=f"{1000 + n}.00", func_code="2010101" if n % 2 else "2050203"
        )
        for n in range(24)
    ]
    load(world.data_provider, tmp_path, "payments", rows)


def _sheet(data: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def test_a_long_export_runs_in_the_background_and_only_its_requester_downloads_it(
    world: Any, paid: None, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff = client_for("staff")
    page = staff.get(reverse("budget:payments"), {"year": 2025, "func_code": "201"})
    assert "导出Excel（后台生成）" in page.content.decode()
    # A GET of the export URL starts nothing: it explains and offers the button.
    confirm = staff.get(reverse("budget:payments_export"), {"year": 2025, "func_code": "201"})
    assert confirm.status_code == 200 and 'data-testid="export-confirm"' in confirm.content.decode()
    assert not ExportJob.objects.exists()

    start = reverse("budget:payments_export_start") + "?year=2025&func_code=201"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(start)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:export_detail", args=[job.pk])
    # Huey runs immediately in tests: the worker has written the file.
    job.refresh_from_db()
    assert job.status == "done" and job.rows_total == job.rows_done == 12
    assert job.requested_by == world.staff and job.filters == {"year": 2025, "func_code": "201"}
    detail = staff.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in detail and "12 行" in detail
    assert Notification.objects.filter(recipient=world.staff, title__startswith="导出完成").exists()

    download = staff.get(reverse("budget:export_download", args=[job.pk]))
    assert download.status_code == 200
    rows = _sheet(b"".join(download.streaming_content))
    assert len(rows) == 13 and all(str(r[7]).startswith("201") for r in rows[1:])
    actions = list(
        AuditEvent.objects.filter(action__startswith="budget.export")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["budget.export.request", "budget.export.download"]

    # Another reader may not see the job or fetch its file.
    member = client_for("sc_member")
    assert member.get(reverse("budget:export_detail", args=[job.pk])).status_code == 404
    assert member.get(reverse("budget:export_download", args=[job.pk])).status_code == 404
    assert f"#{job.pk}" not in member.get(reverse("budget:exports")).content.decode()


def test_a_second_click_while_running_returns_the_same_job(world: Any, paid: None) -> None:
    job = ExportJob.objects.create(
        kind="payments", requested_by=world.staff, filters={"year": 2025}, rows_total=24
    )  # queued, not yet taken by a worker
    again = exports.request_export(actor=world.staff, kind="payments", filters={"year": 2025})
    assert again.pk == job.pk and ExportJob.objects.count() == 1


def test_the_running_page_shows_progress_and_polls(world: Any, client_for: Any) -> None:
    job = ExportJob.objects.create(
        kind="payments",
        requested_by=world.staff,
        status="running",
        rows_total=100_000,
        rows_done=42_000,
    )
    staff = client_for("staff")
    page = staff.get(reverse("budget:export_detail", args=[job.pk])).content.decode()
    progress = page[page.index('id="export-progress"') :]
    assert "已写入 42,000 / 100,000 行" in progress, progress[:600]
    assert "hx-trigger" in progress and "42%" in progress
    partial = staff.get(reverse("budget:export_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "42%" in partial.content.decode()
    ExportJob.objects.filter(pk=job.pk).update(status="failed", error="测试")
    done = staff.get(reverse("budget:export_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_a_requester_who_lost_the_role_gets_no_file(world: Any, paid: None) -> None:
    job = ExportJob.objects.create(kind="payments", requested_by=world.staff, filters={})
    world.staff.role = "deputy"
    world.staff.save(update_fields=["role"])
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not job.file and "无权" in job.error


def test_a_short_export_downloads_at_once_and_is_audited(
    world: Any, paid: None, client_for: Any
) -> None:
    response = client_for("staff").get(
        reverse("budget:payments_export"), {"year": 2025, "voucher": "V03"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert [r[0] for r in _sheet(response.content)[1:]] == ["V03"]
    event = AuditEvent.objects.get(action="budget.export.inline")
    assert event.details["rows"] == 1 and event.details["filters"]["voucher"] == "V03"
    assert not ExportJob.objects.exists()


def test_old_export_files_are_removed(world: Any, paid: None) -> None:
    import datetime as dt

    from django.utils import timezone

    job = exports.request_export(actor=world.staff, kind="payments", filters={"year": 2025})
    job = exports.run_export(job.pk)
    path = Path(job.file.path)
    assert path.exists()
    assert exports.purge_old_exports(timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == "expired" and not path.exists()


def test_the_payment_list_reads_a_bounded_number_of_queries(
    world: Any, paid: None, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    staff = client_for("staff")
    staff.get(reverse("budget:payments"))  # warm the session and the caches
    with django_assert_max_num_queries(13):  # + the duties, read once per request
        page = staff.get(reverse("budget:payments"), {"year": 2025, "func_code": "201"})
    content = page.content.decode()
    assert "12 笔" in content and "12,144.00" in content
