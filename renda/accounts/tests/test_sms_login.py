"""Log in with the mobile number and an SMS code (deputies and handling officers only)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.accounts import services
from renda.accounts.models import SmsLoginCode, SmsLoginFailure
from renda.core.fields import make_blind_index
from renda.core.models import AuditEvent, SmsMessage
from renda.core.notifications import ConsoleSMSBackend
from renda.core.roles import Role

pytestmark = pytest.mark.django_db
URL = "/accounts/login/sms/"
NOBODY = "13911112222"


CAPTURE: list[Any] = []


@pytest.fixture(autouse=True)
def console(django_capture_on_commit_callbacks: Any) -> Any:
    """Each request's on-commit work (the SMS task) runs when that request ends."""
    ConsoleSMSBackend.sent.clear()
    CAPTURE[:] = [django_capture_on_commit_callbacks]
    yield
    ConsoleSMSBackend.sent.clear()


def ask(client: Client, mobile: str) -> str:
    with CAPTURE[0](execute=True):
        response = client.post(URL, {"mobile": mobile, "action": "send"})
    assert response.status_code == 200
    return answer(response)


def answer(response: Any) -> str:
    """The message the page shows (sent, or the error), without the form's echo."""
    page = response.content.decode()
    found = re.search(r'data-testid="(?:sms-code-sent|sms-login-error)">([^<]*)<', page)
    field = re.search(r'invalid-feedback d-block">([^<]*)<', page)
    return (found.group(1) if found else "") + (field.group(1) if field else "")


def code_sent_to(mobile: str) -> str:
    texts = [text for to, text in ConsoleSMSBackend.sent if to == mobile]
    match = re.search(r"验证码为(\d{6})", texts[-1])
    assert match
    return match.group(1)


def verify(client: Client, mobile: str, code: str) -> Any:
    return client.post(URL, {"mobile": mobile, "code": code, "action": "verify"})


def past(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_the_login_page_offers_the_sms_login(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "短信验证码登录" in page and reverse("accounts:sms_login") in page


def test_a_deputy_logs_in_with_a_code_and_owes_no_password_change(
    world: Any, client: Client
) -> None:
    deputy = services.create_user(
        actor=None, username="dep-sms", name="李秀英", role=Role.DEPUTY, mobile="13907381234"
    )
    assert deputy.must_change_password
    assert "验证码已发送" in ask(client, "13907381234")
    message = SmsMessage.objects.get(kind="login_code", mobile_index=deputy.mobile_index)
    assert message.status == SmsMessage.Status.SENT and message.params == ""
    code = code_sent_to("13907381234")
    assert code not in str(list(SmsLoginCode.objects.values()))  # only a digest is kept
    response = verify(client, "13907381234", code)
    assert response.status_code == 302 and response["Location"] == reverse("core:workbench")
    assert client.get(reverse("core:workbench")).status_code == 200  # no password-change gate
    assert int(client.session["_auth_user_id"]) == deputy.pk
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"auth.sms_code_request", "auth.sms_login", "auth.login"} <= actions
    assert not AuditEvent.objects.filter(actor_username__contains="13907381234").exists()


def test_a_handling_officer_may_log_in_by_sms(world: Any, client: Client) -> None:
    mobile = world.handling_officer.mobile
    ask(client, mobile)
    assert verify(client, mobile, code_sent_to(mobile)).status_code == 302
    assert int(client.session["_auth_user_id"]) == world.handling_officer.pk


def test_a_code_is_used_once(world: Any, client: Client) -> None:
    mobile = world.deputy.mobile
    ask(client, mobile)
    code = code_sent_to(mobile)
    assert verify(client, mobile, code).status_code == 302
    client.post(reverse("accounts:logout"))
    response = verify(client, mobile, code)
    assert response.status_code == 200 and "验证码不正确或已过期" in answer(response)
    assert "_auth_user_id" not in client.session


def test_a_code_expires_after_five_minutes(world: Any, client: Client) -> None:
    mobile = world.deputy.mobile
    ask(client, mobile)
    SmsLoginCode.objects.update(expires_at=past(0.1))
    response = verify(client, mobile, code_sent_to(mobile))
    assert "验证码不正确或已过期" in answer(response) and "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["staff", "system_admin", "security_admin"])
def test_staff_and_administrators_get_no_code_and_cannot_log_in_by_sms(
    world: Any, client: Client, persona: str
) -> None:
    mobile = world.users[persona].mobile
    assert ask(client, mobile) == ask(Client(), NOBODY)
    assert not ConsoleSMSBackend.sent
    for code in ("000000", "123456"):
        assert verify(client, mobile, code).status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_number_not_on_record_gets_the_same_answers_as_one_that_is(
    world: Any, client: Client
) -> None:
    known, other = world.deputy.mobile, Client()
    assert ask(client, known) == ask(other, NOBODY)
    assert [to for to, _ in ConsoleSMSBackend.sent] == [known]
    assert answer(verify(client, known, "000000")) == answer(verify(other, NOBODY, "000000"))
    # The resend limit and the lock-out answer alike too.
    assert ask(client, known) == ask(other, NOBODY)
    for _ in range(4):
        verify(client, known, "000000")
        verify(other, NOBODY, "000000")
    assert answer(verify(client, known, "000000")) == answer(verify(other, NOBODY, "000000"))


def test_five_wrong_codes_lock_the_number_and_say_so(world: Any, client: Client) -> None:
    mobile = world.deputy.mobile
    ask(client, mobile)
    code = code_sent_to(mobile)
    wrong = "000000" if code != "000000" else "111111"
    answers = [answer(verify(client, mobile, wrong)) for _ in range(5)]
    assert "还可尝试 4 次" in answers[0] and "还可尝试 1 次" in answers[3]
    assert (
        answers[4] == "验证码错误次数过多，该手机号已被锁定，请 30 分钟后再试，或使用账号密码登录。"
    )
    # Locked: the right code is refused, from another address too, and no new code is sent.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert "已被锁定" in answer(verify(elsewhere, mobile, code))
    assert "已被锁定" in ask(elsewhere, mobile)
    assert "_auth_user_id" not in client.session and "_auth_user_id" not in elsewhere.session
    assert AuditEvent.objects.filter(action="auth.sms_code_lockout").count() == 1
    assert AuditEvent.objects.filter(action="auth.sms_code_failed").count() == 5
    # Half an hour later a new code works (the old one was voided by the lock).
    SmsLoginFailure.objects.update(created_at=past(31))
    SmsLoginCode.objects.update(created_at=past(31))
    assert "验证码不正确" in answer(verify(client, mobile, code))
    SmsLoginFailure.objects.update(created_at=past(31))
    ask(client, mobile)
    assert verify(client, mobile, code_sent_to(mobile)).status_code == 302


def test_sending_is_rate_limited(world: Any, client: Client) -> None:
    mobile = world.deputy.mobile
    ask(client, mobile)
    assert re.fullmatch(r"验证码发送过于频繁，请 \d+ 秒后再试。", ask(client, mobile))
    for _ in range(4):
        SmsLoginCode.objects.update(created_at=past(1.1))
        assert "验证码已发送" in ask(client, mobile)
    SmsLoginCode.objects.update(created_at=past(1.1))
    assert "一小时内获取验证码次数已达上限" in ask(client, mobile)
    assert len(ConsoleSMSBackend.sent) == 5
    assert AuditEvent.objects.filter(action="auth.sms_code_refused").count() == 2


def test_only_the_newest_code_works(world: Any, client: Client) -> None:
    mobile = world.deputy.mobile
    ask(client, mobile)
    first = code_sent_to(mobile)
    SmsLoginCode.objects.update(created_at=past(1.1))
    ask(client, mobile)
    second = code_sent_to(mobile)
    if first != second:
        assert "验证码不正确" in answer(verify(client, mobile, first))
    assert verify(client, mobile, second).status_code == 302


def test_a_malformed_number_is_refused_in_chinese_and_writes_nothing(client: Client) -> None:
    assert ask(client, "12345") == "请输入 11 位手机号码。"
    assert not SmsLoginCode.objects.exists() and not AuditEvent.objects.exists()
    response = client.post(URL, {"mobile": "13907381234", "code": "", "action": "verify"})
    assert answer(response) == "请输入短信验证码。"
    assert not SmsLoginFailure.objects.exists()


def test_the_account_is_found_by_the_blind_index(world: Any) -> None:
    assert make_blind_index(world.deputy.mobile) == world.deputy.mobile_index
