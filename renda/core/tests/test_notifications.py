from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from renda.core import notifications
from renda.core.models import AuditEvent, Notification
from renda.core.notifications import ConsoleSMSBackend


@pytest.fixture(autouse=True)
def clear_sms() -> None:
    ConsoleSMSBackend.sent.clear()


def test_it_puts_a_message_in_each_inbox_and_audits(world: Any) -> None:
    notifications.notify(
        actor=world.staff, recipients=[world.deputy, world.sc_member], title="请审阅建议"
    )
    assert Notification.objects.filter(title="请审阅建议").count() == 2
    assert AuditEvent.objects.filter(action="notification.send", actor=world.staff).exists()


def test_it_sends_email_and_sms_after_commit(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world.deputy.email = "deputy@example.cn"
    world.deputy.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            actor=None, recipients=[world.deputy], title="接待日提醒", email=True, sms=True
        )
    assert [m.subject for m in mail.outbox] == ["接待日提醒"]
    assert list(ConsoleSMSBackend.sent) == [
        (world.deputy.mobile, "【智慧人大】接待日提醒。请登录智慧人大查看。")
    ]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifications.notify(actor=None, recipients=[world.deputy], title="不应发送", sms=True)
        raise RuntimeError("rollback")
    assert not ConsoleSMSBackend.sent
    assert not Notification.objects.filter(title="不应发送").exists()


def test_mark_read_touches_only_the_actors_messages(world: Any) -> None:
    notifications.notify(actor=None, recipients=[world.deputy, world.staff], title="通知")
    assert notifications.mark_read(actor=world.deputy) == 1
    assert Notification.objects.get(recipient=world.staff).read_at is None
    assert Notification.objects.get(recipient=world.deputy).read_at is not None
