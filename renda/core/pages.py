"""The one page-render helper: a module's pages share a side menu and a few values every page
of the module needs (which section is lit, what the user may see). A module makes its own
renderer once from a function giving those values; its views call it instead of `render`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class PageRenderer(Protocol):
    def __call__(
        self,
        request: HttpRequest,
        template: str,
        context: dict[str, Any],
        *,
        section: str = "",
        status: int = 200,
    ) -> HttpResponse: ...


def page_renderer(common: Callable[[HttpRequest], dict[str, Any]]) -> PageRenderer:
    def render_page(
        request: HttpRequest,
        template: str,
        context: dict[str, Any],
        *,
        section: str = "",
        status: int = 200,
    ) -> HttpResponse:
        context.update(common(request))
        if section:
            context["section"] = section
        return render(request, template, context, status=status)

    return render_page
