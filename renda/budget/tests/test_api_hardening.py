"""The push and alert API against what a fuzzer sends (issue 13, items 9–11)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.cache import cache

from renda.budget.ingest.pipeline import sha256_of_records
from renda.budget.models import IdempotencyRecord, Payment
from renda.budget.services import tokens
from renda.budget.tests.test_api import URL, post, record
from renda.budget.tests.test_api import token as token  # fixture
from renda.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_unknown_tokens_write_one_audit_row_per_address_and_window(world, monkeypatch):
    clock = [1_800_000_000.0]
    monkeypatch.setattr(tokens.time, "time", lambda: clock[0])
    answers = [post(f"rdb_guess{n}", [record("A1")]).status_code for n in range(30)]
    assert answers[: settings.API_DENIAL_LIMIT] == [401] * settings.API_DENIAL_LIMIT
    assert set(answers[settings.API_DENIAL_LIMIT :]) == {429}
    assert AuditEvent.objects.filter(action="budget.api_denied").count() == 1
    # another address has its own count
    post("rdb_other", [record("A1")], REMOTE_ADDR="10.0.0.9")
    assert AuditEvent.objects.filter(action="budget.api_denied").count() == 2

    clock[0] += tokens.DenialThrottle.WINDOW
    assert post("rdb_later", [record("A1")]).status_code == 401
    summary = AuditEvent.objects.get(action="budget.api_denied_repeats")
    assert summary.details["count"] == 29 and summary.details["window_seconds"] == 600
    assert AuditEvent.objects.filter(action="budget.api_denied").count() == 3
    post("rdb_later2", [record("A1")])
    assert AuditEvent.objects.filter(action="budget.api_denied_repeats").count() == 1


def test_a_body_nested_a_hundred_thousand_deep_is_a_chinese_400(world, token):
    response = post(token, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and "嵌套过深" in response.json()["detail"]
    # brackets inside strings do not count
    response = post(token, [record("A1", USE_DES="[[[[[[[[[[[[[[[[[[[[")])
    assert response.status_code == 201, response.content


def test_an_idempotency_key_is_tied_to_the_kind_of_data(world, token):
    first = post(token, [record("A1")], key="same")
    assert first.status_code == 201
    other = post(token, [record("A1")], kind="indicators", key="same")
    assert other.status_code == 409, other.content
    assert "已用于推送「支付凭证」数据" in other.json()["detail"]
    assert "replayed" not in other.json()
    assert post(token, [record("A1")], key="same").json()["replayed"]


def test_a_running_first_request_under_another_kind_is_a_clear_conflict(world, token):
    pushed = tokens.find_push_token(token)
    parsed = json.loads(json.dumps([record("A1")]), parse_int=str, parse_float=str)
    body_sha = sha256_of_records(parsed)
    IdempotencyRecord.objects.create(
        token=pushed, key="busy", request_sha256=tokens.request_fingerprint("indicators", body_sha)
    )
    response = post(token, [record("A1")], key="busy")
    assert response.status_code == 409 and "已用于推送" in response.json()["detail"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "offset=99999999999999999999",
        "offset=-1",
        "limit=0",
        "limit=1001",
        "level=0",
        "level=4",
        "year=99999",
        "year=0",
        "period=2025-1",
        # found by the CI fuzz run: year 0 reached the database and answered 500
        "period=0000-00",
        "period=2025-13",
        "period=1948-12",
        "status=gone",
        "year=AAA",
        "level=x",
        "offset=1.5",
    ],
)
def test_alert_parameters_out_of_range_are_a_400_not_a_500(world, client_for, query):
    response = client_for("sc_member").get(f"/api/v1/budget/alerts?{query}")
    # 400 with a Chinese detail, the status the schema documents (not ninja's English 422)
    assert response.status_code == 400, response.content
    assert "应" in response.json()["detail"] or "有误" in response.json()["detail"]


def _parameters(schema, path, method):
    return {p["name"]: p for p in schema["paths"][path][method]["parameters"]}


def test_the_schema_says_what_the_handlers_accept(client):
    schema = client.get("/api/v1/openapi.json").json()
    push = schema["paths"]["/api/v1/budget/{kind}/batches"]["post"]
    key = _parameters(schema, "/api/v1/budget/{kind}/batches", "post")["Idempotency-Key"]
    assert key["schema"]["minLength"] == 1 and key["schema"]["maxLength"] == 200
    body = push["requestBody"]["content"]["application/json"]["schema"]
    assert body["minItems"] == 1 and body["maxItems"] == tokens.API_MAX_RECORDS
    kind = _parameters(schema, "/api/v1/budget/{kind}/batches", "post")["kind"]
    assert "payments" in kind["schema"]["enum"]
    assert "429" in push["responses"]
    alerts = _parameters(schema, "/api/v1/budget/alerts", "get")
    level = alerts["level"]["schema"]["anyOf"][0]
    assert (level["type"], level["minimum"], level["maximum"]) == ("integer", 1, 3)
    assert alerts["year"]["schema"]["anyOf"][0]["maximum"] == 2100
    assert alerts["offset"]["schema"]["maximum"] == 10**9
    assert alerts["limit"]["schema"]["maximum"] == 1000


def test_values_at_the_schema_bounds_are_accepted(world, client_for):
    client = client_for("sc_member")
    for query in (
        "offset=1000000000",
        "limit=1000",
        "level=1",
        "level=3",
        "year=1949",
        "year=2100",
        "period=1949-01",
        "period=2100-12",
    ):
        assert client.get(f"/api/v1/budget/alerts?{query}").status_code == 200, query


def test_the_batches_url_is_the_documented_one():
    assert URL == "/api/v1/budget/{kind}/batches"


def test_a_multipart_body_without_a_boundary_is_a_400_in_chinese(world, token, client):
    # Found by the CI fuzz run (.ci/api-fuzz): Django cannot parse the body, and the input
    # cleaning middleware's read of request.POST answered 500.
    response = client.post(
        URL.format(kind="payments"),
        data=b"[]",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]
    assert not Payment.objects.exists()


def test_a_page_posted_a_multipart_body_without_a_boundary_is_a_400(client):
    response = client.post("/accounts/login/", data=b"x", content_type="multipart/form-data")
    assert response.status_code == 400


def test_nul_and_lone_surrogates_in_records_are_dropped_not_a_500(world, token):
    # Found by the CI fuzz run: "\u0000" in a record reached PostgreSQL's jsonb (500).
    body = json.dumps([record("A1", USE_DES="办公\x00用品\ud919采购\x07")])  # escapes as \u....
    assert "\\u0000" in body and "\\ud919" in body
    response = post(token, body)
    assert response.status_code == 201, response.content
    assert Payment.objects.get().purpose == "办公用品采购"


def test_a_rule_longer_than_the_schema_allows_is_a_400(world, client_for):
    response = client_for("sc_member").get("/api/v1/budget/alerts?rule=" + "0" * 21)
    assert response.status_code == 400 and "20" in response.json()["detail"]


def test_the_rules_length_is_that_of_the_value_sent_before_cleaning(world, client_for):
    # Found by the CI fuzz run: 23 characters, four of them control characters the input
    # cleaning drops, came through as 19 and were accepted against the schema's maxLength 20.
    sent = "8'\x7f7\U000f229a£\x04꽁û\x05Aês\U00047b74 \x08õ\x84;\x88{\"\U0004c0ba"
    assert len(sent) == 23
    client = client_for("sc_member")
    response = client.get("/api/v1/budget/alerts", {"rule": sent})
    assert response.status_code == 400 and "20" in response.json()["detail"]
    assert client.get("/api/v1/budget/alerts", {"rule": "B01\x00"}).status_code == 200
    assert client.get("/api/v1/budget/alerts", {"status": "open\x00"}).status_code == 400
    assert client.get("/api/v1/budget/alerts", {"period": "2024-\x0701"}).status_code == 400
    assert client.get("/api/v1/budget/alerts", {"status": "open"}).status_code == 200
