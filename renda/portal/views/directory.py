"""人大之家: the home page and the directory of deputies. No log-in; only public fields of
serving deputies."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from renda.deputies.models import Deputy
from renda.deputies.selectors import (
    public_deputies,
    public_deputy_counts,
    townships_with_deputy_counts,
)
from renda.stations.models import Station
from renda.suggestions.selectors import public_suggestions

from ..forms import DirectoryFilterForm

PAGE_SIZE = 30


def home(request: HttpRequest) -> HttpResponse:
    counts = public_deputy_counts()
    context = {
        "city_count": counts["city"],
        "township_count": counts["township"],
        "station_count": Station.objects.filter(is_active=True).count(),
        "townships": townships_with_deputy_counts(),
        "form": DirectoryFilterForm(),
    }
    return render(request, "portal/home.html", context)


def deputy_directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET)
    filters = form.filters()
    qs = public_deputies()
    if "q" in filters:
        qs = qs.filter(name__contains=str(filters["q"]).strip())
    if "region" in filters:
        qs = qs.filter(region=filters["region"])
    if "level" in filters:
        qs = qs.filter(term__level=filters["level"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/deputies.html",
        {"page": page, "form": form, "filtered": bool(filters), "query": query.urlencode()},
    )


def deputy_profile(request: HttpRequest, pk: int) -> HttpResponse:
    # Ended, suspended and past-term deputies are not public: 404, like an unknown id.
    deputy = get_object_or_404(public_deputies(), pk=pk)
    # Only what staff reviewed and published, newest first (suggestions' disclosure rules).
    suggestions = public_suggestions().filter(lead_deputy=deputy).order_by("-published_at")[:20]
    return render(
        request,
        "portal/deputy.html",
        {
            "deputy": deputy,
            # The station is stations' fact about the deputy: read from stations directly.
            "station": Station.objects.filter(members__deputy=deputy)
            .only("name", "address", "opening_hours")
            .first(),
            "category": Deputy.Category(deputy.category).label,
            "suggestions": suggestions,
        },
    )
