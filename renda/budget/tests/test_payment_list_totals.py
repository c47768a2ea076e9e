"""The payment list's header (count and sum of the filtered payments): read from the payment
summary when the filters are its keys, counted over the payments when they are finer, and the
same figures either way."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renda.budget.models import Payment
from renda.budget.selectors.data import count_and_total, payment_totals, payments
from renda.budget.services import tokens
from renda.budget.templatetags.dashboard_tags import yuan
from renda.budget.tests.factories import YEAR, load, payment_row, with_indicator
from renda.budget.tests.test_api import record

# Django quotes table names the same way on SQLite and PostgreSQL.
PAYMENT_TABLE = '"budget_payment"'
SUMMARY_TABLE = '"budget_paymentsummary"'


@pytest.fixture
def paid(world, tmp_path):
    """Payments over six months, two units and their indicators, a 三公 payment, a refund, a
    voided voucher, one with an unknown indicator number and one with none."""
    with_indicator(world.staff, tmp_path)
    rows = [
        payment_row(
            f"T{n}",
            amount=f"{1000 + 37 * n}.{n % 100:02d}",
            pay_date=f"2025-0{1 + n % 6}-{10 + n % 18}",
            **(
                {"agency_code": "119001", "bgt_id": "ZB002", "func_code": "2100201"}
                if n % 3 == 0
                else {}
            ),
        )
        for n in range(40)
    ]
    rows += [
        payment_row("T-THR", amount="880.00", pay_date="2025-02-03", thr_exp="公务接待"),
        payment_row("T-FUND", amount="2500.50", pay_date="2025-05-31", fund_type="2"),
        payment_row(
            "T-REFUND",
            amount="300.00",
            pay_date="2025-03-20",
            vou_type="退款",
            original_voucher="T1",
        ),
        payment_row("T-VOID", amount="7000.00", pay_date="2025-04-13", vou_type="作废"),
        payment_row("T-UNKNOWN", amount="450.00", pay_date="2025-04-01", bgt_id="ZB999"),
        payment_row("T-NONE", amount="610.00", pay_date="2025-06-30", bgt_id=""),
        payment_row(
            "T-PERSON",
            amount="30000.00",
            pay_date="2025-01-31",
            payee_name="张三",
            payee_type="个人",
            dep_eco_code="30226",
        ),
    ]
    assert load(world.data_provider, tmp_path, "payments", rows).status == "committed"
    return tmp_path


def filters(**given):
    """A filter as the payment list's form hands it over: every field, blank unless given."""
    blank = {
        "year": YEAR,
        "unit": "",
        "func_code": "",
        "eco_code": "",
        "fund_type": "",
        "date_from": None,
        "date_to": None,
        "payee": "",
        "payee_type": "",
        "amount_min": None,
        "amount_max": None,
        "thr_exp": "",
        "purpose": "",
        "bgt_id": "",
        "voucher": "",
        "no_indicator": False,
    }
    return {**blank, **given}


COVERED = {
    "year": filters(),
    "unit code": filters(unit="105001"),
    "unit name": filters(unit="人民医院"),
    "month range": filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 4, 30)),
    "from a month on": filters(date_from=dt.date(2025, 4, 1)),
    "up to a month": filters(date_to=dt.date(2025, 2, 28)),
    "indicator": filters(bgt_id="ZB001"),
    "no indicator": filters(no_indicator=True),
    "functional class": filters(func_code="210"),
    "fund type": filters(fund_type="2"),
    "三公": filters(thr_exp="reception"),
    "several": filters(
        unit="105001", func_code="205", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31)
    ),
}

FINER = {
    "payee": filters(payee="张三"),
    "payee type": filters(payee_type="individual"),
    "amount": filters(amount_min=Decimal("1200")),
    "amount 0": filters(amount_max=Decimal("0")),
    "dates cutting a month": filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 4, 15)),
    "economic class": filters(eco_code="30226"),
    "purpose": filters(purpose="办公"),
    "voucher": filters(voucher="T7"),
    "unknown indicator number": filters(bgt_id="ZB999"),
}


def by_hand(given):
    """The figures counted in Python over the payments the list shows."""
    rows = list(payments(given))
    return len(rows), sum((p.amount for p in rows), Decimal("0.00"))


def header_queries(given):
    with CaptureQueriesContext(connection) as captured:
        figures = payment_totals(given)
    return figures, [q["sql"] for q in captured.captured_queries]


def aggregates(sqls):
    return [sql for sql in sqls if re.search(r"\bSUM\(", sql, re.IGNORECASE)]


@pytest.mark.parametrize("given", COVERED.values(), ids=COVERED.keys())
def test_a_filter_of_the_summarys_keys_reads_the_summary_and_matches_the_payments(
    world, paid, given
):
    (count, amount), sqls = header_queries(given)
    assert (count, amount) == count_and_total(payments(given)) == by_hand(given)
    assert count > 0 and isinstance(amount, Decimal)
    [aggregate] = aggregates(sqls)
    assert SUMMARY_TABLE in aggregate and PAYMENT_TABLE not in aggregate
    if not given["bgt_id"]:
        assert len(sqls) == 1
    else:
        # The indicator number's probe for vouchers no indicator matched: one EXISTS.
        [probe] = [sql for sql in sqls if sql != aggregate]
        assert PAYMENT_TABLE in probe and "LIMIT 1" in probe.upper()


@pytest.mark.parametrize("given", FINER.values(), ids=FINER.keys())
def test_a_finer_filter_counts_the_payments(world, paid, given):
    (count, amount), sqls = header_queries(given)
    assert (count, amount) == by_hand(given)
    [aggregate] = aggregates(sqls)
    assert PAYMENT_TABLE in aggregate and SUMMARY_TABLE not in aggregate


def test_the_summary_leaves_out_voided_vouchers_and_nets_refunds_as_the_list_does(world, paid):
    count, amount = payment_totals(filters())
    valid = Payment.objects.filter(year=YEAR, is_void=False)
    assert count == valid.count() == Payment.objects.filter(year=YEAR).count() - 1
    assert amount == sum(p.amount for p in valid)
    assert Payment.objects.get(voucher_no="T-REFUND").amount == Decimal("-300.00")


def test_an_incremental_push_is_in_the_header_at_once(world, paid):
    _, raw = tokens.issue_push_token(
        actor=world.security_admin, name="财政一体化系统", user=world.data_provider
    )
    before = payment_totals(filters())
    body = [
        record(f"PUSH{n}", f"{100 + n}.25", PAY_DATE=f"2025-0{3 + n}-0{1 + n}") for n in range(4)
    ]
    response = Client().post(
        "/api/v1/budget/payments/batches",
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_IDEMPOTENCY_KEY="push-1",
    )
    assert response.status_code == 201, response.content
    after = payment_totals(filters())
    assert after == (before[0] + 4, before[1] + Decimal("407.00"))
    for given in (*COVERED.values(), filters(date_from=dt.date(2025, 6, 1))):
        assert payment_totals(given) == count_and_total(payments(given))


def shown(response):
    """The header line's figures as the page prints them."""
    text = re.search(
        r'data-testid="payment-total">合计：<strong>([^<]+)</strong> 元（(\d+) 笔',
        response.content.decode(),
    )
    assert text, response.content.decode()[:2000]
    return text.group(1), int(text.group(2))


@pytest.mark.parametrize(
    "query",
    [
        {"year": YEAR},
        {"year": YEAR, "unit": "105001", "date_from": "2025-02-01", "date_to": "2025-04-30"},
        {"year": YEAR, "bgt_id": "ZB002"},
        {"year": YEAR, "payee": "张三"},
        {"year": YEAR, "date_from": "2025-02-02"},
    ],
    ids=["year", "unit and months", "indicator", "payee", "a day on"],
)
def test_the_page_shows_the_figures_of_the_payments(world, paid, client_for, query):
    response = client_for("staff").get(reverse("budget:payments"), query)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_valid()
    count, amount = by_hand({**filters(), **form.cleaned_data})
    assert shown(response) == (yuan(amount), count)
    assert response.context["page"].paginator.count == count
    assert response.context["total"] == amount
