"""Archiving the audit log (等保 安全审计: 审计记录保存不少于六个月).

`archive_audit(before=...)` moves the oldest rows — every row before the first one written on
or after `before`, which must be at least `RETENTION_DAYS` ago — out of the live table into
`AuditArchivedEvent`, column for column with their ids and chain values, and writes an
`AuditArchiveCut`: the archive's row count and last chain value after the move, signed with
the audit key and linked to the previous cut. So

- the archive verifies on its own, from the genesis value to the cut;
- the live log verifies from the cut (its first row's link is the cut's chain value);
- `audit.verify_chain()` walks both as one chain, and the anchors (core.anchors) still hold.

The rows are moved, never dropped: on PostgreSQL the live table's trigger lets a row go only
when an identical copy (same id and chain value) is already in the archive, and the archive
tables are append-only themselves (migration 0007). In production only the owner role may
delete from the live table at all (docs/deploy.md), so this runs with the owner's
DATABASE_URL, like migrations.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from renda.core import anchors, audit
from renda.core.models import AuditArchiveCut, AuditArchivedEvent, AuditEvent
from renda.core.roles import Actor
from renda.lib.crypto import constant_time_equal, hmac_sm3

RETENTION_DAYS = 180
GENESIS_SIGNATURE = "0" * 64
FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "outcome",
    "ip",
    "details",
    "chain",
]


class ArchiveError(Exception):
    """The archive's cut records were altered, or archiving was refused."""


def _cut_payload(cut: AuditArchiveCut) -> bytes:
    data = {
        "created_at": cut.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "before": cut.before.isoformat(),
        "actor": cut.actor_username,
        "first_id": cut.first_id,
        "last_id": cut.last_id,
        "rows": cut.rows,
        "total": cut.total,
        "chain": cut.chain,
        "prev": cut.prev,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def _sign(cut: AuditArchiveCut) -> str:
    return hmac_sm3(settings.AUDIT_HMAC_KEY, b"audit-archive-cut:" + _cut_payload(cut)).hex()


def last_cut() -> AuditArchiveCut | None:
    """The newest cut, after checking every cut's signature and link (ArchiveError if one was
    altered, removed or reordered). None when nothing was ever archived."""
    prev = GENESIS_SIGNATURE
    newest: AuditArchiveCut | None = None
    for cut in AuditArchiveCut.objects.order_by("id"):
        if not constant_time_equal(cut.sig, _sign(cut)):
            raise ArchiveError(f"第 {cut.pk} 次归档记录的签名不符：该记录被改动")
        if cut.prev != prev or (newest is not None and cut.first_id <= newest.last_id):
            raise ArchiveError(f"第 {cut.pk} 次归档记录与上一次接不上：有归档记录被删除或调换")
        prev = cut.sig
        newest = cut
    if newest is None and AuditArchivedEvent.objects.exists():
        raise ArchiveError("有已归档的审计记录，但归档记录被删除")
    return newest


def archived_events() -> Iterator[AuditEvent]:
    """The archived rows in id order, as (unsaved) AuditEvent objects for the chain walk."""
    for row in AuditArchivedEvent.objects.order_by("id").values(*FIELDS).iterator(chunk_size=2000):
        yield AuditEvent(**row)


@dataclass(frozen=True)
class ArchiveResult:
    cut: AuditArchiveCut | None
    message: str


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def archive_audit(*, actor: Actor | None, before: dt.date) -> ArchiveResult:
    """Move every audit row older than `before` (local date) into the archive. Refuses a date
    within the retention period, a broken chain (keep the evidence where it is) and leaving
    the live log empty (the newest row stays live so the next row has its link)."""
    oldest_allowed = timezone.localdate() - dt.timedelta(days=RETENTION_DAYS)
    if before > oldest_allowed:
        raise ArchiveError(
            f"审计日志至少在线保留 {RETENTION_DAYS} 天：只能归档 {oldest_allowed:%Y-%m-%d} "
            f"及更早日期之前的记录，{before:%Y-%m-%d} 太近。"
        )
    report = audit.verify_chain()
    if not report.ok:
        raise ArchiveError(
            f"审计日志链断裂（第 {report.broken_id} 号：{report.reason}），不归档：先保全现场核查。"
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [anchors.APPEND_LOCK_ID])
        first_kept = (
            AuditEvent.objects.filter(created_at__gte=_start_of(before))
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        if newest is None:
            return ArchiveResult(None, "审计日志为空，无需归档。")
        # Archive an id prefix only, so that both parts stay one unbroken chain.
        last_id = first_kept - 1 if first_kept is not None else newest - 1
        rows = list(AuditEvent.objects.filter(id__lte=last_id).order_by("id").values(*FIELDS))
        if not rows:
            return ArchiveResult(None, f"没有 {before:%Y-%m-%d} 之前、可以归档的审计记录。")
        AuditArchivedEvent.objects.bulk_create(
            [AuditArchivedEvent(**row) for row in rows], batch_size=2000
        )
        previous = AuditArchiveCut.objects.order_by("-id").first()
        cut = AuditArchiveCut(
            created_at=timezone.now(),
            before=before,
            actor_username=str(getattr(actor, "username", "") or "")[:150],
            first_id=rows[0]["id"],
            last_id=rows[-1]["id"],
            rows=len(rows),
            total=(previous.total if previous is not None else 0) + len(rows),
            chain=rows[-1]["chain"],
            prev=previous.sig if previous is not None else GENESIS_SIGNATURE,
        )
        cut.sig = _sign(cut)
        cut.save()
        # QuerySet.delete bypasses AuditEvent.delete (which refuses); the database trigger
        # still checks that each row has its copy in the archive.
        AuditEvent.objects.filter(id__lte=last_id).delete()
        audit.record(
            actor=actor,
            action="audit.archive",
            target=cut,
            details={
                "before": before.isoformat(),
                "first_id": cut.first_id,
                "last_id": cut.last_id,
                "rows": cut.rows,
                "total": cut.total,
            },
        )
    return ArchiveResult(
        cut,
        f"已归档 {cut.rows} 条（第 {cut.first_id}–{cut.last_id} 号，{before:%Y-%m-%d} 之前），"
        f"累计归档 {cut.total} 条。",
    )
