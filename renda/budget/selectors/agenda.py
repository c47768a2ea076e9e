"""Alerts and inquiry letters on a meeting's agenda, read through the core source links that
meetings' `put_on_agenda` records (the agenda item is meetings' data; budget only names its
alert or letter as the item's source).

A link outlives its item when meetings takes the item off the agenda, so every read here
joins the links to the agenda items that still exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from renda.budget.models import Alert, Inquiry
from renda.core.models import SourceLink
from renda.meetings.models import AgendaItem, Meeting

CLOSED = "closed"
# The meetings a budget item may be put before: the standing committee (审议, 专题询问) and
# its chairpersons' meeting, which prepares the standing committee's agenda.
AGENDA_KINDS = (Meeting.Kind.STANDING, Meeting.Kind.CHAIRPERSONS)


def _links(model: type[models.Model]) -> QuerySet[SourceLink]:
    """Links from `model` rows to agenda items that still exist."""
    return SourceLink.objects.filter(
        source_type=ContentType.objects.get_for_model(model),
        target_type=ContentType.objects.get_for_model(AgendaItem),
        target_id__in=AgendaItem.objects.values("pk"),
    )


def meetings_taking_items() -> QuerySet[Meeting]:
    """Standing-committee and chairpersons' meetings not closed yet, soonest first."""
    return (
        Meeting.objects.filter(kind__in=AGENDA_KINDS)
        .exclude(state=CLOSED)
        .select_related("term")
        .order_by("start_at", "pk")
    )


def items_of(source: Alert | Inquiry) -> list[AgendaItem]:
    """The agenda items that came from `source`, with their meetings, earliest meeting first."""
    ids = _links(type(source)).filter(source_id=source.pk).values("target_id")
    return list(
        AgendaItem.objects.filter(pk__in=ids)
        .select_related("meeting", "created_by")
        .order_by("meeting__start_at", "pk")
    )


def on_agenda(model: type[Alert] | type[Inquiry]) -> Exists:
    """For a queryset of `model`: is the row an item of some meeting's agenda?"""
    return Exists(_links(model).filter(source_id=OuterRef("pk")))


def with_agenda_item(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    """Annotate each alert with the title of its item on the latest meeting
    (`agenda_item_title`) and that meeting's title (`agenda_meeting_title`); empty when the
    alert is on no agenda. Two correlated subqueries, so an export stays one query."""
    latest = AgendaItem.objects.filter(
        pk__in=_links(Alert).filter(source_id=OuterRef(OuterRef("pk"))).values("target_id")
    ).order_by("-meeting__start_at", "-pk")
    return qs.annotate(
        agenda_item_title=Subquery(latest.values("title")[:1]),
        agenda_meeting_title=Subquery(latest.values("meeting__title")[:1]),
    )


def agenda_label(alert: Alert) -> str:
    """The export's 提请常委会审议 column: "议题（会议）" of an alert annotated by
    `with_agenda_item`."""
    title = alert.agenda_item_title  # type: ignore[attr-defined]
    if not title:
        return ""
    return f"{title}（{alert.agenda_meeting_title}）"  # type: ignore[attr-defined]


def alerts_on_agenda_count() -> int:
    """How many alerts are on some meeting's agenda (one query)."""
    return _links(Alert).values("source_id").distinct().count()


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    alert: Alert


def alert_items(alerts: QuerySet[Alert]) -> QuerySet[AgendaItem]:
    """Agenda items that came from one of `alerts`, newest first, each annotated with its
    alert's key (`alert_pk`): paginate these, then `rows` fetches the page's alerts."""
    links = _links(Alert).filter(source_id__in=alerts.values("pk"))
    return (
        AgendaItem.objects.filter(pk__in=links.values("target_id"))
        .annotate(
            alert_pk=Subquery(
                _links(Alert).filter(target_id=OuterRef("pk")).values("source_id")[:1]
            )
        )
        .select_related("meeting", "created_by")
        .order_by("-created_at", "-pk")
    )


def rows(items: list[AgendaItem], alerts: QuerySet[Alert]) -> list[AgendaRow]:
    """The page's items with their alerts (one query for the alerts)."""
    found = alerts.in_bulk([item.alert_pk for item in items])  # type: ignore[attr-defined]
    return [
        AgendaRow(item, found[item.alert_pk])  # type: ignore[attr-defined]
        for item in items
        if item.alert_pk in found  # type: ignore[attr-defined]
    ]
