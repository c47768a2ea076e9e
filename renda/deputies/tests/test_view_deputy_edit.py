from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.core.models import AuditEvent
from renda.deputies.forms import DeputyForm

from .factories import make_deputy, make_id_number
from .form_data import deputy_form_data


def _url(deputy: Any) -> str:
    return reverse("deputies:edit", args=[deputy.pk])


def _current(deputy: Any, **changes: Any) -> dict[str, Any]:
    """The form as the page fills it in, with some fields changed."""
    data = {k: ("" if v is None else v) for k, v in DeputyForm.initial_for(deputy).items()}
    data.update(changes)
    return data


def test_the_form_is_filled_in_with_the_record(world: Any, client_for: Any) -> None:
    number = make_id_number()
    deputy = make_deputy(world, name="刘德华", id_number=number, mobile="13900001111")
    response = client_for("staff").get(_url(deputy))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'value="刘德华"' in html and f'value="{number}"' in html and 'value="13900001111"' in html
    )
    assert 'name="term"' not in html  # the term of a seat is not edited


def test_it_saves_changes_and_audits_only_the_changed_field_names(
    world: Any, client_for: Any
) -> None:
    deputy = make_deputy(world, name="刘德华", mobile="13900001111")
    response = client_for("staff").post(
        _url(deputy), _current(deputy, name="刘德华华", mobile="13900002222")
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "deputies:detail", args=[deputy.pk]
    )
    deputy.refresh_from_db()
    assert deputy.name == "刘德华华" and deputy.mobile == "13900002222"
    event = AuditEvent.objects.get(action="deputy.update")
    assert event.details == {"changed": ["mobile", "name"]}
    assert "13900002222" not in str(event.details) and "13900001111" not in str(event.details)


def test_it_links_the_deputy_account(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    client_for("staff").post(_url(deputy), _current(deputy, username="deputy"))
    deputy.refresh_from_db()
    assert deputy.user == world.deputy


def test_an_account_already_linked_elsewhere_is_refused(world: Any, client_for: Any) -> None:
    make_deputy(world, user=world.deputy)
    deputy = make_deputy(world)
    response = client_for("staff").post(_url(deputy), _current(deputy, username="deputy"))
    assert response.context["form"].errors["username"] == ["该账号已关联其他代表档案"]
    deputy.refresh_from_db()
    assert deputy.user is None


def test_bad_input_is_refused_with_the_typed_values_kept(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, name="刘德华", mobile="13900001111")
    response = client_for("staff").post(_url(deputy), _current(deputy, name="新名字", mobile="139"))
    html = response.content.decode()
    assert response.context["form"].errors["mobile"] == ["手机号应为 11 位数字，以 1 开头"]
    assert 'value="新名字"' in html and 'value="139"' in html
    deputy.refresh_from_db()
    assert deputy.name == "刘德华" and deputy.mobile == "13900001111"
    assert not AuditEvent.objects.filter(action="deputy.update").exists()


def test_sc_members_and_deputies_cannot_edit(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, name="刘德华", user=world.deputy)
    for persona in ["sc_member", "deputy"]:
        client = client_for(persona)
        assert client.get(_url(deputy)).status_code == 403
        assert client.post(_url(deputy), deputy_form_data(world, name="改名")).status_code == 403
    deputy.refresh_from_db()
    assert deputy.name == "刘德华"
