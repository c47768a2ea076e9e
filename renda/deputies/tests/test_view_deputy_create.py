from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.core.models import AuditEvent, Organization
from renda.deputies import services
from renda.deputies.models import Deputy

from .factories import make_deputy, make_id_number, make_term
from .form_data import deputy_form_data

URL = reverse("deputies:create")


def test_staff_get_an_empty_form(world: Any, client_for: Any) -> None:
    make_term(world)
    response = client_for("staff").get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    for label in ["身份证号", "手机号", "当选日期", "代表构成", "登录账号"]:
        assert label in html


def test_it_creates_a_deputy_and_redirects_to_the_record(world: Any, client_for: Any) -> None:
    term = make_term(world)
    delegation = services.create_delegation(
        actor=None, term=term, name="禾青镇代表团", region=world.other_township
    )
    data = deputy_form_data(world, term, delegation=delegation.pk, username="deputy")
    response = client_for("staff").post(URL, data)
    deputy = Deputy.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "deputies:detail", args=[deputy.pk]
    )
    assert deputy.name == "李秀英" and deputy.term == term and deputy.delegation == delegation
    assert deputy.birth_date == dt.date(1980, 3, 15) and deputy.mobile == "13711112222"
    assert deputy.user == world.deputy
    assert AuditEvent.objects.get(action="deputy.create").actor == world.staff


def test_a_bad_checksum_is_shown_next_to_the_field_and_the_input_is_kept(
    world: Any, client_for: Any
) -> None:
    term = make_term(world)
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = client_for("staff").post(
        URL, deputy_form_data(world, term, id_number=wrong, name="李秀英")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号校验位错误"]
    assert "is-invalid" in html and f'value="{wrong}"' in html and 'value="李秀英"' in html
    assert not Deputy.objects.exists()


def test_a_bad_mobile_number_and_missing_fields_get_chinese_messages(
    world: Any, client_for: Any
) -> None:
    term = make_term(world)
    data = deputy_form_data(world, term, mobile="1234567", name="", category="")
    errors = client_for("staff").post(URL, data).context["form"].errors
    assert errors["mobile"] == ["手机号应为 11 位数字，以 1 开头"]
    assert errors["name"] == ["这个字段是必填项。"]
    assert errors["category"] == ["这个字段是必填项。"]
    assert not Deputy.objects.exists()


def test_a_birth_date_that_contradicts_the_id_number_is_refused(
    world: Any, client_for: Any
) -> None:
    term = make_term(world)
    data = deputy_form_data(world, term, birth_date="1981-03-15")
    errors = client_for("staff").post(URL, data).context["form"].errors
    assert errors["birth_date"] == ["与身份证号不一致（身份证号为 1980-03-15）"]
    assert not Deputy.objects.exists()


def test_a_duplicate_in_the_same_term_is_shown_next_to_the_id_number(
    world: Any, client_for: Any
) -> None:
    term = make_term(world)
    existing = make_deputy(world)
    data = deputy_form_data(world, term, id_number=existing.id_number)
    response = client_for("staff").post(URL, data)
    assert response.context["form"].errors["id_number"] == [
        "该身份证号的代表在本届已登记，不能重复登记"
    ]
    assert Deputy.objects.count() == 1


def test_a_delegation_of_another_term_is_refused(world: Any, client_for: Any) -> None:
    term = make_term(world)
    township_congress = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ-RD",
        kind=Organization.Kind.TOWNSHIP_CONGRESS,
        region=world.other_township,
    )
    township_term = services.create_term(
        actor=None,
        congress=township_congress,
        level="township",
        number=18,
        start_date=dt.date(2021, 12, 28),
    )
    group = services.create_delegation(
        actor=None, term=township_term, name="禾青镇第一代表小组", region=world.other_township
    )
    errors = (
        client_for("staff")
        .post(URL, deputy_form_data(world, term, delegation=group.pk))
        .context["form"]
        .errors
    )
    assert errors["delegation"] == [f"所选代表团（组）不属于{term}"]
    assert not Deputy.objects.exists()


def test_an_unknown_or_non_deputy_account_cannot_be_linked(world: Any, client_for: Any) -> None:
    term = make_term(world)
    client = client_for("staff")
    errors = (
        client.post(URL, deputy_form_data(world, term, username="nobody")).context["form"].errors
    )
    assert errors["username"] == ["没有这个登录账号"]
    errors = (
        client.post(URL, deputy_form_data(world, term, username="staff")).context["form"].errors
    )
    assert errors["username"] == ["只能关联角色为“人大代表”的账号"]
    assert not Deputy.objects.exists()


def test_sc_members_and_deputies_cannot_create(world: Any, client_for: Any) -> None:
    term = make_term(world)
    for persona in ["sc_member", "deputy"]:
        client = client_for(persona)
        assert client.get(URL).status_code == 403
        assert client.post(URL, deputy_form_data(world, term)).status_code == 403
    assert not Deputy.objects.exists()
