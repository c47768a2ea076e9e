"""The push API: token, idempotency, limits and clear 4xx answers."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from renda.budget.models import IdempotencyRecord, Payment
from renda.budget.services import tokens
from renda.budget.tests.factories import with_indicator
from renda.core.models import ImportBatch

URL = "/api/v1/budget/{kind}/batches"


def record(voucher: str, amount: str = "1200.00", **over):
    values = {
        "PAY_APP_NO": voucher,
        "PAY_DATE": "2025-03-18",
        "FISCAL_YEAR": 2025,
        "MOF_DIV_CODE": "431381",
        "AGENCY_CODE": "105001",
        "BGT_ID": "ZB001",
        "EXP_FUNC_CODE": "2050203",
        "GOV_BGT_ECO_CODE": "50201",
        "DEP_BGT_ECO_CODE": "30201",
        "FUND_TYPE_CODE": "1",
        "PAYEE_ACCT_NAME": "湖南锡都办公设备有限公司",
        "FUND_TRAOBJ_TYPE_CODE": "单位",
        "PAY_APP_AMT": amount,
        "USE_DES": "办公用品采购",
    }
    values.update(over)
    return values


@pytest.fixture
def token(world, tmp_path):
    with_indicator(world.staff, tmp_path)
    _, raw = tokens.issue_push_token(
        actor=world.security_admin, name="财政一体化系统", user=world.data_provider
    )
    return raw


def post(raw, body, *, kind="payments", key="k-1", **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    if key:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    extra.update(headers)
    return Client().post(URL.format(kind=kind), data=data, content_type="application/json", **extra)


def test_it_imports_a_pushed_batch(world, token):
    response = post(token, [record("A1"), record("A2", PAY_APP_AMT=88.5)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "committed" and body["counts"]["inserted"] == 2
    batch = ImportBatch.objects.get(pk=body["batch_id"])
    assert batch.source == ImportBatch.Source.API and batch.created_by == world.data_provider
    assert str(Payment.objects.get(voucher_no="A2").amount) == "88.50"


def test_a_retry_returns_the_first_answer_and_writes_nothing_twice(world, token):
    first = post(token, [record("A1")], key="same")
    batches = ImportBatch.objects.count()
    again = post(token, [record("A1")], key="same")
    assert again.status_code == first.status_code == 201
    assert again.json()["batch_id"] == first.json()["batch_id"] and again.json()["replayed"]
    assert ImportBatch.objects.count() == batches and Payment.objects.count() == 1


def test_a_reused_key_with_another_body_is_refused(world, token):
    post(token, [record("A1")], key="same")
    response = post(token, [record("A9")], key="same")
    assert response.status_code == 409
    assert "已用于内容不同的另一个请求" in response.json()["detail"]
    assert not Payment.objects.filter(voucher_no="A9").exists()


def test_bad_records_get_422_with_errors_and_nothing_is_written(world, token):
    response = post(token, [record("A1"), record("A2", PAY_APP_AMT="abc", AGENCY_CODE="999")])
    assert response.status_code == 422
    texts = [e["text"] for e in response.json()["errors"]]
    assert "第 2 条「金额」：「abc」不是有效金额（以元为单位，最多两位小数）" in texts
    assert any(t.startswith("第 2 条「单位编码」") for t in texts)
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ('[{"PAY_APP_NO": ', 400, "不是有效的 JSON"),
        ('{"PAY_APP_NO": "A1"}', 400, "应为 JSON 数组"),
        ("[]", 400, "空数组"),
    ],
)
def test_malformed_bodies_get_a_clear_4xx(world, token, body, status, words):
    response = post(token, body)
    assert response.status_code == status and words in response.json()["detail"]
    assert not IdempotencyRecord.objects.filter(status_code__isnull=True).exists()


def test_a_body_over_the_limit_is_refused(world, token, monkeypatch):
    monkeypatch.setattr(tokens, "API_MAX_RECORDS", 3)
    response = post(token, [record(f"A{n}") for n in range(4)])
    assert response.status_code == 400 and "一次最多推送 3 条记录" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_a_wrong_kind_is_404_with_the_list(world, token):
    response = post(token, [record("A1")], kind="salaries")
    assert response.status_code == 404 and "未知的数据类型「salaries」" in response.json()["detail"]


def test_a_missing_idempotency_key_is_refused(world, token):
    response = post(token, [record("A1")], key=None)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]


def test_unknown_and_revoked_tokens_are_refused(world, token):
    assert post("rdb_nonsense", [record("A1")]).status_code == 401
    assert post(None, [record("A1")]).status_code == 401
    pushed = tokens.find_push_token(token)
    tokens.revoke_push_token(actor=world.security_admin, token=pushed)
    response = post(token, [record("A1")])
    assert response.status_code == 401 and "被吊销" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_a_token_limited_to_some_kinds_cannot_push_others(world, token):
    _, raw = tokens.issue_push_token(
        actor=world.security_admin, name="统计局", user=world.data_provider, kinds=["statistics"]
    )
    response = post(raw, [record("A1")])
    assert response.status_code == 403 and "无权推送" in response.json()["detail"]


def test_the_api_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/budget/{kind}/batches" in schema["paths"]
