"""Queue a text message, and deliver it exactly once (renda.core.sms).

`queue()` writes an `SmsMessage` row (status queued) and, after the commit, hands its id to the
Huey task `deliver_sms`. `deliver()` claims the row with one conditional UPDATE (queued →
sending): two workers, a retry and the sweep racing for the same message cannot both send it.
After the provider's answer the row is settled (sent / failed / unknown) or, on a transient
failure, queued again with an exponential backoff (SMS_RETRY_BASE_SECONDS × 2ⁿ, at most an
hour) until SMS_MAX_ATTEMPTS. `dispatch_due()` (every minute) re-queues a due message whose
task was lost and marks as 结果未明 a message left "sending" by a crashed worker: it may have
gone out, so it is never resent by itself.

Before a message is stored: an 18-character ID number in any parameter is masked (a text
message must never carry one), and the daily caps per number and overall are applied (a
message over a cap is recorded as failed, not sent).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from renda.lib.idcard import is_mobile

from ..fields import make_blind_index
from ..models import SmsMessage
from .backends import (
    AmbiguousError,
    OutboundSms,
    PermanentError,
    TransientError,
    get_backend,
)
from .kinds import KINDS

logger = logging.getLogger("renda.sms")

Status = SmsMessage.Status
# 17 digits and a digit or X, not part of a longer run of digits or letters (GB 11643).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ID_MASK = "[证件号已隐去]"
LONGEST_DELAY = 3600
LOST_TASK_GRACE = dt.timedelta(minutes=2)
STUCK_SENDING = dt.timedelta(minutes=10)
COUNTED = (Status.QUEUED, Status.SENDING, Status.SENT, Status.UNKNOWN)


def mask_id_numbers(value: str) -> tuple[str, int]:
    return _ID_NUMBER.subn(ID_MASK, value)


def _start_of_today() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _over_cap(mobile_index: str) -> str:
    today = SmsMessage.objects.filter(created_at__gte=_start_of_today(), status__in=COUNTED)
    if today.filter(mobile_index=mobile_index).count() >= settings.SMS_DAILY_CAP_PER_NUMBER:
        return f"已达该号码当日短信上限（{settings.SMS_DAILY_CAP_PER_NUMBER} 条），未发送"
    if today.count() >= settings.SMS_DAILY_CAP_TOTAL:
        return f"已达全系统当日短信上限（{settings.SMS_DAILY_CAP_TOTAL} 条），未发送"
    return ""


def queue(*, kind: str, mobile: str, params: Mapping[str, str]) -> SmsMessage:
    """Record one message and send it after the commit. Never raises for a bad number or a
    cap: the row says why it was not sent (status failed)."""
    spec = KINDS[kind]
    mobile = mobile.strip()
    clean: dict[str, str] = {}
    masked = 0
    for name in spec.params:
        value, count = mask_id_numbers(str(params.get(name, "")))
        clean[name] = value
        masked += count
    if masked:
        logger.warning("SMS %s: %d ID number(s) masked before sending", kind, masked)
    error = "" if is_mobile(mobile) else "手机号格式不正确，未发送"
    index = make_blind_index(mobile)
    error = error or _over_cap(index)
    message = SmsMessage.objects.create(
        kind=kind,
        mobile=mobile,
        mobile_index=index,
        params="" if error else json.dumps(clean, ensure_ascii=False),
        status=Status.FAILED if error else Status.QUEUED,
        last_error=error,
        masked_id_numbers=masked,
    )
    if not error:
        pk = message.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return message


def _enqueue(pk: int) -> None:
    from .tasks import deliver_sms

    deliver_sms(pk)


def _outbound(message: SmsMessage) -> OutboundSms:
    spec = KINDS[message.kind]
    params = json.loads(message.params or "{}")
    return OutboundSms(
        message_id=message.pk,
        mobile=message.mobile,
        kind=message.kind,
        template_id=settings.SMS_TEMPLATES.get(message.kind, ""),
        sign_name=settings.SMS_SIGN_NAME,
        params=spec.ordered(params),
        text=spec.render(params),
    )


def _settle(pk: int, status: str, **fields: object) -> None:
    """Final state: the parameters (codes, passwords) are wiped."""
    SmsMessage.objects.filter(pk=pk, status=Status.SENDING).update(
        status=status, params="", **fields
    )


def retry_delay(attempts: int) -> int:
    return int(min(settings.SMS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_DELAY))


def deliver(pk: int) -> int | None:
    """Send message `pk` if it is queued and due; return the seconds until the next try when
    it failed transiently and will be retried, else None."""
    now = timezone.now()
    claimed = SmsMessage.objects.filter(
        pk=pk, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now)
    if not claimed:
        return None  # sent, settled, not yet due, or another worker has it
    message = SmsMessage.objects.get(pk=pk)
    try:
        backend = get_backend()
        message.template_id = settings.SMS_TEMPLATES.get(message.kind, "")
        result = backend.send(_outbound(message))
    except TransientError as error:
        if message.attempts >= settings.SMS_MAX_ATTEMPTS:
            _settle(
                pk, Status.FAILED, last_error=f"重试 {message.attempts} 次仍失败：{error}"[:300]
            )
            return None
        delay = retry_delay(message.attempts)
        SmsMessage.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.QUEUED,
            next_attempt_at=now + dt.timedelta(seconds=delay),
            last_error=str(error)[:300],
        )
        logger.warning("SMS #%s: transient failure, retry in %ss: %s", pk, delay, error)
        return delay
    except PermanentError as error:
        _settle(pk, Status.FAILED, last_error=str(error)[:300])
    except AmbiguousError as error:
        _settle(pk, Status.UNKNOWN, last_error=f"{error}（未重发，请核对服务商发送记录）"[:300])
    except Exception as error:  # a bug in a backend: it may or may not have sent
        logger.exception("SMS #%s: backend error", pk)
        _settle(pk, Status.UNKNOWN, last_error=f"通道程序错误：{error!r}"[:300])
    else:
        _settle(
            pk,
            Status.SENT,
            sent_at=timezone.now(),
            backend=getattr(backend, "name", ""),
            template_id=message.template_id,
            provider_message_id=result.provider_message_id[:100],
            last_error="",
        )
    return None


def dispatch_due(*, now: dt.datetime | None = None) -> int:
    """The minute sweep: re-send queued messages whose retry is overdue (their task was lost:
    a restarted queue, a worker killed), and settle messages stuck in "sending". Returns how
    many messages it handed to the task."""
    now = now or timezone.now()
    SmsMessage.objects.filter(
        status=Status.SENDING, last_attempt_at__lt=now - STUCK_SENDING
    ).update(
        status=Status.UNKNOWN,
        params="",
        last_error="发送中断，结果未明（未重发，请核对服务商发送记录）",
    )
    due = list(
        SmsMessage.objects.filter(
            status=Status.QUEUED, next_attempt_at__lte=now - LOST_TASK_GRACE
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        _enqueue(pk)
    return len(due)
