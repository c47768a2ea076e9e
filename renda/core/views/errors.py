"""Chinese error pages. A 403 is a security event and is audited (等保 安全审计)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import audit


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    audit.record(
        actor=request.user,
        action="auth.permission_denied",
        outcome="failure",
        details={"path": request.path[:300], "method": request.method},
    )
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request the page cannot serve (a malformed number…): say what was wrong, in Chinese."""
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be the thing that failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
