"""Treasury payment pages: the filtered list and its Excel export."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from renda.budget.forms.data import PaymentFilterForm
from renda.budget.models import Payment
from renda.budget.permissions import READERS
from renda.budget.selectors.data import default_year, payments, total
from renda.budget.selectors.exports import PAYMENT_COLUMNS
from renda.budget.views.pages import render_page
from renda.core.exports import export_xlsx
from renda.core.roles import role_required

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000  # rows; a bigger export belongs to a database query, not a browser


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
    form = PaymentFilterForm(request.GET or None)
    filters = _filters(form)
    qs = payments(filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/payment_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "year": filters["year"],
            "total": total(qs),
        },
        section="payments",
    )


@role_required(*READERS)
def payment_export(request: HttpRequest) -> HttpResponse:
    filters = _filters(PaymentFilterForm(request.GET or None))
    qs: QuerySet[Payment] = payments(filters)[:EXPORT_LIMIT]
    return export_xlsx(
        title="支付凭证",
        columns=PAYMENT_COLUMNS,
        rows=qs.select_related("unit", "region").iterator(chunk_size=2000),
    )
