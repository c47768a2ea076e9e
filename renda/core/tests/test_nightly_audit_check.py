from __future__ import annotations

from typing import Any

from renda.core import audit
from renda.core.models import AuditEvent, Notification
from renda.core.tasks import check_audit_chain, nightly_audit_chain_check
from renda.core.tests.tampering import tamper


def test_it_records_a_successful_check(world: Any) -> None:
    report = check_audit_chain()
    assert report.ok
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None and last.action == "audit.verify_nightly" and last.outcome == "success"
    assert not Notification.objects.exists()


def test_it_alerts_audit_administrators_when_the_chain_breaks(world: Any) -> None:
    victim = audit.record(actor=None, action="test.victim")
    audit.record(actor=None, action="test.after")
    tamper(f"UPDATE {AuditEvent._meta.db_table} SET outcome = 'failure' WHERE id = %s", [victim.pk])
    nightly_audit_chain_check.call_local()
    notes = Notification.objects.all()
    assert [n.recipient.username for n in notes] == ["audit_admin"]
    assert f"第 {victim.pk} 号" in notes[0].title
