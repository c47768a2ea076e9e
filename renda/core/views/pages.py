from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST

from renda.core.params import ids_param
from renda.core.roles import can_view_workbench

from .. import notifications
from ..navigation import MODULES_BY_SLUG
from ..selectors import workbench_cards


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    if not can_view_workbench(request.user):
        raise PermissionDenied
    inbox = request.user.notifications.all()[:8]  # type: ignore[union-attr]
    return render(
        request, "core/workbench.html", {"cards": workbench_cards(request.user), "inbox": inbox}
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
