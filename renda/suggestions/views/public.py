"""Public disclosure (人大之家): staff publish a redacted version or take it down; anyone reads
the published list and pages without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core import workflow as wf
from renda.core.forms import attempt
from renda.core.roles import Role, role_required

from .. import permissions as perms
from .. import selectors, services
from ..forms import (
    PublicFilterForm,
    PublishForm,
    UnpublishForm,
)
from ..workflows import HANDLING_STATES, SUGGESTION
from .detail import render_detail


@role_required(Role.STAFF)
@require_POST
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.publish_suggestion(
                actor=request.user,
                suggestion=s,
                title=d["title"],
                content=d["content"],
                reply=d["reply"],
            ),
        ):
            messages.success(request, "已在人大之家公开。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, publish=form)


@role_required(Role.STAFF)
@require_POST
def unpublish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = UnpublishForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.unpublish_suggestion(
                actor=request.user, suggestion=s, reason=form.cleaned_data["reason"]
            ),
        )
        is not None
    ):
        messages.success(request, "已撤下公开内容。")
        return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, unpublish=form)


def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilterForm(request.GET or None)
    qs = selectors.public_suggestions()
    if form.is_valid():
        qs = selectors.filter_public(qs, form.cleaned_data)
    qs = (
        qs.select_related("lead_deputy")
        .only(
            "id",
            "code",
            "public_title",
            "state",
            "field",
            "due_at",
            "reply_class",
            "satisfaction",
            "published_at",
            "lead_deputy__name",
        )
        .order_by("-published_at", "-id")
    )
    page = Paginator(selectors.with_units(qs), 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "suggestions/public_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(selectors.public_suggestions().select_related("lead_deputy"), pk=pk)
    timeline = [
        e
        for e in wf.history(s)
        if e.event.transition
        in (
            "submit",
            "register",
            "assign",
            "reply",
            "rate_close",
            "rate_track",
            "rate_dissatisfied",
            "close",
            "approve_extension",
        )
    ]
    return render(
        request,
        "suggestions/public_detail.html",
        {
            "s": s,
            "signers": [
                sig.deputy.name
                for sig in s.signatures.filter(confirmed_at__isnull=False).select_related("deputy")
            ],
            "units": list(selectors.active_assignments().filter(suggestion=s)),
            "timeline": timeline,
            "state_label": SUGGESTION.label(s.state),
            "overdue": wf.is_overdue(s) and s.state in HANDLING_STATES,
        },
    )
