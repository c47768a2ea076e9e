"""SMS backends: what a gateway must do with one message, and the console backend.

A backend gets one `OutboundSms` and either returns a `SendResult` or raises:
- `TransientError`: the provider did not take the message (refused connection, HTTP 5xx,
  a provider error it says is temporary); it is queued again and retried with backoff;
- `PermanentError`: the provider refused it for good (bad number, template, signature,
  credentials); recorded as failed;
- `AmbiguousError`: the request reached the provider but the answer was lost (a read
  timeout); the provider may have sent it, so it is *not* resent (recorded as 结果未明).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("renda.sms")

ALIASES = {
    "console": "renda.core.sms.backends.ConsoleBackend",
    "tencent": "renda.core.sms.tencent.TencentSmsBackend",
    # The path the settings used before the message queue existed.
    "renda.core.notifications.ConsoleSMSBackend": "renda.core.sms.backends.ConsoleBackend",
}


class SmsError(Exception):
    pass


class TransientError(SmsError):
    pass


class PermanentError(SmsError):
    pass


class AmbiguousError(SmsError):
    pass


@dataclass(frozen=True)
class OutboundSms:
    message_id: int
    mobile: str
    kind: str
    template_id: str
    sign_name: str
    params: list[str]  # in the template's order
    text: str = field(repr=False)  # the rendered body, for the console; never logged whole


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class SMSBackend(Protocol):
    name: str

    def send(self, message: OutboundSms) -> SendResult: ...


class ConsoleBackend:
    """Development backend (`make run`): writes the message to the log. The last messages are
    kept for tests and the demo in a bounded buffer, so a long run does not grow memory."""

    name = "console"
    KEEP = 200
    sent: ClassVar[deque[tuple[str, str]]] = deque(maxlen=KEEP)

    def send(self, message: OutboundSms) -> SendResult:
        text = (
            message.text
            if message.text.startswith("【")
            else f"【{message.sign_name}】{message.text}"
        )
        ConsoleBackend.sent.append((message.mobile, text))
        logger.warning("SMS to %s****: %s", message.mobile[:3], text)
        return SendResult(provider_message_id=f"console-{message.message_id}")


def get_backend() -> SMSBackend:
    path = ALIASES.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()  # type: ignore[no-any-return]
