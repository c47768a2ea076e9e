"""The audit log: read only, and only by the audit administrator (三员 separation)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from renda.core.roles import Role, role_required
from renda.lib.excel import xlsx_response

from .. import audit
from ..models import AuditEvent


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="账号或对象", required=False)
    action = forms.CharField(label="事件", required=False)
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
            qs = qs.filter(actor_username__icontains=data["q"]) | qs.filter(
                target_repr__icontains=data["q"]
            )
        if data["action"]:
            qs = qs.filter(action__startswith=data["action"])
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


@role_required(Role.AUDIT_ADMIN)
def audit_export(request: HttpRequest) -> HttpResponse:
    _, qs = _filtered(request)
    headers = ["序号", "时间", "操作人", "事件", "对象类型", "对象", "结果", "IP地址", "详情"]
    tz = timezone.get_current_timezone()
    rows = (
        [
            e.pk,
            e.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_username,
            e.action,
            e.target_type,
            e.target_repr,
            e.get_outcome_display(),
            e.ip or "",
            str(e.details) if e.details else "",
        ]
        for e in qs.iterator(chunk_size=2000)
    )
    audit.record(actor=request.user, action="audit.export", details={"filters": request.GET.dict()})
    return xlsx_response(
        "审计日志", headers, rows, filename=f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    )
