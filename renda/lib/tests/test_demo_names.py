from __future__ import annotations

import re

import pytest

from renda.lib.demo_names import PeopleFactory
from renda.lib.idcard import birth_date_from_id, gender_from_id, id_number_problem, is_mobile


def test_it_makes_the_same_people_from_the_same_seed() -> None:
    one, two = PeopleFactory(7), PeopleFactory(7)
    assert [one.person() for _ in range(50)] == [two.person() for _ in range(50)]
    assert PeopleFactory(7).person() != PeopleFactory(8).person()


def test_its_people_are_distinct_and_their_data_valid() -> None:
    factory = PeopleFactory(431381)
    people = [factory.person(first_year=1955, last_year=1995) for _ in range(800)]
    assert len({p.name for p in people}) == 800
    assert len({p.id_number for p in people}) == 800
    assert len({p.mobile for p in people}) == 800
    for person in people:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name)
        assert id_number_problem(person.id_number) is None
        assert person.id_number.startswith("431381")
        assert birth_date_from_id(person.id_number) == person.birth_date
        assert gender_from_id(person.id_number) == person.gender
        assert 1955 <= person.birth_date.year <= 1995
        assert is_mobile(person.mobile)


def test_it_refuses_an_address_code_that_is_not_six_digits() -> None:
    with pytest.raises(ValueError, match="6-digit"):
        PeopleFactory(1, address_code="43138")
