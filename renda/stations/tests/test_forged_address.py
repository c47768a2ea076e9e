"""Issue 13 item 8: the opinion form's rate limit counts the peer's address; an X-Real-IP
header from a client that is not a configured proxy changes nothing (429 stays 429), and the
audit log never records the forged value."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.stations.models import Opinion

from .test_view_public import form_token, post_opinion

pytestmark = pytest.mark.django_db


def _post_as(client: Client, url: str, forged: str) -> Any:
    client.defaults["HTTP_X_REAL_IP"] = forged
    return post_opinion(client, url, form_token(client, url))


@override_settings(TRUSTED_PROXIES=["127.0.0.1"], STATIONS_SUBMIT_LIMIT=2)
def test_a_forged_x_real_ip_does_not_bypass_the_opinion_forms_limit(world: Any) -> None:
    url = reverse("stations:public_opinion")
    client = Client(REMOTE_ADDR="203.0.113.50")  # not a proxy
    assert _post_as(client, url, "198.51.100.1").status_code == 302
    assert _post_as(client, url, "198.51.100.2").status_code == 302
    for forged in ("198.51.100.3", "=1+1", "10.9.9.9", ""):
        assert _post_as(client, url, forged).status_code == 429, forged
    assert Opinion.objects.count() == 2
    addresses = set(AuditEvent.objects.filter(action="opinion.submit").values_list("ip", flat=True))
    assert addresses == {"203.0.113.50"}


@override_settings(TRUSTED_PROXIES=["127.0.0.1"], STATIONS_SUBMIT_LIMIT=1)
def test_behind_the_trusted_proxy_each_real_client_has_its_own_limit(world: Any) -> None:
    url = reverse("stations:public_opinion")
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert _post_as(proxy, url, "198.51.100.1").status_code == 302
    assert _post_as(proxy, url, "198.51.100.1").status_code == 429
    assert _post_as(proxy, url, "198.51.100.2").status_code == 302
    # A header that is not an address counts as no header: the proxy's own address.
    assert _post_as(proxy, url, "=1+1").status_code == 302
    assert _post_as(proxy, url, "=1+1").status_code == 429
