"""人大之家 station pages: no log-in, phone-first (390×844). The station directory with an
offline township diagram, each station's page (deputies, schedule, recent work, figures, QR
code to print), the opinion form (general or bound to a station by its QR code), and the
tracking page where the constituent follows the opinion with the tracking code and rates it
with the 评价码, a second secret shown only once, on the page right after submitting.

What the public never gets: contact data (of anybody), another person's opinion (codes are
unguessable; a wrong, malformed or unknown code gets exactly the same answer), internal notes
or staff names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from renda.core.forms import add_service_errors
from renda.core.workflow import TransitionNotAllowed, history

from .. import ratelimit, services
from ..forms import PublicOpinionForm, PublicRateForm, TrackForm
from ..models import Opinion, Photo, Station
from ..permissions import public_stations
from ..rules import rules
from ..selectors import (
    county_figures,
    public_station_deputies,
    recent_public_work,
    upcoming_slots,
)

# Steps whose note the constituent may read (the answer, the reason for not accepting, the
# station's feedback); other notes are internal (交办说明, 退回理由 …).
PUBLIC_NOTES = {"answer", "reply", "reject", "relay", "feedback"}


def qr_svg(url: str, *, scale: int = 5) -> str:
    """The QR code as inline SVG (no image request, prints sharply, works offline)."""
    return str(segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff"))


def qr_target(request: HttpRequest, station: Station) -> str:
    return request.build_absolute_uri(
        reverse("stations:public_station_opinion", args=[station.pk]) + "?via=qr"
    )


def _schematic(stations: Sequence[Station]) -> list[dict[str, Any]]:
    """Stations with coordinates placed on a 0–100 box for an offline SVG sketch map."""
    located = [s for s in stations if s.latitude is not None and s.longitude is not None]
    if len(located) < 2:
        return []
    lats = [float(s.latitude) for s in located]  # type: ignore[arg-type]
    lons = [float(s.longitude) for s in located]  # type: ignore[arg-type]
    lat_span = (max(lats) - min(lats)) or 1.0
    lon_span = (max(lons) - min(lons)) or 1.0
    return [
        {
            "station": s,
            "x": round(5 + 90 * (float(s.longitude) - min(lons)) / lon_span, 2),  # type: ignore[arg-type]
            "y": round(5 + 90 * (max(lats) - float(s.latitude)) / lat_span, 2),  # type: ignore[arg-type]
        }
        for s in located
    ]


def public_directory(request: HttpRequest) -> HttpResponse:
    stations = list(
        public_stations()
        .annotate(deputy_count=Count("members", filter=Q(members__deputy__status="active")))
        .order_by("region__code", "code")
    )
    townships: dict[str, list[Station]] = {}
    for s in stations:
        townships.setdefault(s.region.name, []).append(s)
    year = timezone.localdate().year
    return render(
        request,
        "stations/public/directory.html",
        {
            "townships": townships,
            "points": _schematic(stations),
            "count": len(stations),
            "year": year,
            "figures": county_figures(year),
        },
    )


def public_station(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(public_stations(), pk=pk)
    year = timezone.localdate().year
    return render(
        request,
        "stations/public/station.html",
        {
            "station": station,
            "deputies": public_station_deputies(station),
            "slots": upcoming_slots(station, timezone.localdate(), published_only=True),
            "recent": recent_public_work(station),
            "figures": county_figures(year, [station.pk]),
            "year": year,
            "photos": Photo.objects.filter(station=station, reception__isnull=True).only(
                "id", "caption"
            )[:4],
            "qr": qr_svg(qr_target(request, station), scale=4),
            "qr_url": qr_target(request, station),
            "states": dict(Opinion._meta.get_field("state").choices),  # type: ignore[arg-type]
            "categories": dict(Opinion._meta.get_field("category").choices),  # type: ignore[arg-type]
        },
    )


def public_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A poster to print and put up at the station: scan to give an opinion."""
    station = get_object_or_404(public_stations(), pk=pk)
    url = qr_target(request, station)
    return render(
        request,
        "stations/public/qr_poster.html",
        {"station": station, "qr": qr_svg(url, scale=10), "qr_url": url},
    )


def _opinion_form(request: HttpRequest, station: Station | None) -> HttpResponse:
    r = rules()
    if request.method == "POST":
        form = PublicOpinionForm(request.POST, request.FILES, fixed_station=station)
        token = request.POST.get("form_token", "")
        # A resubmission of a form already saved (double click, retry after a lost answer)
        # gets the same tracking code, and is not counted against the limit.
        existing = Opinion.objects.filter(form_token=token).first() if token else None
        if existing is not None:
            return redirect("stations:public_track_detail", existing.tracking_code)
        if not ratelimit.hit("submit", request, limit=r.submit_limit, window=r.submit_window):
            form.add_error(None, "提交过于频繁，请稍后再试。您填写的内容已保留。")
            return _render_form(request, form, station, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if data.get("website"):
                # A bot filled the hidden field: answer as if accepted, store nothing.
                return render(request, "stations/public/bot.html", status=200)
            try:
                opinion, _ = services.submit_opinion(
                    actor=None,
                    station=station or data.get("station"),
                    source=(
                        Opinion.Source.QR
                        if station and request.GET.get("via") == "qr"
                        else Opinion.Source.WEB
                    ),
                    category=data["category"],
                    content=data["content"],
                    location=data["location"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    attachments=data["attachments"],
                    form_token=data["form_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except DatabaseError:
                # Nothing was committed, so nothing is acknowledged: say so and keep the text.
                form.add_error(None, "系统繁忙，您的意见没有保存成功，请稍后再提交一次。")
                return _render_form(request, form, station, status=503)
            else:
                # Acknowledged only now: submit_opinion has returned, the row is committed.
                messages.success(
                    request, "提交成功！请记下查询码和评价码：凭查询码查看办理进展，凭评价码评价。"
                )
                _keep_rating_code(request, opinion)
                return redirect("stations:public_track_detail", opinion.tracking_code)
        return _render_form(request, form, station, status=200)
    form = PublicOpinionForm(
        initial={"form_token": services.new_form_token()}, fixed_station=station
    )
    return _render_form(request, form, station)


# The 评价码 of the opinion this browser has just submitted, until the confirmation shows it.
_FRESH_CODE = "stations_fresh_rating_code"


def _keep_rating_code(request: HttpRequest, opinion: Opinion) -> None:
    request.session[_FRESH_CODE] = [opinion.tracking_code, opinion.rating_code]


def _fresh_rating_code(request: HttpRequest, opinion: Opinion) -> str:
    """The plain 评价码, on the first view of the confirmation only (then gone for good)."""
    kept = request.session.get(_FRESH_CODE)
    if not kept or kept[0] != opinion.tracking_code:
        return ""
    del request.session[_FRESH_CODE]
    opinion.rating_code = str(kept[1])
    return opinion.formatted_rating_code


def _render_form(
    request: HttpRequest, form: PublicOpinionForm, station: Station | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "stations/public/opinion_form.html",
        {"form": form, "station": station, "rules": rules()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("contact_name", "contact_phone")
def public_opinion(request: HttpRequest) -> HttpResponse:
    return _opinion_form(request, None)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("contact_name", "contact_phone")
def public_station_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    station = get_object_or_404(public_stations(), pk=pk)
    return _opinion_form(request, station)


def _not_found(request: HttpRequest, form: TrackForm | None = None) -> HttpResponse:
    """The one answer for a wrong, malformed or unknown code (nothing to tell them apart)."""
    return render(
        request,
        "stations/public/track.html",
        {"form": form or TrackForm(), "not_found": True},
        status=404,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stations/public/track.html",
        {"form": TrackForm(), "too_many": True},
        status=429,
    )


def _lookup(request: HttpRequest, code: str) -> Opinion | None:
    r = rules()
    if ratelimit.exceeded("track", request, limit=r.track_limit, window=r.track_window):
        raise _TooMany
    opinion = (
        Opinion.objects.filter(tracking_code=services.normalise_code(code))
        .select_related("station", "unit")
        .defer("contact_name", "contact_phone")
        .first()
    )
    if opinion is None:
        # Only misses count: a constituent checking their own code is never locked out.
        ratelimit.hit("track", request, limit=r.track_limit, window=r.track_window)
    return opinion


class _TooMany(Exception):
    pass


@require_http_methods(["GET", "POST"])
def public_track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _not_found(request, form)
        try:
            opinion = _lookup(request, form.cleaned_data["code"])
        except _TooMany:
            return _too_many(request)
        if opinion is None:
            return _not_found(request, form)
        return redirect("stations:public_track_detail", opinion.tracking_code)
    return render(request, "stations/public/track.html", {"form": form})


def public_track_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        opinion = _lookup(request, code)
    except _TooMany:
        return _too_many(request)
    if opinion is None:
        return _not_found(request)
    return _track_page(request, opinion, PublicRateForm(), _fresh_rating_code(request, opinion))


def _track_page(
    request: HttpRequest,
    opinion: Opinion,
    rate_form: PublicRateForm,
    rating_code: str = "",
    status: int = 200,
) -> HttpResponse:
    timeline = [
        {
            "at": e.event.created_at,
            "label": e.transition_label,
            "to": e.to_label,
            "note": e.event.note if e.event.transition in PUBLIC_NOTES else "",
        }
        for e in history(opinion)
    ]
    response = render(
        request,
        "stations/public/track_detail.html",
        {
            "opinion": opinion,
            "timeline": timeline,
            "rate_form": rate_form if opinion.state == "replied" else None,
            "rating_code": rating_code,
        },
        status=status,
    )
    # The page is the constituent's own: no shared caches. (The site-wide Referrer-Policy
    # same-origin already keeps the code in the URL from leaving the site; "no-referrer"
    # would make browsers send "Origin: null" with the rating form, which CSRF refuses.)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@sensitive_post_parameters("rating_code")
def public_rate(request: HttpRequest, code: str) -> HttpResponse:
    """The constituent's rating: the tracking code finds the opinion, the 评价码 proves who
    rates (a wrong one counts as a miss against the tracking page's limit)."""
    try:
        opinion = _lookup(request, code)
    except _TooMany:
        return _too_many(request)
    if opinion is None:
        return _not_found(request)
    form = PublicRateForm(request.POST)
    if form.is_valid():
        try:
            services.rate_opinion(
                actor=None,
                opinion=opinion,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                expected_state="replied",
                rating_code=form.cleaned_data["rating_code"],
            )
        except TransitionNotAllowed:
            messages.error(request, "该意见当前不能评价（可能已经评价过）。")
            return redirect("stations:public_track_detail", opinion.tracking_code)
        except ValidationError as error:
            if "rating_code" in getattr(error, "error_dict", {}):
                r = rules()
                ratelimit.hit("track", request, limit=r.track_limit, window=r.track_window)
            add_service_errors(form, error)
        else:
            messages.success(request, "感谢您的评价！")
            return redirect("stations:public_track_detail", opinion.tracking_code)
    return _track_page(request, opinion, form, status=200)
