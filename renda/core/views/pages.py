from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.core.params import ids_param
from renda.core.roles import can_view_workbench

from .. import notifications
from ..navigation import MODULES_BY_SLUG
from ..selectors import Due, due_items, workbench_cards


@dataclass(frozen=True)
class DueRow:
    """A 待办 item as the page shows it: its deadline in words and whether it has passed."""

    item: Due
    deadline: str
    overdue: bool


def due_rows(items: list[Due], now: dt.datetime) -> list[DueRow]:
    today = timezone.localdate(now)
    rows = []
    for item in items:
        when = item.due
        if when is None:
            rows.append(DueRow(item, "", False))
        elif isinstance(when, dt.datetime):
            if timezone.is_aware(when):
                local, passed = timezone.localtime(when), when < now
            else:
                local = when
                passed = when < timezone.localtime(now).replace(tzinfo=None)
            rows.append(DueRow(item, f"{local:%Y-%m-%d %H:%M}", passed))
        else:
            # A date is due until the end of that day.
            rows.append(DueRow(item, f"{when:%Y-%m-%d}", when < today))
    return rows


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    if not can_view_workbench(request.user):
        raise PermissionDenied
    inbox = request.user.notifications.all()[:8]  # type: ignore[union-attr]
    due = due_rows(due_items(request.user), timezone.now())
    return render(
        request,
        "core/workbench.html",
        {"cards": workbench_cards(request.user), "inbox": inbox, "due": due},
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = request.user.notifications.all()  # type: ignore[union-attr]
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    ids = ids_param(request.POST, "id") or None
    notifications.mark_read(actor=request.user, notification_ids=ids)
    return redirect("core:inbox")


def under_construction(request: HttpRequest, module: str) -> HttpResponse:
    found = MODULES_BY_SLUG.get(module)
    if found is None:
        raise Http404
    return render(request, "core/under_construction.html", {"module": found})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on a first visit whatever the page links to."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
