"""Reads of the deputy registry: scoped querysets, searches, totals and the record's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from renda.core.fields import make_blind_index
from renda.core.models import Region
from renda.lib.idcard import is_mobile, normalise_id_number

from ..extensions import facts
from ..models import Deputy, Membership

# Fields safe to show to anybody; contact data and ID numbers are never among them.
PUBLIC_FIELDS = (
    "id",
    "name",
    "gender",
    "ethnicity",
    "party",
    "occupation",
    "employer",
    "category",
    "region__name",
    "delegation__name",
    "term__level",
    "term__number",
)


def public_deputies() -> QuerySet[Deputy]:
    """Deputies the public may see: serving in a current term. `.only()` keeps encrypted
    columns out of the query altogether."""
    return (
        Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        .select_related("region", "delegation", "term", "term__congress")
        .only(
            "name",
            "gender",
            "ethnicity",
            "party",
            "occupation",
            "employer",
            "category",
            "bio",
            "region__name",
            "region__code",
            "delegation__name",
            "term__level",
            "term__number",
            "term__congress__name",
        )
    )


def staff_deputies() -> QuerySet[Deputy]:
    """Every deputy, for staff and SC members. Encrypted columns are deferred: a list page
    never decrypts, and never shows, a number."""
    related = ["region", "delegation", "term", "term__congress"]
    related += [path for fact in facts() for path in fact.select_related]
    return Deputy.objects.select_related(*related).defer("id_number", "mobile", "bio")


# --- searching by number without the number leaving the server -------------------------


def number_kind(query: str) -> str | None:
    """'mobile' or 'id_number' when the search text is such a number, else None."""
    text = query.strip()
    if is_mobile(text):
        return "mobile"
    first17 = normalise_id_number(text)[:17]
    # ASCII digits only: str.isdigit() is also true for "²".
    if len(text) == 18 and first17.isascii() and first17.isdigit():
        return "id_number"
    return None


def search_token(query: str) -> str:
    """The keyed blind index of a mobile or ID number. The list page puts this token in its
    URL instead of the number, so the number reaches neither access logs nor browser history.
    Both columns share one key, so one token matches either."""
    text = query.strip()
    if number_kind(text) == "id_number":
        text = normalise_id_number(text)
    return make_blind_index(text)


def filter_staff_deputies(qs: QuerySet[Deputy], data: dict[str, Any]) -> QuerySet[Deputy]:
    """Apply the staff list's filter form (`DeputyFilterForm.cleaned_data`)."""
    if token := data.get("qi"):
        qs = qs.filter(Q(mobile_index=token) | Q(id_number_index=token))
    if q := (data.get("q") or "").strip():
        if number_kind(q):
            qs = qs.filter(Q(mobile_index=search_token(q)) | Q(id_number_index=search_token(q)))
        else:
            qs = qs.filter(name__contains=q)
    if data.get("level"):
        qs = qs.filter(term__level=data["level"])
    if data.get("region"):
        qs = qs.filter(region=data["region"])
    if data.get("delegation"):
        qs = qs.filter(delegation__name__contains=data["delegation"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("term"):
        qs = qs.filter(term=data["term"])
    return qs


def deputy_totals(qs: QuerySet[Deputy]) -> dict[str, int]:
    """Counts for the list's totals line, in one query whatever the number of rows."""
    totals = qs.order_by().aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=Deputy.Status.ACTIVE)),
        suspended=Count("id", filter=Q(status=Deputy.Status.SUSPENDED)),
        ended=Count("id", filter=Q(status=Deputy.Status.ENDED)),
        city=Count("id", filter=Q(term__level="city")),
        township=Count("id", filter=Q(term__level="township")),
    )
    return {key: value or 0 for key, value in totals.items()}


# --- the record's history ------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    title: str
    note: str = ""
    tone: str = "secondary"  # a Bootstrap colour name; the title always says the same in words


def deputy_memberships(deputy: Deputy) -> QuerySet[Membership]:
    return deputy.memberships.select_related("organization").order_by("-end_date", "start_date")


def deputy_timeline(deputy: Deputy, memberships: Iterable[Membership]) -> list[TimelineEntry]:
    """The dated facts of a record, oldest first: election, memberships, end of mandate, and
    when the record was registered and last changed."""
    entries = [
        TimelineEntry(deputy.elected_on, f"当选为{deputy.term}代表", deputy.region.name, "success"),
        TimelineEntry(timezone.localdate(deputy.created_at), "录入代表名册"),
    ]
    for m in memberships:
        entries.append(
            TimelineEntry(m.start_date, f"任{m.organization.name}{m.role}", tone="primary")
        )
        if m.end_date:
            entries.append(TimelineEntry(m.end_date, f"不再担任{m.organization.name}{m.role}"))
    if deputy.ended_on:
        entries.append(
            TimelineEntry(
                deputy.ended_on, "代表资格终止", deputy.get_end_reason_display(), "danger"
            )
        )
    if deputy.updated_at and deputy.updated_at - deputy.created_at > dt.timedelta(seconds=1):
        entries.append(TimelineEntry(timezone.localdate(deputy.updated_at), "最近一次修改"))
    return sorted(entries, key=lambda e: e.date)


# --- the public portal -------------------------------------------------------------------


def public_deputy_counts() -> dict[str, int]:
    counts = (
        public_deputies()
        .order_by()
        .aggregate(
            city=Count("id", filter=Q(term__level="city")),
            township=Count("id", filter=Q(term__level="township")),
        )
    )
    return {key: value or 0 for key, value in counts.items()}


def deputies_in_office(on: dt.date) -> dict[str, int]:
    """Deputies in office on the day `on`, city and township, in one query: elected by then,
    mandate not ended by then, in a term that had begun and had not expired. A suspended
    deputy keeps the mandate, so suspension does not take one out; the annual
    report counts with this on the year's last day (or today for the current year)."""
    counts = (
        Deputy.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
            Q(term__end_date__isnull=True) | Q(term__end_date__gte=on),
            elected_on__lte=on,
            term__start_date__lte=on,
        )
        .order_by()
        .aggregate(
            city=Count("id", filter=Q(term__level="city")),
            township=Count("id", filter=Q(term__level="township")),
        )
    )
    result = {key: value or 0 for key, value in counts.items()}
    result["total"] = result["city"] + result["township"]
    return result


def townships_with_deputy_counts() -> QuerySet[Region]:
    """Townships and subdistricts, each with the number of deputies the public may see."""
    serving = Q(deputies__status=Deputy.Status.ACTIVE, deputies__term__is_current=True)
    return Region.objects.filter(
        level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]
    ).annotate(n=Count("deputies", filter=serving))
