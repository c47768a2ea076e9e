"""Budget data pages: overview, import history and upload, indicators, payments, units, and
the security administrator's push tokens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget.forms.data import (
    BatchFilterForm,
    IndicatorFilterForm,
    TokenIssueForm,
    UnitFilterForm,
    UploadForm,
)
from renda.budget.ingest.kinds import KINDS, batch_kind, kind_of, template_sheet
from renda.budget.models import BudgetIndicator, Payment, PushToken, RecordChange
from renda.budget.permissions import (
    HOME,
    READERS,
    UPLOADERS,
    batches_for_user,
    can_upload_budget_data,
    can_view_budget_data,
    get_batch_for_user,
    get_token_for_user,
    get_unit_for_user,
)
from renda.budget.selectors.data import (
    default_year,
    execution_rate,
    indicator_usage,
    indicators,
    payments,
    total,
    unit_monthly,
    units_with_execution,
)
from renda.budget.selectors.exports import ERROR_COLUMNS, INDICATOR_COLUMNS
from renda.budget.services.batches import progress_stages, start_upload
from renda.budget.services.tokens import issue_push_token, revoke_push_token
from renda.budget.views.pages import render_page
from renda.core.actions import run_action
from renda.core.exports import export_xlsx
from renda.core.models import ImportBatch
from renda.core.roles import Role, role_required
from renda.lib.excel import xlsx_response

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


@role_required(*HOME)
def home(request: HttpRequest) -> HttpResponse:
    year = default_year()
    batches = batches_for_user(request.user)[:10]
    context: dict[str, Any] = {
        "year": year,
        "batches": batches,
        "kinds": KINDS.values(),
        "can_view": can_view_budget_data(request.user),
        "can_upload": can_upload_budget_data(request.user),
    }
    if context["can_view"] and year:
        indicators = total(BudgetIndicator.objects.filter(year=year))
        paid = Payment.objects.filter(year=year, is_void=False).aggregate(
            total=Sum("amount"), n=Count("id")
        )
        context.update(
            indicator_total=indicators,
            paid_total=paid["total"] or Decimal(0),
            payment_count=paid["n"],
            rate=execution_rate(paid["total"] or Decimal(0), indicators),
            unit_count=units_with_execution(year).count(),
        )
    return render_page(request, "budget/home.html", context, section="home")


# --- imports ---------------------------------------------------------------------------


@role_required(*HOME)
def batch_list(request: HttpRequest) -> HttpResponse:
    form = BatchFilterForm(request.GET or None)
    qs = batches_for_user(request.user)
    if form.is_valid():
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=batch_kind(form.cleaned_data["kind"]))
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/batch_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "kinds": KINDS,
            "can_upload": can_upload_budget_data(request.user),
        },
        section="batches",
    )


@role_required(*HOME)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    running = batch.status in (ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING) or (
        batch.status == ImportBatch.Status.COMMITTED and batch.summary.get("phase") == "rules"
    )
    stages = progress_stages(batch) if running else []
    if request.htmx:  # type: ignore[attr-defined]
        if running:
            return render(
                request,
                "budget/batch_detail.html#progress",
                {"batch": batch, "running": running, "stages": stages},
            )
        # Finished: reload the whole page to show the outcome.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    changes = RecordChange.objects.filter(batch=batch).order_by("id")[:200]
    return render_page(
        request,
        "budget/batch_detail.html",
        {
            "batch": batch,
            "spec": kind_of(batch),
            "running": running,
            "stages": stages,
            "changes": changes,
            "change_count": RecordChange.objects.filter(batch=batch).count(),
        },
        section="batches",
    )


@role_required(*HOME)
def batch_errors_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    return export_xlsx(
        title="错误清单",
        columns=ERROR_COLUMNS,
        rows=batch.errors,
        filename=f"导入错误-批次{batch.pk}.xlsx",
    )


@role_required(*UPLOADERS)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": request.GET.get("kind", "payments")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = start_upload(
                actor=acting_user(request),
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                expected_year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.info(request, "文件已上传，正在后台校验和导入；本页会自动刷新进度。")
            return redirect("budget:batch_detail", pk=batch.pk)
    return render_page(
        request, "budget/upload.html", {"form": form, "kinds": KINDS.values()}, section="batches"
    )


@role_required(*UPLOADERS, Role.SC_MEMBER)
def template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("没有这种数据类型")
    headers, rows = template_sheet(spec)
    return xlsx_response(spec.title, headers, rows, filename=f"导入模板-{spec.title}.xlsx")


# --- data ------------------------------------------------------------------------------


@role_required(*READERS)
def indicator_list(request: HttpRequest) -> HttpResponse:
    form = IndicatorFilterForm(request.GET or None)
    filters = _filters(form)
    qs = indicators(filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/indicator_list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "year": filters["year"],
            "total": total(qs),
        },
        section="indicators",
    )


@role_required(*READERS)
def indicator_export(request: HttpRequest) -> HttpResponse:
    filters = _filters(IndicatorFilterForm(request.GET or None))
    qs = indicators(filters)[:EXPORT_LIMIT]
    return export_xlsx(
        title="预算指标",
        columns=INDICATOR_COLUMNS,
        rows=qs.iterator(chunk_size=2000),
    )


@role_required(*READERS)
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None)
    filters = _filters(form)
    qs = units_with_execution(filters["year"], search=filters.get("q") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for unit in page:
        unit.rate = execution_rate(unit.paid_total, unit.indicator_total)  # type: ignore[attr-defined]
    return render_page(
        request,
        "budget/unit_list.html",
        {"form": form, "page": page, "query": _query(request), "year": filters["year"]},
        section="units",
    )


@role_required(*READERS)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    figures = units_with_execution(unit.year).get(pk=unit.pk)
    unit_payments = payments({"unit_id": unit.pk, "year": unit.year, "include_void": True})
    page = Paginator(unit_payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/unit_detail.html",
        {
            "unit": unit,
            "figures": figures,
            "indicators": indicator_usage(unit),
            "rate": execution_rate(figures.paid_total, figures.indicator_total),  # type: ignore[attr-defined]
            "monthly": unit_monthly(unit),
            "page": page,
            "query": _query(request),
            "subordinates": unit.subordinates.order_by("code"),
        },
        section="units",
    )


# --- push tokens (security administrator) ---------------------------------------------------


@role_required(Role.SECURITY_ADMIN)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenIssueForm(request.POST or None)
    issued: str | None = None
    if request.method == "POST" and form.is_valid():
        try:
            token, issued = issue_push_token(
                actor=acting_user(request),
                name=form.cleaned_data["name"],
                user=form.cleaned_data["user"],
                kinds=form.cleaned_data["kinds"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"已为「{token.name}」签发令牌。令牌只显示这一次，请立即复制并通过安全渠道交给对方。",
            )
            form = TokenIssueForm()
    tokens = PushToken.objects.select_related("user", "created_by", "revoked_by").order_by(
        "-created_at"
    )
    return render(
        request, "budget/token_list.html", {"form": form, "tokens": tokens, "issued": issued}
    )


@require_POST
@role_required(Role.SECURITY_ADMIN)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_user(request.user, pk)
    return run_action(
        request,
        lambda: revoke_push_token(actor=acting_user(request), token=token),
        then="budget:tokens",
        done=f"已吊销「{token.name}」的令牌，使用它的推送将被拒绝。",
    )
