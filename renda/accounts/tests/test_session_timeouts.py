"""Sliding idle timeout of 30 minutes and an absolute session lifetime (等保 身份鉴别 b,
ASVS 7.3.1–7.3.2)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.accounts.middleware import SESSION_REFRESHED_KEY, SESSION_STARTED_KEY
from renda.core.models import AuditEvent

from .support import logged_in_user_id, post_login


def stored_session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_settings_say_30_minutes_sliding() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60
    assert settings.SESSION_ABSOLUTE_SECONDS > settings.SESSION_COOKIE_AGE


def test_a_request_a_minute_after_the_last_refresh_pushes_the_idle_expiry_30_minutes_ahead(
    world: Any, client_for: Any
) -> None:
    client = client_for("deputy")
    session = client.session
    session[SESSION_REFRESHED_KEY] = int(time.time()) - settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    assert client.get(reverse("core:workbench")).status_code == 200
    left = stored_session(client).expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < left <= dt.timedelta(minutes=30)


def test_requests_within_the_minute_do_not_write_the_session(world: Any, client_for: Any) -> None:
    client = client_for("deputy")
    assert client.get(reverse("core:workbench")).status_code == 200  # refreshes now
    expiry = timezone.now() + dt.timedelta(minutes=20)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=expiry)
    assert client.get(reverse("core:workbench")).status_code == 200
    assert stored_session(client).expire_date == expiry


def test_after_30_idle_minutes_the_user_must_log_in_again(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_the_absolute_clock_starts_at_log_in(world: Any) -> None:
    client = Client()
    before = int(time.time())
    post_login(client, "deputy")
    assert before <= client.session[SESSION_STARTED_KEY] <= int(time.time())


def test_a_session_older_than_the_absolute_limit_ends_however_active(
    world: Any, client_for: Any
) -> None:
    client = client_for("staff")
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get(reverse("deputies:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=%2Fdeputies%2F&expired=1"
    assert logged_in_user_id(client) is None
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.actor == world.staff
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.staff).exists()
    page = client.get(response["Location"]).content.decode()
    assert "登录时间已超过上限" in page


def test_a_session_within_the_absolute_limit_goes_on(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS + 60
    session.save()
    assert client.get(reverse("core:workbench")).status_code == 200


def test_the_absolute_limit_is_configurable(world: Any, client_for: Any, settings: Any) -> None:
    client = client_for("deputy")
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - 120
    session.save()
    settings.SESSION_ABSOLUTE_SECONDS = 60
    assert client.get(reverse("core:workbench")).status_code == 302
