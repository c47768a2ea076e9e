"""腾讯云短信 backend against a local fake SendSms server: signing, templates, results,
outages (queued and retried, never lost, never sent twice)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from renda.core import notifications
from renda.core.models import SmsMessage
from renda.core.sms import delivery, queue
from renda.core.sms.tencent import tc3_signature

from .sms_fake import Answer, FakeProvider, error, ok, start

pytestmark = pytest.mark.django_db
Status = SmsMessage.Status
SECRET_KEY = "test-secret-key"


def test_the_signature_matches_the_worked_example_of_the_providers_document() -> None:
    """《签名方法 v3》's example: GET cvm.tencentcloudapi.com/?Limit=10&Offset=0 at 1539084154
    with the documented example key gives signature 5da7a33f…"""
    signature, signed = tc3_signature(
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        timestamp=1539084154,
        method="GET",
        query="Limit=10&Offset=0",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": "cvm.tencentcloudapi.com",
        },
        payload=b"",
    )
    assert signed == "content-type;host"
    assert signature == "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474"


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    server = start(fake)
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_SECRET_ID = "AKIDtest"
    settings.SMS_SECRET_KEY = SECRET_KEY
    settings.SMS_SDK_APP_ID = "1400006666"
    settings.SMS_SIGN_NAME = "冷水江人大"
    settings.SMS_TEMPLATES = {"login_code": "1001", "notice": "1002", "text": "1003"}
    settings.SMS_TIMEOUT_SECONDS = 1
    yield fake
    server.shutdown()
    server.server_close()


def send(kind: str, params: dict[str, str], capture: Any, mobile: str = "13907381234") -> int:
    with capture(execute=True):
        message = queue(kind=kind, mobile=mobile, params=params)
    return message.pk


def become_due(pk: int) -> None:
    """Time passes: the retry is due (and overdue for the minute sweep)."""
    SmsMessage.objects.filter(pk=pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )


def test_a_message_goes_out_signed_with_its_template_and_the_result_is_kept(
    provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    provider.answers = [ok("2433:3269010001")]
    pk = send("login_code", {"code": "482913"}, django_capture_on_commit_callbacks)
    [request] = provider.requests
    body, headers = request["body"], request["headers"]
    assert body == {
        "PhoneNumberSet": ["+8613907381234"],
        "SmsSdkAppId": "1400006666",
        "SignName": "冷水江人大",
        "TemplateId": "1001",
        "TemplateParamSet": ["482913"],
        "SessionContext": f"renda-sms-{pk}",
    }
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    # The fake recomputes the signature from what it received: body, host, action, time.
    expected, signed = tc3_signature(
        secret_key=SECRET_KEY,
        service="sms",
        timestamp=int(headers["x-tc-timestamp"]),
        method="POST",
        query="",
        headers={
            "Content-Type": headers["content-type"],
            "Host": headers["host"],
            "X-TC-Action": headers["x-tc-action"],
        },
        payload=request["raw"],
    )
    assert headers["authorization"].endswith(f"SignedHeaders={signed}, Signature={expected}")
    assert "Credential=AKIDtest/" in headers["authorization"]
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.SENT and message.attempts == 1
    assert message.provider_message_id == "2433:3269010001" and message.template_id == "1001"
    assert message.backend == "tencent" and message.sent_at is not None
    assert message.params == ""  # the code is not kept once the message is settled


def test_free_text_goes_without_its_own_signature(
    provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.sms_backend().send(mobile="13907381234", text="【智慧人大】您的账号已开通")
    assert provider.requests[0]["body"]["TemplateParamSet"] == ["您的账号已开通"]
    assert provider.requests[0]["body"]["TemplateId"] == "1003"


def test_an_outage_leaves_the_message_queued_and_it_is_sent_once_when_the_provider_is_back(
    provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    provider.answers = [Answer(status=503), error("InternalError.Timeout"), ok("serial-x")]
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.QUEUED and message.attempts == 1
    assert "HTTP 503" in message.last_error and message.params  # kept for the retry
    assert message.next_attempt_at > timezone.now()
    # Not due yet: neither the task nor the sweep sends it early.
    assert delivery.deliver(pk) is None and delivery.dispatch_due() == 0
    assert len(provider.requests) == 1
    become_due(pk)
    assert delivery.dispatch_due() == 1
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 2
    assert "InternalError.Timeout" in message.last_error
    become_due(pk)
    delivery.dispatch_due()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.provider_message_id == "serial-x"
    # Later sweeps and a duplicate task change nothing and send nothing.
    become_due(pk)
    assert delivery.dispatch_due() == 0 and delivery.deliver(pk) is None
    assert len(provider.requests) == 3
    assert SmsMessage.objects.get(pk=pk).attempts == 3


def test_the_backoff_doubles(settings: Any) -> None:
    settings.SMS_RETRY_BASE_SECONDS = 30
    assert [delivery.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.retry_delay(20) == 3600


def test_a_provider_that_cannot_be_reached_is_retried(
    provider: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        settings.SMS_ENDPOINT = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.QUEUED and "无法连接服务商" in message.last_error


def test_after_the_last_attempt_the_message_is_failed_not_dropped(
    provider: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_MAX_ATTEMPTS = 2
    provider.answers = [Answer(status=502), Answer(status=502)]
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    become_due(pk)
    delivery.dispatch_due()
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.FAILED and message.attempts == 2
    assert message.last_error.startswith("重试 2 次仍失败") and message.params == ""


def test_a_refusal_is_recorded_and_not_retried(
    provider: FakeProvider, django_capture_on_commit_callbacks: Any
) -> None:
    provider.answers = [error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批")]
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    become_due(pk)
    delivery.dispatch_due()
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.FAILED and "TemplateIncorrectOrUnapproved" in message.last_error
    assert len(provider.requests) == 1


def test_a_lost_answer_is_never_resent(
    provider: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_TIMEOUT_SECONDS = 0.3
    provider.answers = [Answer(body={}, delay=1.0)]
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.UNKNOWN and "未重发" in message.last_error
    become_due(pk)
    assert delivery.dispatch_due() == 0 and delivery.deliver(pk) is None
    assert len(provider.requests) == 1


def test_a_missing_template_fails_with_a_clear_reason(
    provider: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_TEMPLATES = {}
    pk = send("notice", {"title": "会议通知"}, django_capture_on_commit_callbacks)
    message = SmsMessage.objects.get(pk=pk)
    assert message.status == Status.FAILED
    assert message.last_error == "未配置短信模板（SMS_TEMPLATE_NOTICE）"
    assert provider.requests == []
