"""Public pages of a sealed round: the list of trackers (回执核验码; never with choices) and
the verification of the ballot box. A deputy looks their tracker up in the page itself (the
search runs in the browser), so no request carries a tracker next to their address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import chain
from ..permissions import get_public_round
from ..selectors import trackers, verify_round


def tracker_list(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_public_round(pk)
    return render(
        request,
        "livelihood/public/trackers.html",
        {"round": round_, "vote": round_.vote, "trackers": trackers(round_)},
    )


def verify(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_public_round(pk)
    expected = "".join(ch for ch in request.GET.get("fp", "")[:100] if ch.isalnum())
    report = verify_round(round_, expected=expected)
    return render(
        request,
        "livelihood/public/verify.html",
        {
            "round": round_,
            "vote": round_.vote,
            "report": report,
            "expected": expected,
            "grouped_fp": chain.grouped(report.fingerprint),
            "grouped_stored": chain.grouped(report.stored),
            "grouped_manifest": chain.grouped(round_.manifest_hash),
        },
    )
