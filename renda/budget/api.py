"""The push API for data-provider systems: `POST /api/v1/budget/{kind}/batches`.

Authentication is a per-system bearer token that the security administrator issues and
revokes (PushToken). Each request must carry an `Idempotency-Key`; a retry with the same key
gets the first answer back and writes nothing twice. Every failure is a 4xx with a Chinese
`detail`, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from renda.budget.ingest.kinds import KINDS
from renda.budget.ingest.pipeline import sha256_of_records
from renda.budget.models import Alert, PushToken
from renda.budget.permissions import can_view_alerts
from renda.budget.selectors.exports import filtered, record
from renda.budget.services import tokens
from renda.budget.services.tokens import DenialThrottle, find_push_token, push_records
from renda.core.params import MAX_YEAR, MIN_YEAR

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
    """Bearer token → PushToken. A revoked or unknown token is refused with a reason.

    Denials are counted per client address (DenialThrottle): the first of a window is
    audited, repeats only counted and summarised in one row when the window is over, and an
    address over the limit gets 429 without its token being looked up."""

    def authenticate(self, request: HttpRequest, token: str) -> PushToken | None:
        from ninja.errors import HttpError

        throttle = DenialThrottle(request)
        if throttle.blocked():
            throttle.deny(reason="too many denials", path=request.path)
            raise HttpError(429, throttle.message())
        found = find_push_token(token)
        if found is None:
            throttle.deny(reason="unknown token", path=request.path)
            raise HttpError(401, "令牌无效：请向安全管理员申请数据推送令牌")
        if not found.is_active:
            throttle.deny(
                reason="revoked token",
                path=request.path,
                username=found.user.username,
                target=found,
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
                "minItems": 1,
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
        429: Detail,
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
                # What the handler accepts: 1–200 characters, not only blanks.
                "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
                "description": "幂等键：重试同一请求时保持不变",
            }
        ],
    },
)
def push_batch(
    request: HttpRequest,
    kind: Annotated[str, Field(json_schema_extra={"enum": list(KINDS)})],
) -> Status[dict[str, Any]]:
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
    records = _parsed(body)
    if isinstance(records, Status):
        return records
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


# A record is an object of plain values; nothing sensible nests deeper than this.
MAX_DEPTH = 8


def _parsed(body: bytes) -> Any:
    """The JSON body, or a 400 that says in Chinese what is wrong with it. A body nested
    thousands of levels deep made the parser raise RecursionError (a 500)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _detail(400, "请求体不是 UTF-8 编码的文本")
    if _depth(text) > MAX_DEPTH:
        return _detail(
            400, f"请求体嵌套过深：记录数组里的每条记录应为字段名和值，最多 {MAX_DEPTH} 层"
        )
    try:
        # Numbers stay text, so that 12800.10 is not turned into a float on the way.
        return _clean(json.loads(text, parse_float=str, parse_int=str))
    except RecursionError:  # pragma: no cover - _depth() refuses such bodies first
        return _detail(400, "请求体嵌套过深")
    except json.JSONDecodeError as exc:
        return _detail(
            400,
            f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有错误（{exc.msg}）",
        )


# Control characters are dropped as from every form (core.middleware.CONTROL_CHARACTERS),
# and so are lone surrogates ("\ud919"), which JSON allows but UTF-8 cannot store: a
# "\u0000" reached PostgreSQL's jsonb and answered 500 (found by the CI fuzz run).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_UNSTORABLE.sub("", str(k)): _clean(v) for k, v in value.items()}
    return value


_BRACKETS_AND_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth(text: str) -> int:
    """How deep the brackets of a JSON text nest, outside strings (without recursion)."""
    depth = deepest = 0
    for match in _BRACKETS_AND_STRINGS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


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


# The bounds each numeric parameter has in the schema are the ones the handler checks (here,
# with a Chinese 400), so that a value the schema allows is never refused and a value past
# them (offset=99999999999999999999 overflowed the database's integer: a 500) never reaches
# the query.
MAX_OFFSET = 10**9


def _bounds(low: int, high: int) -> dict[str, Any]:
    return {"minimum": low, "maximum": high}


# A month of a year the parameters accept (MIN_YEAR–MAX_YEAR = 1949–2100): "0000-00" once
# reached the database and answered 500. The schema states the same pattern.
PERIOD_PATTERN = r"^(19(49|[5-9]\d)|20\d\d|2100)-(0[1-9]|1[0-2])$"


def _alert_filter_problem(
    year: int | None,
    rule: str | None,
    level: int | None,
    status: str | None,
    period: str | None,
    offset: int,
    limit: int,
) -> str:
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        return f"year 应在 {MIN_YEAR}–{MAX_YEAR} 之间"
    if level is not None and level not in (1, 2, 3):
        return "level 应为 1（提示）、2（警告）或 3（严重）"
    if rule is not None and len(rule) > 20:
        return "rule 最多 20 个字符（规则编号，如 B01）"
    if status is not None and status not in Alert.Status.values:
        return "status 应为 open、cleared 或 superseded"
    if period is not None and not re.fullmatch(PERIOD_PATTERN, period):
        return f"period 格式应为 YYYY-MM（年份 {MIN_YEAR}–{MAX_YEAR}，月份 01–12）"
    if not 1 <= limit <= 1000 or not 0 <= offset <= MAX_OFFSET:
        return f"limit 应在 1–1000 之间，offset 应在 0–{MAX_OFFSET} 之间"
    return ""


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
    year: Annotated[int, Field(json_schema_extra=_bounds(MIN_YEAR, MAX_YEAR))] | None = None,
    rule: Annotated[str, Field(json_schema_extra={"maxLength": 20})] | None = None,
    level: Annotated[int, Field(json_schema_extra=_bounds(1, 3))] | None = None,
    status: Annotated[str, Field(json_schema_extra={"enum": list(Alert.Status.values)})]
    | None = None,
    period: Annotated[str, Field(json_schema_extra={"pattern": PERIOD_PATTERN})] | None = None,
    offset: Annotated[int, Field(json_schema_extra=_bounds(0, MAX_OFFSET))] = 0,
    limit: Annotated[int, Field(json_schema_extra=_bounds(1, 1000))] = 200,
) -> Status[dict[str, Any]]:
    # The schema's bounds (length, enum, pattern) hold for the values sent, before the control
    # characters are dropped (core.middleware.InputCleaningMiddleware): "open\x00" is no status.
    sent = getattr(request, "uncleaned_GET", request.GET)
    problem = _alert_filter_problem(
        year,
        sent.get("rule", rule),
        level,
        sent.get("status", status),
        sent.get("period", period),
        offset,
        limit,
    )
    if problem:
        return _detail(400, problem)
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
