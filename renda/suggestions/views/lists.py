"""The staff desk's list of suggestions with its filters and export, and the sittings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from renda.accounts.permissions import AuthenticatedRequest
from renda.core import workflow as wf
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.roles import Role, role_required
from renda.meetings.models import Meeting

from .. import permissions as perms
from .. import selectors, services
from ..forms import (
    FilterForm,
    SittingForm,
)
from ..models import Field, Suggestion
from ..permissions import READERS
from ..workflows import HANDLING_STATES, SUGGESTION

PAGE_SIZE = 30


def _filtered(
    request: AuthenticatedRequest, base: QuerySet[Suggestion], form_class: type
) -> tuple[Any, QuerySet[Suggestion]]:
    form = form_class(request.GET or None)
    qs = base
    if form.is_valid():
        qs = selectors.filter_suggestions(qs, form.cleaned_data)
    return form, qs


FIELD_LABELS = dict(Field.choices)


SUGGESTION_COLUMNS: list[Column[Suggestion]] = [
    Column("编号", lambda s: s.code),
    Column("标题", lambda s: s.title),
    Column("领衔代表", lambda s: s.lead_deputy.name),
    Column("联名人数", lambda s: getattr(s, "signer_count", None) or 1),
    Column("分类", lambda s: FIELD_LABELS.get(s.field, "")),
    Column("状态", lambda s: SUGGESTION.label(s.state)),
    Column("承办单位", lambda s: selectors.handlers(s).lead_text),
    Column("协办单位", lambda s: selectors.handlers(s).co_text),
    Column(
        "办理期限",
        lambda s: timezone.localtime(s.due_at).strftime("%Y-%m-%d") if s.due_at else "",
    ),
    Column("答复类别", lambda s: s.reply_class),
    Column("满意度", lambda s: s.get_satisfaction_display()),
    Column("重点督办", lambda s: "是" if s.is_key else ""),
    Column("重新办理次数", lambda s: s.rehandle_count),
    Column(
        "提交时间",
        lambda s: (
            timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M") if s.submitted_at else ""
        ),
    ),
]


@role_required(*READERS)
def home(request: AuthenticatedRequest) -> HttpResponse:
    base = perms.visible_suggestions(request.user)
    form, qs = _filtered(request, base, FilterForm)
    page = Paginator(selectors.list_queryset(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.state_counts(base)
    return render(
        request,
        "suggestions/home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "counts": [(code, label, counts.get(code, 0)) for code, label in SUGGESTION.choices],
            "overdue": base.filter(wf.overdue_q(SUGGESTION), state__in=HANDLING_STATES).count(),
            "is_staff": perms.is_staff(request.user),
        },
    )


@role_required(*READERS)
def export(request: AuthenticatedRequest) -> HttpResponse:
    _, qs = _filtered(request, perms.visible_suggestions(request.user), FilterForm)
    return export_xlsx(
        title="代表建议",
        columns=SUGGESTION_COLUMNS,
        rows=selectors.list_queryset(qs).iterator(chunk_size=2000),
        actor=request.user,
        action="suggestion.export",
        details={"filters": request.GET.dict()},
    )


@role_required(Role.STAFF)
def sittings(request: AuthenticatedRequest) -> HttpResponse:
    form = SittingForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: services.create_sitting(actor=request.user, **form.cleaned_data))
        is not None
    ):
        messages.success(request, "会议已登记。")
        return redirect("suggestions:sittings")
    rows = (
        Meeting.objects.filter(kind=Meeting.Kind.CONGRESS)
        .select_related("term__congress")
        .annotate(
            n_suggestions=Count("suggestions", distinct=True),
            n_motions=Count("motions", distinct=True),
        )
    )
    return render(request, "suggestions/sittings.html", {"form": form, "sittings": rows})
