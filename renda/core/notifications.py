"""Notifications: an in-app inbox row always, plus copies through pluggable channels.

Channels: email (Django's mail backend) and SMS (an interface; the console backend prints,
a real gateway implements `SMSBackend.send`). Chosen by settings.SMS_BACKEND.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .models import Notification
from .roles import Actor

logger = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, *, mobile: str, text: str) -> None: ...


class ConsoleSMSBackend:
    """Development backend: writes the message to the log instead of sending it."""

    sent: list[tuple[str, str]] = []  # kept for inspection in tests and the demo

    def send(self, *, mobile: str, text: str) -> None:
        ConsoleSMSBackend.sent.append((mobile, text))
        logger.warning("SMS to %s****: %s", mobile[:3], text)


def sms_backend() -> SMSBackend:
    return import_string(settings.SMS_BACKEND)()  # type: ignore[no-any-return]


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
            if mobiles:

                def send_sms() -> None:
                    backend = sms_backend()
                    for mobile in mobiles:
                        backend.send(mobile=mobile, text=f"【智慧人大】{title}")

                transaction.on_commit(send_sms)
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
