"""`create_deputies_in_bulk`: the checks of `create_deputy`, set-wise, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from renda.core.fields import make_blind_index
from renda.core.models import AuditEvent, Organization
from renda.deputies import services
from renda.deputies.models import Deputy, Level
from renda.deputies.tests.factories import make_deputy, make_id_number, make_term


def record(world: Any, term: Any, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "term": term,
        "name": "陈批量",
        "party": "群众",
        "category": Deputy.Category.FARMER,
        "region": world.township,
        "id_number": make_id_number(dt.date(1990, 2, 3)),
        "mobile": "13700000000",
        "elected_on": dt.date(2021, 11, 20),
    }
    values.update(fields)
    return values


def test_it_registers_many_deputies_with_derived_fields_and_one_audit_event(world: Any) -> None:
    term = make_term(world)
    created = services.create_deputies_in_bulk(
        actor=world.staff, records=[record(world, term) for _ in range(3)], chunk_size=2
    )
    assert created == 3
    deputy = Deputy.objects.filter(term=term).first()
    assert deputy is not None
    assert (deputy.birth_date, deputy.gender) == (
        dt.date(1990, 2, 3),
        "M" if int(deputy.id_number[16]) % 2 else "F",
    )
    assert (
        deputy.id_number_index == make_blind_index(deputy.id_number)
        and deputy.mobile == "13700000000"
    )
    assert Deputy.objects.filter(mobile_index=make_blind_index("13700000000")).count() == 3
    assert AuditEvent.objects.filter(action="deputy.create_bulk", actor=world.staff).count() == 1


def test_a_duplicate_in_the_input_or_the_term_rolls_everything_back(world: Any) -> None:
    term = make_term(world)
    twice = make_id_number()
    with pytest.raises(ValidationError, match="已登记"):
        services.create_deputies_in_bulk(
            actor=None,
            records=[record(world, term, id_number=twice), record(world, term, id_number=twice)],
        )
    assert not Deputy.objects.exists()
    existing = make_deputy(world)
    with pytest.raises(ValidationError, match="已登记"):
        services.create_deputies_in_bulk(
            actor=None,
            records=[record(world, term), record(world, term, id_number=existing.id_number)],
        )
    assert Deputy.objects.count() == 1


def test_the_same_person_may_sit_in_two_terms(world: Any) -> None:
    city = make_term(world)
    congress = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ",
        kind=Organization.Kind.TOWNSHIP_CONGRESS,
        region=world.other_township,
    )
    township = services.create_term(
        actor=None,
        congress=congress,
        level=Level.TOWNSHIP,
        number=19,
        start_date=dt.date(2021, 12, 1),
    )
    number = make_id_number()
    assert (
        services.create_deputies_in_bulk(
            actor=None,
            records=[
                record(world, city, id_number=number),
                record(world, township, id_number=number),
            ],
        )
        == 2
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id_number": "431381199002031234"}, "校验位"),
        ({"category": "astronaut"}, "category"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_record_is_rejected(world: Any, fields: dict[str, Any], message: str) -> None:
    term = make_term(world)
    with pytest.raises(ValidationError) as caught:
        services.create_deputies_in_bulk(
            actor=None, records=[record(world, term), record(world, term, **fields)]
        )
    assert message in str(caught.value)
    assert not Deputy.objects.exists()


def test_a_delegation_of_another_term_is_rejected(world: Any) -> None:
    term = make_term(world)
    congress = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ",
        kind=Organization.Kind.TOWNSHIP_CONGRESS,
        region=world.other_township,
    )
    other = services.create_term(
        actor=None,
        congress=congress,
        level=Level.TOWNSHIP,
        number=19,
        start_date=dt.date(2021, 12, 1),
    )
    foreign = services.create_delegation(
        actor=None, term=other, name="禾青镇代表小组", region=world.other_township
    )
    with pytest.raises(ValidationError, match="不属于"):
        services.create_deputies_in_bulk(
            actor=None, records=[record(world, term, delegation=foreign)]
        )
    with pytest.raises(TypeError):
        services.create_deputies_in_bulk(
            actor=None, records=[record(world, term, user=world.deputy)]
        )
