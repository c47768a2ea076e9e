"""The installable web app (issue 15 item 4): a deputy adds the site to the phone's home
screen from the browser, no app store. The manifest, the service worker and its offline page
are views rather than static files so that they name the static files by their served
(hashed, in production) URLs and the service worker is served from the site root, its scope.

The service worker keeps only static files and the offline page. Every page behind the log-in
carries personal data and `Cache-Control: no-store` (core.middleware.PrivatePagesMiddleware):
it must never land in a cache on a phone that can be lost, so the worker sends pages to the
network and stores none of them."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

APP_NAME = "智慧人大"
THEME_COLOUR = "#b3191f"  # --renda-red in css/renda.css
# Change when the worker's own logic changes; the file list changes the version by itself.
SW_REVISION = "1"

ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]

# What a phone keeps for a weak or lost connection: the look of every page, nothing more.
PRECACHE = [
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "css/renda.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/sw-register.js",
    "favicon.svg",
    "icons/icon-192.png",
]


def manifest(request: HttpRequest) -> HttpResponse:
    start = reverse("core:workbench")
    data = {
        "id": start,
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": "冷水江市人大代表履职平台：会议通知、知情知政、建议办理、进站履职。",
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": start,
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    files = [static(path) for path in PRECACHE]
    version = hashlib.sha256(
        json.dumps([SW_REVISION, files], ensure_ascii=False).encode()
    ).hexdigest()[:12]
    response = render(
        request,
        "core/sw.js",
        {
            "config": json.dumps(
                {
                    "version": version,
                    "staticPrefix": settings.STATIC_URL,
                    "offlineUrl": reverse("core:offline"),
                    "precache": files,
                },
                ensure_ascii=False,
            )
        },
        content_type="text/javascript; charset=utf-8",
    )
    # The worker's scope is the whole site: it is served from the root, and says so.
    response["Service-Worker-Allowed"] = "/"
    # A new version reaches phones on their next visit, not after an HTTP cache expires.
    response["Cache-Control"] = "no-cache"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows when a page cannot be fetched: the same for everyone, with no
    user's data in it (the worker fetches it without cookies)."""
    return render(request, "core/offline.html")
