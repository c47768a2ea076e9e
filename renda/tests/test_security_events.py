"""Security events are audited: log in, log out, failed log in, permission denied."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from renda.conftest import PASSWORD
from renda.core.models import AuditEvent


def test_login_and_logout_are_audited_with_the_ip(world: Any) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post(reverse("accounts:login"), {"username": "deputy", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == world.deputy and login.ip == "10.1.2.3"
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.deputy).exists()


def test_a_failed_login_is_audited_without_the_password(world: Any) -> None:
    Client().post(reverse("accounts:login"), {"username": "deputy", "password": "wrong-Pass-1"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.outcome == "failure" and event.actor_username == "deputy"
    assert "wrong-Pass-1" not in str(event.details)


def test_permission_denied_is_audited_and_answered_in_chinese(world: Any, client_for: Any) -> None:
    response = client_for("deputy").get(reverse("core:audit_log"))
    assert response.status_code == 403 and "没有权限" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.permission_denied")
    assert event.actor == world.deputy and event.details["path"] == "/audit/"


def test_missing_pages_answer_in_chinese(world: Any, client_for: Any) -> None:
    response = client_for("anonymous").get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_lockout_records_use_the_address_nginx_reports(world: Any, settings: Any) -> None:
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # nginx on the same machine (deploy/)
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.9.8.7")
    client.post(reverse("accounts:login"), {"username": "deputy", "password": "wrong-Pass-1"})
    assert AccessAttempt.objects.get(username="deputy").ip_address == "10.9.8.7"
    assert AuditEvent.objects.get(action="auth.login_failed").ip == "10.9.8.7"


def test_pages_of_a_logged_in_user_are_not_kept_by_caches(client_for: Any) -> None:
    response = client_for("staff").get(reverse("core:workbench"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    public = client_for("anonymous").get("/")
    assert public.status_code == 200
    assert "no-store" not in public.get("Cache-Control", "")


def test_the_api_docs_load_swagger_from_the_site_not_a_cdn(client: Any) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_the_favicon_answers(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
