"""The HTTP API (django-ninja) under /api/v1/; OpenAPI at /api/v1/docs.

The root sits above every app, next to renda/urls.py: each app keeps its endpoints in its own
`api.py` router and this module mounts them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from renda.budget.api import router as budget_router
from renda.core.api import router as core_router

api = NinjaAPI(title="智慧人大 API", version="1", urls_namespace="api")
api.add_router("/", core_router)
api.add_router("/budget/", budget_router)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A parameter or body that does not parse (year=AAA) is a 400 with a Chinese `detail`,
    like every other refusal of the API and as the schema documents, not ninja's 422 list
    in English."""
    problems = []
    for error in exc.errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "请求"
        problems.append(f"{where}：{_MESSAGES.get(error.get('type', ''), '取值无效')}")
    return api.create_response(request, {"detail": "参数有误：" + "；".join(problems)}, status=400)


_MESSAGES = {
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "missing": "缺少必填项",
    "string_type": "应为文本",
    "json_invalid": "不是有效的 JSON",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "string_too_long": "太长",
    "string_too_short": "太短",
    "string_pattern_mismatch": "格式不对",
}
