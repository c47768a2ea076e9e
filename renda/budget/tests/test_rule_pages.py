"""The rule pages in the browser's terms: staff change thresholds (a bad value is refused
with the reason and nothing is saved), backtest them, run the rules; members only read."""

from __future__ import annotations

import pytest

from renda.budget.models import Alert, Rule, RuleRun, RuleVersion
from renda.budget.services import engine
from renda.budget.tests.test_rule_engine import county  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def form_data(rule: Rule, **over: str) -> dict[str, str]:
    data = {
        f"p_{k}": ("，".join(v) if isinstance(v, list) else str(v)) for k, v in rule.params.items()
    }
    data.update(enabled="on", schedule=rule.schedule, note="")
    data.update(over)
    return data


def test_staff_save_a_new_version(client_for):
    engine.ensure_rules()
    rule = Rule.objects.get(code="B06")
    response = client_for("staff").post(
        "/budget/rules/B06/", form_data(rule, p_amount="3000000", note="按常委会要求下调")
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.version == 2 and rule.params["amount"] == "3000000"
    assert RuleVersion.objects.get(rule=rule, version=2).note == "按常委会要求下调"


def test_an_out_of_range_value_is_refused_with_the_reason_and_nothing_is_saved(client_for):
    engine.ensure_rules()
    rule = Rule.objects.get(code="B06")
    response = client_for("staff").post("/budget/rules/B06/", form_data(rule, p_amount="5"))
    assert response.status_code == 200
    assert "不能小于 10000" in response.content.decode()
    rule.refresh_from_db()
    assert rule.version == 1


def test_a_member_reads_but_cannot_change(client_for):
    engine.ensure_rules()
    rule = Rule.objects.get(code="B06")
    client = client_for("sc_member")
    page = client.get("/budget/rules/B06/").content.decode()
    assert "国库集中支付大额资金监控" in page and "保存为新版本" not in page
    assert "支付凭证" in page.split('data-testid="rule-inputs"')[1].split("</dd>")[0]
    assert client.post("/budget/rules/B06/", form_data(rule, p_amount="3000000")).status_code == 403


def test_backtest_on_the_page_writes_nothing(client_for, county):  # noqa: F811
    rule = Rule.objects.get(code="B01")
    response = client_for("staff").post(
        "/budget/rules/B01/",
        form_data(
            rule,
            p_notice="5",
            p_warning="40",
            p_severe="90",
            backtest="1",
            start="2025-03-01",
            end="2025-06-30",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200 and "回测结果" in page
    assert Alert.objects.count() == 0
    rule.refresh_from_db()
    assert rule.version == 1


def test_run_now_and_the_run_history(client_for, county):  # noqa: F811
    client = client_for("staff")
    response = client.post(
        "/budget/rules/run/", {"region": county.pk, "year": 2025, "as_of": "2025-06-30"}
    )
    assert response.status_code == 302
    assert RuleRun.objects.get().as_of.isoformat() == "2025-06-30"
    page = client.get("/budget/rules/runs/").content.decode()
    assert "B01：新增 1" in page
    listing = client.get("/budget/rules/").content.decode()
    assert "支出进度滞后" in listing
    bad = client.post(
        "/budget/rules/run/",
        {"region": county.pk, "year": 2025, "as_of": "2024-06-30"},
        follow=True,
    )
    assert "不在 2025 年度内" in bad.content.decode()


def test_rule_and_run_lists_use_a_bounded_number_of_queries(client_for, county, settings):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("staff")
    # The session is written back once a minute: let that happen before the counting, and
    # not again during it however slow the machine.
    settings.SESSION_REFRESH_SECONDS = 3600
    assert client.get("/budget/rules/").status_code == 200

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    engine.run_rules(actor=None, region=county, year=2025)
    few = (count("/budget/rules/"), count("/budget/rules/runs/"))
    for _ in range(12):
        engine.run_rules(actor=None, region=county, year=2025)
    assert (count("/budget/rules/"), count("/budget/rules/runs/")) == few


def test_a_member_is_shown_the_thresholds_but_no_form_to_post(client_for):
    engine.ensure_rules()
    member = client_for("sc_member").get("/budget/rules/B06/").content.decode()
    assert 'data-testid="rule-thresholds"' in member and "5000000" in member
    assert 'data-testid="rule-form"' not in member and 'name="p_amount"' not in member
    staff = client_for("staff").get("/budget/rules/B06/").content.decode()
    assert 'data-testid="rule-form"' in staff and "保存为新版本" in staff
