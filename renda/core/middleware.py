from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_cache_control

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


# C0 control characters and DEL, except tab, line feed and carriage return: nobody types them,
# an .xlsx file cannot hold them, and one stored in a public opinion broke three exports.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cleaned(data: QueryDict) -> Any:
    """A copy of `data` without control characters (immutable, as Django's own), or None
    when there were none."""
    if not any(CONTROL_CHARACTERS.search(v) for values in data.lists() for v in values[1]):
        return None
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(
            CONTROL_CHARACTERS.sub("", key), [CONTROL_CHARACTERS.sub("", v) for v in values]
        )
    clean._mutable = False
    return clean


class InputCleaningMiddleware:
    """Drops control characters from every submitted field and query parameter before any
    form, view or log-in backend sees them, so no page stores them (files are untouched)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The API checks lengths against its schema on what the client sent (a 21-character
        # value with control characters is still too long: the schema fuzz found one accepted).
        request.uncleaned_GET = request.GET  # type: ignore[attr-defined]
        get = _cleaned(request.GET)
        if get is not None:
            request.GET = get
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                post = _cleaned(request.POST)
            except MultiPartParserError:
                # A multipart body without a usable boundary cannot be read: say so (400)
                # instead of failing later in the view (schemathesis found the 500).
                message = "请求体无法解析：multipart/form-data 缺少或带有无效的 boundary"
                # Empty POST and FILES from here on, so the 400 page renders (Django's own
                # way of marking a body it could not parse).
                request._mark_post_parse_error()  # type: ignore[attr-defined]
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=400)
                raise BadRequest(message) from None
            if post is not None:
                request.POST = post
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages seen by a logged-in user carry personal data (ID numbers, phones, constituents'
    opinions): no browser or proxy may keep a copy (`Cache-Control: no-store, private`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
