"""Exports that run in the background (导出任务, models/exports.py).

A year of treasury payments is ~10^5 rows: building that workbook takes longer than anybody
waits on a blank page. A short list is still sent at once (`INLINE_ROWS`); a longer one
becomes an `ExportJob`: the request is recorded (audited), a Huey worker writes the file with
its progress on the job row, and the requester — nobody else — downloads it from the job's
page. Files are kept for `KEEP_DAYS` days and then removed by a nightly job.

The job re-checks at run time that the requester may still read budget data: a role taken
away between the click and the worker gets no file.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.models import ExportJob, Payment
from renda.budget.permissions import can_view_budget_data
from renda.budget.selectors.data import payments
from renda.budget.selectors.exports import PAYMENT_COLUMNS
from renda.core import audit
from renda.core.exports import Column
from renda.core.notifications import notify
from renda.lib.excel import write_xlsx

logger = logging.getLogger(__name__)

# Up to this many rows the export is built in the request (a few seconds at most).
INLINE_ROWS = getattr(settings, "BUDGET_EXPORT_INLINE_ROWS", 5000)
MAX_ROWS = 1_000_000  # one sheet holds 1,048,576 rows
KEEP_DAYS = 7
PROGRESS_EVERY = 2000  # rows between two progress writes

TITLES = {ExportJob.Kind.PAYMENTS: "支付凭证"}


def inline_rows() -> int:
    return int(getattr(settings, "BUDGET_EXPORT_INLINE_ROWS", INLINE_ROWS))


def stored_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The list's cleaned filters as JSON: dates and amounts as text, blanks dropped (the
    selector accepts the text forms)."""
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, "", False):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def _rows(job: ExportJob) -> Any:
    return payments(job.filters).select_related("unit", "region")


def _check_reader(actor: User) -> None:
    if not can_view_budget_data(actor):
        raise PermissionDenied("只有人大机关工作人员和常委会组成人员可以导出预算数据。")


@transaction.atomic
def request_export(*, actor: User, kind: str, filters: dict[str, Any]) -> ExportJob:
    """Queue an export of the rows the requester sees with ``filters``. The same request
    while an identical one of theirs is still queued or running returns that job instead of
    starting a second one."""
    _check_reader(actor)
    if kind not in ExportJob.Kind.values:
        raise ValidationError("不支持的导出内容。")
    stored = stored_filters(filters)
    running = ExportJob.objects.filter(
        requested_by=actor,
        kind=kind,
        status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
        filters=stored,
    ).first()
    if running is not None:
        return running
    total = payments(stored).count()
    if total > MAX_ROWS:
        raise ValidationError(
            f"符合条件的记录有 {total:,} 条，超过一次导出的上限 {MAX_ROWS:,} 条，请缩小筛选范围。"
        )
    job = ExportJob.objects.create(kind=kind, requested_by=actor, filters=stored, rows_total=total)
    audit.record(
        actor=actor,
        action="budget.export.request",
        target=job,
        details={"kind": kind, "filters": stored, "rows": total},
    )
    from renda.budget.tasks import run_export_job

    job_id = job.pk
    transaction.on_commit(lambda: run_export_job(job_id))
    return job


def export_inline(*, actor: User, kind: str, filters: dict[str, Any]) -> tuple[str, bytes]:
    """A short export built at once: (file name, xlsx bytes), audited like a job."""
    _check_reader(actor)
    stored = stored_filters(filters)
    qs = payments(stored).select_related("unit", "region")
    title = TITLES[ExportJob.Kind(kind)]
    with tempfile.TemporaryFile() as out:
        count = _write(out, title, PAYMENT_COLUMNS, qs.iterator(chunk_size=PROGRESS_EVERY))
        out.seek(0)
        data = out.read()
    audit.record(
        actor=actor,
        action="budget.export.inline",
        details={"kind": kind, "filters": stored, "rows": count},
    )
    return _file_name(title), data


def _file_name(title: str) -> str:
    return f"{title}-{timezone.localdate():%Y%m%d}.xlsx"


def _write(
    out: Any,
    title: str,
    columns: Sequence[Column[Payment]],
    rows: Iterator[Payment],
    progress: Callable[[int], None] | None = None,
) -> int:
    return write_xlsx(
        out,
        title,
        [c.header for c in columns],
        ([c.value(row) for c in columns] for row in rows),
        progress=progress,
        every=PROGRESS_EVERY,
    )


def run_export(job_id: int) -> ExportJob:
    """The worker's part: write the file, publishing progress on the job row as it goes
    (each update is its own short transaction, so the page sees it at once)."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job  # a retried or duplicated task: the job has been taken already
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job
    requester = job.requested_by
    if not requester.is_active or not can_view_budget_data(requester):
        return _fail(job, "申请人已无权查看预算数据，导出已取消。")
    title = TITLES[ExportJob.Kind(job.kind)]

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=n)

    try:
        with tempfile.TemporaryFile() as out:
            count = _write(
                out,
                title,
                PAYMENT_COLUMNS,
                _rows(job).iterator(chunk_size=PROGRESS_EVERY),
                progress,
            )
            out.seek(0)
            name = _file_name(title)
            job.file.save(f"export-{job.pk}.xlsx", File(out), save=False)
            job.size = job.file.size
    except Exception as error:  # the requester is told; the worker goes on with other jobs
        logger.exception("budget export %s failed", job.pk)
        return _fail(job, f"生成文件时出错：{error.__class__.__name__}")
    job.status, job.rows_done, job.file_name = ExportJob.Status.DONE, count, name
    job.rows_total = max(job.rows_total, count)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "rows_done",
            "rows_total",
            "file",
            "file_name",
            "size",
            "finished_at",
            "updated_at",
        ]
    )
    notify(
        actor=None,
        recipients=[requester],
        title=f"导出完成：{title}（{count:,} 行）",
        body=f"文件保留 {KEEP_DAYS} 天，仅本人可下载。",
        url=reverse("budget:export_detail", args=[job.pk]),
    )
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.status, job.error, job.finished_at = ExportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    audit.record(
        actor=None,
        action="budget.export.fail",
        username="系统任务",
        target=job,
        outcome="failure",
        details={"error": message},
    )
    return job


def record_download(*, actor: User, job: ExportJob) -> None:
    """A finished export's file leaves the system: audited each time."""
    audit.record(
        actor=actor,
        action="budget.export.download",
        target=job,
        details={"kind": job.kind, "rows": job.rows_done, "file": job.file_name},
    )


def purge_old_exports(now: dt.datetime | None = None) -> int:
    """Remove the files of exports finished more than `KEEP_DAYS` days ago."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_DAYS)
    old = ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=cutoff)
    n = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status", "updated_at"])
        n += 1
    return n
