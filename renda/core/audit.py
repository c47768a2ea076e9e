"""`record()` writes one audit event; `verify_chain()` checks the HMAC-SM3 chain.

Every service calls `record()` inside its own transaction, so an audit row exists exactly when
the change it describes was committed. Security events (log in, lockout, permission denied)
are recorded outside any service.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from renda.lib.crypto import hmac_sm3

from . import anchors
from .models import AuditEvent
from .roles import Actor

# Set per request by core.middleware.ClientIPMiddleware, so services need not pass the IP.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)

GENESIS = "0" * 64
_TABLE = AuditEvent._meta.db_table


def _canonical(event: AuditEvent, prev_chain: str) -> bytes:
    payload = {
        "prev": prev_chain,
        "time": event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "username": event.actor_username,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target": event.target_repr,
        "outcome": event.outcome,
        "ip": event.ip or "",
        "details": event.details,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_chain(event: AuditEvent, prev_chain: str) -> str:
    return hmac_sm3(settings.AUDIT_HMAC_KEY, _canonical(event, prev_chain)).hex()


def _target_fields(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk or ""), str(target)[:200]
    return type(target).__name__, "", str(target)[:200]


def _username(user: Actor) -> str:
    get_username = getattr(user, "get_username", None)
    return str(get_username()) if get_username is not None else ""


def record(
    *,
    actor: Actor | None,
    action: str,
    target: Any = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one audit event. `actor` is a user or None (anonymous or a system job)."""
    target_type, target_id, target_repr = _target_fields(target)
    user = actor if actor is not None and actor.is_authenticated else None
    # Round-trip through JSON so that what is hashed is exactly what the database returns.
    clean_details = json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))
    # No savepoint of its own: the event belongs to the caller's transaction and fails with
    # it (a savepoint would cost two more round trips on every write of every service).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the transaction's pending foreign-key checks now, before the append lock:
            # left to COMMIT they would lock the rows they point at (a meeting, a member)
            # while holding the lock, and a writer that locked those rows first and then
            # waits for the lock deadlocks with us (the check-in benchmark saw it). The checks
            # stay deferred for the rest of the transaction. One round trip for the three (a
            # statement list without parameters: the lock id is a constant integer).
            cursor.execute(
                "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED; "
                f"SELECT pg_advisory_xact_lock({int(anchors.APPEND_LOCK_ID)})"
            )
        cursor.execute(f"SELECT chain FROM {_TABLE} ORDER BY id DESC LIMIT 1")  # noqa: S608
        last = cursor.fetchone()
        prev = last[0] if last else None
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=user.pk if user is not None else None,
            actor_username=(_username(user) if user is not None else username)[:150],
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            outcome=outcome,
            ip=ip or current_ip.get(),
            details=clean_details,
        )
        event.chain = compute_chain(event, prev or GENESIS)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _iter_events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


class _Walk:
    """One pass along the chain from a starting value, holding each row against the
    checkpoints (core.anchors) that name it."""

    def __init__(self, checkpoints: dict[int, anchors.Checkpoint], prev: str, checked: int):
        self.checkpoints = checkpoints
        self.prev = prev
        self.checked = checked

    def step(self, event: AuditEvent) -> ChainReport | None:
        if compute_chain(event, self.prev) != event.chain:
            return ChainReport(self.checked, event.pk, "链值不符：该行内容被修改，或其前一行被删除")
        self.prev = event.chain
        self.checked += 1
        cp = self.checkpoints.pop(event.pk, None)
        if cp is not None and (cp.count != self.checked or cp.chain != event.chain):
            return ChainReport(
                self.checked, event.pk, f"与第 {cp.seq} 个检查点不符：此前的记录被删除后重写"
            )
        return None

    def leftover(self) -> ChainReport:
        if self.checkpoints:
            cp = min(self.checkpoints.values(), key=lambda c: c.last_id)
            return ChainReport(
                self.checked,
                cp.last_id,
                f"第 {cp.seq} 个检查点（{cp.at}）记录的第 {cp.last_id} 号记录已不在日志中："
                f"最新的记录被删除，或整表被清空后重写（检查点记有 {cp.count} 条）",
            )
        return ChainReport(self.checked, None)


def verify_chain(*, until_id: int | None = None, part: str = "all") -> ChainReport:
    """Walk the log in id order and report the first row whose link does not hold, then
    hold the log against the checkpoints kept outside it (core.anchors): a checkpoint whose
    row is missing, or whose count or chain value differs, means rows were deleted.

    Rows moved out by `archive_audit` (core/backup/archive.py) are walked first, from the
    genesis value; the live log then continues from the last archiving cut, whose signed
    count and chain value the archive must end on. `part="archive"` or `"live"` checks one
    side alone (the live side from the cut). `until_id`: a database restored from a backup
    ends at the backup's checkpoint, so anchors naming later rows are not held against it."""
    # Imported here: the archive module walks its rows with compute_chain from this one.
    from .backup.archive import ArchiveError, archived_events, last_cut

    try:
        checkpoints = anchors.checkpoints_of_this_log()
        cut = last_cut()
    except (anchors.AnchorError, ArchiveError) as error:
        return ChainReport(0, 0, str(error))
    if until_id is not None:
        checkpoints = {k: cp for k, cp in checkpoints.items() if k <= until_id}
    boundary = cut.last_id if cut is not None else 0
    if cut is not None and part in ("all", "archive"):
        walk = _Walk({k: cp for k, cp in checkpoints.items() if k <= boundary}, GENESIS, 0)
        for event in archived_events():
            if (report := walk.step(event)) is not None:
                return report
        if walk.checked != cut.total or walk.prev != cut.chain:
            return ChainReport(
                walk.checked,
                cut.last_id,
                f"归档与第 {cut.pk} 次归档记录不符（应有 {cut.total} 条）：归档中的记录被删除或改动",
            )
        if part == "archive":
            return walk.leftover()
    walk = _Walk(
        {k: cp for k, cp in checkpoints.items() if k > boundary},
        cut.chain if cut is not None else GENESIS,
        cut.total if cut is not None else 0,
    )
    for event in _iter_events():
        if (report := walk.step(event)) is not None:
            return report
    return walk.leftover()
