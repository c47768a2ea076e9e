"""The 提请常委会审议 card of the alert and inquiry pages: its context, and the two posts
(put on a chosen meeting's agenda, take it off) that both pages share. Each page's own view
does the permission-checked fetch and hands its object and its page renderer here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from renda.accounts.permissions import acting_user
from renda.budget.forms.alerts import AgendaForm, AgendaRemoveForm
from renda.budget.models import Alert, Inquiry
from renda.budget.selectors import agenda
from renda.budget.services import agenda as services
from renda.core.forms import attempt
from renda.meetings.models import AgendaItem
from renda.meetings.permissions import can_manage_meetings, can_view_meetings

# Renders the source's page again with a bound form (status 422).
Rerender = Callable[..., HttpResponse]


def agenda_context(
    request: HttpRequest, items: list[AgendaItem], *, can_handle: bool, default_title: str
) -> dict[str, Any]:
    """The card: the items the source is on (meeting, order, outcome), and for staff the forms
    (or, with no meeting to choose, the way to create one)."""
    context: dict[str, Any] = {
        "agenda_items": items,
        "can_view_meetings": can_view_meetings(request.user),
    }
    if can_handle:
        context["agenda_forms"] = {
            "put": AgendaForm(initial={"title": default_title}),
            "remove": AgendaRemoveForm(items=items),
        }
        context["can_create_meeting"] = can_manage_meetings(request.user)
    return context


def put(
    request: HttpRequest, source: Alert | Inquiry, rerender: Rerender, then: str
) -> HttpResponse:
    form = AgendaForm(request.POST)
    if form.is_valid():
        item = attempt(
            form,
            lambda: services.put_on_agenda(
                actor=acting_user(request),
                source=source,
                meeting=form.cleaned_data["meeting"],
                title=form.cleaned_data["title"],
            ),
        )
        if item is not None:
            messages.success(request, f"已列入“{item.meeting.title}”议程第 {item.order} 项。")
            return redirect(then, source.pk)
    return rerender(put=form)


def remove(
    request: HttpRequest, source: Alert | Inquiry, rerender: Rerender, then: str
) -> HttpResponse:
    form = AgendaRemoveForm(request.POST, items=agenda.items_of(source))
    if form.is_valid():
        meeting = attempt(
            form,
            lambda: services.remove_from_agenda(
                actor=acting_user(request),
                source=source,
                item=form.cleaned_data["item"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if meeting is not None:
            messages.success(request, f"已撤销提请，议题已移出“{meeting.title}”议程。")
            return redirect(then, source.pk)
    return rerender(remove=form)
