"""The renderer of every budget page: the side menu's section and whether the user may see
the budget data (`perms_view`), through core's one page helper."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renda.budget.permissions import can_view_budget_data
from renda.core.pages import page_renderer


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"perms_view": can_view_budget_data(request.user)}


render_page = page_renderer(_common)
