"""The HTTP API (django-ninja) under /api/v1/; OpenAPI at /api/v1/docs. Apps add routers."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import NinjaAPI, Schema

api = NinjaAPI(title="智慧人大 API", version="1", urls_namespace="api")


class Health(Schema):
    status: str
    database: str


@api.get("/health", response=Health, auth=None, summary="健康检查（负载均衡器使用）")
def health(request: HttpRequest) -> Health:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Health(status="ok", database=connection.vendor)


from renda.budget.api import router as budget_router  # noqa: E402

api.add_router("/budget/", budget_router)
