"""Treasury payment pages: the filtered list, its Excel export, and the background export
jobs (a short export downloads at once; a long one is written by a worker while its page
shows the progress, then offers the file to the requester alone)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget.forms.data import PaymentFilterForm
from renda.budget.models import ExportJob
from renda.budget.permissions import (
    READERS,
    can_view_payees,
    exports_for_user,
    get_export_for_user,
)
from renda.budget.selectors.data import default_year, payment_totals, payments
from renda.budget.services.exports import (
    KEEP_DAYS,
    export_inline,
    inline_rows,
    record_download,
    request_export,
)
from renda.budget.views.pages import render_page
from renda.core.roles import role_required
from renda.lib.excel import XLSX_TYPE

PAGE_SIZE = 50
PAYEES_DENIED = "支付明细含收款人信息，仅预算监督岗位和常委会组成人员可以查看。"


def _require_payees(request: HttpRequest) -> None:
    if not can_view_payees(request.user):
        raise PermissionDenied(PAYEES_DENIED)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data) if form.is_valid() else {}
    if not data.get("year"):
        data["year"] = default_year()
    return data


@role_required(*READERS)
def payment_list(request: HttpRequest) -> HttpResponse:
    _require_payees(request)
    form = PaymentFilterForm(request.GET or None)
    filters = _filters(form)
    qs = payments(filters)
    count, amount = payment_totals(filters)
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = count  # type: ignore[misc]  # known already: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/payment_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "year": filters["year"],
            "total": amount,
            # A long list is exported in the background (a button, not a link).
            "export_in_background": page.paginator.count > inline_rows(),
        },
        section="payments",
    )


def _xlsx(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(*READERS)
def payment_export(request: HttpRequest) -> HttpResponse:
    _require_payees(request)
    """GET: a short list downloads at once; a long one asks to start a background export
    (a GET never starts work on the server)."""
    form = PaymentFilterForm(request.GET or None)
    filters = _filters(form)
    count = payments(filters).count()
    if count <= inline_rows():
        name, data = export_inline(actor=acting_user(request), kind="payments", filters=filters)
        return _xlsx(name, data)
    return render_page(
        request,
        "budget/exports/confirm.html",
        {
            "count_shown": f"{count:,}",
            "query": _query(request),
            "year": filters["year"],
            "keep": KEEP_DAYS,
        },
        section="payments",
    )


@require_POST
@role_required(*READERS)
def payment_export_start(request: HttpRequest) -> HttpResponse:
    _require_payees(request)
    """Start (or find the running) background export of the list as filtered."""
    form = PaymentFilterForm(request.GET or None)
    filters = _filters(form)
    try:
        job = request_export(actor=acting_user(request), kind="payments", filters=filters)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(f"{reverse('budget:payments')}?{_query(request)}")
    return redirect("budget:export_detail", job.pk)


@role_required(*READERS)
def export_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(exports_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/exports/list.html",
        {"page": page, "keep": KEEP_DAYS},
        section="payments",
    )


@role_required(*READERS)
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_export_for_user(request.user, pk)
    context = {"job": job, "keep": KEEP_DAYS}
    if request.htmx:  # type: ignore[attr-defined]
        if job.running:
            return render(request, "budget/exports/detail.html#progress", context)
        response = HttpResponse(status=204)  # finished: reload to show the link or the error
        response["HX-Refresh"] = "true"
        return response
    return render_page(request, "budget/exports/detail.html", context, section="payments")


@role_required(*READERS)
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_export_for_user(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成或已过期")
    record_download(actor=acting_user(request), job=job)
    return FileResponse(  # type: ignore[return-value]
        job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX_TYPE
    )
