"""Anchors of the audit chain outside its table (等保 安全审计 c).

The HMAC chain proves that no row was changed or taken out of the middle, but not that the
newest rows are all still there: deleting the last rows, or emptying the table and inserting
its first rows again, leaves a chain that verifies. So the chain is anchored outside the
database: a checkpoint — the id and chain value of the newest row and the number of rows up to
it, signed with the audit key and linked to the previous checkpoint — is appended every hour
and after each nightly check to a file the application's database role cannot reach
(`AUDIT_CHECKPOINT_PATH`; in production a directory of its own, append-only, see
docs/deploy.md), and the nightly report to the audit administrator carries it too.
`audit.verify_chain()` checks every checkpoint while it walks the log: a checkpoint whose row is
gone, or whose count or chain value differs, means rows were deleted."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from renda.lib.crypto import hmac_sm3

from .models import AuditArchivedEvent, AuditEvent

GENESIS_SIGNATURE = "0" * 64
# Any constant 64-bit number; it names the PostgreSQL advisory lock that serialises appends to
# the log (audit.record takes it), so that a checkpoint's count and newest row belong together.
APPEND_LOCK_ID = 72_111_2026


class AnchorError(Exception):
    """The checkpoint file was changed: a line does not verify or the sequence is broken."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    first: str  # chain value of the log's first row: which log this checkpoint is of
    last_id: int
    count: int
    chain: str
    at: str
    prev: str
    sig: str = ""

    def payload(self) -> bytes:
        data = asdict(self)
        data.pop("sig")
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    def signed(self) -> Checkpoint:
        return Checkpoint(**{**asdict(self), "sig": _sign(self.payload())})


def _sign(payload: bytes) -> str:
    return hmac_sm3(settings.AUDIT_HMAC_KEY, b"audit-checkpoint:" + payload).hex()


def checkpoint_path() -> Path | None:
    value = getattr(settings, "AUDIT_CHECKPOINT_PATH", "")
    return Path(value) if value else None


def read_checkpoints() -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; AnchorError if any line was altered, taken
    out or reordered."""
    path = checkpoint_path()
    if path is None or not path.exists():
        return []
    checkpoints: list[Checkpoint] = []
    prev = GENESIS_SIGNATURE
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cp = Checkpoint(**json.loads(line))
        except (ValueError, TypeError) as error:
            raise AnchorError(f"检查点文件第 {number} 行无法读取") from error
        if cp.sig != _sign(cp.payload()):
            raise AnchorError(f"检查点文件第 {number} 行的签名不符：该行被改动")
        if cp.prev != prev or cp.seq != len(checkpoints) + 1:
            raise AnchorError(f"检查点文件第 {number} 行与上一行接不上：有检查点被删除或调换")
        checkpoints.append(cp)
        prev = cp.sig
    return checkpoints


def first_chain() -> str | None:
    """The chain value of the log's first row: in the archive once `archive_audit` has moved
    the oldest rows out of the live table (core/backup/archive.py)."""
    archived = AuditArchivedEvent.objects.order_by("id").values_list("chain", flat=True).first()
    if archived is not None:
        return archived
    return AuditEvent.objects.order_by("id").values_list("chain", flat=True).first()


def archived_count() -> int:
    return AuditArchivedEvent.objects.count()


def checkpoints_of_this_log() -> dict[int, Checkpoint]:
    """The checkpoints of the log in this database, by the id of their newest row.

    A checkpoint names the log's first row by its chain value. Nobody without the audit key can
    make a valid first row, so a checkpoint naming another first row belongs to another
    database with the same key (a developer's fresh demo database), not to this log; a
    forged or re-written first row fails the chain walk itself. An empty log is held against
    every checkpoint: all its rows were deleted."""
    checkpoints = read_checkpoints()
    first = first_chain()
    return {cp.last_id: cp for cp in checkpoints if first is None or cp.first == first}


def take_checkpoint() -> Checkpoint | None:
    """Append a checkpoint of the log as it is now (None when no file is configured or the
    log is empty)."""
    path = checkpoint_path()
    if path is None:
        return None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_ID])
        newest = AuditEvent.objects.order_by("-id").values_list("id", "chain").first()
        first = first_chain()
        if newest is None or first is None:
            return None
        count = AuditEvent.objects.filter(id__lte=newest[0]).count() + archived_count()
    previous = read_checkpoints()
    cp = Checkpoint(
        seq=len(previous) + 1,
        first=first,
        last_id=newest[0],
        count=count,
        chain=newest[1],
        at=timezone.now().isoformat(timespec="seconds"),
        prev=previous[-1].sig if previous else GENESIS_SIGNATURE,
    ).signed()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: the file is only ever added to (production also sets the append-only flag).
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (json.dumps(asdict(cp), sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return cp
