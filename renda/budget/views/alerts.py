"""Alert pages: the filtered list (with export and "发问询函" for selected alerts), the
detail page with the rule version, figures, evidence and history, the escalations (agenda
of the standing committee, offer to a deputy), and the deputy's pages for an alert offered
to them.

Each view: decorators → permission-checked fetch → form → one service call → redirect or
render (docs/architecture.md §4.2).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget.forms.alerts import AlertFilterForm, OfferForm
from renda.budget.models import Alert, AlertLevel, BudgetIndicator, Payment, RuleVersion
from renda.budget.permissions import (
    READERS,
    alerts_for_user,
    alerts_offered_to,
    can_handle_alerts,
    get_alert_for_user,
)
from renda.budget.selectors import agenda
from renda.budget.selectors.exports import SHEET_COLUMNS
from renda.budget.services import escalation
from renda.budget.views import agenda as agenda_views
from renda.budget.views.pages import render_page
from renda.core.exports import export_xlsx
from renda.core.forms import attempt
from renda.core.roles import Role, role_required
from renda.core.sources import has_target
from renda.meetings.permissions import can_view_meetings
from renda.suggestions.forms import SuggestionForm
from renda.suggestions.models import Suggestion

PAGE_SIZE = 50
EVIDENCE_CAP = 200  # rows of each kind shown on the detail page; the count says how many more
EXPORT_LIMIT = 100_000


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def filter_alerts(qs: QuerySet[Alert], data: dict[str, Any]) -> QuerySet[Alert]:
    if data.get("year"):
        qs = qs.filter(year=data["year"])
    if data.get("month"):
        qs = qs.filter(period__month=data["month"])
    if data.get("rule"):
        qs = qs.filter(rule=data["rule"])
    if data.get("level"):
        qs = qs.filter(level=data["level"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("handling"):
        qs = qs.filter(handling=data["handling"])
    if data.get("unit"):
        text = data["unit"]
        qs = qs.filter(
            Q(unit__code=text) | Q(unit__name__contains=text) | Q(subject_label__contains=text)
        )
    return qs


def _filtered(request: HttpRequest) -> tuple[AlertFilterForm, QuerySet[Alert]]:
    form = AlertFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, filter_alerts(alerts_for_user(request.user), data)


@role_required(*READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs.annotate(on_agenda=agenda.on_agenda(Alert)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # A monthly alert replaced by a later month's is the record of its month: the amount
    # it names is carried by the alert that replaced it, so only the alerts that stand add up.
    totals = qs.order_by().aggregate(
        amount=Sum("amount", filter=~Q(status=Alert.Status.SUPERSEDED)),
        notice=Count("pk", filter=Q(level=AlertLevel.NOTICE)),
        warning=Count("pk", filter=Q(level=AlertLevel.WARNING)),
        severe=Count("pk", filter=Q(level=AlertLevel.SEVERE)),
    )
    return render_page(
        request,
        "budget/alerts/list.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "totals": totals,
            "can_handle": can_handle_alerts(request.user),
        },
        section="alerts",
    )


@role_required(*READERS)
def alert_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered(request)
    return export_xlsx(
        title="预警",
        columns=SHEET_COLUMNS,
        rows=agenda.with_agenda_item(qs.select_related("region"))[:EXPORT_LIMIT].iterator(
            chunk_size=2000
        ),
        filename=f"预算监督预警-{timezone.localdate():%Y%m%d}.xlsx",
    )


def _ids(evidence: Any, key: str) -> list[int]:
    """The ids the rule stored as evidence; anything that is not an id is ignored."""
    values = evidence.get(key, []) if isinstance(evidence, dict) else []
    found: list[int] = []
    for value in values if isinstance(values, list) else []:
        try:
            found.append(int(value))
        except (TypeError, ValueError):
            continue
    return found


def _detail_context(request: HttpRequest, alert: Alert, **bound: Any) -> dict[str, Any]:
    suggestion = alert.suggestion
    payment_ids = _ids(alert.evidence, "payments")
    indicator_ids = _ids(alert.evidence, "indicators")
    payments = (
        Payment.objects.filter(pk__in=payment_ids[:EVIDENCE_CAP])
        .select_related("unit")
        .order_by("pay_date", "id")
        if payment_ids
        else []
    )
    indicators = (
        BudgetIndicator.objects.filter(pk__in=indicator_ids[:EVIDENCE_CAP])
        .select_related("unit")
        .order_by("bgt_id")
        if indicator_ids
        else []
    )
    can_handle = can_handle_alerts(request.user)
    forms: dict[str, Any] = {}
    card = agenda_views.agenda_context(
        request,
        agenda.items_of(alert),
        can_handle=can_handle,
        default_title=f"关于{alert.subject_label}{alert.rule.name}的问题",
    )
    card.get("agenda_forms", {}).update(bound.pop("agenda", {}))
    if can_handle and suggestion is None:
        forms["offer"] = OfferForm(initial={"deputy": alert.offered_to_id})
    forms.update(bound)
    return {
        "alert": alert,
        "version": RuleVersion.objects.filter(rule_id=alert.rule_id, version=alert.rule_version)
        .select_related("created_by")
        .first(),
        "params": _param_rows(alert),
        "figures": escalation.figure_rows(alert),
        "payments": payments,
        "payment_count": len(payment_ids),
        "indicators": indicators,
        "indicator_count": len(indicator_ids),
        "cap": EVIDENCE_CAP,
        "changes": list(alert.changes.all()),
        # Each letter about the alert with this alert's own answer in it.
        "inquiry_answers": list(
            alert.inquiry_answers.select_related("inquiry__addressee").order_by("-inquiry_id")
        ),
        "offered_to": alert.offered_to,
        "suggestion": suggestion,
        **card,
        "can_handle": can_handle,
        "forms": forms,
    }


def _detail(request: HttpRequest, alert: Alert, status: int = 200, **bound: Any) -> HttpResponse:
    context = _detail_context(request, alert, **bound)
    return render_page(
        request, "budget/alerts/detail.html", context, section="alerts", status=status
    )


@role_required(*READERS)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_alert_for_user(request.user, pk))


@role_required(Role.STAFF)
@require_POST
def alert_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_user(request.user, pk)
    return agenda_views.put(
        request,
        alert,
        lambda **form: _detail(request, alert, status=422, agenda=form),
        "budget:alert_detail",
    )


@role_required(Role.STAFF)
@require_POST
def alert_agenda_remove(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_user(request.user, pk)
    return agenda_views.remove(
        request,
        alert,
        lambda **form: _detail(request, alert, status=422, agenda=form),
        "budget:alert_detail",
    )


@role_required(Role.STAFF)
@require_POST
def alert_offer(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_alert_for_user(request.user, pk)
    form = OfferForm(request.POST)
    if (
        form.is_valid()
        and attempt(
            form,
            lambda: escalation.offer_to_deputy(
                actor=acting_user(request), alert=alert, deputy=form.cleaned_data["deputy"]
            ),
        )
        is not None
    ):
        messages.success(request, f"已转交 {alert.offered_to.name} 代表参考。")  # type: ignore[union-attr]
        return redirect("budget:alert_detail", alert.pk)
    return _detail(request, alert, status=422, offer=form)


@role_required(*READERS)
def agenda_list(request: HttpRequest) -> HttpResponse:
    alerts = alerts_for_user(request.user)
    page = Paginator(agenda.alert_items(alerts), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "budget/alerts/agenda.html",
        {
            "page": page,
            "rows": agenda.rows(list(page), alerts),
            "query": "",
            "can_view_meetings": can_view_meetings(request.user),
        },
        section="agenda",
    )


# --- the deputy's side ------------------------------------------------------------------------


@role_required(Role.DEPUTY)
def offered_alerts(request: HttpRequest) -> HttpResponse:
    items = list(alerts_offered_to(request.user).order_by("-offered_at", "-id")[:100])
    return render(request, "budget/alerts/offered.html", {"items": items})


@role_required(Role.DEPUTY)
def alert_draft_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    # Another deputy's alert, or one already drafted from, answers 404.
    alert = get_object_or_404(
        alerts_offered_to(request.user).filter(~has_target(Alert, Suggestion)), pk=pk
    )
    form = SuggestionForm(request.POST or None, initial=escalation.suggestion_prefill(alert))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        suggestion = attempt(
            form,
            lambda: escalation.draft_suggestion_from_alert(
                actor=acting_user(request),
                alert=alert,
                title=d["title"],
                content=d["content"],
                allow_public=d["allow_public"],
            ),
        )
        if suggestion is not None:
            messages.success(request, "建议草稿已保存。可以邀请其他代表联名、添加附件，然后提交。")
            return redirect("suggestions:detail", suggestion.pk)
    return render(
        request,
        "budget/alerts/draft_suggestion.html",
        {"alert": alert, "form": form, "figures": escalation.figure_rows(alert)},
    )


def _param_rows(alert: Alert) -> list[tuple[str, str]]:
    """The parameters that raised the alert, labelled as on the rule page, in its order."""
    labels = {spec["name"]: spec["label"] for spec in alert.rule.param_specs}
    order = list(labels)
    values = alert.params or {}
    names = sorted(values, key=lambda n: (order.index(n) if n in order else len(order), n))
    shown = []
    for name in names:
        value = values[name]
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        shown.append((labels.get(name, name), "不设" if value is None else str(value)))
    return shown
