from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from renda.core.models import AuditEvent, Organization
from renda.deputies import services
from renda.deputies.models import Deputy, Membership

from .factories import make_deputy, make_id_number


def _special_committee(world: Any) -> Organization:
    return Organization.objects.create(
        name="冷水江市人大财政经济委员会",
        code="RD-CJW",
        kind=Organization.Kind.SPECIAL_COMMITTEE,
        region=world.county,
    )


def test_it_creates_a_deputy_with_birth_date_and_gender_from_the_id_number(world: Any) -> None:
    number = make_id_number(dt.date(1980, 3, 15), serial=124)  # 17th digit 2 → female
    deputy = make_deputy(world, id_number=number, gender="")
    assert deputy.birth_date == dt.date(1980, 3, 15)
    assert deputy.gender == "F"
    assert deputy.status == Deputy.Status.ACTIVE
    event = AuditEvent.objects.get(action="deputy.create")
    assert event.actor is None and event.target_id == str(deputy.pk)


def test_it_normalises_a_lower_case_x(world: Any) -> None:
    number = make_id_number()
    if not number.endswith("X"):
        # Find a serial whose check digit is X, so the test checks what it says.
        number = next(n for s in range(1000) if (n := make_id_number(serial=s)).endswith("X"))
    deputy = make_deputy(world, id_number=number.lower())
    assert deputy.id_number == number


def test_it_rejects_a_duplicate_id_number_in_the_same_term(world: Any) -> None:
    number = make_id_number()
    make_deputy(world, id_number=number)
    with pytest.raises(ValidationError) as caught:
        make_deputy(world, id_number=number, name="另一人")
    assert caught.value.message_dict["id_number"] == ["该身份证号的代表在本届已登记，不能重复登记"]
    assert Deputy.objects.count() == 1


def test_it_allows_the_same_person_in_another_congress(world: Any) -> None:
    number = make_id_number()
    make_deputy(world, id_number=number)
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
    other = services.create_deputy(
        actor=None,
        term=township_term,
        name="张建国",
        party="中共党员",
        category="worker",
        region=world.other_township,
        id_number=number,
        elected_on=dt.date(2021, 11, 20),
    )
    assert other.term == township_term


def test_it_rejects_an_invalid_checksum(world: Any) -> None:
    number = make_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        make_deputy(world, id_number=wrong)
    assert caught.value.message_dict["id_number"] == ["身份证号校验位错误"]
    assert not Deputy.objects.exists()
    assert not AuditEvent.objects.filter(action="deputy.create").exists()


def test_it_rejects_a_malformed_id_number(world: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_deputy(world, id_number="43138119750501")
    assert "18位" in caught.value.message_dict["id_number"][0]


def test_it_updates_and_audits_only_the_names_of_changed_fields(world: Any) -> None:
    deputy = make_deputy(world, mobile="13912345678")
    services.update_deputy(
        actor=world.staff, deputy=deputy, name="张建军", mobile="13787654321", party="中共党员"
    )
    deputy.refresh_from_db()
    assert deputy.name == "张建军" and deputy.mobile == "13787654321"
    event = AuditEvent.objects.get(action="deputy.update")
    assert event.details == {"changed": ["mobile", "name"]}
    assert "13787654321" not in str(event.details) and "13912345678" not in str(event.details)
    assert event.actor == world.staff


def test_it_refuses_fields_that_are_not_editable(world: Any) -> None:
    deputy = make_deputy(world)
    with pytest.raises(TypeError):
        services.update_deputy(actor=world.staff, deputy=deputy, status="ended")


def test_it_ends_a_mandate_and_closes_open_memberships(world: Any) -> None:
    deputy = make_deputy(world)
    membership = services.add_membership(
        actor=world.staff,
        deputy=deputy,
        organization=_special_committee(world),
        role="委员",
        start_date=dt.date(2022, 1, 10),
    )
    services.end_mandate(
        actor=world.staff, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="moved"
    )
    deputy.refresh_from_db()
    membership.refresh_from_db()
    assert deputy.status == Deputy.Status.ENDED and deputy.ended_on == dt.date(2024, 6, 1)
    assert deputy.end_reason == "moved"
    assert membership.end_date == dt.date(2024, 6, 1)
    assert AuditEvent.objects.get(action="deputy.end_mandate").details == {"reason": "moved"}


def test_it_rejects_an_end_date_before_the_election(world: Any) -> None:
    deputy = make_deputy(world, elected_on=dt.date(2021, 11, 20))
    with pytest.raises(ValidationError) as caught:
        services.end_mandate(
            actor=world.staff, deputy=deputy, ended_on=dt.date(2021, 11, 19), reason="resigned"
        )
    assert caught.value.message_dict["ended_on"] == ["终止日期不能早于当选日期"]
    deputy.refresh_from_db()
    assert deputy.status == Deputy.Status.ACTIVE and deputy.ended_on is None


def test_it_rejects_ending_a_mandate_twice(world: Any) -> None:
    deputy = make_deputy(world)
    services.end_mandate(
        actor=world.staff, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="resigned"
    )
    with pytest.raises(ValidationError) as caught:
        services.end_mandate(
            actor=world.staff, deputy=deputy, ended_on=dt.date(2025, 1, 1), reason="moved"
        )
    assert caught.value.messages == ["该代表资格已终止"]
    deputy.refresh_from_db()
    assert deputy.ended_on == dt.date(2024, 6, 1) and deputy.end_reason == "resigned"
    assert AuditEvent.objects.filter(action="deputy.end_mandate").count() == 1


def test_it_rejects_an_unknown_end_reason(world: Any) -> None:
    deputy = make_deputy(world)
    with pytest.raises(ValidationError) as caught:
        services.end_mandate(
            actor=world.staff, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason=""
        )
    assert caught.value.message_dict["end_reason"] == ["请选择终止原因"]


def test_it_adds_a_membership_and_audits_it(world: Any) -> None:
    deputy = make_deputy(world)
    committee = _special_committee(world)
    membership = services.add_membership(
        actor=world.staff,
        deputy=deputy,
        organization=committee,
        role="委员",
        start_date=dt.date(2022, 1, 10),
    )
    assert list(deputy.memberships.all()) == [membership]
    event = AuditEvent.objects.get(action="membership.create")
    assert event.target_id == str(membership.pk) and event.actor == world.staff


def test_it_rejects_a_membership_that_ends_before_it_starts(world: Any) -> None:
    deputy = make_deputy(world)
    with pytest.raises(ValidationError):
        services.add_membership(
            actor=world.staff,
            deputy=deputy,
            organization=_special_committee(world),
            role="委员",
            start_date=dt.date(2022, 1, 10),
            end_date=dt.date(2022, 1, 9),
        )
    assert not Membership.objects.exists()


def test_it_ends_a_membership(world: Any) -> None:
    deputy = make_deputy(world)
    membership = services.add_membership(
        actor=world.staff,
        deputy=deputy,
        organization=_special_committee(world),
        role="委员",
        start_date=dt.date(2022, 1, 10),
    )
    services.end_membership(actor=world.staff, membership=membership, end_date=dt.date(2023, 3, 1))
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2023, 3, 1)
    assert AuditEvent.objects.filter(action="membership.end", target_id=str(membership.pk)).exists()


def test_it_rejects_ending_a_membership_twice_or_before_it_started(world: Any) -> None:
    deputy = make_deputy(world)
    membership = services.add_membership(
        actor=world.staff,
        deputy=deputy,
        organization=_special_committee(world),
        role="委员",
        start_date=dt.date(2022, 1, 10),
    )
    with pytest.raises(ValidationError) as early:
        services.end_membership(
            actor=world.staff, membership=membership, end_date=dt.date(2022, 1, 9)
        )
    assert early.value.message_dict["end_date"] == ["终止日期不能早于起始日期"]
    services.end_membership(actor=world.staff, membership=membership, end_date=dt.date(2023, 3, 1))
    with pytest.raises(ValidationError) as twice:
        services.end_membership(
            actor=world.staff, membership=membership, end_date=dt.date(2024, 1, 1)
        )
    assert twice.value.messages == ["该任职已终止"]
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2023, 3, 1)


def test_it_rejects_an_invalid_mobile_number_whoever_calls(world: Any) -> None:
    with pytest.raises(ValidationError, match="11位"):
        make_deputy(world, mobile="12345")
    assert not Deputy.objects.exists()


def test_it_rejects_a_delegation_of_another_term(world: Any) -> None:
    from .factories import make_term

    term = make_term(world)
    other_congress = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ-RD",
        kind=Organization.Kind.TOWNSHIP_CONGRESS,
        region=world.other_township,
    )
    other_term = services.create_term(
        actor=None,
        congress=other_congress,
        level="township",
        number=19,
        start_date=dt.date(2021, 11, 1),
    )
    foreign = services.create_delegation(
        actor=None, term=other_term, name="禾青镇代表小组", region=world.other_township
    )
    assert term != other_term
    with pytest.raises(ValidationError, match="不属于该代表所在的届"):
        make_deputy(world, delegation=foreign)


def test_ending_a_mandate_before_a_later_membership_starts_is_refused(world: Any) -> None:
    deputy = make_deputy(world)
    services.add_membership(
        actor=None,
        deputy=deputy,
        organization=_special_committee(world),
        role="委员",
        start_date=dt.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="晚于终止日期"):
        services.end_mandate(
            actor=None, deputy=deputy, ended_on=dt.date(2023, 6, 1), reason="resigned"
        )
    deputy.refresh_from_db()
    assert deputy.status == Deputy.Status.ACTIVE


def test_a_membership_ending_before_it_starts_gets_a_chinese_message(world: Any) -> None:
    with pytest.raises(ValidationError, match="终止日期不能早于起始日期"):
        services.add_membership(
            actor=None,
            deputy=make_deputy(world),
            organization=_special_committee(world),
            role="委员",
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2023, 1, 1),
        )
