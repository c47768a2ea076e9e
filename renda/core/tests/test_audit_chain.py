from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from renda.core import audit
from renda.core.models import AuditEvent
from renda.core.tests.tampering import tamper


@pytest.mark.django_db
def test_it_chains_each_row_to_the_previous_one() -> None:
    first = audit.record(actor=None, action="test.one", username="系统")
    second = audit.record(actor=None, action="test.two", details={"金额": "12.50"})
    assert first.chain != second.chain
    assert audit.compute_chain(second, first.chain) == second.chain
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_it_refuses_to_update_or_delete_through_the_orm() -> None:
    event = audit.record(actor=None, action="test.one")
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
@pytest.mark.django_db
def test_postgresql_refuses_raw_updates_and_deletes() -> None:
    from django.db import DatabaseError, transaction

    event = audit.record(actor=None, action="test.one")
    for sql in ("UPDATE {t} SET action = 'x' WHERE id = %s", "DELETE FROM {t} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="审计日志只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql.format(t=AuditEvent._meta.db_table), [event.pk])


@pytest.mark.django_db
def test_verify_audit_names_the_tampered_row() -> None:
    events = [audit.record(actor=None, action=f"test.{i}") for i in range(5)]
    tampered = events[2]
    # An attacker with database access edits a row directly, bypassing the model.
    tamper(
        f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
        ["test.forged", tampered.pk],
    )
    report = audit.verify_chain()
    assert report.broken_id == tampered.pk and report.checked == 2
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=out, stderr=out)
    assert exit_info.value.code == 1
    assert f"第 {tampered.pk} 号" in out.getvalue()


@pytest.mark.django_db
def test_verify_audit_notices_a_deleted_row() -> None:
    events = [audit.record(actor=None, action=f"test.{i}") for i in range(4)]
    tamper(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    assert audit.verify_chain().broken_id == events[2].pk


@pytest.mark.django_db
def test_verify_audit_reports_success() -> None:
    audit.record(actor=None, action="test.one")
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "完整" in out.getvalue()
