"""The services of the import framework (everything here writes and audits):

    start_import   upload → stored (sealed) file, SHA-256, validation → INVALID or READY
    commit_import  one transaction: re-validate, write every row through the spec, or nothing
    discard_import give up a batch that was not imported

`queue_commit_import` (tasks.py) decides whether a commit runs now or in a Huey worker."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from renda.core import audit
from renda.core.models import ImportBatch
from renda.core.roles import Actor

from .files import FileProblem, human_size, max_bytes, seal, sniff
from .progress import Progress
from .specs import ImportRow, ImportSpec, get_spec
from .validation import Validation, error_text, load_stored, message_of, validate_file

logger = logging.getLogger(__name__)

Status = ImportBatch.Status

# At most this many cell errors are stored and shown; the count says how many there were.
MAX_STORED_ERRORS = 1000
# A background commit not finished after this long may be started again.
STALLED_AFTER = dt.timedelta(minutes=15)

COMMITTABLE = frozenset({Status.READY, Status.COMMITTING, Status.FAILED})
DISCARDABLE = frozenset({Status.READY, Status.INVALID, Status.FAILED})


# --- starting: upload, store, validate -----------------------------------------------------


def _read_upload(uploaded_file: UploadedFile) -> bytes:
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise FileProblem(
            f"文件太大（{human_size(size)}），导入文件不能超过 {human_size(limit)}：请拆分后分批导入"
        )
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise FileProblem(f"文件太大，导入文件不能超过 {human_size(limit)}：请拆分后分批导入")
    return bytes(content)


def _reject(actor: Actor | None, kind: str, file_name: str, message: str) -> ValidationError:
    audit.record(
        actor=actor,
        action="import.reject",
        outcome="failure",
        details={"kind": kind, "file_name": file_name, "reason": message},
    )
    return ValidationError(message)


def _check_may_import(actor: Actor, spec: ImportSpec) -> None:
    if not spec.can_import(actor):
        audit.record(
            actor=actor,
            action="import.start",
            outcome="failure",
            details={"kind": spec.kind, "reason": "permission"},
        )
        raise PermissionDenied("您无权导入此类数据。")


def start_import(*, actor: Actor, kind: str, uploaded_file: UploadedFile) -> ImportBatch:
    """Store and validate an upload. Returns the new batch (INVALID with its errors, or READY),
    or — when the very same file was already imported for this kind — that COMMITTED batch,
    untouched. Raises ValidationError (Chinese) when the file cannot be read as a table."""
    spec = get_spec(kind)
    _check_may_import(actor, spec)
    file_name = os.path.basename(str(getattr(uploaded_file, "name", "") or ""))[:255]
    try:
        content = _read_upload(uploaded_file)
        file_type = sniff(file_name, content)
    except FileProblem as exc:
        raise _reject(actor, kind, file_name, exc.message) from None
    digest = hashlib.sha256(content).hexdigest()

    done = ImportBatch.objects.filter(kind=kind, sha256=digest, status=Status.COMMITTED).first()
    if done is not None:
        audit.record(
            actor=actor,
            action="import.duplicate",
            target=done,
            details={"kind": kind, "file_name": file_name, "duplicate_of": done.pk},
        )
        return done

    try:
        # Validation only reads; it runs outside the write transaction so that a long file
        # does not hold the database's write lock.
        result = validate_file(spec, file_type, content, actor=actor)
    except FileProblem as exc:
        raise _reject(actor, kind, file_name, exc.message) from None
    batch = _new_batch(actor, kind, file_name, digest, file_type, result)
    _store(actor, batch, content, result)
    return batch


def _new_batch(
    actor: Actor, kind: str, file_name: str, digest: str, file_type: str, result: Validation
) -> ImportBatch:
    batch = ImportBatch(
        kind=kind,
        file_name=file_name or "未命名",
        sha256=digest,
        status=Status.INVALID if result.errors else Status.READY,
        rows_total=len(result.rows),
        rows_done=0,
        errors=result.errors[:MAX_STORED_ERRORS],
        summary={
            "file_type": file_type,
            "error_count": result.error_count,
            "columns": [c.header for c in result.columns],
        },
        created_by_id=actor.pk,
    )
    batch.full_clean(exclude=["file"])
    return batch


def _store(actor: Actor, batch: ImportBatch, content: bytes, result: Validation) -> None:
    """Save the batch and, when it can be imported, its file (sealed, until it is committed)."""
    ready = batch.status == Status.READY
    stored_name = ""
    with transaction.atomic():
        if ready:
            batch.file.save(f"{uuid.uuid4().hex}.sealed", ContentFile(seal(content)), save=False)
            stored_name = batch.file.name or ""
        try:
            batch.save()
        except DatabaseError:
            if stored_name:
                batch.file.storage.delete(stored_name)
            raise
        audit.record(
            actor=actor,
            action="import.start",
            target=batch,
            outcome="success" if ready else "failure",
            details={
                "kind": batch.kind,
                "status": batch.status,
                "rows": batch.rows_total,
                "errors": result.error_count,
                "file_name": batch.file_name,
            },
        )


# --- committing ------------------------------------------------------------------------------


class _Abort(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def lock_batch(batch: ImportBatch) -> ImportBatch:
    """Lock every batch of the same file (kind + SHA-256): two commits of one file, from one
    batch or from two uploads of it, run one after the other and the second sees the first."""
    same_file = list(
        ImportBatch.objects.select_for_update()
        .filter(kind=batch.kind, sha256=batch.sha256)
        .order_by("pk")
    )
    for candidate in same_file:
        if candidate.pk == batch.pk:
            return candidate
    raise ImportBatch.DoesNotExist


def _committable(batch: ImportBatch) -> bool:
    """True when the batch may be committed now; False when it already was (a no-op)."""
    if batch.status == Status.COMMITTED:
        return False
    if batch.status not in COMMITTABLE:
        raise ValidationError(f"该批次{batch.get_status_display()}，不能导入")
    return True


def _committed_twin(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(kind=batch.kind, sha256=batch.sha256, status=Status.COMMITTED)
        .exclude(pk=batch.pk)
        .first()
    )


def _row_error(row: ImportRow | None, message: str) -> list[dict[str, Any]]:
    return [{"row": row.number if row else None, "column": "", "message": message}]


def commit_import(*, actor: Actor | None, batch: ImportBatch) -> ImportBatch:
    """All or nothing: re-validate the stored file (the database may have changed since the
    upload), then in ONE transaction write every row through the spec and mark COMMITTED. On
    any error nothing is written and the batch becomes FAILED with the reason. Committing a
    batch that is already committed, or a second batch of an already committed file, writes
    nothing."""
    spec = get_spec(batch.kind)
    current = ImportBatch.objects.get(pk=batch.pk)
    if not _committable(current):
        return current
    twin = _committed_twin(current)
    if twin is not None:
        with transaction.atomic():
            return _close_as_duplicate(actor, lock_batch(current), twin)
    # Re-validation only reads: it runs before the write transaction, so that the write lock
    # (SQLite has one for the whole database) is held only while rows are written. The spec's
    # services and the database constraints still guard against anything that changes between.
    try:
        content = load_stored(current)
        file_type = current.summary.get("file_type") or sniff(current.file_name, content)
        result = validate_file(spec, file_type, content, actor=actor)
    except FileProblem as exc:
        return _mark_failed(actor, current, _row_error(None, exc.message))
    if result.errors:
        return _mark_failed(actor, current, result.errors)
    progress = Progress(current)
    try:
        return _write(actor, spec, current, result, progress)
    except _Abort as exc:
        return _mark_failed(actor, current, exc.errors)
    except ValidationError:
        raise
    except Exception:
        logger.exception("import commit crashed (batch %s)", batch.pk)
        return _mark_failed(
            actor,
            current,
            _row_error(None, "导入时发生系统错误，已全部撤销，没有写入任何数据；请联系系统管理员"),
        )
    finally:
        progress.clear()


@transaction.atomic
def _write(
    actor: Actor | None,
    spec: ImportSpec,
    current: ImportBatch,
    result: Validation,
    progress: Progress,
) -> ImportBatch:
    """The write transaction of a commit: lock, check again, hand the rows to the spec."""
    locked = lock_batch(current)
    if not _committable(locked):
        return locked
    twin = _committed_twin(locked)
    if twin is not None:
        return _close_as_duplicate(actor, locked, twin)
    summary = _commit_rows(actor, spec, locked, result, progress)
    locked.status = Status.COMMITTED
    locked.rows_total = locked.rows_done = len(result.rows)
    locked.summary = {**locked.summary, **summary, "rows": len(result.rows)}
    locked.errors = []
    locked.committed_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        action="import.commit",
        target=locked,
        details={"kind": locked.kind, "rows": len(result.rows), "summary": summary},
    )
    return locked


def _commit_rows(
    actor: Actor | None,
    spec: ImportSpec,
    locked: ImportBatch,
    result: Validation,
    progress: Progress,
) -> dict[str, Any]:
    try:
        return spec.commit(progress.iterate(result.rows), actor, locked) or {}
    except ValidationError as exc:
        # Rows are handed to the spec one at a time: the current one was rejected.
        raise _Abort(_row_error(progress.current, message_of(exc))) from exc
    except DatabaseError as exc:
        # A bulk INSERT fails for a whole chunk: no single row to blame.
        logger.warning("import commit refused by the database (batch %s): %s", locked.pk, exc)
        raise _Abort(
            _row_error(
                None,
                "数据库拒绝写入（可能与刚登记的数据冲突），已全部撤销；请重新上传文件校验",
            )
        ) from exc


def _close_as_duplicate(actor: Actor | None, batch: ImportBatch, twin: ImportBatch) -> ImportBatch:
    old_name = batch.file.name if batch.file else ""
    batch.status = Status.DISCARDED
    batch.summary = {**batch.summary, "duplicate_of": twin.pk}
    batch.file = ""  # type: ignore[assignment]
    batch.save()
    audit.record(
        actor=actor,
        action="import.duplicate",
        target=batch,
        details={"kind": batch.kind, "duplicate_of": twin.pk},
    )
    _delete_stored(batch, old_name)
    return batch


def _mark_failed(
    actor: Actor | None, batch: ImportBatch, errors: list[dict[str, Any]]
) -> ImportBatch:
    with transaction.atomic():
        fresh = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        fresh.status = Status.FAILED
        fresh.rows_done = 0
        fresh.errors = errors[:MAX_STORED_ERRORS]
        fresh.summary = {**fresh.summary, "error_count": len(errors)}
        fresh.save()
        audit.record(
            actor=actor,
            action="import.commit",
            target=fresh,
            outcome="failure",
            details={
                "kind": fresh.kind,
                "errors": len(errors),
                "first": error_text(errors[0]) if errors else "",
            },
        )
    return fresh


def is_stalled(batch: ImportBatch) -> bool:
    """A COMMITTING batch whose worker has not finished for a long time (the worker died, or
    no consumer runs): it may be queued again. A second run is harmless: it waits for the
    first one's lock and then finds the batch committed."""
    return batch.status == Status.COMMITTING and timezone.now() - batch.updated_at > STALLED_AFTER


def _delete_stored(batch: ImportBatch, name: str) -> None:
    if name:
        storage = batch.file.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def discard_import(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    locked = lock_batch(batch)
    if locked.status == Status.DISCARDED:
        return locked
    if locked.status not in DISCARDABLE:
        raise ValidationError(f"该批次{locked.get_status_display()}，不能放弃")
    old_name = locked.file.name if locked.file else ""
    locked.status = Status.DISCARDED
    locked.file = ""  # type: ignore[assignment]
    locked.save()
    audit.record(actor=actor, action="import.discard", target=locked, details={"kind": locked.kind})
    _delete_stored(locked, old_name)
    return locked
