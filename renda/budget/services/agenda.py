"""Putting an alert or an inquiry letter before the standing committee (提请常委会审议, 专题询问):
the item goes on a chosen meeting's agenda through meetings' `put_on_agenda` (the one way
every module does it), named as the item's source (core source link). The item, its order
and its outcome (审议意见, 决议, 表决结果) are meetings' data; budget records only that it
asked, in its own audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from renda.accounts.models import User
from renda.budget.models import Alert, Inquiry
from renda.budget.permissions import can_handle_alerts
from renda.budget.selectors.agenda import AGENDA_KINDS, CLOSED, items_of
from renda.budget.services.escalation import alert_source
from renda.core import audit
from renda.core.sources import Source
from renda.meetings import services as meetings
from renda.meetings.models import AgendaItem, Meeting

MAX_AGENDA_TITLE = 200


def _check_staff(actor: User) -> None:
    if not can_handle_alerts(actor):
        raise PermissionDenied("只有人大机关工作人员可以提请常委会审议。")


def source_of(obj: Alert | Inquiry) -> Source:
    """How the agenda item names the alert or letter (the meeting page links back to it)."""
    if isinstance(obj, Alert):
        return alert_source(obj)
    return Source(
        obj=obj,
        label=f"预算问询函 {obj.number} {obj.title}",
        url=reverse("budget:inquiry_detail", args=[obj.pk]),
    )


def _lock(obj: Alert | Inquiry) -> None:
    # One request at a time per alert or letter, so a double click audits once.
    type(obj).objects.select_for_update().filter(pk=obj.pk).first()


@transaction.atomic
def put_on_agenda(
    *, actor: User, source: Alert | Inquiry, meeting: Meeting, title: str
) -> AgendaItem:
    """Put `source` on `meeting`'s agenda under `title`. Putting it on the same meeting again
    returns the item already there; a closed meeting, or a meeting that is not the standing
    committee's or its chairpersons', is refused."""
    _check_staff(actor)
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "请填写提请常委会审议的事项名称。"})
    if len(title) > MAX_AGENDA_TITLE:
        raise ValidationError({"title": f"事项名称不能超过 {MAX_AGENDA_TITLE} 个字。"})
    if meeting.kind not in AGENDA_KINDS:
        raise ValidationError({"meeting": "只能提请常委会会议或主任会议。"})
    if meeting.state == CLOSED:
        raise ValidationError({"meeting": f"“{meeting.title}”已闭会，不能再列入议程。"})
    if isinstance(source, Inquiry) and source.state == "draft":
        raise ValidationError("问询函尚未发出，不能提请常委会专题询问。")
    _lock(source)
    for item in items_of(source):
        if item.meeting_id == meeting.pk:
            return item
    item = meetings.put_on_agenda(
        actor=actor,
        meeting=meeting,
        title=title,
        source=source_of(source),
        kind=AgendaItem.Kind.REVIEW,
    )
    audit.record(
        actor=actor,
        action="budget.alert.agenda" if isinstance(source, Alert) else "budget.inquiry.agenda",
        target=source,
        details={"meeting": meeting.pk, "item": item.pk, "title": item.title},
    )
    return item


@transaction.atomic
def remove_from_agenda(
    *, actor: User, source: Alert | Inquiry, item: AgendaItem, reason: str
) -> Meeting:
    """Take `source`'s item off its meeting's agenda (meetings' `remove_from_agenda`: only
    while the meeting is not closed and the item has no outcome). Returns the meeting."""
    _check_staff(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销提请的理由。"})
    _lock(source)
    if item.pk not in {mine.pk for mine in items_of(source)}:
        raise ValidationError("该议题不是由此提请的。")
    meeting = Meeting.objects.get(pk=item.meeting_id)
    if meeting.state == CLOSED:
        raise ValidationError(f"“{meeting.title}”已闭会，议题不能再移出议程。")
    meetings.remove_from_agenda(actor=actor, item=item)
    audit.record(
        actor=actor,
        action=(
            "budget.alert.agenda_remove"
            if isinstance(source, Alert)
            else "budget.inquiry.agenda_remove"
        ),
        target=source,
        details={"meeting": meeting.pk, "title": item.title, "reason": reason},
    )
    return meeting
