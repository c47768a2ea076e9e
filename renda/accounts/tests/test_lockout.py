"""Lock-out after 5 failed log-ins for 30 minutes (django-axes; 等保 身份鉴别 b), audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from renda.core.models import AuditEvent

from .support import logged_in_user_id, post_login

WRONG = "Wrong-Pass-1"


def fail(client: Client, username: str, times: int, **extra: Any) -> Any:
    response = None
    for _ in range(times):
        response = post_login(client, username, WRONG, **extra)
    return response


def test_the_settings_say_5_failures_and_30_minutes() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.5  # hours
    assert "username" in settings.AXES_LOCKOUT_PARAMETERS


def test_four_failures_do_not_lock(world: Any) -> None:
    client = Client()
    assert fail(client, "deputy", 4).status_code == 200
    assert post_login(client, "deputy").status_code == 302
    assert logged_in_user_id(client) == str(world.deputy.pk)


def test_the_fifth_failure_locks_and_the_right_password_is_then_refused(world: Any) -> None:
    client = Client()
    locked = fail(client, "deputy", 5)
    assert locked.status_code == 403
    html = locked.content.decode()
    assert "账号已锁定" in html and "连续登录失败 5 次" in html and "30 分钟" in html
    sixth = post_login(client, "deputy")
    assert sixth.status_code == 403 and "账号已锁定" in sixth.content.decode()
    assert logged_in_user_id(client) is None


def test_the_lock_is_on_the_account_not_only_on_the_address(world: Any) -> None:
    fail(Client(REMOTE_ADDR="10.0.0.1"), "deputy", 5)
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert post_login(other, "deputy").status_code == 403
    assert logged_in_user_id(other) is None


def test_failures_by_username_and_by_mobile_number_count_together(world: Any) -> None:
    client = Client()
    fail(client, "deputy", 3)
    assert fail(client, world.deputy.mobile, 2).status_code == 403
    assert post_login(client, world.deputy.mobile).status_code == 403
    assert post_login(client, "deputy").status_code == 403
    # The lock-out records name the account; the mobile number is written nowhere.
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"deputy"}
    assert not AuditEvent.objects.filter(actor_username=world.deputy.mobile).exists()


def test_failures_and_the_lockout_are_in_the_audit_log(world: Any) -> None:
    fail(Client(REMOTE_ADDR="10.9.8.7"), "deputy", 5)
    failures = AuditEvent.objects.filter(action="auth.login_failed", actor_username="deputy")
    assert failures.count() == 5 and all(e.outcome == "failure" for e in failures)
    lockout = AuditEvent.objects.get(action="auth.lockout")
    assert lockout.actor_username == "deputy" and lockout.ip == "10.9.8.7"
    assert lockout.outcome == "failure" and lockout.details == {"reason": "连续登录失败"}
    assert not any(WRONG in str(e.details) for e in AuditEvent.objects.all())


def test_the_lock_ends_after_30_minutes(world: Any) -> None:
    client = Client()
    fail(client, "deputy", 5)
    # 31 minutes pass.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert post_login(client, "deputy").status_code == 302
    assert logged_in_user_id(client) == str(world.deputy.pk)


def test_a_success_clears_earlier_failures(world: Any) -> None:
    client = Client()
    fail(client, "deputy", 4)
    post_login(client, "deputy")
    client.post("/accounts/logout/")
    assert fail(Client(), "deputy", 4).status_code == 200  # counting starts again
