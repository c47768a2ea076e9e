"""Issue 14, item 10 (uploads): the progress line sat at "已处理 0 行" for 20 s and then jumped
to done. The batch now reports its real stages — reading (rows counted as they are read),
checking (which check), writing, and the rules run after the commit — and the batch page
shows each stage with its rows until the rules are done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from renda.budget.services.batches import batch_progress
from renda.budget.tests.factories import payment_row, with_indicator, write_csv
from renda.budget.tests.world_data import make_batch
from renda.core.models import ImportBatch

State = tuple[str, str, int, dict[str, Any]]


@pytest.fixture
def ready(world: Any, tmp_path: Path) -> Path:
    with_indicator(world.staff, tmp_path)
    return tmp_path


def upload(client: Any, path: Path, capture: Any) -> tuple[ImportBatch, list[State]]:
    seen: list[State] = []

    def listen(sender: Any, phase: str, step: str, rows: int, summary: Any, **kw: Any) -> None:
        seen.append((phase, step, rows, summary))

    batch_progress.connect(listen, weak=False)
    try:
        file = SimpleUploadedFile("支付.csv", path.read_bytes(), content_type="text/csv")
        with capture(execute=True):
            response = client.post(reverse("budget:upload"), {"kind": "payments", "file": file})
    finally:
        batch_progress.disconnect(listen)
    assert response.status_code == 302
    return ImportBatch.objects.latest("id"), seen


def progress_html(client: Any, world: Any, state: State, status: str) -> str:
    """The batch page's progress part for a batch in `state` (as the import wrote it)."""
    _phase, _step, rows, summary = state
    batch = make_batch(world, world.data_provider)
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, rows_done=rows, summary=summary)
    response = client.get(reverse("budget:batch_detail", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def phases(seen: list[State]) -> list[str]:
    order: list[str] = []
    for phase, *_ in seen:
        if not order or order[-1] != phase:
            order.append(phase)
    return order


def test_an_upload_reports_its_rows_while_reading_then_each_stage(
    world, ready, client_for, django_capture_on_commit_callbacks
):
    path = write_csv(ready, "payments", [payment_row(f"S{n:05d}") for n in range(12_000)])
    client = client_for("data_provider")
    batch, seen = upload(client, path, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert phases(seen) == ["loading", "checking", "merging", "rules", "done"]
    # Counted as the file is read (every 5,000 rows; PostgreSQL's COPY of a CSV, every MB).
    read = [rows for phase, _, rows, _ in seen if phase == "loading"]
    assert read[0] == 0 and read == sorted(read), read
    assert len([rows for rows in read if 0 < rows < 12_000]) >= 2, read
    steps = [step for phase, step, _, _ in seen if phase == "checking"]
    expected = ["formats", "references"] + (["duplicates"] if connection.vendor == "sqlite" else [])
    assert steps == expected
    assert all(rows == 12_000 for phase, _, rows, _ in seen if phase in ("checking", "merging"))
    assert batch.summary["phase"] == "done"

    # What the page said while the file was being read: the rows so far, not 0.
    reading = next(s for s in seen if s[0] == "loading" and s[2] >= 5_000)
    html = progress_html(client, world, reading, ImportBatch.Status.VALIDATING)
    assert 'data-stage="loading" data-state="current"' in html
    assert "读取文件" in html and f"已读取 {reading[2]:,} 行" in html
    assert 'data-stage="checking" data-state="waiting"' in html


def test_the_page_names_the_check_the_writing_and_the_rules(
    world, ready, client_for, django_capture_on_commit_callbacks
):
    path = write_csv(ready, "payments", [payment_row("P1"), payment_row("P2"), payment_row("P3")])
    client = client_for("data_provider")
    batch, seen = upload(client, path, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.COMMITTED

    checking = next(s for s in seen if s[:2] == ("checking", "references"))
    html = progress_html(client, world, checking, ImportBatch.Status.VALIDATING)
    assert 'data-stage="loading" data-state="done"' in html and "已读取 3 行" in html
    assert 'data-stage="checking" data-state="current"' in html
    assert "检查中" in html and "检查 3 行：核对编码、单位和指标" in html

    writing = next(s for s in seen if s[0] == "merging")
    html = progress_html(client, world, writing, ImportBatch.Status.VALIDATING)
    assert 'data-stage="checking" data-state="done"' in html
    assert 'data-stage="merging" data-state="current"' in html and "写入 3 行" in html

    # After the commit the page keeps polling while the rules run …
    rules = next(s for s in seen if s[0] == "rules")
    html = progress_html(client, world, rules, ImportBatch.Status.COMMITTED)
    assert 'data-stage="rules" data-state="current"' in html and "运行规则" in html
    assert 'hx-trigger="every 2s"' in html
    # … and reloads the page once they are done.
    response = client.get(reverse("budget:batch_detail", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_a_batch_waiting_for_a_worker_says_so(world, client_for):
    batch = make_batch(world, world.data_provider)
    html = (
        client_for("data_provider")
        .get(reverse("budget:batch_detail", args=[batch.pk]))
        .content.decode()
    )
    assert "等待后台处理" in html and 'data-stage="loading" data-state="waiting"' in html
