"""Background work of the import framework: long files commit in a Huey worker while the
page polls the progress (see `core.imports`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY, db_task


def progress_store() -> Any:
    """Huey's key-value store: shared by every web server and worker (huey.sqlite3 or Redis)
    and outside the business database, so a worker can publish progress while its import
    transaction is still open. In tests (immediate mode) it is in memory."""
    return HUEY


@db_task()
def commit_import_task(batch_pk: int, actor_pk: int | None) -> None:
    from renda.accounts.models import User

    from .imports import commit_import
    from .models import ImportBatch

    batch = ImportBatch.objects.filter(pk=batch_pk).first()
    if batch is None:
        return
    actor = User.objects.filter(pk=actor_pk).first() if actor_pk else None
    try:
        commit_import(actor=actor, batch=batch)
    except ValidationError:
        # The batch was discarded or committed by someone else in the meantime: nothing to do.
        return
