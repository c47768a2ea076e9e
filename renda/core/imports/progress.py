"""Progress of a long commit.

The rows are written inside ONE transaction (all or nothing), so a `rows_done` column updated
on the way would be invisible to the page that polls it until the very end, and on SQLite a
second connection could not even write it while the first holds the write lock. The worker
therefore publishes its count through Huey's key-value store, which lives outside the business
database (huey.sqlite3 or Redis, shared by web servers and workers alike); `rows_done` in the
batch row is written once, when the commit is final."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from huey.contrib.djhuey import HUEY

from renda.core.models import ImportBatch

from .specs import ImportRow

logger = logging.getLogger(__name__)

Status = ImportBatch.Status

# How often (seconds) a committing worker publishes its row count.
PROGRESS_INTERVAL = 0.5


def progress_store() -> Any:
    """Huey's key-value store: shared by every web server and worker (huey.sqlite3 or Redis)
    and outside the business database, so a worker can publish progress while its import
    transaction is still open. In tests (immediate mode) it is in memory."""
    return HUEY


def _progress_key(batch_pk: int) -> str:
    return f"renda:import-progress:{batch_pk}"


def published_progress(batch: ImportBatch) -> int:
    """Rows written so far by a running commit, as its worker last published them."""
    if batch.status != Status.COMMITTING:
        return batch.rows_done
    try:
        value = progress_store().get(_progress_key(batch.pk), peek=True)
    except Exception:  # progress is a courtesy; a broken store must not break the page
        logger.warning("import progress unavailable", exc_info=True)
        value = None
    return max(batch.rows_done, int(value or 0))


class Progress:
    """Wraps the rows given to `spec.commit`: knows the current row (for error messages) and
    publishes the count now and then — only for a background commit: nobody polls a commit
    that runs inside the request."""

    def __init__(self, batch: ImportBatch) -> None:
        self.key = _progress_key(batch.pk)
        self.enabled = batch.status == Status.COMMITTING
        self.current: ImportRow | None = None
        self.done = 0
        self._last = 0.0

    def _publish(self) -> None:
        if not self.enabled:
            return
        try:
            progress_store().put(self.key, self.done)
        except Exception:
            logger.warning("could not publish import progress", exc_info=True)

    def iterate(self, rows: list[ImportRow]) -> Iterator[ImportRow]:
        for row in rows:
            self.current = row
            yield row
            self.done += 1
            now = time.monotonic()
            if now - self._last >= PROGRESS_INTERVAL:
                self._last = now
                self._publish()
        self.current = None
        self._publish()

    def clear(self) -> None:
        if not self.enabled:
            return
        try:
            progress_store().delete(self.key)
        except Exception:
            logger.warning("could not clear import progress", exc_info=True)
