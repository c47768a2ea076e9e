from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .audit import current_ip


def _address(value: str | None) -> str | None:
    """`value` as a normalised IP address, or None if it is not one."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the audit log, lockouts and rate limits. nginx (deploy/)
    sets X-Real-IP; the header counts only when the request came from a proxy listed in
    TRUSTED_PROXIES (anyone else could write any address into it), and only if it is an
    address. Otherwise the peer's own address counts."""
    peer = _address(request.META.get("REMOTE_ADDR"))
    if peer is not None and peer in settings.TRUSTED_PROXIES:
        forwarded = _address(request.META.get("HTTP_X_REAL_IP"))
        if forwarded is not None:
            return forwarded
    return peer


class ClientIPMiddleware:
    """Makes the client's IP available to `audit.record()` for the duration of a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
