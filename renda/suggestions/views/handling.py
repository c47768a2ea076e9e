"""The handling unit's work: return a wrongly assigned item, the co-handling opinion, notes
of contacts with the deputy, the unit's list and its export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core import workflow as wf
from renda.core.exports import export_xlsx
from renda.core.forms import attempt
from renda.core.roles import Role, role_required

from .. import permissions as perms
from .. import selectors, services
from ..forms import (
    NoteForm,
    OpinionForm,
    ReturnForm,
    UnitFilterForm,
)
from ..models import Assignment, Suggestion
from ..workflows import HANDLING_STATES, SUGGESTION
from .detail import render_detail
from .lists import PAGE_SIZE, SUGGESTION_COLUMNS, _filtered


@role_required(Role.HANDLING_OFFICER)
@require_POST
def return_item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.return_assignment(
                actor=request.user,
                suggestion=s,
                reason=form.cleaned_data["reason"],
                expected_state=form.cleaned_data["expected_state"] or None,
            ),
        )
        is not None
    ):
        messages.success(request, "已退回，等待人大常委会重新交办。")
        return redirect("suggestions:unit_home")
    return render_detail(request, s, **{"return": form})


@role_required(Role.HANDLING_OFFICER)
@require_POST
def opinion(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = OpinionForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: services.submit_co_opinion(
                actor=request.user, suggestion=s, opinion=form.cleaned_data["opinion"]
            ),
        )
        is not None
    ):
        messages.success(request, "协办意见已送主办单位。")
        return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, opinion=form)


@role_required(Role.HANDLING_OFFICER)
@require_POST
def note_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    s = perms.get_suggestion_for_user(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(
            form,
            lambda: services.add_handling_note(
                actor=request.user,
                suggestion=s,
                kind=d["kind"],
                method=d["method"],
                occurred_on=d["occurred_on"],
                content=d["content"],
            ),
        ):
            messages.success(request, "已记录。")
            return redirect("suggestions:detail", s.pk)
    return render_detail(request, s, note=form)


def _unit_base(request: AuthenticatedRequest) -> QuerySet[Suggestion]:
    return perms.visible_suggestions(request.user)


@role_required(Role.HANDLING_OFFICER)
def unit_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if user.organization_id is None:
        raise PermissionDenied("您的账号没有所属承办单位。")
    base = _unit_base(request)
    form, qs = _filtered(request, base, UnitFilterForm)
    page = Paginator(selectors.list_queryset(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    for s in page:
        # Shown in the row: is this unit the lead, a co-handling or a split unit here?
        s.my_role = selectors.handlers(s).role_label(user.organization_id)  # type: ignore[attr-defined]
    return render(
        request,
        "suggestions/unit_home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "unit": user.organization,
            "todo": base.filter(state__in=HANDLING_STATES).count(),
            "overdue": base.filter(wf.overdue_q(SUGGESTION), state__in=HANDLING_STATES).count(),
            "opinions_due": Assignment.objects.filter(
                unit_id=user.organization_id,
                active=True,
                role="co",
                opinion_at__isnull=True,
                suggestion__state__in=HANDLING_STATES,
            ).count(),
        },
    )


@role_required(Role.HANDLING_OFFICER)
def unit_export(request: AuthenticatedRequest) -> HttpResponse:
    _, qs = _filtered(request, _unit_base(request), UnitFilterForm)
    return export_xlsx(
        title="本单位承办建议",
        columns=SUGGESTION_COLUMNS,
        rows=selectors.list_queryset(qs).iterator(chunk_size=2000),
        actor=request.user,
        action="suggestion.unit_export",
        filename=f"承办建议-{timezone.localdate():%Y%m%d}.xlsx",
    )
