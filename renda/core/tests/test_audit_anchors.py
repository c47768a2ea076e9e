"""The audit chain is anchored outside its table: rows deleted from the end, or the table
emptied and its first rows inserted again, no longer verify (security probe, issue 13 item 1)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from renda.core import anchors, audit
from renda.core.models import AuditEvent
from renda.core.tests.tampering import tamper

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "audit" / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_PATH = str(path)
    return path


def _events(n: int) -> list[AuditEvent]:
    return [audit.record(actor=None, action=f"test.{i}") for i in range(n)]


def _reinsert(rows: Any) -> None:
    """Put rows back exactly as they were (same ids, same chain values), as an attacker who
    copied them before emptying the table would."""
    for row in rows:
        tamper(
            f"INSERT INTO {TABLE} (id, created_at, actor_id, actor_username, action, target_type,"
            " target_id, target_repr, outcome, ip, details, chain) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                row["id"],
                row["created_at"],
                row["actor_id"],
                row["actor_username"],
                row["action"],
                row["target_type"],
                row["target_id"],
                row["target_repr"],
                row["outcome"],
                row["ip"],
                json.dumps(row["details"]),
                row["chain"],
            ],
        )


def test_a_checkpoint_is_signed_and_appended(checkpoint_file: Path) -> None:
    events = _events(3)
    first = anchors.take_checkpoint()
    _events(2)
    second = anchors.take_checkpoint()
    assert first is not None and second is not None
    assert (first.last_id, first.count, first.chain) == (events[-1].pk, 3, events[-1].chain)
    assert second.count == 5 and second.prev == first.sig and second.seq == 2
    assert len(checkpoint_file.read_text().splitlines()) == 2
    assert [cp.seq for cp in anchors.read_checkpoints()] == [1, 2]
    assert audit.verify_chain().ok


def test_deleting_the_newest_rows_is_noticed(checkpoint_file: Path) -> None:
    events = _events(20)
    anchors.take_checkpoint()
    # Without the anchor the shortened chain verified: every remaining link still holds.
    tamper(f"DELETE FROM {TABLE} WHERE id > %s", [events[9].pk])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_id == events[-1].pk
    assert "已不在日志中" in report.reason


def test_deleting_every_row_is_noticed(checkpoint_file: Path) -> None:
    _events(5)
    anchors.take_checkpoint()
    tamper(f"DELETE FROM {TABLE} WHERE id > %s", [0])
    assert not audit.verify_chain().ok
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_audit", stdout=out, stderr=out)
    assert "断裂" in out.getvalue()


def test_emptying_and_reinserting_the_first_rows_is_noticed(checkpoint_file: Path) -> None:
    events = _events(20)
    anchors.take_checkpoint()
    kept = list(AuditEvent.objects.order_by("id").values()[:15])
    tamper(f"DELETE FROM {TABLE} WHERE id > %s", [0])
    _reinsert(kept)
    assert AuditEvent.objects.count() == 15
    report = audit.verify_chain()
    assert not report.ok and report.broken_id == events[-1].pk


def test_an_altered_checkpoint_file_is_noticed(checkpoint_file: Path) -> None:
    _events(3)
    anchors.take_checkpoint()
    data = json.loads(checkpoint_file.read_text())
    data["count"] = 2
    checkpoint_file.write_text(json.dumps(data) + "\n")
    report = audit.verify_chain()
    assert not report.ok and "签名不符" in report.reason


def test_a_removed_checkpoint_line_is_noticed(checkpoint_file: Path) -> None:
    for _ in range(3):
        _events(1)
        anchors.take_checkpoint()
    lines = checkpoint_file.read_text().splitlines()
    checkpoint_file.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "接不上" in audit.verify_chain().reason


def test_checkpoints_of_another_database_are_not_held_against_this_log(
    checkpoint_file: Path,
) -> None:
    _events(4)
    anchors.take_checkpoint()
    # A developer's fresh database: the old log is gone and a new one begins, written by the
    # application itself with the key (the first row differs from the checkpoint's).
    tamper(f"DELETE FROM {TABLE} WHERE id > %s", [0])
    audit.record(actor=None, action="fresh.start", details={"new": True})
    assert audit.verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_truncate() -> None:
    _events(2)
    with (
        pytest.raises(DatabaseError, match="不能清空"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL renda.audit_truncate_ok = 'off'")
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() >= 2


def test_the_nightly_check_takes_a_checkpoint_and_mails_it(
    checkpoint_file: Path, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    from renda.core.tasks import check_audit_chain

    admin = get_user_model()._default_manager.get(username="audit_admin")
    admin.email = "audit@example.gov.cn"
    admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        check_audit_chain()
    assert [m.to for m in mail.outbox] == [["audit@example.gov.cn"]]
    (cp,) = anchors.read_checkpoints()
    assert cp.last_id == AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    assert cp.sig in mail.outbox[0].body and f"共 {cp.count} 条" in mail.outbox[0].body
