"""征集 services: calls, proposals by kind, conversions from an opinion and a suggestion linked
both ways, merging duplicates (supporters summed, audited), the reserve carried into a later
year's call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.core.sources import sources_of
from renda.livelihood import services
from renda.livelihood.models import Proposal
from renda.livelihood.services.collection import proposals_from
from renda.meetings.tests.factories import a_deputy
from renda.stations.models import Opinion
from renda.stations.tests.factories import make_opinion, make_station
from renda.suggestions.tests.factories import scene, submitted

from .factories import DESCRIPTION, a_call, a_proposal, accepted, review

pytestmark = pytest.mark.django_db


def test_a_call_is_one_a_year_per_congress_and_opens_when_published(world: Any) -> None:
    call = a_call(world, publish=False)
    assert call.state == "draft" and not call.accepting(timezone.localdate())
    with pytest.raises(ValidationError):
        a_call(world)
    township_call = a_call(world, level="township", region=world.other_township)
    assert township_call.accepting(timezone.localdate())
    call = services.publish_call(actor=world.staff, call=call)
    assert call.accepting(timezone.localdate()) and call.published_at is not None
    services.close_call(actor=world.staff, call=call)
    call.refresh_from_db()
    assert not call.accepting(timezone.localdate())


def test_only_staff_run_calls(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.create_call(
            actor=world.deputy,
            year=2027,
            level="city",
            region=world.county,
            title="公告",
            text="正文",
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate(),
        )


def test_a_deputy_proposes_while_the_call_is_open(world: Any) -> None:
    deputy = a_deputy(world, user=world.deputy, name="刘代表")
    call = a_call(world)
    p = services.propose_as_deputy(
        actor=world.deputy, call=call, title="村级养老服务站", description=DESCRIPTION
    )
    assert p.deputy == deputy and p.proposer_kind == "deputy" and p.state == "submitted"
    assert p.proposer_label == "刘代表代表"
    services.close_call(actor=world.staff, call=call)
    call.refresh_from_db()
    with pytest.raises(ValidationError, match="未开放或已截止"):
        services.propose_as_deputy(
            actor=world.deputy, call=call, title="再提一件", description=DESCRIPTION
        )
    with pytest.raises(PermissionDenied):
        services.propose_as_deputy(
            actor=world.staff, call=a_call(world, year=2028), title="x", description=DESCRIPTION
        )


def test_a_department_proposal_names_its_unit(world: Any) -> None:
    call = a_call(world)
    with pytest.raises(ValidationError) as refused:
        a_proposal(world, call, proposer_name="")
    assert "proposer_name" in refused.value.message_dict
    p = a_proposal(world, call, proposer_kind="village", proposer_name="坪石村村民委员会")
    assert p.proposer_label == "坪石村村民委员会"


def test_an_opinion_becomes_a_proposal_linked_both_ways(world: Any) -> None:
    station = make_station(world)
    opinion = make_opinion(world, station, content="坪石公路坑洼不平，群众出行困难，希望尽快修好。")
    before = Opinion.objects.get(pk=opinion.pk)
    call = a_call(world)
    p = services.convert_opinion(actor=world.staff, opinion=opinion, call=call, title="坪石公路")
    assert p.description == opinion.content and p.proposer_kind == "public"
    assert p.township == station.region
    # The proposal shows where it came from; the opinion finds what it became.
    (link,) = sources_of(p)
    assert link.source == opinion and "群众意见" in link.label
    assert proposals_from(opinion) == [p.pk]
    # The constituent's contact stays with the opinion; the opinion row is untouched.
    assert p.contact_name == "" and p.contact_phone == ""
    after = Opinion.objects.get(pk=opinion.pk)
    assert (after.state, after.updated_at) == (before.state, before.updated_at)
    with pytest.raises(ValidationError, match="已经转为"):
        services.convert_opinion(actor=world.staff, opinion=opinion, call=call, title="再转")
    assert Proposal.objects.count() == 1


def test_a_suggestion_becomes_a_proposal_of_its_lead_deputy(world: Any) -> None:
    sc = scene(world, others=0)
    suggestion = submitted(sc)
    call = a_call(world)
    p = services.convert_suggestion(actor=world.staff, suggestion=suggestion, call=call)
    assert p.deputy == sc.me and p.title == suggestion.title[:100]
    assert sources_of(p)[0].source == suggestion
    assert proposals_from(suggestion) == [p.pk]
    with pytest.raises(ValidationError):
        services.convert_suggestion(actor=world.staff, suggestion=suggestion, call=call)


def test_merging_a_duplicate_sums_the_supporters_and_is_audited(world: Any) -> None:
    call = a_call(world)
    kept, dup, third = (a_proposal(world, call, t) for t in ("坪石公路", "修坪石的路", "坪石路"))
    services.merge_proposals(actor=world.staff, proposal=third, into=dup)
    dup.refresh_from_db()
    assert dup.supporters == 2
    kept = services.merge_proposals(actor=world.staff, proposal=dup, into=kept)
    assert kept.supporters == 3
    dup.refresh_from_db()
    third.refresh_from_db()
    assert dup.state == "merged" and dup.merged_into == kept
    # What was merged into the duplicate now points at the kept one.
    assert third.merged_into == kept
    event = AuditEvent.objects.filter(action="livelihood.proposal_merge").latest("id")
    assert event.details["supporters"] == 3 and event.details["added"] == 2
    with pytest.raises(ValidationError):
        services.merge_proposals(actor=world.staff, proposal=kept, into=kept)
    with pytest.raises(ValidationError):
        services.merge_proposals(actor=world.staff, proposal=kept, into=dup)


def test_a_proposal_merges_only_within_its_call(world: Any) -> None:
    a = a_proposal(world, a_call(world))
    b = a_proposal(world, a_call(world, year=2028))
    with pytest.raises(ValidationError, match="同一次征集"):
        services.merge_proposals(actor=world.staff, proposal=a, into=b)


def test_the_reserve_is_carried_into_next_years_call(world: Any) -> None:
    this_year = a_call(world)
    p = a_proposal(world, this_year, "城区公厕改造")
    review(world, p)
    services.reserve_proposal(actor=world.staff, proposal=p, note="今年资金不足")
    p.refresh_from_db()
    assert p.state == "reserved"
    with pytest.raises(ValidationError, match="以后年度"):
        services.carry_reserved(actor=world.staff, proposal=p, call=this_year)
    next_year = a_call(
        world,
        year=2028,
        opens_on=timezone.localdate() + dt.timedelta(days=300),
        closes_on=timezone.localdate() + dt.timedelta(days=330),
    )
    carried = services.carry_reserved(actor=world.staff, proposal=p, call=next_year)
    assert carried.call == next_year and carried.first_call == this_year
    assert carried.state == "submitted"
    # Considered afresh next year: reviewed and accepted again, then a candidate there.
    review(world, carried)
    assert services.accept_proposal(actor=world.staff, proposal=carried).state == "accepted"
    assert list(Proposal.objects.filter(call=next_year)) == [carried]


def test_an_accepted_proposal_not_put_on_a_list_can_be_reserved(world: Any) -> None:
    p = accepted(world, a_call(world))
    assert services.reserve_proposal(actor=world.staff, proposal=p).state == "reserved"
