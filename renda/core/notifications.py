"""Notifications: an in-app inbox row always, plus copies through pluggable channels.

Channels: email (Django's mail backend) and SMS (renda.core.sms: a row per message, sent by a
Huey task with retries through the backend settings.SMS_BACKEND names; the console backend by
default).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import audit
from . import sms as sms_channel
from .models import Notification
from .roles import Actor
from .sms.backends import ConsoleBackend as ConsoleSMSBackend

__all__ = ["ConsoleSMSBackend", "mark_read", "notify", "sms_backend"]


class QueuedSender:
    """What `sms_backend()` returns: `send(mobile=, text=)` queues a free-text message (kind
    "text") instead of calling a gateway, so every caller gets the record, the retries and the
    caps. New code should call `sms.queue` with a kind of its own."""

    def send(self, *, mobile: str, text: str) -> None:
        sms_channel.queue(kind="text", mobile=mobile, params={"text": text})


def sms_backend() -> QueuedSender:
    return QueuedSender()


def notify(
    *,
    actor: Actor | None,
    recipients: Iterable[Any],  # the account model's users (core does not import it)
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    sms: bool = False,
) -> list[Notification]:
    """Put a message in each recipient's inbox; optionally copy it by email and SMS once the
    transaction has committed (so a rolled-back change sends nothing)."""
    recipients = list(recipients)
    with transaction.atomic():
        rows = Notification.objects.bulk_create(
            [Notification(recipient=r, title=title[:200], body=body, url=url) for r in recipients]
        )
        audit.record(
            actor=actor,
            action="notification.send",
            details={
                "title": title[:200],
                "recipients": len(recipients),
                "email": email,
                "sms": sms,
            },
        )
        if email:
            addresses = [r.email for r in recipients if r.email]
            if addresses:

                def send_email() -> None:
                    send_mail(title, f"{body}\n{url}".strip(), None, addresses, fail_silently=True)

                transaction.on_commit(send_email)
        if sms:
            mobiles = [r.mobile for r in recipients if r.mobile]
            # The rows are written in this transaction; they are sent after the commit.
            for mobile in mobiles:
                sms_channel.queue(kind="notice", mobile=mobile, params={"title": title[:200]})
    return rows


def mark_read(*, actor: Actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own messages read (all of them when no ids are given)."""
    with transaction.atomic():
        qs = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
        if notification_ids is not None:
            qs = qs.filter(pk__in=list(notification_ids))
        count = qs.update(read_at=timezone.now())
        if count:
            audit.record(actor=actor, action="notification.read", details={"count": count})
    return count
