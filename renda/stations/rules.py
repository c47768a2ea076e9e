"""The station rules that differ from county to county, in one place (issue 4; sources:
docs/reference/civic.md §5.2, docs/reference/deputies_security.md §1.5).

Each value can be overridden in settings as ``STATIONS_<NAME>`` (e.g. ``STATIONS_MIN_DUTY_DAYS
= 1`` where the county norm is once a year); the defaults are the most common published rules.
Read through ``rules()`` at call time, so tests can use ``override_settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class StationRules:
    # A reception day is announced at least this many days before it (notice 3 days before).
    publish_days_ahead: int = 3
    # Each deputy takes part in reception at least this many days a year (≥2 in a 街道 rule).
    min_duty_days: int = 2
    # 交办 within 10 (calendar) days of intake (a published station flow).
    assign_within_days: int = 10
    # The unit replies within 5 working days, 10 if complex (12345 人大代表专席 practice).
    reply_workdays: int = 5
    reply_workdays_complex: int = 10
    # A returned item must be re-routed within this many working days.
    reroute_workdays: int = 3
    # Public form: content length, attachments.
    min_content_chars: int = 10
    max_content_chars: int = 2000
    max_attachments: int = 3
    max_attachment_mb: int = 5
    # Per-client limits on the public pages (count per window in seconds).
    submit_limit: int = 5
    submit_window: int = 600
    track_limit: int = 30
    track_window: int = 600


def rules() -> StationRules:
    overrides = {
        f.name: getattr(settings, f"STATIONS_{f.name.upper()}")
        for f in fields(StationRules)
        if hasattr(settings, f"STATIONS_{f.name.upper()}")
    }
    return StationRules(**overrides)
