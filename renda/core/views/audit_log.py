"""The audit log: read only, and only by the audit administrator (三员 separation)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.core.event_labels import actions_matching, event_label, readable_details
from renda.core.exports import Column, export_xlsx
from renda.core.forms import BootstrapForm
from renda.core.roles import Role, role_required

from .. import audit
from ..models import AuditEvent


class AuditFilterForm(BootstrapForm):
    q = forms.CharField(label="账号、对象或事件", required=False)
    action = forms.CharField(label="事件（名称或代码）", required=False)
    outcome = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *AuditEvent.Outcome.choices]
    )
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    qs = AuditEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            # An account, an object, or what happened in words (登录 finds the log-ins).
            qs = qs.filter(
                Q(actor_username__icontains=data["q"])
                | Q(target_repr__icontains=data["q"])
                | Q(action__in=actions_matching(data["q"]))
            )
        if data["action"]:
            qs = qs.filter(
                Q(action__startswith=data["action"])
                | Q(action__in=actions_matching(data["action"]))
            )
        if data["outcome"]:
            qs = qs.filter(outcome=data["outcome"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            qs = qs.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tz))
        if data["until"]:
            qs = qs.filter(
                created_at__lt=dt.datetime.combine(
                    data["until"] + dt.timedelta(days=1), dt.time.min, tz
                )
            )
    return form, qs.order_by("-id")


@role_required(Role.AUDIT_ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "chain": None},
    )


@role_required(Role.AUDIT_ADMIN)
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = audit.verify_chain()
    audit.record(
        actor=request.user,
        action="audit.verify",
        outcome="success" if report.ok else "failure",
        details={"checked": report.checked, "broken_id": report.broken_id},
    )
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(None)
    return render(
        request, "core/audit_log.html", {"form": form, "page": page, "query": "", "chain": report}
    )


def _local_time(e: AuditEvent) -> str:
    return timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S")


EXPORT_COLUMNS: list[Column[AuditEvent]] = [
    Column("序号", lambda e: e.pk),
    Column("时间", _local_time),
    Column("操作人", lambda e: e.actor_username),
    Column("事件", lambda e: event_label(e.action)),
    Column("事件代码", lambda e: e.action),
    Column("对象类型", lambda e: e.target_type),
    Column("对象", lambda e: e.target_repr),
    Column("结果", lambda e: e.get_outcome_display()),
    Column("IP地址", lambda e: e.ip or ""),
    Column("详情", lambda e: readable_details(e.details)),
]


@role_required(Role.AUDIT_ADMIN)
def audit_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    return export_xlsx(
        title="审计日志",
        columns=EXPORT_COLUMNS,
        rows=qs.iterator(chunk_size=2000),
        actor=request.user,
        action="audit.export",
        details={"filters": request.GET.dict()},
    )
