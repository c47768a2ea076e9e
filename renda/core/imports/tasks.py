"""Background work of the import framework: a long file commits in a Huey worker while the
page polls the progress (progress.py); a short one commits inside the request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from huey.contrib.djhuey import db_task

from renda.core import audit
from renda.core.models import ImportBatch
from renda.core.roles import Actor

from .services import COMMITTABLE, commit_import, is_stalled, lock_batch

Status = ImportBatch.Status

# Files up to this many rows commit inside the request; longer ones in a Huey worker while
# the page shows a progress bar.
SYNC_COMMIT_MAX_ROWS = 500


@db_task()
def commit_import_task(batch_pk: int, actor_pk: int | None) -> None:
    batch = ImportBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        return
    actor = get_user_model()._default_manager.filter(pk=actor_pk).first() if actor_pk else None
    try:
        commit_import(actor=actor, batch=batch)
    except ValidationError:
        # The batch was discarded or committed by someone else in the meantime: nothing to do.
        return


def queue_commit_import(*, actor: Actor | None, batch: ImportBatch) -> ImportBatch:
    """What the 确认导入 button calls: a small file commits now; a long one is marked
    COMMITTING and handed to a Huey worker, and the page polls its progress."""
    if batch.rows_total <= SYNC_COMMIT_MAX_ROWS:
        return commit_import(actor=actor, batch=batch)
    with transaction.atomic():
        locked = lock_batch(batch)
        if locked.status == Status.COMMITTED or (
            locked.status == Status.COMMITTING and not is_stalled(locked)
        ):
            return locked  # already queued or done: a second click does nothing
        if locked.status not in COMMITTABLE:
            raise ValidationError(f"该批次{locked.get_status_display()}，不能导入")
        locked.status = Status.COMMITTING
        locked.rows_done = 0
        locked.save(update_fields=["status", "rows_done", "updated_at"])
        audit.record(
            actor=actor,
            action="import.queue",
            target=locked,
            details={"kind": locked.kind, "rows": locked.rows_total},
        )
        actor_pk = getattr(actor, "pk", None)
        # After the COMMITTING state is visible to the worker's own connection.
        transaction.on_commit(lambda: commit_import_task(locked.pk, actor_pk))
    return locked
