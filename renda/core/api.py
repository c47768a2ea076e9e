"""Core's endpoints of the HTTP API: the health check. The API root that mounts every app's
router is renda/api.py."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router()


class Health(Schema):
    status: str
    database: str


@router.get("/health", response=Health, auth=None, summary="健康检查（负载均衡器使用）")
def health(request: HttpRequest) -> Health:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Health(status="ok", database=connection.vendor)
