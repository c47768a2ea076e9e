from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.core.models import AuditEvent
from renda.deputies import services
from renda.deputies.models import Deputy

from .factories import make_deputy


def _url(deputy: Any) -> str:
    return reverse("deputies:end", args=[deputy.pk])


def test_staff_end_a_mandate_with_a_date_and_a_reason(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    client = client_for("staff")
    assert "确认终止" in client.get(_url(deputy)).content.decode()
    response = client.post(_url(deputy), {"ended_on": "2024-06-01", "end_reason": "resigned"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "deputies:detail", args=[deputy.pk]
    )
    deputy.refresh_from_db()
    assert deputy.status == Deputy.Status.ENDED
    assert deputy.ended_on == dt.date(2024, 6, 1) and deputy.end_reason == "resigned"
    assert AuditEvent.objects.get(action="deputy.end_mandate").actor == world.staff


def test_a_date_before_the_election_is_shown_next_to_the_date(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, elected_on=dt.date(2021, 11, 20))
    response = client_for("staff").post(
        _url(deputy), {"ended_on": "2021-01-01", "end_reason": "resigned"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"] == ["终止日期不能早于当选日期"]
    assert 'value="2021-01-01"' in response.content.decode()
    deputy.refresh_from_db()
    assert deputy.status == Deputy.Status.ACTIVE


def test_missing_fields_get_chinese_messages(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    errors = (
        client_for("staff")
        .post(_url(deputy), {"ended_on": "", "end_reason": ""})
        .context["form"]
        .errors
    )
    assert errors == {"ended_on": ["这个字段是必填项。"], "end_reason": ["这个字段是必填项。"]}


def test_an_ended_mandate_cannot_be_ended_again(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    services.end_mandate(actor=None, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="moved")
    client = client_for("staff")
    assert 'data-testid="already-ended"' in client.get(_url(deputy)).content.decode()
    response = client.post(_url(deputy), {"ended_on": "2025-01-01", "end_reason": "resigned"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该代表资格已终止"]
    deputy.refresh_from_db()
    assert deputy.ended_on == dt.date(2024, 6, 1) and deputy.end_reason == "moved"


def test_sc_members_and_deputies_cannot_end_a_mandate(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, user=world.deputy)
    for persona in ["sc_member", "deputy"]:
        client = client_for(persona)
        assert client.get(_url(deputy)).status_code == 403
        response = client.post(_url(deputy), {"ended_on": "2024-06-01", "end_reason": "resigned"})
        assert response.status_code == 403
    deputy.refresh_from_db()
    assert deputy.status == Deputy.Status.ACTIVE
