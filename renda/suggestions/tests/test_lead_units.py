"""Every list names the lead unit (主办) as the handling unit, and the co-units (协办) beside it:
a co-unit whose role sorts first as text ("co" < "lead") must never be shown as the handler."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from renda.suggestions import services

from .factories import make_officer, make_unit, registered, scene

pytestmark = pytest.mark.django_db


def _cells(page: str, testid: str) -> list[str]:
    found = re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</', page, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in found]


@pytest.fixture
def item(world: Any) -> Any:
    sc = scene(world)
    # Both co-units' names sort before the lead's, and they are assigned after it.
    finance = make_unit(world, "A-CZ", "冷水江市财政局（承办）")
    s = services.assign_suggestion(
        actor=world.staff,
        suggestion=registered(sc, title="关于三家单位共同办理的排水建议"),
        mode="lead",
        lead_unit=sc.unit,
        co_units=[sc.other_unit, finance],
    )
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="A",
        content="经研究，已将该小区排水管网改造列入今年城建计划，预计年底前完工。",
        signer="刘局长",
    )
    s.refresh_from_db()
    s = services.publish_suggestion(
        actor=world.staff,
        suggestion=s,
        title=s.title,
        content="排水管网老化。",
        reply="已列入计划。",
    )
    return sc, s, finance


LEAD = "冷水江市住房和城乡建设局"


def _check_row(page: str, sc: Any, finance: Any) -> None:
    assert _cells(page, "lead-units") == [LEAD]
    co = _cells(page, "co-units")
    assert len(co) == 1 and sc.other_unit.name in co[0] and finance.name in co[0]


def test_the_staff_list_shows_the_lead_and_the_co_units(
    world: Any, client_for: Any, item: Any
) -> None:
    sc, _s, finance = item
    _check_row(client_for("staff").get(reverse("suggestions:home")).content.decode(), sc, finance)


def test_the_lead_units_desk_shows_its_own_lead_item(
    world: Any, client_for: Any, item: Any
) -> None:
    sc, _s, finance = item
    page = client_for("handling_officer").get(reverse("suggestions:unit_home")).content.decode()
    _check_row(page, sc, finance)
    assert _cells(page, "my-role") == ["主办"]


def test_a_co_units_desk_marks_the_item_as_co_handling(world: Any, item: Any, client: Any) -> None:
    sc, _s, finance = item
    client.force_login(make_officer(finance, "cz_officer"))
    page = client.get(reverse("suggestions:unit_home")).content.decode()
    _check_row(page, sc, finance)
    assert _cells(page, "my-role") == ["协办"]


def test_the_deputys_home_shows_the_lead_unit(world: Any, client_for: Any, item: Any) -> None:
    page = client_for("deputy").get(reverse("suggestions:deputy_home")).content.decode()
    assert _cells(page, "lead-units") == [LEAD]


def test_the_public_list_shows_the_lead_and_the_co_units(
    world: Any, client: Any, item: Any
) -> None:
    sc, _s, finance = item
    _check_row(client.get(reverse("suggestions:public_list")).content.decode(), sc, finance)


@pytest.mark.parametrize(
    ("persona", "url"),
    [("staff", "suggestions:export"), ("handling_officer", "suggestions:unit_export")],
)
def test_the_exports_name_the_lead_and_the_co_units(
    world: Any, client_for: Any, item: Any, persona: str, url: str
) -> None:
    sc, _s, finance = item
    response = client_for(persona).get(reverse(url))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    assert row[header.index("承办单位")] == LEAD
    assert row[header.index("协办单位")] == f"{sc.other_unit.name}、{finance.name}"


def test_the_public_detail_names_the_lead_first(world: Any, client: Any, item: Any) -> None:
    sc, s, finance = item
    page = client.get(reverse("suggestions:public_detail", args=[s.pk])).content.decode()
    assert page.index(f"{LEAD}（主办）") < page.index(f"{sc.other_unit.name}（协办）")
