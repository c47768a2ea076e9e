"""双联 services (issue 15 item 3): links, lists, contacts, the minimum, one-step conversion."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from renda.core.models import AuditEvent, SourceLink
from renda.core.sources import sources_of, targets_of
from renda.deputies.services import create_delegation
from renda.deputies.tests.factories import make_term
from renda.stations.models import Opinion
from renda.stations.models.liaison import Constituent, LiaisonContact, SCLiaison
from renda.stations.selectors.liaison import Quarter, deputy_coverage, member_coverage
from renda.stations.services import liaison
from renda.suggestions.models import Suggestion

from .factories import make_station
from .liaison_factories import a_constituent, a_deputy, another_sc_member, the_deputy_persona

pytestmark = pytest.mark.django_db
RAISED = "村里到镇上的公交车一天只有两班，老人看病很不方便，希望增加班次。"


def test_bulk_link_by_delegation_twice_creates_nothing_twice(world: Any) -> None:
    term = make_term(world)
    delegation = create_delegation(
        actor=None, term=term, name="冷水江街道代表团", region=world.township
    )
    deputies = [a_deputy(world, delegation=delegation) for _ in range(3)]
    created = liaison.link_deputies(actor=world.staff, member=world.sc_member, deputies=deputies)
    again = liaison.link_deputies(actor=world.staff, member=world.sc_member, deputies=deputies)
    assert len(created) == 3 and again == []
    assert SCLiaison.objects.filter(member=world.sc_member, is_active=True).count() == 3
    assert AuditEvent.objects.filter(action="liaison.link").count() == 1


def test_only_staff_link_and_only_to_sc_members(world: Any) -> None:
    deputy = a_deputy(world)
    with pytest.raises(PermissionDenied):
        liaison.link_deputies(actor=world.sc_member, member=world.sc_member, deputies=[deputy])
    with pytest.raises(ValidationError, match="不是常委会组成人员"):
        liaison.link_deputies(actor=world.staff, member=world.handling_officer, deputies=[deputy])
    assert not SCLiaison.objects.exists()


def test_unlink_keeps_the_contacts_and_a_new_link_is_a_new_row(world: Any) -> None:
    deputy = a_deputy(world)
    (link,) = liaison.link_deputies(actor=world.staff, member=world.sc_member, deputies=[deputy])
    liaison.log_sc_contact(
        actor=world.sc_member, link=link, contacted_on=timezone.localdate(), way="phone"
    )
    liaison.unlink_deputy(actor=world.staff, link=link)
    with pytest.raises(ValidationError, match="已解除"):
        liaison.log_sc_contact(
            actor=world.sc_member, link=link, contacted_on=timezone.localdate(), way="phone"
        )
    assert LiaisonContact.objects.filter(sc_liaison=link).count() == 1
    (again,) = liaison.link_deputies(actor=world.staff, member=world.sc_member, deputies=[deputy])
    assert again.pk != link.pk


def test_an_sc_member_logs_only_on_their_own_links(world: Any) -> None:
    other = another_sc_member(world)
    (link,) = liaison.link_deputies(actor=world.staff, member=other, deputies=[a_deputy(world)])
    with pytest.raises(PermissionDenied):
        liaison.log_sc_contact(
            actor=world.sc_member, link=link, contacted_on=timezone.localdate(), way="visit"
        )
    assert not LiaisonContact.objects.exists()


def test_constituent_phone_is_encrypted_and_duplicates_refused(world: Any) -> None:
    deputy = the_deputy_persona(world)
    c = liaison.add_constituent(
        actor=world.deputy, deputy=deputy, name="赵大爷", phone="13512345678", community="禾青村"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM stations_constituent WHERE id = %s", [c.pk])
        raw_name, raw_phone = cursor.fetchone()
    assert "13512345678" not in raw_phone and "赵大爷" not in raw_name
    assert Constituent.objects.get(pk=c.pk).phone == "13512345678"
    with pytest.raises(ValidationError) as error:
        liaison.add_constituent(
            actor=world.deputy,
            deputy=deputy,
            name="赵大娘",
            phone="135 1234 5678",
            community="禾青村",
        )
    assert "已有这个电话号码" in str(error.value)
    with pytest.raises(ValidationError, match="11位手机号"):
        liaison.add_constituent(
            actor=world.deputy, deputy=deputy, name="钱", phone="12345", community="禾青村"
        )
    assert Constituent.objects.count() == 1


def test_a_deputy_keeps_only_their_own_list(world: Any) -> None:
    the_deputy_persona(world)
    other = a_deputy(world)
    with pytest.raises(PermissionDenied):
        liaison.add_constituent(actor=world.deputy, deputy=other, name="孙", community="城东社区")
    constituent = a_constituent(world, other)
    with pytest.raises(PermissionDenied):
        liaison.remove_constituent(actor=world.deputy, constituent=constituent)
    assert Constituent.objects.get(pk=constituent.pk).is_active


def test_the_minimum_is_data_default_five(world: Any) -> None:
    assert liaison.min_constituents() == 5
    today = timezone.localdate()
    liaison.set_min_constituents(actor=world.staff, min_constituents=10, valid_from=today)
    assert liaison.min_constituents() == 10
    assert liaison.min_constituents(today - dt.timedelta(days=1)) == 5
    with pytest.raises(ValidationError):
        liaison.set_min_constituents(
            actor=world.staff, min_constituents=0, valid_from=today + dt.timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        liaison.set_min_constituents(actor=world.deputy, min_constituents=3, valid_from=today)


def test_contact_bad_input_writes_nothing(world: Any) -> None:
    deputy = the_deputy_persona(world)
    foreign = a_constituent(world, a_deputy(world))
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="不能晚于今天"):
        liaison.log_constituent_contact(
            actor=world.deputy,
            deputy=deputy,
            contacted_on=today + dt.timedelta(days=1),
            way="visit",
            people="张三",
        )
    with pytest.raises(ValidationError, match="本人联系名单"):
        liaison.log_constituent_contact(
            actor=world.deputy,
            deputy=deputy,
            contacted_on=today,
            way="visit",
            constituents=[foreign],
        )
    with pytest.raises(ValidationError, match="请选择联系的群众"):
        liaison.log_constituent_contact(
            actor=world.deputy, deputy=deputy, contacted_on=today, way="visit"
        )
    with pytest.raises(ValidationError, match="联系方式"):
        liaison.log_constituent_contact(
            actor=world.deputy, deputy=deputy, contacted_on=today, way="fax", people="张三"
        )
    assert not LiaisonContact.objects.exists()


def _contact(world: Any, raised: str = RAISED) -> LiaisonContact:
    deputy = the_deputy_persona(world)
    people = [a_constituent(world, deputy), a_constituent(world, deputy)]
    return liaison.log_constituent_contact(
        actor=world.deputy,
        deputy=deputy,
        contacted_on=timezone.localdate(),
        way="visit",
        constituents=people,
        raised=raised,
    )


def test_what_was_raised_becomes_an_opinion_once_linked_both_ways(world: Any) -> None:
    station = make_station(world)
    from renda.stations import services as station_services

    contact = _contact(world)
    station_services.assign_deputy(actor=None, station=station, deputy=contact.deputy)
    person = contact.constituents.first()
    opinion = liaison.contact_to_opinion(
        actor=world.deputy, contact=contact, category="transport", constituent=person
    )
    assert opinion.source == Opinion.Source.LIAISON and opinion.station == station
    assert opinion.content == RAISED and opinion.contact_phone == person.phone
    (link,) = sources_of(opinion)
    assert "双联联系记录" in link.label and link.url.endswith(f"/liaison/contacts/{contact.pk}/")
    assert targets_of(contact, Opinion) == [opinion.pk]
    with pytest.raises(ValidationError, match="已转为群众意见"):
        liaison.contact_to_opinion(actor=world.deputy, contact=contact, category="transport")
    assert Opinion.objects.count() == 1


def test_nothing_raised_or_someone_else_converts_nothing(world: Any) -> None:
    empty = _contact(world, raised="")
    with pytest.raises(ValidationError, match="没有登记反映的问题"):
        liaison.contact_to_opinion(actor=world.deputy, contact=empty, category="other")
    contact = _contact(world)
    with pytest.raises(PermissionDenied):
        liaison.contact_to_opinion(actor=world.sc_member, contact=contact, category="other")
    with pytest.raises(ValidationError, match="请选择类别"):
        liaison.contact_to_opinion(actor=world.deputy, contact=contact, category="nonsense")
    assert not Opinion.objects.exists() and not SourceLink.objects.exists()


def test_the_deputy_drafts_a_suggestion_once(world: Any) -> None:
    contact = _contact(world)
    with pytest.raises(PermissionDenied):
        liaison.contact_to_suggestion(
            actor=world.staff, contact=contact, title="公交", content=RAISED
        )
    suggestion = liaison.contact_to_suggestion(
        actor=world.deputy, contact=contact, title="关于增加镇村公交班次的建议", content=RAISED
    )
    assert suggestion.state == "draft" and suggestion.lead_deputy == contact.deputy
    assert [s.source_id for s in sources_of(suggestion)] == [contact.pk]
    with pytest.raises(ValidationError, match="已据此起草过建议"):
        liaison.contact_to_suggestion(
            actor=world.deputy, contact=contact, title="再来", content=RAISED
        )
    assert Suggestion.objects.count() == 1


def test_coverage_counts_only_this_quarter(world: Any, django_assert_max_num_queries: Any) -> None:
    today = timezone.localdate()
    quarter = Quarter.of(today)
    d1, d2 = a_deputy(world), a_deputy(world)
    l1, l2 = liaison.link_deputies(actor=world.staff, member=world.sc_member, deputies=[d1, d2])
    liaison.log_sc_contact(actor=world.sc_member, link=l1, contacted_on=today, way="phone")
    before = quarter.start - dt.timedelta(days=1)
    liaison.log_sc_contact(actor=world.sc_member, link=l2, contacted_on=before, way="phone")
    c1, c2 = a_constituent(world, d1), a_constituent(world, d1)
    liaison.log_constituent_contact(
        actor=None, deputy=d1, contacted_on=today, way="visit", constituents=[c1]
    )
    liaison.log_constituent_contact(
        actor=None, deputy=d1, contacted_on=before, way="visit", constituents=[c2]
    )

    (row,) = [m for m in member_coverage(quarter) if m.member == world.sc_member]
    assert (row.links, row.contacted, [x.deputy for x in row.uncontacted]) == (2, 1, [d2])
    with django_assert_max_num_queries(1):
        rows = {d.pk: d for d in deputy_coverage(quarter, 5)}
    assert (rows[d1.pk].n_constituents, rows[d1.pk].n_contacted, rows[d1.pk].n_contacts) == (
        2,
        1,
        1,
    )
    assert (rows[d2.pk].n_constituents, rows[d2.pk].n_contacted) == (0, 0)
    gaps = {d.pk for d in deputy_coverage(quarter, 2, only_gaps=True)}
    assert d1.pk in gaps  # c2 not contacted this quarter
    last = quarter.previous
    assert {d.pk: d.n_contacted for d in deputy_coverage(last, 5)}[d1.pk] == 1


def test_quarter_bounds() -> None:
    q = Quarter.of(dt.date(2026, 5, 20))
    assert (q.start, q.end, q.label) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
        "2026年第二季度",
    )
    assert Quarter(2026, 4).end == dt.date(2026, 12, 31) and Quarter(2026, 1).previous == Quarter(
        2025, 4
    )


def test_demo_seed_is_idempotent(world: Any) -> None:
    from renda.stations.demo.liaison import seed_liaison

    for _ in range(3):
        a_deputy(world)
    figures = seed_liaison(actor=None)
    assert figures["links"] == 3 and figures["constituents"] >= 9
    assert seed_liaison(actor=None) == {}
    assert Constituent.objects.count() == figures["constituents"]
