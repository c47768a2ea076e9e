"""How long a lock-out lasts (django-axes' AXES_COOLOFF_TIME callable; issue 13 item 6).

A lock is on the account name *and* the address it was attacked from, so that nobody can lock
somebody else out by typing wrong passwords for their name from elsewhere: the owner logs in
from an address that has not failed (with the second factor, for the roles that need one).
The delay grows with every lock-out of the same name and address within a day: 30 minutes,
then 60, 120 … up to a day. The security administrator still sees every name's failures
across all addresses on the lock-out page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from renda.core.middleware import client_ip
from renda.core.models import AuditEvent

from .backends import canonical_login_name

BASE = dt.timedelta(minutes=30)
LONGEST = dt.timedelta(hours=24)
# Lock-outs within this window make the next one longer.
MEMORY = dt.timedelta(hours=24)


def episodes(times: list[dt.datetime]) -> int:
    """How many lock-outs the `auth.lockout` events (oldest first) stand for: every attempt
    while locked is recorded again and restarts the delay, so an event starts a new lock-out
    only once the previous one has run out."""
    count = 0
    end: dt.datetime | None = None
    for time in times:
        if end is None or time > end:
            count += 1
        end = time + delay_after(count)
    return count


def earlier_lockouts(username: str, ip: str) -> int:
    """Lock-outs of this account name from this address within the last day (the audit log
    records each one, auth.lockout)."""
    since = timezone.now() - MEMORY
    times = AuditEvent.objects.filter(
        action="auth.lockout", actor_username=username, ip=ip, created_at__gte=since
    ).order_by("created_at", "id")
    return episodes(list(times.values_list("created_at", flat=True)[:10_000]))


def delay_after(lockouts: int) -> dt.timedelta:
    """30 minutes for the first lock-out, doubled for each further one, at most a day."""
    return min(BASE * 2 ** max(0, min(lockouts - 1, 16)), LONGEST)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """The cool-off of the log-in `request` (the base delay when there is none: settings
    pages and messages that speak of the policy)."""
    if request is None or request.method != "POST":
        return BASE
    username = canonical_login_name(str(request.POST.get("username", ""))[:150])
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    if not username or not ip:
        return BASE
    return delay_after(earlier_lockouts(username, ip))
