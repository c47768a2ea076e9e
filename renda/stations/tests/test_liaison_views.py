"""双联 pages (issue 15 item 3): the deputy's phone page and forms, scoping inside a role,
staff coverage, bulk links and the Excel export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from renda.deputies.services import create_delegation
from renda.deputies.tests.factories import make_term
from renda.stations.models import Opinion
from renda.stations.models.liaison import Constituent, LiaisonContact, SCLiaison
from renda.stations.services import liaison

from .liaison_factories import a_constituent, a_deputy, another_sc_member, the_deputy_persona

pytestmark = pytest.mark.django_db
RAISED = "村里到镇上的公交车一天只有两班，老人看病很不方便，希望增加班次。"


def test_deputy_phone_page_shows_the_minimum(world: Any, client_for: Any) -> None:
    deputy = the_deputy_persona(world)
    a_constituent(world, deputy, name="赵大爷")
    page = client_for("deputy").get(reverse("stations:liaison_mine"))
    text = page.content.decode()
    assert page.status_code == 200 and "赵大爷" in text
    assert "还差 4 人" in text and "未达标" in text
    for _ in range(4):
        a_constituent(world, deputy)
    text = client_for("deputy").get(reverse("stations:liaison_mine")).content.decode()
    assert "已达到至少 5 人的要求" in text


def test_deputy_logs_a_contact_and_turns_it_into_an_opinion(world: Any, client_for: Any) -> None:
    deputy = the_deputy_persona(world)
    person = a_constituent(world, deputy)
    client = client_for("deputy")
    url = reverse("stations:liaison_contact_add", args=[deputy.pk])
    form = client.get(url).content.decode()
    assert person.name in form and 'type="date"' in form
    response = client.post(
        url,
        {
            "constituents": [person.pk],
            "contacted_on": timezone.localdate().isoformat(),
            "way": "visit",
            "raised": RAISED,
        },
    )
    contact = LiaisonContact.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("stations:liaison_contact", args=[contact.pk])
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="to-opinion"' in page and 'data-testid="to-suggestion"' in page
    client.post(
        reverse("stations:liaison_to_opinion", args=[contact.pk]),
        {"category": "transport", "constituent": person.pk},
    )
    opinion = Opinion.objects.get()
    assert opinion.source == "liaison"
    staff_page = client_for("staff").get(reverse("stations:opinion_detail", args=[opinion.pk]))
    assert "双联联系记录" in staff_page.content.decode()
    assert "已转为群众意见" in client.get(response["Location"]).content.decode()


def test_bad_contact_form_says_why_and_writes_nothing(world: Any, client_for: Any) -> None:
    deputy = the_deputy_persona(world)
    url = reverse("stations:liaison_contact_add", args=[deputy.pk])
    response = client_for("deputy").post(url, {"contacted_on": "2999-01-01", "way": "visit"})
    assert response.status_code == 200
    assert "联系日期不能晚于今天" in response.content.decode()
    assert not LiaisonContact.objects.exists()


def test_a_deputy_cannot_reach_another_deputys_list(world: Any, client_for: Any) -> None:
    the_deputy_persona(world)
    other = a_deputy(world)
    theirs = a_constituent(world, other)
    client = client_for("deputy")
    assert (
        client.get(reverse("stations:liaison_constituent_add", args=[other.pk])).status_code == 404
    )
    assert (
        client.get(reverse("stations:liaison_constituent_edit", args=[theirs.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("stations:liaison_constituent_remove", args=[theirs.pk])).status_code
        == 404
    )
    assert Constituent.objects.get(pk=theirs.pk).is_active


def test_the_deputy_removes_their_own_constituent(world: Any, client_for: Any) -> None:
    mine = a_constituent(world, the_deputy_persona(world))
    client_for("deputy").post(reverse("stations:liaison_constituent_remove", args=[mine.pk]))
    assert not Constituent.objects.get(pk=mine.pk).is_active


def test_an_sc_member_sees_only_their_own_links(world: Any, client_for: Any) -> None:
    mine_deputy, their_deputy = a_deputy(world, name="甲代表"), a_deputy(world, name="乙代表")
    liaison.link_deputies(actor=None, member=world.sc_member, deputies=[mine_deputy])
    (theirs,) = liaison.link_deputies(
        actor=None, member=another_sc_member(world), deputies=[their_deputy]
    )
    client = client_for("sc_member")
    text = client.get(reverse("stations:liaison_mine")).content.decode()
    assert "甲代表" in text and "乙代表" not in text and "本季度未联系" in text
    assert client.get(reverse("stations:liaison_link_contact", args=[theirs.pk])).status_code == 404


def test_staff_bulk_link_by_delegation_and_see_coverage(world: Any, client_for: Any) -> None:
    delegation = create_delegation(
        actor=None, term=make_term(world), name="禾青镇代表团", region=world.other_township
    )
    deputies = [
        a_deputy(world, delegation=delegation, region=world.other_township) for _ in range(2)
    ]
    client = client_for("staff")
    client.post(
        reverse("stations:liaison_link_add", args=[world.sc_member.pk]),
        {"delegation": delegation.pk},
    )
    assert SCLiaison.objects.filter(member=world.sc_member).count() == 2
    link = SCLiaison.objects.get(deputy=deputies[0])
    liaison.log_sc_contact(actor=None, link=link, contacted_on=timezone.localdate(), way="phone")
    page = client.get(reverse("stations:liaison_coverage")).content.decode()
    assert deputies[1].name in page and "本季度未联系" in page

    export = client.get(reverse("stations:liaison_export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = [r[2] for r in rows[1:]]
    assert deputies[1].name in names and deputies[0].name not in names


def test_an_empty_link_form_says_what_to_choose(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = client.post(
        reverse("stations:liaison_link_add", args=[world.sc_member.pk]), {}, follow=True
    )
    assert "请选择一名代表" in response.content.decode()
    assert not SCLiaison.objects.exists()
