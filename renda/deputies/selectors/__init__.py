"""Non-trivial reads of deputies' data: the registry lists and timelines, duty scores and the
yearly duty report."""

from .registry import (
    PUBLIC_FIELDS,
    TimelineEntry,
    deputies_in_office,
    deputy_memberships,
    deputy_timeline,
    deputy_totals,
    filter_staff_deputies,
    number_kind,
    public_deputies,
    public_deputy_counts,
    search_token,
    staff_deputies,
    townships_with_deputy_counts,
)

__all__ = [
    "PUBLIC_FIELDS",
    "TimelineEntry",
    "deputies_in_office",
    "deputy_memberships",
    "deputy_timeline",
    "deputy_totals",
    "filter_staff_deputies",
    "number_kind",
    "public_deputies",
    "public_deputy_counts",
    "search_token",
    "staff_deputies",
    "townships_with_deputy_counts",
]
