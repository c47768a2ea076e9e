from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from renda.core.models import Region
from renda.deputies.models import Deputy
from renda.deputies.selectors import public_deputies
from renda.stations.models import Station


def home(request: HttpRequest) -> HttpResponse:
    deputies = public_deputies()
    context = {
        "city_count": deputies.filter(term__level="city").count(),
        "township_count": deputies.filter(term__level="township").count(),
        "station_count": Station.objects.filter(is_active=True).count(),
        "townships": Region.objects.filter(level__in=["township", "subdistrict"]).annotate(
            n=Count("deputies", filter=Q(deputies__status="active"))
        ),
    }
    return render(request, "portal/home.html", context)


def deputy_directory(request: HttpRequest) -> HttpResponse:
    qs = public_deputies()
    q = request.GET.get("q", "").strip()[:20]
    region = request.GET.get("region", "")
    level = request.GET.get("level", "")
    if q:
        qs = qs.filter(name__contains=q)
    if region.isdigit():
        qs = qs.filter(region__code=region)
    if level in {"city", "township"}:
        qs = qs.filter(term__level=level)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    regions = Region.objects.filter(level__in=["township", "subdistrict"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "portal/deputies.html",
        {"page": page, "regions": regions, "q": q, "region": region, "level": level, "query": query.urlencode()},
    )


def deputy_profile(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = get_object_or_404(public_deputies(), pk=pk)
    return render(request, "portal/deputy.html", {"deputy": deputy, "category": Deputy.Category(deputy.category).label})
