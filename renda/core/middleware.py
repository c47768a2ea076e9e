from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import current_ip


def client_ip(request: HttpRequest) -> str | None:
    # nginx (deploy/nginx) sets X-Real-IP; without a proxy REMOTE_ADDR is the client.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


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
