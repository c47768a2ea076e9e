"""Issue 18, fault (c): a Huey consumer killed in the middle of an upload's import. Huey's
Redis queue forgets a job once a consumer has taken it, so the batch would stay 校验中 for
ever. The job holds a PostgreSQL advisory lock on its batch while it runs (dropped with its
connection when the consumer dies); a sweep every minute queues again each batch still 校验中
whose lock is free, and a second job for a batch being imported finds the lock taken and
does nothing: the rows are there once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from renda.budget import tasks
from renda.budget.models import Payment
from renda.budget.services import batches
from renda.budget.tests.factories import payment_row, with_indicator, write_csv
from renda.core.models import ImportBatch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


def _other_connection() -> psycopg.Connection[Any]:
    """A second session, as the job of another consumer would hold."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        password=s["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.mark.django_db
def test_an_upload_whose_job_died_is_queued_again_and_imported_once(
    world: Any, tmp_path: Path, client_for: Any
) -> None:
    with_indicator(world.staff, tmp_path)
    path = write_csv(tmp_path, "payments", [payment_row(f"K{n:04d}") for n in range(50)])
    file = SimpleUploadedFile("支付.csv", path.read_bytes(), content_type="text/csv")
    # The page stores the batch; its job would start on commit, which never comes here:
    # the batch is left as a killed consumer leaves it.
    response = client_for("data_provider").post(
        reverse("budget:upload"), {"kind": "payments", "file": file}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("id")
    assert batch.status == ImportBatch.Status.VALIDATING
    assert batches.orphaned_uploads() == []  # just queued: its job has a minute to start
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - batches.ORPHAN_AFTER - dt.timedelta(seconds=5)
    )
    before = Payment.objects.count()
    other = _other_connection()
    try:
        # A live job (another consumer's session) holds the batch: no re-queue, and a second
        # job for it returns without touching it.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [batches._UPLOAD_LOCK, batch.pk])
        assert batches.orphaned_uploads() == []
        again = batches.process_uploaded_batch(batch.pk)
        assert again.status == ImportBatch.Status.VALIDATING
        assert Payment.objects.count() == before
    finally:
        other.close()  # the consumer dies: PostgreSQL drops its lock with the session
    assert batches.orphaned_uploads() == [batch.pk]
    tasks.requeue_orphaned_uploads.call_local()  # the minute's sweep
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Payment.objects.count() == before + 50
    assert batches.orphaned_uploads() == []
    tasks.requeue_orphaned_uploads.call_local()
    assert Payment.objects.count() == before + 50


@pytest.mark.django_db
def test_the_expected_year_of_the_upload_survives_a_requeue(world: Any, tmp_path: Path) -> None:
    with_indicator(world.staff, tmp_path)
    path = write_csv(tmp_path, "payments", [payment_row("Y0001")])
    upload = SimpleUploadedFile("支付.csv", path.read_bytes(), content_type="text/csv")
    batch = batches.start_upload(
        actor=world.data_provider, kind="payments", upload=upload, expected_year=2019
    )
    assert batch.summary["expected_year"] == 2019 and batch.summary["phase"] == "waiting"
