"""The push API for data-provider systems: `POST /api/v1/budget/{kind}/batches`.

Authentication is a per-system bearer token that the security administrator issues and
revokes (PushToken). Each request must carry an `Idempotency-Key`; a retry with the same key
gets the first answer back and writes nothing twice. Every failure is a 4xx with a Chinese
`detail`, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from renda.budget.ingest.kinds import KINDS
from renda.budget.ingest.pipeline import sha256_of_records
from renda.budget.models import Alert, PushToken
from renda.budget.permissions import can_view_alerts
from renda.budget.selectors.exports import filtered, record
from renda.budget.services import tokens
from renda.budget.services.tokens import find_push_token, push_records
from renda.core import audit

router = Router(tags=["预算联网监督"])

# A JSON record of payments is about 600 bytes; 10,000 of them stay well under this.
MAX_BODY_BYTES = 16 * 1024 * 1024


class Detail(Schema):
    detail: str


class Counts(Schema):
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: int = 0


class BatchError(Schema):
    row: int | None
    column: str
    message: str
    text: str


class BatchOut(Schema):
    batch_id: int
    kind: str
    status: str
    status_display: str
    sha256: str
    counts: Counts
    errors: list[BatchError]
    message: str = ""
    replayed: bool = False


class TokenAuth(HttpBearer):
    """Bearer token → PushToken. A revoked or unknown token is refused with a reason."""

    def authenticate(self, request: HttpRequest, token: str) -> PushToken | None:
        from ninja.errors import HttpError

        found = find_push_token(token)
        if found is None:
            audit.record(
                actor=None,
                action="budget.api_denied",
                outcome="failure",
                username="API",
                details={"reason": "unknown token", "path": request.path},
            )
            raise HttpError(401, "令牌无效：请向安全管理员申请数据推送令牌")
        if not found.is_active:
            audit.record(
                actor=None,
                action="budget.api_denied",
                outcome="failure",
                username=found.user.username,
                target=found,
                details={"reason": "revoked token", "path": request.path},
            )
            raise HttpError(
                401,
                f"令牌已于 {found.revoked_at:%Y-%m-%d %H:%M} 被吊销：请向安全管理员申请新的令牌",
            )
        if not found.user.is_active:
            raise HttpError(403, "令牌所属的数据报送账号已停用")
        return found


KIND_LIST = "、".join(KINDS)
REQUEST_BODY = {
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "maxItems": tokens.API_MAX_RECORDS,
                "items": {"type": "object", "additionalProperties": True},
                "description": "记录数组，字段名与导入文件的列名相同（中文列名或预算管理一体化字段名，如 PAY_APP_NO）",
            },
            "example": [
                {
                    "PAY_APP_NO": "ZF431381202500000001",
                    "PAY_DATE": "2025-03-18",
                    "FISCAL_YEAR": 2025,
                    "MOF_DIV_CODE": "431381",
                    "AGENCY_CODE": "105001",
                    "BGT_ID": "20254313810000123",
                    "EXP_FUNC_CODE": "2050203",
                    "GOV_BGT_ECO_CODE": "50201",
                    "DEP_BGT_ECO_CODE": "30201",
                    "FUND_TYPE_CODE": "1",
                    "PAYEE_ACCT_NAME": "湖南锡都办公设备有限公司",
                    "PAYEE_ACCT_NO": "43050170363600000123",
                    "FUND_TRAOBJ_TYPE_CODE": "单位",
                    "PAY_APP_AMT": "12800.00",
                    "USE_DES": "办公用品采购",
                    "THR_EXP": "",
                }
            ],
        }
    },
    "required": True,
}


@router.post(
    "/{kind}/batches",
    auth=TokenAuth(),
    response={
        200: BatchOut,
        201: BatchOut,
        400: Detail,
        401: Detail,
        403: Detail,
        404: Detail,
        409: Detail,
        413: Detail,
        422: BatchOut,
    },
    summary="推送一批预算数据",
    description=(
        f"数据类型 kind 取：{KIND_LIST}。请求体为 JSON 数组，一次最多 {tokens.API_MAX_RECORDS} 条。"
        "必须带 `Idempotency-Key` 请求头（每个新请求一个新值，重试时沿用）：同一个键的重试返回第一次的结果，"
        "不会重复写入。全部记录校验通过才写入（201）；有错误时一条也不写，返回 422 和逐条错误；"
        "内容与已导入的批次完全相同时返回 200。"
    ),
    openapi_extra={
        "requestBody": REQUEST_BODY,
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": {"type": "string", "maxLength": 200},
                "description": "幂等键：重试同一请求时保持不变",
            }
        ],
    },
)
def push_batch(request: HttpRequest, kind: str) -> Status[dict[str, Any]]:
    token: PushToken = request.auth  # type: ignore[attr-defined]
    too_big = f"请求体太大：一次最多 {tokens.API_MAX_RECORDS} 条记录，请分批推送"
    if kind not in KINDS:
        return _detail(404, f"未知的数据类型「{kind}」；可用：{KIND_LIST}")
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return _detail(
            400,
            "缺少 Idempotency-Key 请求头：每个请求请带一个唯一值（如 UUID），重试时沿用同一个值",
        )
    if len(key) > 200:
        return _detail(400, "Idempotency-Key 不能超过 200 个字符")
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _detail(413, too_big)
    try:
        body = request.body
    except Exception:  # RequestDataTooBig and friends
        return _detail(413, too_big)
    if len(body) > MAX_BODY_BYTES:
        return _detail(413, too_big)
    try:
        # Numbers stay text, so that 12800.10 is not turned into a float on the way.
        records = json.loads(body.decode("utf-8"), parse_float=str, parse_int=str)
    except UnicodeDecodeError:
        return _detail(400, "请求体不是 UTF-8 编码的文本")
    except json.JSONDecodeError as exc:
        return _detail(
            400,
            f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有错误（{exc.msg}）",
        )
    if not isinstance(records, list):
        return _detail(400, "请求体应为 JSON 数组（[...]），每个元素是一条记录")
    answer = push_records(
        token=token,
        kind=kind,
        records=records,
        idempotency_key=key,
        body_sha256=sha256_of_records(records),
    )
    return Status(answer.status, answer.body)


def _detail(status: int, text: str) -> Status[dict[str, Any]]:
    return Status(status, {"detail": text})


# --- alerts (issue 6) ---------------------------------------------------------------------


class SessionReader(SessionAuth):
    """A logged-in budget reader (staff or standing-committee member), by session cookie."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user and can_view_alerts(user) else None


class AlertOut(Schema):
    id: int
    rule: str
    rule_name: str
    level: int
    level_name: str
    region: str
    year: int
    period: str
    subject_type: str
    subject: str
    subject_name: str
    amount: str
    status: str
    handling: str
    explanation: str
    figures: dict[str, Any]
    rule_version: int
    raised_at: str


class AlertPage(Schema):
    count: int
    offset: int
    limit: int
    results: list[AlertOut]


@router.get(
    "/alerts",
    auth=SessionReader(),
    response={200: AlertPage, 400: Detail, 401: Detail},
    summary="预警列表",
    description=(
        "按规则、级别（1 提示、2 警告、3 严重）、状态（open 预警中 / cleared 已消除 / superseded 已由后续月份接续）、年度和期间（YYYY-MM）筛选；"
        "分页：offset、limit（最多 1000）。需以人大机关工作人员或常委会组成人员身份登录。"
    ),
)
def list_alerts(
    request: HttpRequest,
    year: int | None = None,
    rule: str | None = None,
    level: int | None = None,
    status: str | None = None,
    period: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> Status[dict[str, Any]]:
    if level is not None and level not in (1, 2, 3):
        return _detail(400, "level 应为 1（提示）、2（警告）或 3（严重）")
    if status is not None and status not in Alert.Status.values:
        return _detail(400, "status 应为 open、cleared 或 superseded")
    if period is not None and not re.fullmatch(r"\d{4}-\d{2}", period):
        return _detail(400, "period 格式应为 YYYY-MM")
    if not 1 <= limit <= 1000 or offset < 0:
        return _detail(400, "limit 应在 1–1000 之间，offset 不能为负")
    qs = filtered(
        Alert.objects.all(), year=year, rule=rule, level=level, status=status, period=period
    ).order_by("-period", "-level", "rule__code", "subject_key")
    page = qs.select_related("rule", "region")[offset : offset + limit]
    return Status(
        200,
        {
            "count": qs.count(),
            "offset": offset,
            "limit": limit,
            "results": [record(a) for a in page],
        },
    )
