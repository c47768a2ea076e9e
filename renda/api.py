"""The HTTP API (django-ninja) under /api/v1/; OpenAPI at /api/v1/docs.

The root sits above every app, next to renda/urls.py: each app keeps its endpoints in its own
`api.py` router and this module mounts them."""

from __future__ import annotations

from ninja import NinjaAPI

from renda.budget.api import router as budget_router
from renda.core.api import router as core_router

api = NinjaAPI(title="智慧人大 API", version="1", urls_namespace="api")
api.add_router("/", core_router)
api.add_router("/budget/", budget_router)
