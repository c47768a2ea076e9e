"""人大之家 · 预算公开: the year's budget and spending by the four budgets and by functional
class, for everybody without logging in. Only class-level totals leave the budget app
(dashboards.public_summary): no unit, payee, account or voucher reaches this page."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from renda.budget.selectors import dashboards
from renda.budget.selectors.data import available_years
from renda.core.params import year_param

# The public page may lag the data by a few minutes; in exchange a visit costs one cache
# read, whatever the traffic.
CACHE_SECONDS = 300


def _context(asked: int | None) -> dict[str, Any]:
    years = available_years()
    year = asked if asked in years else None
    year = year or (years[0] if years else None)
    region = dashboards.default_region(year) if year else None
    summary = dashboards.public_summary(region, year) if region and year else None
    return {"years": years, "year": year, "summary": summary}


def budget(request: HttpRequest) -> HttpResponse:
    asked = year_param(request.GET)
    key = f"portal:budget:{asked or ''}"
    context = cache.get(key)
    if context is None:
        context = _context(asked)
        cache.set(key, context, CACHE_SECONDS)
    return render(request, "portal/budget.html", context)
