"""X-Real-IP is believed only from a configured proxy, and only if it is an address (security
probe: a forged header bypassed the opinion form's rate limit and wrote `=1+1` as the audit
address)."""

from django.test import RequestFactory

from renda.core.middleware import client_ip


def _request(peer: str, header: str | None = None):
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if header is not None:
        request.META["HTTP_X_REAL_IP"] = header
    return request


def test_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.7", "10.9.9.9")) == "10.0.0.7"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("10.0.0.7", "10.9.9.9")) == "10.0.0.7"


def test_header_from_the_proxy_counts(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("127.0.0.1", "10.9.9.9")) == "10.9.9.9"
    assert client_ip(_request("127.0.0.1", " 2001:db8::1 ")) == "2001:db8::1"


def test_a_header_that_is_no_address_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_request("127.0.0.1", "=1+1")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"
    assert client_ip(_request("not-an-ip", None)) is None
