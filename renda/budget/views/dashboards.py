"""Dashboards (ECharts), their drill-down pages and the meeting-room big screen (issue 6).

Read-only pages for the budget committee's staff and the standing-committee members
(`can_view_alerts`); the figures come from budget/dashboards.py, the charts are drawn by
static scripts from data handed over with `json_script`, and every chart has a table or
figures beside it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from renda.accounts.permissions import acting_user
from renda.budget.forms.dashboards import DashboardFilterForm
from renda.budget.models import FinanceRegion
from renda.budget.permissions import can_view_alerts, get_unit_for_user
from renda.budget.selectors.dashboards import default_region, overview, regions_for_year
from renda.budget.selectors.data import available_years
from renda.budget.selectors.drilldown import function_detail
from renda.budget.selectors.drilldown import unit_detail as unit_figures
from renda.budget.selectors.figures import RATE_STEP
from renda.budget.services.screen import PASS_HOURS, issue_screen_pass, screen_pass_user
from renda.budget.views.pages import render_page

TEN_THOUSAND = Decimal(10_000)
CENT = Decimal("0.01")


def _require_reader(request: HttpRequest) -> None:
    if not can_view_alerts(request.user):
        raise PermissionDenied("只有人大机关工作人员和常委会组成人员可以查看预算监督看板。")


def _selection(
    request: HttpRequest,
) -> tuple[DashboardFilterForm, int | None, FinanceRegion | None]:
    """The year and treasury asked for (else the latest year and its top treasury), and the
    selector form showing them."""
    year, code = DashboardFilterForm(request.GET).selection() if request.GET else (None, "")
    years = available_years()
    if year not in years:
        year = years[0] if years else None
    regions = regions_for_year(year) if year else []
    region = default_region(year, code) if year else None
    form = DashboardFilterForm(
        initial={"year": year, "region": region.code if region else ""}, regions=regions
    )
    return form, year, region


def _maybe_url(name: str, *args: Any) -> str:
    """A link to a page another part of the module may provide (the alert pages)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- chart data (floats in 万元 for ECharts; the tables keep Decimal) ---------------------------


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float((value / TEN_THOUSAND).quantize(CENT))


def _num(value: Decimal | None) -> float | None:
    """A figure for the charts, rounded as the pages show it (rates and gaps are exact in
    the selectors; one decimal here, so a label reads 24.9%, not 24.931506849315%)."""
    return None if value is None else float(value.quantize(RATE_STEP))


def _execution(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        "names": [r["name"] for r in rows],
        "available": [_wan(r["available"]) for r in rows],
        "paid": [_wan(r["paid"]) for r in rows],
        "rate": [_num(r["rate"]) for r in rows],
    }


def chart_data(ov: dict[str, Any]) -> dict[str, Any]:
    """What the scripts draw: the overview reduced to JSON-friendly numbers."""
    as_of = ov["as_of"]
    months = [m for m in ov["months"] if m["month"] <= as_of.month]
    return {
        "region": ov["region"]["name"],
        "year": ov["year"],
        "asOf": as_of.isoformat(),
        "progress": _num(ov["progress"]),
        "totals": {
            "available": _wan(ov["totals"]["available"]),
            "paid": _wan(ov["totals"]["paid"]),
            "count": ov["totals"]["count"],
            "rate": _num(ov["totals"]["rate"]),
        },
        "funds": _execution(ov["funds"][:4]),
        "months": {
            "labels": [f"{m['month']}月" for m in months],
            "paid": [_wan(m["paid"]) for m in months],
            "rate": [_num(m["rate"]) for m in months],
            "progress": [_num(m["progress"]) for m in months],
        },
        "classes": {**_execution(ov["classes"]), "codes": [r["code"] for r in ov["classes"]]},
        "slowest": [
            {"name": r["name"], "rate": _num(r["rate"]), "gap": _num(r["gap"])}
            for r in ov["units"]["slowest"]
        ],
        "fastest": [
            {"name": r["name"], "rate": _num(r["rate"]), "gap": _num(r["gap"])}
            for r in ov["units"]["fastest"]
        ],
        **_chart_finances(ov),
        "projects": [
            {
                "name": p["name"],
                "rate": _num(p["rate"]),
                "progress": _num(p["progress"]),
                "gap": _num(p["gap"]),
            }
            for p in ov["projects"]
        ],
        "alerts": _chart_alerts(ov["alerts"]),
        "inquiries": {
            "total": ov["inquiries"]["total"],
            "overdue": ov["inquiries"]["overdue"],
            "closed": ov["inquiries"]["closed"],
            "states": [
                {"label": s["label"], "count": s["count"]} for s in ov["inquiries"]["states"]
            ],
        },
    }


def _chart_alerts(alerts: dict[str, Any]) -> dict[str, Any]:
    """The alerts part of the chart data: levels by month, this month, what is open."""
    return {
        "levels": [lv["label"] for lv in alerts["levels"]],
        "labels": [f"{m['month']}月" for m in alerts["by_month"]],
        "byLevel": [
            [m["counts"][i] for m in alerts["by_month"]] for i in range(len(alerts["levels"]))
        ],
        "month": alerts["this_month"]["month"],
        "thisMonth": alerts["this_month"]["counts"],
        "openByLevel": alerts["open_by_level"],
        "totals": {
            "all": alerts["totals"]["all"],
            "severe": alerts["totals"]["severe"],
            "severeUnhandled": alerts["totals"]["severe_unhandled"],
            "open": alerts["totals"]["open"],
            "openAmount": _wan(alerts["totals"]["open_amount"]),
            "handledRate": _num(alerts["totals"]["handled_rate"]),
        },
        "openSevere": [
            {
                "rule": a["rule"],
                "subject": a["subject"],
                "unit": a["unit"],
                "amount": _wan(a["amount"]),
                "period": a["period"].strftime("%Y-%m"),
                "handling": a["handling"],
                "url": _maybe_url("budget:alert_detail", a["id"]),
            }
            for a in alerts["open_severe"]
        ],
    }


def _chart_finances(ov: dict[str, Any]) -> dict[str, Any]:
    """The 三公, revenue and debt parts of the chart data."""
    return {
        "threePublic": {
            **_execution(ov["three_public"]["rows"]),
            "total": {
                "available": _wan(ov["three_public"]["total"]["available"]),
                "paid": _wan(ov["three_public"]["total"]["paid"]),
                "rate": _num(ov["three_public"]["total"]["rate"]),
            },
        },
        "revenue": {
            "names": [r["name"] for r in ov["revenue"]["rows"]],
            "budget": [_wan(r["budget"]) for r in ov["revenue"]["rows"]],
            "received": [_wan(r["received"]) for r in ov["revenue"]["rows"]],
            "rate": [_num(r["rate"]) for r in ov["revenue"]["rows"]],
            "total": _num(ov["revenue"]["total"]["rate"]),
        },
        "debt": {
            "labels": [f"{r['month']}月" for r in ov["debt"]["rows"]],
            "ratio": [_num(r["ratio"]) for r in ov["debt"]["rows"]],
            "latest": _num(ov["debt"]["latest"]["ratio"]) if ov["debt"]["latest"] else None,
            "latestLevel": ov["debt"]["latest"]["level_label"] if ov["debt"]["latest"] else "",
            "tiers": [float(t["threshold"]) for t in ov["debt"]["tiers"]],
        },
    }


# --- pages ----------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form, year, region = _selection(request)
    context: dict[str, Any] = {"form": form, "year": year, "region": region}
    if region is not None and year is not None:
        ov = overview(region, year)
        context.update(ov=ov, chart=chart_data(ov))
    return render_page(request, "budget/dashboards/overview.html", context, section="dashboard")


@login_required
def dashboard_function(request: HttpRequest, code: str) -> HttpResponse:
    _require_reader(request)
    if not code.isdigit() or len(code) > 12:
        raise Http404("没有这个功能分类")
    form, year, region = _selection(request)
    if region is None or year is None:
        raise Http404("没有预算数据")
    detail = function_detail(region, year, code)
    chart = {
        "names": [r["name"] for r in detail["rows"][:20]],
        "rate": [_num(r["rate"]) for r in detail["rows"][:20]],
        "progress": _num(detail["progress"]),
    }
    return render_page(
        request,
        "budget/dashboards/function.html",
        {"form": form, "year": year, "region": region, "detail": detail, "chart": chart},
        section="dashboard",
    )


@login_required
def dashboard_unit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    unit = get_unit_for_user(request.user, pk)
    code = request.GET.get("func", "")
    if code and (not code.isdigit() or len(code) > 12):
        code = ""
    detail = unit_figures(unit, code)
    return render_page(
        request,
        "budget/dashboards/unit.html",
        {"detail": detail, "unit": unit},
        section="dashboard",
    )


def _screen_access(request: HttpRequest) -> str | None:
    """A logged-in reader, or a valid display pass (budget/screen.py). Returns the pass to
    carry into the data feed's address, "" for a reader, None to send to the log-in page."""
    if can_view_alerts(request.user):
        return ""
    token = request.GET.get("pass", "")
    if screen_pass_user(token) is not None:
        return token
    if token:
        raise PermissionDenied("大屏链接已过期或无效，请重新生成。")
    if request.user.is_authenticated:
        _require_reader(request)
    return None


def bigscreen(request: HttpRequest) -> HttpResponse:
    token = _screen_access(request)
    if token is None:
        return redirect_to_login(request.get_full_path())
    form, year, region = _selection(request)
    context: dict[str, Any] = {"year": year, "region": region}
    if region is not None and year is not None:
        ov = overview(region, year)
        context.update(ov=ov, chart=chart_data(ov))
        query = {"year": year, "region": region.code, **({"pass": token} if token else {})}
        context["data_url"] = reverse("budget:bigscreen_data") + "?" + urlencode(query)
    return render(request, "budget/dashboards/bigscreen.html", context)


@never_cache
def bigscreen_data(request: HttpRequest) -> HttpResponse:
    token = _screen_access(request)
    if token is None:
        return redirect_to_login(request.get_full_path())
    _form, year, region = _selection(request)
    if region is None or year is None:
        return JsonResponse({"empty": True})
    return JsonResponse(chart_data(overview(region, year)))


@require_POST
@login_required
def bigscreen_pass(request: HttpRequest) -> HttpResponse:
    """A display link for the meeting-room screen, valid for PASS_HOURS (readers only)."""
    _require_reader(request)
    _form, year, region = _selection(request)
    token = issue_screen_pass(actor=acting_user(request))
    query = {"pass": token, **({"year": year, "region": region.code} if region and year else {})}
    link = request.build_absolute_uri(reverse("budget:bigscreen") + "?" + urlencode(query))
    return render(
        request,
        "budget/dashboards/bigscreen_pass.html",
        {"link": link, "hours": PASS_HOURS, "section": "dashboard", "perms_view": True},
    )
