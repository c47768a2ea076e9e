"""Mobile and ID numbers (personal data, 个人信息保护法): encrypted at rest, searchable by
staff through a blind index, and never on public pages, in URLs or in the audit log."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.deputies.models import Deputy

from .factories import make_deputy, make_id_number, make_term
from .form_data import deputy_form_data

MOBILE = "13955556666"


def _raw_columns(deputy: Deputy) -> tuple[str, str, str, str]:
    table = Deputy._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mobile, id_number, mobile_index, id_number_index FROM {table} WHERE id = %s",  # noqa: S608
            [deputy.pk],
        )
        return cursor.fetchone()


@pytest.fixture
def person(world: Any) -> tuple[Deputy, str]:
    number = make_id_number()
    return make_deputy(world, name="刘德华", id_number=number, mobile=MOBILE), number


def test_the_database_holds_ciphertext_not_the_numbers(
    person: tuple[Deputy, str], world: Any
) -> None:
    deputy, number = person
    mobile, id_number, mobile_index, id_index = _raw_columns(deputy)
    assert mobile.startswith("k1:") and id_number.startswith("k1:")
    for stored in (mobile, id_number, mobile_index, id_index):
        assert MOBILE not in stored and number not in stored
    # A fresh nonce per value: equal numbers do not give equal ciphertexts.
    again = make_deputy(world, mobile=MOBILE)
    assert _raw_columns(again)[0] != mobile
    deputy.refresh_from_db()
    assert deputy.mobile == MOBILE and deputy.id_number == number


def test_public_pages_show_neither_the_numbers_nor_their_ciphertext(
    person: tuple[Deputy, str], client_for: Any
) -> None:
    deputy, number = person
    mobile_ct, id_ct, mobile_index, id_index = _raw_columns(deputy)
    client = client_for("anonymous")
    pages = [
        reverse("portal:home"),
        reverse("portal:deputies"),
        reverse("portal:deputies") + "?q=刘德华",
        reverse("portal:deputy", args=[deputy.pk]),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "刘德华" in html or url == reverse("portal:home")
        for secret in (MOBILE, number, mobile_ct, id_ct, mobile_index, id_index, number[-6:]):
            assert secret not in html, (url, secret)


def test_the_public_cannot_search_by_number(person: tuple[Deputy, str], client_for: Any) -> None:
    _, number = person
    client = client_for("anonymous")
    for q in (MOBILE, number):
        assert client.get(reverse("portal:deputies"), {"q": q}).context["page"].paginator.count == 0


def test_staff_find_a_deputy_by_exact_number(
    person: tuple[Deputy, str], world: Any, client_for: Any
) -> None:
    deputy, number = person
    make_deputy(world, name="张学友", mobile="13900002222")
    client = client_for("staff")
    for q in (MOBILE, number):
        response = client.get(reverse("deputies:list"), {"q": q}, follow=True)
        assert [d.pk for d in response.context["page"]] == [deputy.pk]
        assert all(q not in url for url, _ in response.redirect_chain)
    # Part of a number finds nothing: the blind index matches whole numbers only.
    response = client.get(reverse("deputies:list"), {"q": MOBILE[:7]})
    assert response.status_code == 200 and response.context["page"].paginator.count == 0


def test_no_number_reaches_the_audit_log_or_the_logs(
    world: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    term = make_term(world)
    number = make_id_number(dt.date(1980, 3, 15))
    client = client_for("staff")
    client.post(
        reverse("deputies:create"), deputy_form_data(world, term, id_number=number, mobile=MOBILE)
    )
    deputy = Deputy.objects.get()
    edit = deputy_form_data(world, id_number=number, mobile="13977778888", name="李秀英")
    client.post(reverse("deputies:edit", args=[deputy.pk]), edit)
    client.get(reverse("deputies:list"), {"q": MOBILE}, follow=True)
    client.get(reverse("deputies:export"), {"q": number})
    client.post(
        reverse("deputies:end", args=[deputy.pk]), {"ended_on": "2024-01-01", "end_reason": "moved"}
    )
    client_for("sc_member").post(reverse("deputies:edit", args=[deputy.pk]), edit)  # a 403, audited
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"deputy.create", "deputy.update", "deputy.export", "deputy.end_mandate"} <= actions
    assert "auth.permission_denied" in actions
    for event in AuditEvent.objects.all():
        text = f"{event.details} {event.target_repr}"
        for secret in (number, MOBILE, "13977778888"):
            assert secret not in text, (event.action, secret)
    for secret in (number, MOBILE, "13977778888"):
        assert secret not in caplog.text


def test_number_fields_are_hidden_from_error_reports(world: Any, client_for: Any) -> None:
    term = make_term(world)
    response = client_for("staff").post(
        reverse("deputies:create"), deputy_form_data(world, term, mobile="1")
    )
    assert set(response.wsgi_request.sensitive_post_parameters) == {"id_number", "mobile"}
