from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.dispatch import Signal
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.ingest.kinds import KindSpec, batch_kind, get_spec, kind_of
from renda.budget.ingest.pipeline import run, sha256_of_file
from renda.budget.ingest.reading import open_table
from renda.budget.ingest.values import MAX_ERRORS, ImportRejected, Outcome, Problem, data_imported
from renda.budget.models import FinanceRegion
from renda.core import audit
from renda.core.attachments import xlsx_limits
from renda.core.imports import human_size
from renda.core.models import ImportBatch, Region
from renda.core.roles import Role, has_role
from renda.lib.xlsxcheck import XlsxRefused, check_xlsx

logger = logging.getLogger(__name__)

# Sent after an uploaded file is stored as a batch (on commit): tasks.py queues its import as
# a background job (kwargs: batch, expected_year).
upload_stored = Signal()
# Sent whenever a batch's progress is written (kwargs: batch_id, phase, step, rows, summary): the
# stages the batch page shows, observable without polling (tests listen here).
batch_progress = Signal()

# The stages of a batch as its page shows them (issue 14, item 10), in order.
STAGES = (
    ("loading", "读取文件"),
    ("checking", "检查中"),
    ("merging", "写入中"),
    ("rules", "运行规则"),
)
STEPS = {
    "formats": "检查格式",
    "references": "核对编码、单位和指标",
    "duplicates": "检查重复",
}


def max_upload_bytes() -> int:
    """The one upload size of the site (settings.IMPORT_MAX_BYTES, kept under nginx's
    client_max_body_size in deploy/nginx-renda.conf). Larger exports arrive through the push
    API in pages or through `manage.py import_budget`, which read from disk."""
    return int(settings.IMPORT_MAX_BYTES)


# --- batches -----------------------------------------------------------------------------


@transaction.atomic
def create_batch(
    *,
    actor: User,
    kind: str,
    source: str,
    file_name: str,
    sha256: str,
    upload: UploadedFile | None = None,
) -> ImportBatch:
    spec = get_spec(kind)
    batch = ImportBatch(
        kind=batch_kind(spec.slug),
        source=source,
        file_name=file_name[:255],
        sha256=sha256,
        status=ImportBatch.Status.VALIDATING,
        created_by=actor,
        summary={"phase": "waiting"},
    )
    if upload is not None:
        batch.file.save(Path(file_name).name, upload, save=False)
    batch.full_clean()
    batch.save()
    audit.record(
        actor=actor,
        action="budget.import_start",
        target=batch,
        details={"kind": spec.slug, "source": source, "file": file_name, "sha256": sha256},
    )
    return batch


def _earlier_commit(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(
            kind=batch.kind, sha256=batch.sha256, status=ImportBatch.Status.COMMITTED
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def _discard_as_duplicate(batch: ImportBatch, earlier: ImportBatch) -> ImportBatch:
    batch.status = ImportBatch.Status.DISCARDED
    batch.rows_total = batch.rows_done = earlier.rows_total
    batch.summary = {
        "phase": "done",
        "duplicate_of": earlier.pk,
        "rows": earlier.rows_total,
        "inserted": 0,
        "updated": 0,
        "unchanged": earlier.rows_total,
        "rejected": 0,
        "errors": 0,
        "message": f"与第 {earlier.pk} 号批次的内容完全相同，未重复导入（数据没有任何变化）",
    }
    batch.save(update_fields=["status", "rows_total", "rows_done", "summary", "updated_at"])
    audit.record(
        actor=batch.created_by,
        action="budget.import_duplicate",
        target=batch,
        details={"duplicate_of": earlier.pk},
    )
    return batch


class _Progress:
    """Progress of a running batch, written where the browser can see it at once.

    On PostgreSQL it goes through a second connection: the import's own connection is busy
    streaming COPY data (a query there would deadlock) and its writes stay invisible until
    the merge commits. SQLite has no COPY, and a second connection to an in-memory test
    database would see another database, so there the import's connection is used."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.side: Any = None
        self.estimate = 0  # data rows the file declares, when it does (xlsx)

    def __call__(self, rows: int, phase: str = "loading", step: str = "") -> None:
        self.batch.rows_done = rows
        summary = {**self.batch.summary, "phase": phase, "step": step}
        if phase == "loading" or step == "formats":  # the count read, once it is known
            summary["rows_read"] = rows
            if self.estimate:
                summary["estimate"] = max(self.estimate, rows)
        self.batch.summary = summary
        self._write(rows)
        batch_progress.send(
            sender=ImportBatch,
            batch_id=self.batch.pk,
            phase=phase,
            step=step,
            rows=rows,
            summary=dict(summary),
        )

    def _write(self, rows: int) -> None:
        if connection.vendor != "postgresql":
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=rows, summary=self.batch.summary
            )
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE core_importbatch SET rows_done = %s, summary = %s WHERE id = %s",
                [rows, json.dumps(self.batch.summary, ensure_ascii=False), self.batch.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def run_batch(
    batch: ImportBatch, table_factory: Any, *, expected_year: int | None = None
) -> ImportBatch:
    """Check and merge one batch; the batch ends committed, invalid, discarded or failed."""
    spec = kind_of(batch)
    assert spec is not None
    earlier = _earlier_commit(batch)
    if earlier is not None:
        return _discard_as_duplicate(batch, earlier)
    report = _Progress(batch)
    report(0, "loading")
    try:
        outcome = _check_and_merge(batch, spec, table_factory, expected_year, report)
    except ImportRejected as exc:
        report.close()
        return _finish_atomic(
            batch,
            spec,
            ImportBatch.Status.INVALID,
            0,
            _counts(rejected=0, errors=1),
            [Problem(None, "", str(exc))],
        )
    except IntegrityError:
        report.close()
        # The same content was committed by a concurrent batch a moment ago.
        earlier = _earlier_commit(batch)
        if earlier is None:
            raise
        return _discard_as_duplicate(batch, earlier)
    except Exception as exc:
        report.close()
        logger.exception("budget import %s failed", batch.pk)
        _record_interruption(batch, spec, exc)
        raise
    report.close()
    if outcome.ok:
        batch.refresh_from_db()
        data_imported.send(sender=ImportBatch, kind=spec.slug, batch=batch)
        return batch
    counts = outcome.counts()
    counts.update(inserted=0, updated=0, unchanged=0)
    return _finish_atomic(
        batch,
        spec,
        ImportBatch.Status.INVALID,
        outcome.rows_total,
        counts,
        outcome.errors,
        ignored=outcome.ignored_columns,
        understood=outcome.understood,
    )


def _check_and_merge(
    batch: ImportBatch,
    spec: KindSpec,
    table_factory: Any,
    expected_year: int | None,
    report: _Progress,
) -> Outcome:
    """Read the table through the pipeline; a clean table is merged and the batch marked
    committed inside the merge's transaction (so exactly when its rows are)."""
    rows_seen = [0]

    def progress(rows: int, phase: str = "loading", step: str = "") -> None:
        rows_seen[0] = rows
        report(rows, phase, step)

    def on_merged(inserted: int, updated: int, understood: list[dict[str, Any]]) -> None:
        total = rows_seen[0]
        _finish(
            batch,
            spec,
            ImportBatch.Status.COMMITTED,
            total,
            {
                "inserted": inserted,
                "updated": updated,
                "unchanged": total - inserted - updated,
                "rejected": 0,
                "errors": 0,
            },
            [],
            understood=understood,
        )

    table = table_factory()
    report.estimate = table.rows_estimate
    return run(
        spec,
        table,
        batch,
        expected_year=expected_year,
        on_progress=progress,
        before_merge=on_merged,
    )


# How long a batch interrupted by the database going away (a restart) waits for it to answer
# again, to be marked failed instead of staying 校验中 for ever.
RECONNECT_SECONDS = 60


def _record_interruption(batch: ImportBatch, spec: KindSpec, exc: Exception) -> None:
    problems = [
        Problem(
            None, "", f"导入中断，未写入任何数据（{type(exc).__name__}）。请重试或联系系统管理员"
        )
    ]
    lost = isinstance(exc, DatabaseError) and not connection.in_atomic_block
    deadline = time.monotonic() + RECONNECT_SECONDS
    while True:
        if lost:
            connection.close()  # the broken connection; the next query opens a new one
        try:
            _finish_atomic(batch, spec, ImportBatch.Status.FAILED, 0, _counts(errors=1), problems)
            return
        except DatabaseError:
            if not lost or time.monotonic() > deadline:
                raise
            time.sleep(1)


def _counts(**values: int) -> dict[str, int]:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0, "errors": 0, **values}


@transaction.atomic
def _finish_atomic(
    batch: ImportBatch,
    spec: KindSpec,
    status: str,
    rows: int,
    counts: dict[str, int],
    problems: list[Problem],
    **extra: Any,
) -> ImportBatch:
    return _finish(batch, spec, status, rows, counts, problems, **extra)


def _finish(
    batch: ImportBatch,
    spec: KindSpec,
    status: str,
    rows: int,
    counts: dict[str, int],
    problems: list[Problem],
    ignored: list[str] | None = None,
    understood: list[dict[str, Any]] | None = None,
) -> ImportBatch:
    label = "条" if batch.source == ImportBatch.Source.API else "行"
    batch.status = status
    batch.rows_total = rows
    batch.rows_done = rows
    batch.errors = [p.as_dict(label) for p in problems[:MAX_ERRORS]]
    batch.summary = {
        **counts,
        "rows": rows,
        "phase": "done",
        **({"ignored_columns": ignored} if ignored else {}),
        **({"understood": understood} if understood else {}),
    }
    if status == ImportBatch.Status.COMMITTED:
        batch.committed_at = timezone.now()
    batch.save()
    audit.record(
        actor=batch.created_by,
        action="budget.import",
        target=batch,
        outcome="success" if status == ImportBatch.Status.COMMITTED else "failure",
        details={"kind": spec.slug, "status": status, **counts},
    )
    return batch


def set_rules_phase(*, batch_id: int, running: bool) -> None:
    """The rules run after a committed import: the batch page keeps showing progress until
    they are done. Progress, not an event: no audit row (like the import's own progress)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status != ImportBatch.Status.COMMITTED:
            return
        phase = "rules" if running else "done"
        if batch.summary.get("phase") == phase:
            return
        batch.summary = {**batch.summary, "phase": phase, "step": ""}
        batch.save(update_fields=["summary", "updated_at"])
    batch_progress.send(
        sender=ImportBatch,
        batch_id=batch_id,
        phase=phase,
        step="",
        rows=batch.rows_done,
        summary=dict(batch.summary),
    )


def progress_stages(batch: ImportBatch) -> list[dict[str, Any]]:
    """The stages of a batch with their state (done, current, waiting) and what is known of
    each: rows read, the check running, rows written, the rules."""
    summary = batch.summary or {}
    phase = summary.get("phase", "waiting")
    order = [name for name, _ in STAGES]
    if phase == "done":
        current = len(order)
    elif phase in order:
        current = order.index(phase)
    else:
        current = -1  # waiting for a worker
    rows_read = int(summary.get("rows_read") or 0)
    stages = []
    for index, (name, label) in enumerate(STAGES):
        state = "done" if index < current else "current" if index == current else "waiting"
        detail = ""
        if name == "loading" and (state != "waiting" or rows_read):
            estimate = int(summary.get("estimate") or 0)
            detail = f"已读取 {rows_read:,} 行" + (f"（共约 {estimate:,} 行）" if estimate else "")
        elif name == "checking" and state != "waiting":
            step = STEPS.get(summary.get("step", ""), "")
            detail = f"检查 {batch.rows_done:,} 行" + (
                f"：{step}" if step and state == "current" else ""
            )
        elif name == "merging" and state != "waiting":
            detail = f"写入 {batch.rows_done:,} 行" if state == "current" else "已写入"
        elif name == "rules" and state == "current":
            detail = "数据已写入，正在按新数据运行预警规则"
        stages.append({"name": name, "label": label, "state": state, "detail": detail})
    return stages


def import_path(
    *,
    actor: User,
    kind: str,
    path: Path | str,
    file_name: str | None = None,
    source: str = ImportBatch.Source.COMMAND,
    expected_year: int | None = None,
) -> ImportBatch:
    """Import one file synchronously (the command line and the demo loader use this)."""
    path = Path(path)
    spec = get_spec(kind)
    with open(path, "rb") as handle:
        sha = sha256_of_file(handle)
    batch = create_batch(
        actor=actor, kind=spec.slug, source=source, file_name=file_name or path.name, sha256=sha
    )
    return run_batch(batch, lambda: open_table(spec, path), expected_year=expected_year)


@transaction.atomic
def start_upload(
    *, actor: User, kind: str, upload: UploadedFile, expected_year: int | None = None
) -> ImportBatch:
    """Store an uploaded file as a batch and queue its import as a background job."""
    if not has_role(actor, Role.STAFF, Role.DATA_PROVIDER):
        raise PermissionDenied
    spec = get_spec(kind)
    limit = max_upload_bytes()
    if upload.size and upload.size > limit:
        raise ValidationError(
            f"文件太大（{human_size(upload.size)}），上限为 {human_size(limit)}，请分成几个文件上传"
        )
    if not upload.size:
        raise ValidationError("文件是空的")
    _refuse_spreadsheet_bomb(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch = create_batch(
        actor=actor,
        kind=spec.slug,
        source=ImportBatch.Source.FILE,
        file_name=upload.name or "upload",
        sha256=digest.hexdigest(),
        upload=upload,
    )

    if expected_year is not None:
        # Kept for a job re-queued after its consumer died (orphaned_uploads); the result
        # replaces the summary when the import ends.
        batch.summary = {**batch.summary, "expected_year": expected_year}
        batch.save(update_fields=["summary"])
    transaction.on_commit(
        lambda: upload_stored.send(sender=ImportBatch, batch=batch, expected_year=expected_year)
    )
    return batch


def _refuse_spreadsheet_bomb(upload: UploadedFile) -> None:
    """An .xlsx that would expand beyond the shared limits is refused before anything is
    stored (the background reader checks again before it parses)."""
    if not zipfile.is_zipfile(cast(BinaryIO, upload)):
        upload.seek(0)
        return  # a CSV, or a broken file that the reader reports as such
    try:
        check_xlsx(cast(BinaryIO, upload), xlsx_limits())
    except XlsxRefused as exc:
        raise ValidationError(str(exc)) from exc
    finally:
        upload.seek(0)


# A job holds a PostgreSQL session advisory lock on its batch while it runs. PostgreSQL
# drops the lock with the job's connection, so also when its consumer is killed: a batch
# still 校验中 whose lock is free has lost its job (Huey's Redis queue forgets a job once a
# consumer took it), and the sweep below queues it again.
_UPLOAD_LOCK = 7401  # the advisory lock namespace of budget upload batches
ORPHAN_AFTER = dt.timedelta(minutes=1)  # a queued job has this long to start before a re-queue


@contextlib.contextmanager
def _job_lock(batch_id: int) -> Iterator[bool]:
    """True if this connection now holds the batch's lock (always, off PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_UPLOAD_LOCK, batch_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_UPLOAD_LOCK, batch_id])
            except DatabaseError:  # the connection is gone, and the lock went with it
                logger.warning("budget upload %s: lock released with its connection", batch_id)


def orphaned_uploads() -> list[int]:
    """Uploaded batches still 校验中 that no live job is importing (their consumer died)."""
    if connection.vendor != "postgresql":
        return []  # tests and the demo run jobs immediately: none is ever lost
    candidates = ImportBatch.objects.filter(
        status=ImportBatch.Status.VALIDATING,
        source=ImportBatch.Source.FILE,
        created_at__lt=timezone.now() - ORPHAN_AFTER,
    ).exclude(file="")
    orphans = []
    for batch in candidates.only("pk", "kind").order_by("pk"):
        if kind_of(batch) is None:
            continue  # another module's import
        with _job_lock(batch.pk) as free:
            if free:
                orphans.append(batch.pk)
    return orphans


def process_uploaded_batch(batch_id: int, expected_year: int | None = None) -> ImportBatch:
    """The background job: read the stored file and import it, once: a second job for the
    same batch (re-queued by the sweep while the first still runs) finds the lock taken."""
    with _job_lock(batch_id) as mine:
        batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
        if not mine:
            return batch  # another live job is importing it
        return _process_uploaded_batch(batch, expected_year)


def _process_uploaded_batch(batch: ImportBatch, expected_year: int | None) -> ImportBatch:
    spec = kind_of(batch)
    assert spec is not None
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch  # already run (a retried job)
    if expected_year is None:
        expected_year = batch.summary.get("expected_year")  # a re-queued job
    with tempfile.TemporaryDirectory() as tmp:
        # Storage may be remote; work on a local copy so that the reader can stream it.
        local = Path(tmp) / (Path(batch.file.name).name or "upload")
        with batch.file.open("rb") as source, open(local, "wb") as target:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                target.write(chunk)
        return run_batch(batch, lambda: open_table(spec, local), expected_year=expected_year)


# --- reference data and the demo ---------------------------------------------------------


@transaction.atomic
def ensure_finance_region(
    *, actor: User, code: str, name: str, parent: FinanceRegion | None = None
) -> FinanceRegion:
    region, created = FinanceRegion.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "region": Region.objects.filter(code=code).first(),
        },
    )
    if created:
        region.full_clean()
        audit.record(actor=actor, action="budget.region_create", target=region)
    return region
