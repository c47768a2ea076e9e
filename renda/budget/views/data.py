"""Budget data pages: overview, import history and upload, indicators, payments, units, and
the security administrator's push tokens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.budget.forms.data import (
    BatchFilterForm,
    IndicatorFilterForm,
    PaymentFilterForm,
    TokenIssueForm,
    UnitFilterForm,
    UploadForm,
)
from renda.budget.ingest.kinds import KINDS, batch_kind, kind_of
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
from renda.budget.services.batches import start_upload
from renda.budget.services.tokens import issue_push_token, revoke_push_token
from renda.core.models import ImportBatch
from renda.core.roles import Role, role_required
from renda.lib.excel import xlsx_response

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000  # rows; a bigger export belongs to a database query, not a browser


def _render(request: HttpRequest, name: str, section: str, context: dict[str, Any]) -> HttpResponse:
    """Render a page of the module with its side menu."""
    context.update(section=section, perms_view=can_view_budget_data(request.user))
    return render(request, name, context)


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
    return _render(request, "budget/home.html", "home", context)


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
    return _render(
        request,
        "budget/batch_list.html",
        "batches",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "kinds": KINDS,
            "can_upload": can_upload_budget_data(request.user),
        },
    )


@role_required(*HOME)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    running = batch.status in (ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING)
    if request.htmx:  # type: ignore[attr-defined]
        if running:
            return render(
                request, "budget/batch_detail.html#progress", {"batch": batch, "running": running}
            )
        # Finished: reload the whole page to show the outcome.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    changes = RecordChange.objects.filter(batch=batch).order_by("id")[:200]
    return _render(
        request,
        "budget/batch_detail.html",
        "batches",
        {
            "batch": batch,
            "spec": kind_of(batch),
            "running": running,
            "changes": changes,
            "change_count": RecordChange.objects.filter(batch=batch).count(),
        },
    )


@role_required(*HOME)
def batch_errors_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    rows = ([e.get("row") or "", e.get("column", ""), e.get("message", "")] for e in batch.errors)
    return xlsx_response(
        "错误清单", ["行号", "列", "错误"], rows, filename=f"导入错误-批次{batch.pk}.xlsx"
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
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                expected_year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.info(request, "文件已上传，正在后台校验和导入；本页会自动刷新进度。")
            return redirect("budget:batch_detail", pk=batch.pk)
    return _render(
        request, "budget/upload.html", "batches", {"form": form, "kinds": KINDS.values()}
    )


@role_required(*UPLOADERS, Role.SC_MEMBER)
def template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404("没有这种数据类型")
    headers = [c.header for c in spec.columns]
    example = [c.example for c in spec.columns]
    notes = [
        ("必填" if c.required else "可空") + (f"；{c.note}" if c.note else "") for c in spec.columns
    ]
    return xlsx_response(
        spec.title, headers, [example, notes], filename=f"导入模板-{spec.title}.xlsx"
    )


# --- data ------------------------------------------------------------------------------


@role_required(*READERS)
def indicator_list(request: HttpRequest) -> HttpResponse:
    form = IndicatorFilterForm(request.GET or None)
    filters = _filters(form)
    qs = indicators(filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "budget/indicator_list.html",
        "indicators",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "year": filters["year"],
            "total": total(qs),
        },
    )


@role_required(*READERS)
def indicator_export(request: HttpRequest) -> HttpResponse:
    filters = _filters(IndicatorFilterForm(request.GET or None))
    qs = indicators(filters)[:EXPORT_LIMIT]
    headers = [
        "指标编号",
        "预算年度",
        "单位编码",
        "单位名称",
        "项目编码",
        "项目名称",
        "功能分类",
        "政府经济分类",
        "部门经济分类",
        "资金性质",
        "指标类型",
        "原指标编号",
        "文号",
        "下达日期",
        "金额（元）",
        "三公经费",
    ]
    rows = (
        [
            i.bgt_id,
            i.year,
            i.unit.code,
            i.unit.name,
            i.project_code,
            i.project_name,
            i.func_code,
            i.gov_eco_code,
            i.dep_eco_code,
            i.fund_type,
            i.get_kind_display(),
            i.ori_bgt_id,
            i.doc_no,
            i.doc_date,
            i.amount,
            i.get_thr_exp_display(),
        ]
        for i in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(
        "预算指标", headers, rows, filename=f"预算指标-{timezone.localdate():%Y%m%d}.xlsx"
    )


@role_required(*READERS)
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    filters = _filters(form)
    qs = payments(filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "budget/payment_list.html",
        "payments",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "year": filters["year"],
            "total": total(qs),
        },
    )


@role_required(*READERS)
def payment_export(request: HttpRequest) -> HttpResponse:
    filters = _filters(PaymentFilterForm(request.GET or None))
    qs: QuerySet[Payment] = payments(filters)[:EXPORT_LIMIT]
    headers = [c.header for c in KINDS["payments"].columns]
    rows = (
        [
            p.voucher_no,
            p.pay_date,
            p.year,
            p.region.code,
            p.unit.code,
            p.unit.name,
            p.bgt_id,
            p.func_code,
            p.gov_eco_code,
            p.dep_eco_code,
            p.fund_type,
            p.pay_type,
            p.settle_mode,
            p.payee_name,
            p.payee_account,
            p.get_payee_type_display(),
            abs(p.amount),
            p.purpose,
            p.get_thr_exp_display(),
            "作废" if p.is_void else p.get_kind_display(),
            p.original_voucher,
        ]
        for p in qs.select_related("unit", "region").iterator(chunk_size=2000)
    )
    return xlsx_response(
        "支付凭证", headers, rows, filename=f"支付凭证-{timezone.localdate():%Y%m%d}.xlsx"
    )


@role_required(*READERS)
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None)
    filters = _filters(form)
    qs = units_with_execution(filters["year"], search=filters.get("q") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for unit in page:
        unit.rate = execution_rate(unit.paid_total, unit.indicator_total)  # type: ignore[attr-defined]
    return _render(
        request,
        "budget/unit_list.html",
        "units",
        {"form": form, "page": page, "query": _query(request), "year": filters["year"]},
    )


@role_required(*READERS)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    figures = units_with_execution(unit.year).get(pk=unit.pk)
    unit_payments = payments({"unit_id": unit.pk, "year": unit.year, "include_void": True})
    page = Paginator(unit_payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "budget/unit_detail.html",
        "units",
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
    )


# --- push tokens (security administrator) ---------------------------------------------------


@role_required(Role.SECURITY_ADMIN)
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenIssueForm(request.POST or None)
    issued: str | None = None
    if request.method == "POST" and form.is_valid():
        try:
            token, issued = issue_push_token(
                actor=request.user,
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
    try:
        revoke_push_token(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已吊销「{token.name}」的令牌，使用它的推送将被拒绝。")
    return redirect("budget:tokens")
