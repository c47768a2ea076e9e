"""CSRF: a POST without the token is refused, on log in and on a service page."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from renda.conftest import PASSWORD, login

from .support import logged_in_user_id


def test_log_in_without_the_token_is_refused(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "deputy", "password": PASSWORD})
    assert response.status_code == 403
    assert logged_in_user_id(client) is None


def test_log_in_with_the_token_works(world: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:login"),
        {"username": "deputy", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and logged_in_user_id(client) == str(world.deputy.pk)


def test_a_service_post_without_the_token_is_refused(world: Any) -> None:
    AccessAttempt.objects.create(
        username="deputy",
        ip_address="10.0.0.1",
        user_agent="x",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    client = login(Client(enforce_csrf_checks=True), world.security_admin)
    assert client.post(reverse("accounts:unlock"), {"username": "deputy"}).status_code == 403
    assert AccessAttempt.objects.filter(username="deputy").exists()


def test_a_password_reset_without_the_token_is_refused(world: Any) -> None:
    client = login(Client(enforce_csrf_checks=True), world.system_admin)
    response = client.post(reverse("accounts:user_reset_password", args=[world.deputy.pk]))
    assert response.status_code == 403
    world.deputy.refresh_from_db()
    assert world.deputy.check_password(PASSWORD) and not world.deputy.must_change_password
