"""A small per-client rate limiter for the public pages (opinion form, tracking lookups).

No rate-limiting package is installed, so this is a fixed-window counter on Django's cache:
``cache.add`` creates the window's key with its expiry (only the first request of a window
succeeds in adding), ``cache.incr`` counts atomically after that. With the default LocMem cache
the count is per process (good enough for one server and for tests); with ``REDIS_URL`` set
the cache is Redis and the limit holds across all app servers, as it must in production.

The client is its IP as seen by core.middleware.client_ip: X-Real-IP only when the request
comes from a proxy in TRUSTED_PROXIES (nginx), else REMOTE_ADDR, so a client cannot reset its
own count with a forged header (tests/test_forged_address.py).
A limit that trips is answered 429 with a Chinese message and writes nothing.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from renda.core.middleware import client_ip


def _key(scope: str, request: HttpRequest, window: int) -> str:
    client = client_ip(request) or "unknown"
    # Hash the address: cache keys may end up in Redis dumps; IPs are personal data.
    digest = hashlib.sha256(client.encode()).hexdigest()[:24]
    bucket = int(time.time() // window)
    return f"stations:rl:{scope}:{digest}:{bucket}"


def hit(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one request of this client in ``scope``; False when it is over the limit."""
    key = _key(scope, request, window)
    if cache.add(key, 1, timeout=window + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: a new window starts
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def exceeded(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Whether the client is already over the limit, without counting this request."""
    value = cache.get(_key(scope, request, window))
    return value is not None and int(value) >= limit
