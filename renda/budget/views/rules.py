"""Rule pages of the budget committee: the sixteen rules with their thresholds, changing them
(versioned), backtesting proposed thresholds, running them now, and the run history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget import rules as registry
from renda.budget.forms.rules import BacktestForm, RuleForm, RunForm
from renda.budget.ingest.kinds import KINDS
from renda.budget.models import (
    Alert,
    AlertLevel,
    FinanceRegion,
    Rule,
    RuleRun,
    RuleVersion,
    SummaryState,
)
from renda.budget.permissions import (
    READERS,
    can_manage_rules,
    get_rule_for_user,
)
from renda.budget.services import engine
from renda.budget.views.pages import render_page
from renda.core.forms import add_service_errors
from renda.core.roles import role_required

STAFF = ("staff",)


def _default_scope() -> tuple[FinanceRegion | None, int | None]:
    state = SummaryState.objects.select_related("region").order_by("-year", "region__code").first()
    return (state.region, state.year) if state else (None, None)


@role_required(*READERS)
def rule_list(request: HttpRequest) -> HttpResponse:
    region, year = _default_scope()
    counts = {
        (row["rule_id"], row["level"]): row["n"]
        for row in Alert.objects.filter(status=Alert.Status.OPEN, year=year or 0)
        .values("rule_id", "level")
        .annotate(n=Count("id"))
        .order_by()
    }
    rules = list(Rule.objects.all())
    for rule in rules:
        rule.open_counts = [(AlertLevel(v), counts.get((rule.pk, v), 0)) for v in AlertLevel.values]  # type: ignore[attr-defined]
    initial = {"region": region, "year": year}
    return render_page(
        request,
        "budget/rules/rule_list.html",
        {
            "rules": rules,
            "year": year,
            "run_form": RunForm(initial=initial) if can_manage_rules(request.user) else None,
            "last_run": RuleRun.objects.select_related("region").first(),
            "can_manage": can_manage_rules(request.user),
        },
        section="rules",
    )


def _input_titles(code: str) -> list[str]:
    """The kinds of data the rule reads, by their Chinese titles (an import of one of them
    re-runs the rule)."""
    spec = registry.RULES.get(code)
    if spec is None:
        return []
    return [kind.title for slug, kind in KINDS.items() if slug in spec.inputs]


@role_required(*READERS)
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    rule = get_rule_for_user(request.user, code)
    can_manage = can_manage_rules(request.user)
    form = RuleForm(rule=rule)
    backtest_form = BacktestForm(initial=_backtest_period())
    result = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("您的角色不能修改预警规则。")
        form = RuleForm(request.POST, rule=rule)
        backtest_form = BacktestForm(request.POST) if "backtest" in request.POST else backtest_form
        if form.is_valid():
            if "backtest" in request.POST:
                result = _run_backtest(rule, form, backtest_form)
            else:
                try:
                    engine.update_rule(
                        actor=acting_user(request),
                        rule=rule,
                        params=form.params(),
                        enabled=form.cleaned_data["enabled"],
                        schedule=form.cleaned_data["schedule"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc, form.aliases)
                else:
                    messages.success(
                        request, f"规则 {rule.code} 已保存为第 {rule.version + 1} 版。"
                    )
                    return redirect("budget:rule_detail", code=rule.code)
    versions = RuleVersion.objects.filter(rule=rule).select_related("created_by")[:30]
    return render_page(
        request,
        "budget/rules/rule_detail.html",
        {
            "rule": rule,
            "form": form,
            "backtest_form": backtest_form,
            "backtest": result,
            "versions": versions,
            "can_manage": can_manage,
            "inputs": _input_titles(rule.code),
            "recent_alerts": Alert.objects.filter(rule=rule)
            .select_related("unit")
            .order_by("-period", "-level")[:20],
        },
        section="rules",
    )


def _backtest_period() -> dict[str, dt.date]:
    region, year = _default_scope()
    if not year or region is None:
        return {}
    end = engine.default_as_of(region, year)
    return {"start": dt.date(year, 1, 1), "end": end}


def _run_backtest(rule: Rule, form: RuleForm, backtest_form: BacktestForm) -> dict[str, Any] | None:
    if not backtest_form.is_valid():
        return None
    region, year = _default_scope()
    if region is None or year is None:
        backtest_form.add_error(None, "还没有导入预算数据，无法回测。")
        return None
    start, end = backtest_form.cleaned_data["start"], backtest_form.cleaned_data["end"]
    try:
        return engine.backtest(
            rule=rule, params=form.params(), region=region, year=start.year, start=start, end=end
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            add_service_errors(form, exc, form.aliases)
        else:
            for message in exc.messages:
                backtest_form.add_error(None, message)
        return None


@role_required(*STAFF)
@require_POST
def rule_run(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST)
    if not form.is_valid():
        for message in form.errors.as_data().values():
            for error in message:
                messages.error(request, "；".join(error.messages))
        return redirect("budget:rules")
    try:
        run = engine.run_rules(
            actor=acting_user(request),
            region=form.cleaned_data["region"],
            year=form.cleaned_data["year"],
            as_of=form.cleaned_data["as_of"],
            trigger=RuleRun.Trigger.MANUAL,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("budget:rules")
    raised = sum(r.get("raised", 0) for r in run.results.values())
    failed = [c for c, r in run.results.items() if r["status"] != "ok"]
    text = f"规则已运行（截至 {run.as_of}）：新增预警 {raised} 条。"
    if failed:
        messages.warning(
            request, text + f"以下规则运行失败：{'、'.join(failed)}，其余规则不受影响。"
        )
    else:
        messages.success(request, text)
    return redirect("budget:rule_runs")


@role_required(*READERS)
def run_list(request: HttpRequest) -> HttpResponse:
    qs = RuleRun.objects.select_related("region", "actor")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render_page(
        request, "budget/rules/run_list.html", {"page": page, "query": ""}, section="rules"
    )
