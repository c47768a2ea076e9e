"""The SMS channel: message kinds with templates (kinds), a row per message with its
delivery result (core.models.SmsMessage), a Huey task with retries (tasks, delivery), and
backends chosen by settings.SMS_BACKEND: the console (default) and 腾讯云短信 (tencent).

Callers use `queue(kind=…, mobile=…, params={…})` (or core.notifications for inbox + SMS).
"""

from __future__ import annotations

from .delivery import queue

__all__ = ["queue"]
