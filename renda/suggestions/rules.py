"""Handling periods and thresholds (deputies_security.md §1.2, civic.md §5.1).

They differ from place to place, so each can be overridden in settings::

    SUGGESTION_RULES = {"rehandle_months": 1, "return_workdays": 10}

The workflow reads them when it is defined (at start-up): a change takes effect on restart,
and applies to transitions taken after it (deadlines already set stay as they were).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Rules:
    # 交办 → 答复: 3 months; with approval at most 6 months from 交办 in total.
    reply_months: int = 3
    max_months: int = 6
    # A co-handling unit's written opinion is due to the lead unit within 1 month of 交办.
    co_opinion_months: int = 1
    # A mis-assigned item may be returned within 7 working days of 交办.
    return_workdays: int = 7
    # Between sittings the office assigns within 5 working days of receipt.
    assign_workdays: int = 5
    # After 不满意: a new answer within 1–3 months (a provincial choice).
    rehandle_months: int = 2
    # B/C answers stay tracked; the unit reports again within this period.
    track_months: int = 6
    # The deputy returns the 征询意见表 within 20 working days.
    rating_workdays: int = 20
    # Reminders start this many working days before a due date.
    remind_workdays: int = 5
    # 议案: at least this many deputies (lead included), per congress level.
    motion_min_signers: dict[str, int] = field(default_factory=lambda: {"city": 10, "township": 5})
    # Attachments: size limits in MB.
    max_document_mb: int = 20
    max_video_mb: int = 100

    def __post_init__(self) -> None:
        if not 1 <= self.rehandle_months <= 3:
            raise ValueError("rehandle_months must be 1, 2 or 3")
        if self.reply_months > self.max_months:
            raise ValueError("reply_months cannot exceed max_months")

    def min_signers(self, level: str) -> int:
        return self.motion_min_signers.get(level, 10)


def load_rules(overrides: dict[str, Any] | None = None) -> Rules:
    known = {f.name for f in fields(Rules)}
    values = {k: v for k, v in (overrides or {}).items() if k in known}
    return replace(Rules(), **values)


RULES = load_rules(getattr(settings, "SUGGESTION_RULES", None))
