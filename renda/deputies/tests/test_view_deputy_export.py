from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from renda.core.models import AuditEvent

from .factories import make_deputy, make_id_number

URL = reverse("deputies:export")


def _rows(response: Any) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_it_exports_the_filtered_register_without_contact_data(world: Any, client_for: Any) -> None:
    number = make_id_number()
    make_deputy(
        world, name="刘德华", region=world.other_township, id_number=number, mobile="13900001111"
    )
    make_deputy(world, name="张学友", region=world.township)
    response = client_for("staff").get(URL, {"region": world.other_township.pk})
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][0] == "姓名" and "手机号" not in rows[0] and "身份证号" not in rows[0]
    assert [r[0] for r in rows[1:]] == ["刘德华"]
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert number not in flat and "13900001111" not in flat


def test_it_exports_a_search_by_number_token_and_audits_it_without_the_number(
    world: Any, client_for: Any
) -> None:
    make_deputy(world, name="刘德华", mobile="13900001111")
    make_deputy(world, name="张学友", mobile="13900002222")
    client = client_for("sc_member")
    listing = client.get(reverse("deputies:list"), {"q": "13900001111"})["Location"]
    query = listing.split("?", 1)[1]
    rows = _rows(client.get(f"{URL}?{query}"))
    assert [r[0] for r in rows[1:]] == ["刘德华"]
    event = AuditEvent.objects.get(action="deputy.export")
    assert event.actor == world.sc_member and event.details["by_number"] is True
    assert "13900001111" not in str(event.details)


def test_a_number_typed_into_the_export_url_is_not_audited(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华", mobile="13900001111")
    rows = _rows(client_for("staff").get(URL, {"q": "13900001111"}))
    assert [r[0] for r in rows[1:]] == ["刘德华"]
    assert "13900001111" not in str(AuditEvent.objects.get(action="deputy.export").details)


def test_deputies_and_the_public_cannot_export(world: Any, client_for: Any) -> None:
    make_deputy(world)
    assert client_for("deputy").get(URL).status_code == 403
    assert client_for("handling_officer").get(URL).status_code == 403
    assert client_for("anonymous").get(URL).status_code == 302
