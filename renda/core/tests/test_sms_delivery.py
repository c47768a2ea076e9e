"""The SMS queue itself (console backend): records, caps, ID numbers, encryption, the stuck
"sending" rows, the bounded console buffer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from renda.core.models import SmsMessage
from renda.core.notifications import ConsoleSMSBackend
from renda.core.sms import delivery, queue
from renda.core.sms.backends import OutboundSms

pytestmark = pytest.mark.django_db
Status = SmsMessage.Status
ID_NUMBER = "43138119900101123X"


@pytest.fixture(autouse=True)
def clear_console() -> None:
    ConsoleSMSBackend.sent.clear()


def test_the_console_backend_sends_and_the_row_says_so(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(kind="login_code", mobile="13907381234", params={"code": "123456"})
    message.refresh_from_db()
    assert message.status == Status.SENT and message.backend == "console"
    assert list(ConsoleSMSBackend.sent) == [
        (
            "13907381234",
            "【智慧人大】您的登录验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。",
        )
    ]


def test_the_number_and_the_parameters_are_encrypted_at_rest(settings: Any) -> None:
    message = queue(kind="login_code", mobile="13907381234", params={"code": "654321"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mobile, params FROM {SmsMessage._meta.db_table} WHERE id = %s", [message.pk]
        )
        mobile, params = cursor.fetchone()
    assert mobile.startswith("k1:") and "13907381234" not in mobile
    assert params.startswith("k1:") and "654321" not in params


def test_nothing_is_sent_before_the_commit_or_after_a_rollback(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        message = queue(kind="notice", mobile="13907381234", params={"title": "会议通知"})
    assert not ConsoleSMSBackend.sent
    assert SmsMessage.objects.get(pk=message.pk).status == Status.QUEUED


def test_an_id_number_never_reaches_the_message(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(
            kind="notice",
            mobile="13907381234",
            params={"title": f"关于{ID_NUMBER}的来信；订单号 12345678901234567890 不变"},
        )
    [(_, text)] = ConsoleSMSBackend.sent
    assert ID_NUMBER not in text and ID_NUMBER.lower() not in text
    assert "[证件号已隐去]" in text and "12345678901234567890" in text
    assert SmsMessage.objects.get(pk=message.pk).masked_id_numbers == 1


def test_daily_caps_per_number_and_overall(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_DAILY_CAP_PER_NUMBER = 2
    settings.SMS_DAILY_CAP_TOTAL = 3
    with django_capture_on_commit_callbacks(execute=True):
        rows = [
            queue(kind="notice", mobile="13907381234", params={"title": f"第{i}条"})
            for i in range(3)
        ]
        other = queue(kind="notice", mobile="13907385678", params={"title": "其他号码"})
        third = queue(kind="notice", mobile="13907389999", params={"title": "第三个号码"})
    statuses = [SmsMessage.objects.get(pk=r.pk).status for r in rows]
    assert statuses == [Status.SENT, Status.SENT, Status.FAILED]
    assert "已达该号码当日短信上限（2 条）" in SmsMessage.objects.get(pk=rows[2].pk).last_error
    assert SmsMessage.objects.get(pk=other.pk).status == Status.SENT
    third.refresh_from_db()
    assert third.status == Status.FAILED and "全系统当日短信上限（3 条）" in third.last_error
    assert len(ConsoleSMSBackend.sent) == 3
    # Yesterday's messages do not count against today.
    SmsMessage.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        again = queue(kind="notice", mobile="13907381234", params={"title": "次日"})
    assert SmsMessage.objects.get(pk=again.pk).status == Status.SENT


def test_a_malformed_number_is_recorded_as_failed() -> None:
    message = queue(kind="notice", mobile="0731-1234", params={"title": "会议通知"})
    assert message.status == Status.FAILED and message.last_error == "手机号格式不正确，未发送"


def test_a_message_left_sending_by_a_crashed_worker_is_not_resent() -> None:
    message = queue(kind="notice", mobile="13907381234", params={"title": "会议通知"})
    SmsMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, last_attempt_at=timezone.now() - dt.timedelta(minutes=30)
    )
    assert delivery.dispatch_due() == 0
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN and message.params == ""
    assert not ConsoleSMSBackend.sent


def test_a_crash_inside_the_backend_is_recorded_as_unknown(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_BACKEND = "renda.core.tests.test_sms_delivery.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(kind="notice", mobile="13907381234", params={"title": "会议通知"})
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN and "通道程序错误" in message.last_error


class BrokenBackend:
    name = "broken"

    def send(self, message: OutboundSms) -> Any:
        raise RuntimeError("bug")


def test_the_console_keeps_only_the_latest_messages() -> None:
    backend = ConsoleSMSBackend()
    for i in range(ConsoleSMSBackend.KEEP + 50):
        backend.send(
            OutboundSms(
                message_id=i,
                mobile="13907381234",
                kind="notice",
                template_id="",
                sign_name="智慧人大",
                params=[str(i)],
                text=str(i),
            )
        )
    assert len(ConsoleSMSBackend.sent) == ConsoleSMSBackend.KEEP
    assert ConsoleSMSBackend.sent[-1][1] == f"【智慧人大】{ConsoleSMSBackend.KEEP + 49}"
